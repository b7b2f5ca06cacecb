/**
 * The space engine's walk (space.ts's `spaceWalk` sets it up and runs it): depth-first over the
 * compiled steps, a cell through every remaining step before the next, each step's maps and
 * bounds (in JavaScript or the affine kernel's memory), a piecewise step's cut of its cell into
 * pieces and their states. docs/space.md.
 */
import { applyStates, applyUnit, type Compiled } from "../../model/forward.ts";
import { type PatternLayout, setState, setStepStates } from "../../model/pattern.ts";
import { applyStack, type ElementwiseStep, isPiecewise, type MaxStep, type Step, stepInSize, stepOutSize, unitCount } from "../../model/steps.ts";
import type { Budget } from "../limits.ts";
import { EPS, largestSlope, refuseUnderflow } from "../map-error.ts";
import { refuseOutOfRange } from "../refusal.ts";
import { AffineMaps } from "./affine-maps.ts";
import { boxSidesOver as boxSidesOverOf, envelope as envelopeOf, insideEnvelope as insideEnvelopeOf } from "./box-sides.ts";
import type { CellSink } from "./cells.ts";
import { ExactHyperplanes } from "./exact-hyperplane.ts";
import { SpaceKernel } from "./kernel.ts";
import { type KernelOffsets, type KernelSides, type KernelStates, placeInKernel } from "./kernel-placement.ts";
import { SpaceLimitError, type SpaceShare } from "./options.ts";
import { PieceLists } from "./piece-lists.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";
import { gammaOf as gammaOfK, Side, type SignTolerance } from "./side.ts";
import { applyElementwise as applyElementwiseOf, inRange as inRangeOf } from "./step-maps.ts";

// Module-local copies of what the per-cell code calls from other files: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const applyElementwise = applyElementwiseOf;
const inRange = inRangeOf;
const boxSidesOver = boxSidesOverOf;
const envelope = envelopeOf;
const insideEnvelope = insideEnvelopeOf;
const gammaOf = gammaOfK;

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
  private readonly h: Float64Array;
  /** Per step: the label of its first breakpoint hyperplane (vertex names, space/vertex-names.ts). */
  private readonly labelBase: number[];
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
  /** The tolerance of the hyperplane being tested (its coefficients' bounds in `err`, the hyperplane exactly in `exact`). */
  private readonly tolerance: SignTolerance;
  /** The hyperplane being tested, exactly (computed only when a vertex within its bound asks). */
  private exact: ExactHyperplanes | null = null;
  /** The first piecewise step (its hyperplanes' exact rows are kept: it is cut once, by the domain). */
  private readonly firstPiecewise: number;
  /** The WebAssembly kernel of the affine steps (null without WebAssembly SIMD), and per step its offsets. */
  private readonly kernel: SpaceKernel | null;
  private readonly at: (KernelOffsets | null)[];
  /** Per step: whether its input map and bounds are in the kernel's memory (what `SpaceKernel.holds` would say, known per step). */
  private readonly inputInKernel: Uint8Array;
  /** Per elementwise step in 3-D with the kernel: its breakpoints and its box test's sides there. */
  private readonly sidesAt: (KernelSides | null)[];
  /** The box test's box, error bound and relative tolerance, for the kernel (8 doubles there). */
  private boxArgs: Float64Array = new Float64Array(0);
  /** The envelope of the polytope an elementwise step cuts (space/box-sides.ts's `envelope`: 2k + 1 numbers). */
  private readonly envelope: Float64Array;
  private boxArgsAt = -1;
  /** Per elementwise step with the kernel: its slopes, intercepts and scratch there (see KernelStates). */
  private readonly statesAt: (KernelStates | null)[];
  /** The domain's radius in the kernel's memory (inRange's reach). */
  private radiusAt = -1;
  /** Per affine step in the kernel: a copy of its input (when not in the kernel), and the sums of |terms| per unit. */
  private readonly inputs: Float64Array[] = [];
  private readonly sums: Float64Array[] = [];
  budget: Budget | null = null;
  /** A share of a split count (see SpaceShare), and whether the top cut has been made. */
  share: SpaceShare | null = null;
  private topSeen = false;
  /** Set while a share computes the top family's reference without descending (see piecewise). */
  private priming = false;

  constructor(
    compiled: Compiled,
    k: number,
    private readonly rows: RowStore,
    private readonly radius: number,
    eps: number,
    private readonly maxCells: number,
    private readonly sink: CellSink,
  ) {
    const C = k + 1;
    this.steps = compiled.steps;
    this.layout = compiled.layout;
    this.C = C;
    this.envelope = new Float64Array(2 * k + 1);
    // Labels of the breakpoint hyperplanes (unit j, breakpoint b of step s: labelBase[s] + j * breakpoints + b).
    let label = 0;
    this.labelBase = this.steps.map((step) => {
      const base = label;
      if (step.kind === "elementwise") label += step.size * step.breakpoints.length;
      return base;
    });
    this.maps = this.steps.map((step) => new Float64Array(step.kind === "affine" || isPiecewise(step) ? C * stepOutSize(step) : 0));
    this.family = this.steps.map(() => []);
    this.firstPiecewise = this.steps.findIndex(isPiecewise);
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
    this.h = new Float64Array(C);
    this.errs = this.steps.map((step) => new Float64Array(step.kind === "affine" || isPiecewise(step) ? C * stepOutSize(step) : 0));
    this.famErr = this.steps.map((step, s) => new Float64Array(inFamily.has(s) ? C * stepOutSize(step) : 0));
    this.tolerance = { err: new Float64Array(C), eps };
    this.kernel = SpaceKernel.create();
    this.at = this.steps.map(() => null);
    this.sidesAt = this.steps.map(() => null);
    this.statesAt = this.steps.map(() => null);
    let stats: Float64Array = new Float64Array(0);
    let statsAt = -1;
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
      this.boxArgs = placed.boxArgs;
      this.boxArgsAt = placed.boxArgsAt;
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
  }

  /** The walk is over: its kernel's instance goes to the next walk on the thread (SpaceKernel.release). */
  release(): void {
    this.kernel?.release();
  }

  /** The exact hyperplanes of the cells, from the slice's map (C x n0), or from its points when given. */
  exactFrom(map0: Float64Array, points: readonly Float64Array[] | null): void {
    this.exact = new ExactHyperplanes(this.steps, this.layout, this.pattern, map0, this.C, points);
    this.tolerance.exact = this.exact;
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
    const count = step.kind === "elementwise" ? this.splitElementwise(step, s, arena, root, z, zErr, lists, inKernel) : this.splitMax(step, s, arena, root, z, zErr, lists);
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

  /**
   * Cut root by every breakpoint hyperplane z_j = t_b of an elementwise step, unit by unit over the
   * pieces so far. Leaves the pieces in lists.cur (returns their number), polytope q's states in
   * lists.states[q * size ..].
   */
  private splitElementwise(
    step: ElementwiseStep,
    s: number,
    arena: PolytopeArena,
    root: number,
    z: Float64Array,
    zErr: Float64Array,
    lists: PieceLists,
    inKernel: boolean,
  ): number {
    const n = step.size;
    const C = this.C;
    const t = step.breakpoints;
    const T = t.length;
    const h = this.h;
    const tol = this.tolerance;
    const e = tol.err;
    lists.reserveStates((root + 1) * n);
    // Every hyperplane against root's envelope (its box and error bound with a margin) at once:
    // the decided ones' states are root's, and so every piece's inside the envelope
    // (space/box-sides.ts); pieces outside it are tested as before, after taking the inherited
    // state back.
    const env = this.envelope;
    envelope(arena, root, env);
    const sides = this.boxSidesOf(s, z, zErr, n, t, tol.eps, lists, inKernel);
    // Root's states, and the units with a hyperplane the envelope leaves undecided (ascending).
    const undecided = lists.undecided;
    let undecidedCount = 0;
    {
      const states = lists.states;
      const base = root * n;
      for (let j = 0; j < n; j++) {
        let above = 0;
        let split = 0;
        for (let b = 0; b < T; b++) {
          const side = sides[j * T + b];
          if (side === Side.Above) above++;
          else if (side === Side.Split) split = 1;
        }
        states[base + j] = above;
        if (split === 1) undecided[undecidedCount++] = j;
      }
    }
    lists.reserveContained(arena.count);
    lists.contained[root] = 1;
    lists.cur[0] = root;
    let count = 1;
    // Pieces of the current list not contained in root.
    let outside = 0;
    const varying = lists.varying;
    let varyingCount = 0;
    let nextUndecided = 0;
    for (let j = 0; j < n; j++) {
      if (outside === 0) {
        // Every piece inside the envelope: the units up to the next undecided one pass them by.
        while (nextUndecided < undecidedCount && undecided[nextUndecided] < j) nextUndecided++;
        if (nextUndecided === undecidedCount) break;
        if (undecided[nextUndecided] !== j) {
          this.budget?.poll();
          j = undecided[nextUndecided];
        }
      }
      for (let b = 0; b < T; b++) {
        const rootSide = sides[j * T + b];
        if (rootSide !== Side.Split && outside === 0) {
          this.budget?.poll();
          continue;
        }
        // Tested piece by piece: its state may differ between the pieces.
        if (varyingCount === 0 || varying[varyingCount - 1] !== j) varying[varyingCount++] = j;
        for (let c = 0; c < C; c++) {
          h[c] = z[c * n + j];
          e[c] = zErr[c * n + j];
        }
        const z0 = h[0];
        const h0 = z0 - t[b];
        h[0] = h0;
        // z_j - t_b rounds once more: by exactly this much (0 when exact, so exact stays exact):
        // subtractionError written out, the same operations (V8 did not inline the call here, and
        // boxed its double arguments: 2 MB of garbage a 3-32x3-1 count).
        const v = h0 - z0;
        e[0] = zErr[j] + Math.abs(z0 - (h0 - v) + (-t[b] - v));
        this.exact?.set(s, j, -1, t[b], s === this.firstPiecewise);
        lists.reserveNext(2 * count);
        const { cur, next } = lists;
        let nextCount = 0;
        let nextOutside = 0;
        for (let q = 0; q < count; q++) {
          // One layer can cut a box into many thousand pieces before the first cell is done:
          // the time limit and Ctrl-C must be seen here too, not only per finished cell.
          this.budget?.poll();
          const piece = cur[q];
          if (rootSide !== Side.Split) {
            if (lists.contained[piece] === 1) {
              next[nextCount++] = piece;
              continue;
            }
            if (rootSide === Side.Above) lists.states[piece * n + j]--;
          }
          let side = arena.boxSide(piece, h, tol);
          if (side === Side.Split) side = arena.cut(piece, h, tol, 3, this.rows, s, j, b, this.labelBase[s] + j * T + b);
          if (side === Side.Split) {
            lists.reserveStates(arena.count * n);
            const states = lists.states;
            // Both children start with the piece's states (a loop: copyWithin's call cost more for
            // a few dozen bytes).
            const from = piece * n;
            const below = arena.below * n;
            const above = arena.above * n;
            for (let u = 0; u < n; u++) {
              const state = states[from + u];
              states[below + u] = state;
              states[above + u] = state;
            }
            states[above + j]++;
            lists.reserveContained(arena.count);
            const contained = lists.contained;
            contained[arena.below] = insideEnvelope(arena, arena.below, env) ? 1 : 0;
            contained[arena.above] = insideEnvelope(arena, arena.above, env) ? 1 : 0;
            nextOutside += 2 - contained[arena.below] - contained[arena.above];
            next[nextCount++] = arena.below;
            next[nextCount++] = arena.above;
          } else {
            // A unit's state counts the breakpoints strictly below its value; on Flat (z = t on the
            // whole cell) the forward pass's strict comparison says "not above".
            if (side === Side.Above) lists.states[piece * n + j]++;
            nextOutside += 1 - lists.contained[piece];
            next[nextCount++] = piece;
          }
        }
        lists.swap();
        count = nextCount;
        outside = nextOutside;
      }
    }
    lists.varyingCount = varyingCount;
    return count;
  }

  /**
   * boxSides over root's envelope (this.envelope), by the kernel where the step's sides and its
   * input map and bounds (`inKernel`) are in its memory (3-D), else in lists.sides.
   */
  private boxSidesOf(s: number, z: Float64Array, zErr: Float64Array, n: number, t: Float64Array, eps: number, lists: PieceLists, inKernel: boolean): Int8Array {
    const at = this.sidesAt[s];
    if (at !== null && inKernel) {
      const kernel = this.kernel as SpaceKernel;
      const args = this.boxArgs;
      const env = this.envelope;
      for (let i = 0; i < 7; i++) args[i] = env[i];
      args[7] = gammaOf(3) + eps;
      kernel.boxSides3(z.byteOffset / 8, zErr.byteOffset / 8, n, at.t, t.length, at.sides.byteOffset, this.boxArgsAt);
      return at.sides;
    }
    const sides = lists.reserveSides(n * t.length);
    const k = this.envelope.length >> 1;
    boxSidesOver(this.envelope, 0, this.envelope[2 * k], k, z, zErr, n, t, eps, sides);
    return sides;
  }

  /**
   * Split root by the winners of each max group: for candidate p, the part where z_p >= z_q.
   * Leaves the pieces in lists.cur (returns their number), listed piece q's states in
   * lists.states[q * outSize ..].
   */
  private splitMax(step: MaxStep, s: number, arena: PolytopeArena, root: number, z: Float64Array, zErr: Float64Array, lists: PieceLists): number {
    const n = step.inSize;
    const m = step.outSize;
    const C = this.C;
    const h = this.h;
    const tol = this.tolerance;
    const e = tol.err;
    lists.reserveStates(m);
    lists.states.fill(0, 0, m);
    lists.cur[0] = root;
    let count = 1;
    for (let j = 0; j < m; j++) {
      const start = step.offsets[j];
      const g = step.offsets[j + 1] - start;
      if (g === 1) continue;
      let nextCount = 0;
      for (let q = 0; q < count; q++) {
        this.budget?.poll();
        for (let p = 0; p < g; p++) {
          let piece = lists.cur[q];
          const ip = step.indices[start + p];
          this.exact?.maxWinners(lists.states, q * m, j, p);
          for (let o = 0; o < g && piece >= 0; o++) {
            if (o === p) continue;
            const io = step.indices[start + o];
            // A difference of two maps: both bounds, and the subtraction's rounding.
            for (let c = 0; c < C; c++) {
              const a = z[c * n + io];
              const b = z[c * n + ip];
              const d = a - b;
              h[c] = d;
              // subtractionError(a, b, d) written out (as in splitElementwise: no boxed arguments).
              const v = d - a;
              e[c] = zErr[c * n + io] + zErr[c * n + ip] + Math.abs(a - (d - v) + (-b - v));
            }
            this.exact?.set(s, io, ip, 0, s === this.firstPiecewise);
            let side = arena.boxSide(piece, h, tol);
            if (side === Side.Split) side = arena.cut(piece, h, tol, 1, this.rows, s, j, o);
            // z_o - z_p: Below keeps p, Above kills it, Flat (tied on the whole cell) goes to the
            // first index as in the forward pass, Split keeps the part where p wins.
            if (side === Side.Above || (side === Side.Flat && o < p)) piece = -1;
            else if (side === Side.Split) piece = arena.below;
          }
          if (piece < 0) continue;
          lists.reserveNext(nextCount + 1);
          lists.reserveNextStates((nextCount + 1) * m);
          lists.next[nextCount] = piece;
          const { states, nextStates } = lists;
          for (let u = 0; u < m; u++) nextStates[nextCount * m + u] = states[q * m + u];
          nextStates[nextCount * m + j] = p;
          nextCount++;
        }
      }
      lists.swap();
      lists.swapStates();
      count = nextCount;
    }
    return count;
  }
}
