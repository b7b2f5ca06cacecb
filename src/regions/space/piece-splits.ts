/**
 * A piecewise step's cut of a cell into pieces (space/engine.ts's `piecewise` runs the pieces):
 * an elementwise step's breakpoint hyperplanes unit by unit over the pieces so far, first tested
 * on the cell's envelope for every unit at once (space/box-sides.ts, in the affine kernel in 3-D),
 * or a max group's winners; each piece's states in the step's piece lists.
 */
import { type ElementwiseStep, isPiecewise, type MaxStep, type Step } from "../../model/steps.ts";
import type { Budget } from "../limits.ts";
import { boxSidesOver as boxSidesOverOf, envelope as envelopeOf, insideEnvelope as insideEnvelopeOf } from "./box-sides.ts";
import type { ExactHyperplanes } from "./exact-hyperplane.ts";
import type { SpaceKernel } from "./kernel.ts";
import type { KernelSides } from "./kernel-placement.ts";
import type { PieceLists } from "./piece-lists.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";
import { gammaOf as gammaOfK, Side, type SignTolerance } from "./side.ts";

// Module-local copies of what the per-cell code calls from other files: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const boxSidesOver = boxSidesOverOf;
const envelope = envelopeOf;
const insideEnvelope = insideEnvelopeOf;
const gammaOf = gammaOfK;

export class PieceSplits {
  private readonly C: number;
  /** The hyperplane being tested. */
  private readonly h: Float64Array;
  /** Per step: the label of its first breakpoint hyperplane (vertex names, space/vertex-names.ts). */
  private readonly labelBase: number[];
  /** The tolerance of the hyperplane being tested (its coefficients' bounds in `err`, the hyperplane exactly in `exact`). */
  private readonly tolerance: SignTolerance;
  /** The hyperplane being tested, exactly (computed only when a vertex within its bound asks; `useExact`). */
  private exact: ExactHyperplanes | null = null;
  /** The first piecewise step (its hyperplanes' exact rows are kept: it is cut once, by the domain). */
  private readonly firstPiecewise: number;
  /** The envelope of the polytope an elementwise step cuts (space/box-sides.ts's `envelope`: 2k + 1 numbers). */
  private readonly envelope: Float64Array;
  /** Limits and progress, polled while a step cuts (the engine's `useBudget`). */
  budget: Budget | null = null;

  /**
   * `kernel`, `sidesAt`: the affine kernel and per elementwise step in 3-D its breakpoints and its
   * box test's sides there; `boxArgs` at `boxArgsAt`: the box test's box, error bound and relative
   * tolerance there (8 doubles; space/kernel-placement.ts).
   */
  constructor(
    steps: readonly Step[],
    k: number,
    eps: number,
    private readonly rows: RowStore,
    private readonly kernel: SpaceKernel | null,
    private readonly sidesAt: (KernelSides | null)[],
    private readonly boxArgs: Float64Array,
    private readonly boxArgsAt: number,
  ) {
    const C = k + 1;
    this.C = C;
    this.envelope = new Float64Array(2 * k + 1);
    // Labels of the breakpoint hyperplanes (unit j, breakpoint b of step s: labelBase[s] + j * breakpoints + b).
    let label = 0;
    this.labelBase = steps.map((step) => {
      const base = label;
      if (step.kind === "elementwise") label += step.size * step.breakpoints.length;
      return base;
    });
    this.firstPiecewise = steps.findIndex(isPiecewise);
    this.h = new Float64Array(C);
    this.tolerance = { err: new Float64Array(C), eps };
  }

  /** The exact hyperplanes of the cells (the engine's `exactFrom`). */
  useExact(exact: ExactHyperplanes): void {
    this.exact = exact;
    this.tolerance.exact = exact;
  }

  /**
   * Cut root by every breakpoint hyperplane z_j = t_b of an elementwise step, unit by unit over the
   * pieces so far. Leaves the pieces in lists.cur (returns their number), polytope q's states in
   * lists.states[q * size ..].
   */
  splitElementwise(step: ElementwiseStep, s: number, arena: PolytopeArena, root: number, z: Float64Array, zErr: Float64Array, lists: PieceLists, inKernel: boolean): number {
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
  splitMax(step: MaxStep, s: number, arena: PolytopeArena, root: number, z: Float64Array, zErr: Float64Array, lists: PieceLists): number {
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
