/**
 * The network's maps along a segment, exactly: every weight, bias, slope, intercept and the
 * segment's local map (line-frame.ts, exact doubles) are dyadic rationals, so the input of each
 * piecewise step on a piece, as an affine function of t, is too. Kept as integers times one power
 * of two per vector (BigInt), for the line engine's decisions that float64 leaves open
 * (line-exact.ts), and, with three channels (an affine function of u and v), for the plane
 * engine's on a cell (plane-ties.ts settle, plane.ts emit). Nothing here runs unless such a decision comes up.
 *
 * The maps follow the states the engine is walking (`statesOf`): each piecewise step's input is
 * kept with a copy of the states it was computed under, and is computed again from the deepest
 * one still valid. The steps themselves on exact maps of any number of channels (`ExactSteps`)
 * serve the space engine's exact hyperplanes too (space/exact-hyperplane.ts).
 */
import { decompose } from "../geometry/exact.ts";
import type { AffineStep, Step } from "../model/steps.ts";
import { moveStack, stepInSize } from "../model/steps.ts";

/** value[c * size + i] = v[...] * 2^e, channel c of 2 (constant, d/dt) for a segment, of 3 for a plane, of C in exact-rows.ts. */
export interface Dyadic {
  e: number;
  v: bigint[];
}

/** Numbers as integers times 2^e for one common e (the smallest exponent among the non-zero ones). */
export function dyadicOf(xs: ArrayLike<number>): Dyadic {
  let e = Number.POSITIVE_INFINITY;
  const parts = Array.from(xs, (x) => {
    if (x === 0) return null;
    const d = decompose(x);
    e = Math.min(e, d.e);
    return d;
  });
  if (e === Number.POSITIVE_INFINITY) e = 0;
  return { e, v: parts.map((d) => (d === null ? 0n : d.m << BigInt(d.e - e))) };
}

/** The sums a[i] + b[i] of two vectors of doubles, exactly (a vector and its rounding, say). */
export function dyadicOfSum(a: ArrayLike<number>, b: ArrayLike<number>): Dyadic {
  const both = dyadicOf([...Array.from(a), ...Array.from(b)]);
  const n = a.length;
  return { e: both.e, v: both.v.slice(0, n).map((x, i) => x + both.v[n + i]) };
}

/** v * 2^from as a multiple of 2^to (to <= from). */
export const lift = (v: bigint, from: number, to: number): bigint => (from === to || v === 0n ? v : v << BigInt(from - to));

interface Entry {
  z: Dyadic;
  stack: Dyadic[];
  /** Copies of the states of the piecewise steps before it, by step index. */
  states: (Uint8Array | undefined)[];
}

export class ExactMaps {
  private readonly entries: (Entry | undefined)[] = [];
  private local: Float64Array = new Float64Array(0);
  private start: (() => Dyadic) | null = null;
  private readonly exact: ExactSteps;

  /** `channels` of each map: 2 for a segment (the line engine's), 3 for a plane (the plane engine's). */
  constructor(
    private readonly steps: readonly Step[],
    private readonly statesOf: (s: number) => Uint8Array,
    private readonly channels = 2,
  ) {
    this.exact = new ExactSteps(steps);
  }

  /**
   * A new segment (or slice), walked from the local map (channels x n0: point, directions);
   * `exact` gives that map exactly when the doubles are not (line-frame.ts, exactLocalMap; the
   * rounding of a parallelogram's directions), called only if needed.
   */
  segment(local: Float64Array, exact: (() => Dyadic) | null = null): void {
    this.local = local;
    this.start = exact;
    this.entries.length = 0;
  }

  /**
   * The exact line of unit (minus unit2, minus shift) of piecewise step s's input on the current
   * piece, into out (x0 + x1 t, both times one power of two).
   */
  line(s: number, unit: number, unit2: number, shift: number, out: bigint[]): void {
    const z = this.input(s);
    const size = stepInSize(this.steps[s]);
    let x0 = z.v[unit];
    let x1 = z.v[size + unit];
    if (unit2 >= 0) {
      x0 -= z.v[unit2];
      x1 -= z.v[size + unit2];
    }
    let e = z.e;
    if (shift !== 0) {
      const d = decompose(shift);
      const to = Math.min(e, d.e);
      x0 = lift(x0, e, to) - lift(d.m, d.e, to);
      x1 = lift(x1, e, to);
      e = to;
    }
    out[0] = x0;
    out[1] = x1;
  }

  /** The input of piecewise step s: from the deepest kept entry whose states are still the engine's. */
  input(s: number): Dyadic {
    let from = 0;
    for (let k = s; k > 0 && from === 0; k--) {
      const entry = this.entries[k];
      if (entry !== undefined && this.valid(entry, k)) from = k;
    }
    let entry = this.entries[from];
    if (from === 0 && entry === undefined) {
      entry = { z: this.start !== null ? this.start() : dyadicOf(this.local), stack: [], states: [] };
      this.entries[0] = entry;
    }
    let z = (entry as Entry).z;
    let stack = (entry as Entry).stack;
    let states = (entry as Entry).states;
    for (let k = from; k < s; k++) {
      const step = this.steps[k];
      if (step.kind === "elementwise" || step.kind === "max") {
        const now = this.statesOf(k);
        states = states.slice();
        states[k] = now.slice();
        z = this.exact.piecewise(k, z, now, this.channels);
      } else if (step.kind === "affine") z = this.exact.affine(k, z, this.channels);
      else ({ z, stack } = applyStackExact(step, z, stack, this.channels));
      const next = this.steps[k + 1];
      if (next !== undefined && (next.kind === "elementwise" || next.kind === "max")) this.entries[k + 1] = { z, stack, states };
    }
    return z;
  }

  private valid(entry: Entry, k: number): boolean {
    for (let q = 0; q < k; q++) {
      const kept = entry.states[q];
      if (kept === undefined) continue;
      const now = this.statesOf(q);
      for (let j = 0; j < kept.length; j++) if (kept[j] !== now[j]) return false;
    }
    return true;
  }
}

/**
 * The steps' exact maps on `channels`-channel exact vectors (channel 0 the constant: the bias and
 * intercepts go there only), each step's weights or pieces made exact on first use.
 */
export class ExactSteps {
  private readonly dense: ({ w: Dyadic; b: Dyadic } | undefined)[] = [];
  private readonly pieces: ({ slope: Dyadic; intercept: Dyadic } | undefined)[] = [];

  constructor(private readonly steps: readonly Step[]) {}

  /** Affine step s on x. */
  affine(s: number, x: Dyadic, channels = 2): Dyadic {
    const step = this.steps[s] as AffineStep;
    let d = this.dense[s];
    if (d === undefined) {
      d = { w: dyadicOf(explicitWeight(step)), b: dyadicOf(step.bias) };
      this.dense[s] = d;
    }
    const n = step.inSize;
    const m = step.outSize;
    const e = Math.min(x.e + d.w.e, d.b.e);
    const v: bigint[] = new Array(channels * m);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < m; i++) {
        let sum = 0n;
        for (let j = 0; j < n; j++) {
          const w = d.w.v[i * n + j];
          if (w !== 0n) sum += w * x.v[c * n + j];
        }
        v[c * m + i] = lift(sum, x.e + d.w.e, e) + (c === 0 ? lift(d.b.v[i], d.b.e, e) : 0n);
      }
    }
    return { e, v };
  }

  /** Piecewise step s on z with its units' states fixed (states[j]: unit j's). */
  piecewise(s: number, z: Dyadic, states: ArrayLike<number>, channels = 2): Dyadic {
    const step = this.steps[s];
    if (step.kind === "max") {
      const n = step.inSize;
      const m = step.outSize;
      const v: bigint[] = new Array(channels * m);
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + states[j]];
        for (let c = 0; c < channels; c++) v[c * m + j] = z.v[c * n + i];
      }
      return { e: z.e, v };
    }
    if (step.kind !== "elementwise") throw new Error("a piecewise step");
    let p = this.pieces[s];
    if (p === undefined) {
      p = { slope: dyadicOf(step.slopes), intercept: dyadicOf(step.intercepts) };
      this.pieces[s] = p;
    }
    const n = step.size;
    const e = Math.min(z.e + p.slope.e, p.intercept.e);
    const v: bigint[] = new Array(channels * n);
    for (let j = 0; j < n; j++) {
      const slope = p.slope.v[states[j]];
      for (let c = 0; c < channels; c++) v[c * n + j] = lift(slope * z.v[c * n + j], z.e + p.slope.e, e);
      v[j] += lift(p.intercept.v[states[j]], p.intercept.e, e);
    }
    return { e, v };
  }
}

/** The matrix of an affine step: its weights, or (a convolution) its columns, each exact: one product by 1 plus zeros. */
export function explicitWeight(step: AffineStep): Float64Array {
  if (step.weight !== null) return step.weight;
  const n = step.inSize;
  const m = step.outSize;
  const w = new Float64Array(m * n);
  const unit = new Float64Array(n);
  const column = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    step.applyLinear(unit, 0, column, 0);
    for (let i = 0; i < m; i++) w[i * n + j] = column[i];
    unit[j] = 0;
  }
  return w;
}

/** A stack step (model/steps.ts, applyStack) on exact vectors of `channels` channels. */
export function applyStackExact(step: Step, cur: Dyadic, stack: Dyadic[], channels = 2): { z: Dyadic; stack: Dyadic[] } {
  const moved = moveStack(step, cur, stack);
  if (moved !== null) return moved;
  const rest = stack.slice(0, -1);
  const top = stack[stack.length - 1];
  switch (step.kind) {
    case "add-saved": {
      const e = Math.min(cur.e, top.e);
      return { z: { e, v: cur.v.map((x, i) => lift(x, cur.e, e) + lift(top.v[i], top.e, e)) }, stack: rest };
    }
    case "concat-saved": {
      const a = step.savedSize;
      const b = step.size;
      const e = Math.min(cur.e, top.e);
      const v: bigint[] = [];
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < a; i++) v.push(lift(top.v[c * a + i], top.e, e));
        for (let i = 0; i < b; i++) v.push(lift(cur.v[c * b + i], cur.e, e));
      }
      return { z: { e, v }, stack: rest };
    }
    default:
      throw new Error(`not a stack step: ${step.kind}`);
  }
}
