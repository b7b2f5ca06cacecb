/**
 * The space engine's walk (space.ts's `spaceWalk` sets it up and runs it): depth-first over the
 * compiled steps, a cell through every remaining step before the next, with each step's maps and
 * bounds (in JavaScript or the affine kernel's memory: space/kernel-placement.ts; the affine
 * steps' in space/affine-maps.ts) and a piecewise step's pieces (cut by space/piece-splits.ts),
 * their states, maps and patterns, each run through the rest in turn. docs/space.md.
 */
import { applyStates, applyUnit, type Compiled } from "../../model/forward.ts";
import { type PatternLayout, setState, setStepStates } from "../../model/pattern.ts";
import { applyStack, type ElementwiseStep, isPiecewise, type MaxStep, type Step, stepInSize, stepOutSize, unitCount } from "../../model/steps.ts";
import type { Budget } from "../limits.ts";
import { EPS, largestSlope, refuseUnderflow } from "../map-error.ts";
import { refuseOutOfRange } from "../refusal.ts";
import { AffineMaps } from "./affine-maps.ts";
import type { CellSink } from "./cells.ts";
import { ExactHyperplanes } from "./exact-hyperplane.ts";
import { SpaceKernel } from "./kernel.ts";
import { type KernelOffsets, type KernelSides, type KernelStates, placeInKernel } from "./kernel-placement.ts";
import { SpaceLimitError, type SpaceShare } from "./options.ts";
import { PieceLists } from "./piece-lists.ts";
import { PieceSplits } from "./piece-splits.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";
import { applyElementwise as applyElementwiseOf, inRange as inRangeOf } from "./step-maps.ts";

// Module-local copies of what the per-cell code calls from other files: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const applyElementwise = applyElementwiseOf;
const inRange = inRangeOf;

/**
 * The walk, depth-first over the compiled steps: a cell goes through every remaining step before
 * the next cell starts, so only one path of cells is alive. The polytopes are in one arena, used
 * as a stack: a piecewise step cuts its parent where it lies, puts the pieces above it and drops
 * them when they are done. Each step owns its other buffers (its output map, its piece lists),
 * reused by every cell that reaches it; the walk allocates nothing per cell once they have grown
 * (stack steps of branches excepted: they copy the saved maps, as siblings share them).
 */
export class SpaceEngine {
  private readonly steps: readonly Step[];
  private readonly layout: PatternLayout;
  private readonly C: number;
  /** Per step: its output map, (k+1) channels (affine and piecewise steps). */
  private readonly maps: Float64Array[];
  /**
   * Per affine step: a reference input and output of the step for the current family, the pieces
   * cut from one parent at the last piecewise step (see space/affine-maps.ts), and whether they are set.
   */
  private readonly famBefore: Float64Array[];
  private readonly famAfter: Float64Array[];
  private readonly famValid: Uint8Array;
  /** Per piecewise step: the affine steps up to the next piecewise step (its family's). */
  private readonly family: number[][];
  private readonly scratch: (PieceLists | null)[];
  private readonly pattern: Uint32Array;
  /**
   * Per step: the rounding bounds of its output map, one per coefficient (laid out as the map):
   * per unit, so that a unit of large weights does not widen every other unit's bound (scaling a
   * unit's weights by 2^k and its outgoing ones by 2^-k changes nothing).
   */
  private readonly errs: Float64Array[];
  /** Per affine step of a family: the bounds of famAfter. */
  private readonly famErr: Float64Array[];
  /** The affine steps' maps and bounds (with the arrays above, by reference). */
  private readonly affineMaps: AffineMaps;
  /** The WebAssembly kernel of the affine steps (null without WebAssembly SIMD), and per step its offsets. */
  private readonly kernel: SpaceKernel | null;
  private readonly at: (KernelOffsets | null)[];
  /** Per step: whether its input map and bounds are in the kernel's memory (what `SpaceKernel.holds` would say, known per step). */
  private readonly inputInKernel: Uint8Array;
  /** Per elementwise step in 3-D with the kernel: its breakpoints and its box test's sides there. */
  private readonly sidesAt: (KernelSides | null)[];
  /** Per elementwise step with the kernel: its slopes, intercepts and scratch there (see KernelStates). */
  private readonly statesAt: (KernelStates | null)[];
  /** The domain's radius in the kernel's memory (inRange's reach). */
  private radiusAt = -1;
  /** Per affine step in the kernel: a copy of its input (when not in the kernel), and the sums of |terms| per unit. */
  private readonly inputs: Float64Array[] = [];
  private readonly sums: Float64Array[] = [];
  /** Limits and progress (`useBudget`): ticked per cell here, polled by the splits. */
  private budget: Budget | null = null;
  /** A piecewise step's cut of a cell into pieces (the hyperplanes, their tolerance, the box tests). */
  private readonly splits: PieceSplits;
  /** A share of a split count (see SpaceShare), and whether the top cut has been made. */
  share: SpaceShare | null = null;
  private topSeen = false;
  /** Set while a share computes the top family's reference without descending (see piecewise). */
  private priming = false;

  constructor(
    compiled: Compiled,
    k: number,
    rows: RowStore,
    private readonly radius: number,
    eps: number,
    private readonly maxCells: number,
    private readonly sink: CellSink,
  ) {
    const C = k + 1;
    this.steps = compiled.steps;
    this.layout = compiled.layout;
    this.C = C;
    this.maps = this.steps.map((step) => new Float64Array(step.kind === "affine" || isPiecewise(step) ? C * stepOutSize(step) : 0));
    this.family = this.steps.map(() => []);
    let last = -1;
    this.steps.forEach((step, s) => {
      if (isPiecewise(step)) last = s;
      else if (step.kind === "affine" && step.weight && last >= 0) this.family[last].push(s);
    });
    const inFamily = new Set(this.family.flat());
    this.famBefore = this.steps.map((step, s) => new Float64Array(inFamily.has(s) ? C * stepInSize(step) : 0));
    this.famAfter = this.steps.map((step, s) => new Float64Array(inFamily.has(s) ? C * stepOutSize(step) : 0));
    this.famValid = new Uint8Array(this.steps.length);
    this.scratch = this.steps.map((step) => (isPiecewise(step) ? new PieceLists(unitCount(step)) : null));
    this.pattern = new Uint32Array(this.layout.words);
    this.errs = this.steps.map((step) => new Float64Array(step.kind === "affine" || isPiecewise(step) ? C * stepOutSize(step) : 0));
    this.famErr = this.steps.map((step, s) => new Float64Array(inFamily.has(s) ? C * stepOutSize(step) : 0));
    this.kernel = SpaceKernel.create();
    this.at = this.steps.map(() => null);
    this.sidesAt = this.steps.map(() => null);
    this.statesAt = this.steps.map(() => null);
    let stats: Float64Array = new Float64Array(0);
    let statsAt = -1;
    let boxArgs: Float64Array = new Float64Array(0);
    let boxArgsAt = -1;
    if (this.kernel) {
      const { maps, errs, scratch, statesAt, sidesAt, at, sums, inputs, famBefore, famAfter, famErr } = this;
      const placed = placeInKernel(this.kernel, this.steps, C, this.radius, inFamily, {
        maps,
        errs,
        scratch,
        statesAt,
        sidesAt,
        at,
        sums,
        inputs,
        famBefore,
        famAfter,
        famErr,
      });
      stats = placed.stats;
      statsAt = placed.statsAt;
      boxArgs = placed.boxArgs;
      boxArgsAt = placed.boxArgsAt;
      this.radiusAt = placed.radiusAt;
    }
    // The previous step's output map and bounds are in the kernel's memory when it is an affine or
    // piecewise step (placed above); the slice's map and a stack step's are not.
    this.inputInKernel = Uint8Array.from(this.steps, (_, s) => {
      const before = this.steps[s - 1];
      return this.kernel !== null && s > 0 && (before.kind === "affine" || isPiecewise(before)) ? 1 : 0;
    });
    const famAbs = this.steps.map((step, s) => new Float64Array(inFamily.has(s) ? C * stepOutSize(step) : 0));
    const { maps, errs, famBefore, famAfter, famErr, famValid, at, inputInKernel, inputs, sums } = this;
    this.affineMaps = new AffineMaps(C, this.kernel, { maps, errs, famBefore, famAfter, famErr, famValid, at, inputInKernel, inputs, sums }, famAbs, stats, statsAt);
    this.splits = new PieceSplits(this.steps, k, eps, rows, this.kernel, this.sidesAt, boxArgs, boxArgsAt);
  }

  /** Limits and progress (regions/limits.ts), for the walk: before `descend`. */
  useBudget(budget: Budget | null): void {
    this.budget = budget;
    this.splits.budget = budget;
  }

  /** The walk is over: its kernel's instance goes to the next walk on the thread (SpaceKernel.release). */
  release(): void {
    this.kernel?.release();
  }

  /** The exact hyperplanes of the cells, from the slice's map (C x n0), or from its points when given. */
  exactFrom(map0: Float64Array, points: readonly Float64Array[] | null): void {
    this.splits.useExact(new ExactHyperplanes(this.steps, this.layout, this.pattern, map0, this.C, points));
  }

  /**
   * Run steps from s on polytope p of `arena` with activation map `map` (its rounding bounds per
   * channel in `err`; saved maps and their bounds in `stack`, `errStack`).
   */
  descend(s: number, arena: PolytopeArena, p: number, map: Float64Array, err: Float64Array, stack: Float64Array[], errStack: Float64Array[]): void {
    for (; s < this.steps.length; s++) {
      const step = this.steps[s];
      if (step.kind === "affine") {
        map = this.affineMaps.affine(s, step, map);
        err = this.errs[s];
      } else if (step.kind === "elementwise" || step.kind === "max") {
        if (!this.priming) this.piecewise(s, step, arena, p, map, err, stack, errStack);
        return;
      } else {
        // Siblings share stacks until one of them changes it. Bounds are laid out as the maps, so
        // they move as the maps do; a sum adds both bounds and its rounding.
        stack = stack.slice();
        errStack = errStack.slice();
        map = applyStack(step, map, stack, this.C);
        if (step.kind === "add-saved") {
          const top = errStack.pop() as Float64Array;
          const sum = err.slice();
          for (let i = 0; i < sum.length; i++) sum[i] += top[i] + 2 * EPS * Math.abs(map[i]);
          err = sum;
        } else err = applyStack(step, err, errStack, this.C);
      }
    }
    if (this.priming) return;
    this.budget?.tick();
    refuseOutOfRange(map, map.length, "in the output");
    refuseOutOfRange(err, err.length, "in the output (their rounding bounds)", false);
    if (this.sink.count === this.maxCells) throw new SpaceLimitError(`more than ${this.maxCells} regions; use a smaller box or slice`);
    this.sink.add(arena, p, this.pattern, map);
  }

  /** Cut polytope p (of `parent`) by step s's hyperplanes, then run the rest on every piece in order. */
  private piecewise(
    s: number,
    step: ElementwiseStep | MaxStep,
    parent: PolytopeArena,
    p: number,
    z: Float64Array,
    zErr: Float64Array,
    stack: Float64Array[],
    errStack: Float64Array[],
  ): void {
    // The walk's one arena, as a stack: p is cut where it lies, its pieces go above it and are
    // dropped when they are done (before the next parent at this step is cut).
    const arena = parent;
    arena.push();
    const root = p;
    const lists = this.scratch[s] as PieceLists;
    // Whether the input map and its bounds are in the kernel's memory (then it checks and tests them).
    const kernel = this.kernel;
    const inKernel = this.inputInKernel[s] === 1;
    if (
      !(inKernel
        ? (kernel as SpaceKernel).inRange(z.byteOffset / 8, z.length / this.C, z.length, zErr.byteOffset / 8, zErr.length, this.radiusAt)
        : inRange(z, zErr, this.C, this.radius))
    ) {
      // The refusals and their messages only when one of them applies.
      refuseOutOfRange(z, z.length, `before step ${s + 1} (${step.kind})`);
      refuseUnderflow(z, this.C, this.radius, `before step ${s + 1} (${step.kind})`);
      refuseOutOfRange(zErr, zErr.length, `before step ${s + 1} (${step.kind}; their rounding bounds)`, false);
    }
    const count =
      step.kind === "elementwise" ? this.splits.splitElementwise(step, s, arena, root, z, zErr, lists, inKernel) : this.splits.splitMax(step, s, arena, root, z, zErr, lists);
    // The pieces' maps are the input's, units scaled by their slopes (or picked, for max).
    const err = this.errs[s];
    if (step.kind === "elementwise") {
      const slope = largestSlope(step);
      // 1 * x is x (relu): a copy (zErr is finite here, inRange saw to it).
      if (slope === 1 && zErr.length === err.length) err.set(zErr);
      else for (let i = 0; i < err.length; i++) err[i] = slope * zErr[i];
    } else {
      const n = step.inSize;
      const m = step.outSize;
      for (let c = 0; c < this.C; c++) {
        for (let j = 0; j < m; j++) {
          let e = 0;
          for (let q = step.offsets[j]; q < step.offsets[j + 1]; q++) e = Math.max(e, zErr[c * n + step.indices[q]]);
          err[c * m + j] = e;
        }
      }
    }
    for (const a of this.family[s]) this.famValid[a] = 0;
    const units = lists.units;
    const full = lists.full;
    const out = this.maps[s];
    // The first piecewise step is reached once, by the whole domain: its pieces are what shares split.
    const share = this.topSeen ? null : this.share;
    this.topSeen = true;
    let applied = false;
    // A descending share visits piece 0 first (the family's reference, not asked for), then asks
    // for count - 1 down to 0.
    const descending = share !== null && share.descending === true;
    const visits = descending ? count + 1 : count;
    for (let i = 0; i < visits; i++) {
      const q = !descending ? i : i === 0 ? 0 : count - i;
      const mine = share === null || (!(descending && i === 0) && share.claim(q, this.sink.count));
      // Another share's piece: skipped, but the first visit still sets the family's reference.
      if (!mine && i > 0) continue;
      const piece = lists.cur[q];
      // Elementwise states are kept per polytope of the arena, max states per listed piece.
      const row = (step.kind === "elementwise" ? piece : q) * units;
      // This step's lists (deeper steps have their own), read once per piece.
      const states = lists.states;
      if (!applied) {
        for (let j = 0; j < units; j++) full[j] = states[row + j];
        if (step.kind === "elementwise") {
          const at = this.statesAt[s];
          if (at !== null && inKernel)
            (kernel as SpaceKernel).elementwise(full.byteOffset, at.slopes, at.intercepts, z.byteOffset / 8, out.byteOffset / 8, step.size, this.C, at.scratch);
          else applyElementwise(step, full, z, out, this.C);
        } else applyStates(step, full, z, out, this.C);
        setStepStates(this.layout, this.pattern, 0, s, full);
        applied = true;
      } else if (step.kind === "elementwise") {
        // The map and the pattern so far are the last piece's: only the units whose state differs
        // change (the same operations per unit as applyStates, so the same values; later steps
        // write only their own units' bits, so this step's are as the last piece left them), and
        // only the units tested piece by piece can differ (PieceLists.varying).
        const varying = lists.varying;
        for (let v = 0; v < lists.varyingCount; v++) {
          const j = varying[v];
          const state = states[row + j];
          if (state === full[j]) continue;
          full[j] = state;
          applyUnit(step, j, state, z, out, this.C);
          setState(this.layout, this.pattern, 0, s, j, state);
        }
      } else {
        // As above, over every unit.
        for (let j = 0; j < units; j++) {
          const state = states[row + j];
          if (state === full[j]) continue;
          full[j] = state;
          applyUnit(step, j, state, z, out, this.C);
          setState(this.layout, this.pattern, 0, s, j, state);
        }
      }
      this.priming = !mine;
      try {
        this.descend(s + 1, arena, piece, out, err, stack, errStack);
      } finally {
        this.priming = false;
      }
    }
    arena.pop();
  }
}
