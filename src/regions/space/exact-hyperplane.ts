/**
 * A breakpoint hyperplane of a deeper layer, exactly, on the cell being cut: every weight, bias,
 * slope, intercept and the slice's map are dyadic rationals, so with the states of the steps
 * before it fixed (the engine's pattern), a unit's input is an affine function of the slice
 * coordinates with dyadic coefficients. The computed hyperplane carries rounding; where a vertex
 * lies within its bound, the polytope cut asks for this row (space/exact-sign.ts decides the sign
 * when the vertex's own rows are exact: the domain's and first-layer ones). Nothing here runs
 * otherwise, and a row is computed at most once per hyperplane tested.
 */
import { decompose } from "../../geometry/exact.ts";
import { getState, type PatternLayout } from "../../model/pattern.ts";
import { type Step, stepInSize, unitCount } from "../../model/steps.ts";
import { applyStackExact, type Dyadic, dyadicOf, ExactSteps, lift } from "../exact-maps.ts";
import type { ExactHyperplane } from "./side.ts";

/**
 * The engine's hyperplane being tested, described by where it comes from (set before each test,
 * no allocation): input `unit` of piecewise step `step`, minus input `minus` (a max group's
 * comparison; -1: none), minus the breakpoint `shift`. `row()` gives it exactly, in the
 * integers of exact-sign.ts ([h_1..h_k, h_0] times a power of two), computed on first use.
 */
export class ExactHyperplanes implements ExactHyperplane {
  private step = -1;
  private unit = 0;
  private minus = -1;
  private shift = 0;
  /** Compute the row whenever the hyperplane is cut (the walk's first piecewise step: reached once). */
  private eager = false;
  /** The row of the hyperplane set, once computed (null: not yet). */
  private cached: bigint[] | null = null;
  /** Per piecewise step: its input as last computed, with the pattern then (only the bits of the steps before it matter). */
  private readonly inputs: ({ pattern: Uint32Array; z: Dyadic; stack: Dyadic[] } | undefined)[] = [];
  private readonly exact: ExactSteps;
  private readonly start: Dyadic;

  constructor(
    private readonly steps: readonly Step[],
    private readonly layout: PatternLayout,
    private readonly pattern: Uint32Array,
    /** The slice's map (C x n0, channel-major: origin, then the directions). */
    map0: Float64Array,
    private readonly C: number,
    /** The points a slice goes through (SpaceSlice.points): its map exactly, P0 and P_c - P0. */
    points: readonly Float64Array[] | null = null,
  ) {
    this.exact = new ExactSteps(steps);
    if (points === null) this.start = dyadicOf(map0);
    else {
      const n0 = points[0].length;
      const all = dyadicOf(points.flatMap((p) => Array.from(p)));
      const v = all.v.slice(0, n0);
      for (let c = 1; c < points.length; c++) for (let i = 0; i < n0; i++) v.push(all.v[c * n0 + i] - all.v[i]);
      this.start = { e: all.e, v };
    }
  }

  /** The next hyperplane to test (see the class). */
  set(step: number, unit: number, minus: number, shift: number, eager: boolean): void {
    this.eager = eager;
    this.step = step;
    this.unit = unit;
    this.minus = minus;
    this.shift = shift;
    this.cached = null;
  }

  known(): bigint[] | null {
    return this.cached ?? (this.eager ? this.row() : null);
  }

  row(): bigint[] | null {
    if (this.step < 0) return null;
    this.cached ??= this.exactRow(this.step, this.unit, this.minus, this.shift);
    return this.cached;
  }

  /** Input `unit` (minus input `minus`, minus `shift`) of piecewise step s on the current cell. */
  private exactRow(s: number, unit: number, minus: number, shift: number): bigint[] {
    const z = this.inputOf(s);
    const n = stepInSize(this.steps[s]);
    const C = this.C;
    let e = z.e;
    const g: bigint[] = new Array(C);
    for (let c = 0; c < C; c++) g[c] = z.v[c * n + unit] - (minus >= 0 ? z.v[c * n + minus] : 0n);
    if (shift !== 0) {
      const d = decompose(shift);
      const to = Math.min(e, d.e);
      for (let c = 0; c < C; c++) g[c] = lift(g[c], e, to);
      g[0] -= lift(d.m, d.e, to);
      e = to;
    }
    // exact-sign.ts's layout: the normal first, the constant last (a positive scale keeps signs).
    return [...g.slice(1), g[0]];
  }

  stored(step: number, unit: number, other: number, side: number): bigint[] | null {
    const st = this.steps[step];
    if (st === undefined) return null;
    let row: bigint[];
    // The cell descends from the one that was cut: the states before `step` are the pattern's.
    if (st.kind === "elementwise") row = this.exactRow(step, unit, -1, st.breakpoints[other]);
    else if (st.kind === "max") {
      // Group `unit`'s member `other` against the group's winner in this cell: an earlier step's
      // from the pattern; this step's from the piece being cut (see maxWinners).
      let winner: number;
      if (step < this.step) winner = getState(this.layout, this.pattern, 0, step, unit);
      else if (step === this.step && unit === this.group) winner = this.winner;
      else if (step === this.step && this.winners !== null && unit < this.group) winner = this.winners[this.winnersAt + unit];
      else return null;
      const at = st.offsets[unit];
      row = this.exactRow(step, st.indices[at + other], st.indices[at + winner], 0);
    } else return null;
    return side < 0 ? row : row.map((x) => -x);
  }

  /** In a max step's split: the winners of the groups before `group` for the piece being cut (winners[at + g]), and the candidate of `group`. */
  maxWinners(winners: Uint8Array, at: number, group: number, winner: number): void {
    this.winners = winners;
    this.winnersAt = at;
    this.group = group;
    this.winner = winner;
  }

  private winners: Uint8Array | null = null;
  private winnersAt = 0;
  private group = -1;
  private winner = 0;

  /** The input of piecewise step s on the current cell (the pattern's states before s). */
  private inputOf(s: number): Dyadic {
    // From the deepest kept input whose states are still the pattern's (siblings share most).
    let from = 0;
    let z = this.start;
    let stack: Dyadic[] = [];
    for (let q = s; q > 0; q--) {
      const kept = this.inputs[q];
      if (kept !== undefined && this.samePrefix(kept.pattern, this.layout.stepBit[q])) {
        if (q === s) return kept.z;
        from = q;
        z = kept.z;
        stack = kept.stack;
        break;
      }
    }
    const C = this.C;
    for (let q = from; q < s; q++) {
      if (q > from && this.layout.stepBit[q] >= 0) this.inputs[q] = { pattern: this.pattern.slice(), z, stack };
      const step = this.steps[q];
      if (step.kind === "affine") z = this.exact.affine(q, z, C);
      else if (step.kind === "elementwise" || step.kind === "max") {
        const states = new Uint8Array(unitCount(step));
        for (let j = 0; j < states.length; j++) states[j] = getState(this.layout, this.pattern, 0, q, j);
        z = this.exact.piecewise(q, z, states, C);
      } else ({ z, stack } = applyStackExact(step, z, stack, C));
    }
    this.inputs[s] = { pattern: this.pattern.slice(), z, stack };
    return z;
  }

  /** Whether the pattern's first `bits` bits are those of `kept`. */
  private samePrefix(kept: Uint32Array, bits: number): boolean {
    const p = this.pattern;
    const whole = bits >>> 5;
    for (let w = 0; w < whole; w++) if (kept[w] !== p[w]) return false;
    const rest = bits & 31;
    return rest === 0 || ((kept[whole] ^ p[whole]) & ((1 << rest) - 1)) === 0;
  }
}
