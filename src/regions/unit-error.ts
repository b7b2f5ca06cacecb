/**
 * Per-unit rounding bounds of a piecewise step's input map, for the line and plane engines.
 *
 * The engines carry one bound per channel (map-error.ts), the largest unit's: cheap, and nearly
 * always small enough to decide. But one unit with weights 2^40 times larger than the others'
 * (and outgoing weights 2^40 times smaller: the same function) widens every unit's channel bound
 * by 2^40, and ties that are not ties merge regions. So a unit the channel bound leaves undecided
 * gets its own bound, from its own row of the weights and the values that row multiplies, and is
 * decided again: O(inputs) for the few units near a cell, nothing on the hot path.
 *
 * The bound is of the same kind as the channel bound (local: the rounding of this step's map
 * from the computed predecessor, plus what the rank-one updates since the last full product
 * added) and never larger than it (the smaller of the two is used).
 */

import { decompose } from "../geometry/exact.ts";
import { perObject } from "../model/per-object.ts";
import type { AffineStep, PiecewiseStep } from "../model/steps.ts";
import { EPS, largestSlope } from "./map-error.ts";

/** Where the map came from. */
const NONE = 0;
/** An affine step with an explicit matrix applied to a known input map (walkAffine's last step). */
const AFFINE = 1;
/** A piecewise step with fixed states fused with the dense step after it, then rank-one updates. */
const FUSED = 2;

/** Largest |intercept| of an elementwise step's pieces, once per step. */
const largestIntercept = perObject((step: PiecewiseStep): number => {
  if (step.kind !== "elementwise") return 0;
  let m = 0;
  for (const c of step.intercepts) m = Math.max(m, Math.abs(c));
  return m;
});

/**
 * The two sums of a fused elementwise step's unit i (acc[0] from |bias_i|, acc[1] from 0, as in
 * `unit`) computed elsewhere with the same operations in the same order (the line engine's
 * WebAssembly kernel); false when it cannot, and `unit` computes them.
 */
export type FusedSums = (i: number, slope: number, intercept: number, acc: Float64Array) => boolean;

/** Margin for the roundings of the bound's own arithmetic. */
const MARGIN = 1 + 2 ** -20;

export class UnitBounds {
  private kind = NONE;
  private dense: AffineStep | null = null;
  private input: Float64Array = new Float64Array(0);
  private previous: PiecewiseStep | null = null;
  private updates = 0;
  private states: Uint8Array = new Uint8Array(0);
  private sums: FusedSums | null = null;
  private readonly acc: Float64Array;

  constructor(private readonly channels: number) {
    this.acc = new Float64Array(channels);
  }

  /**
   * Take another's source (the line engine keeps one per step for its roots, refined later): all
   * but the sums hook, which follows the engine's current frame.
   */
  assign(other: UnitBounds): void {
    this.kind = other.kind;
    this.dense = other.dense;
    this.input = other.input;
    this.previous = other.previous;
    this.updates = other.updates;
    this.states = other.states;
    this.sums = null;
  }

  /** No per-unit bound is known: the channel bound serves. */
  none(): void {
    this.kind = NONE;
  }

  /** The map is `step` (with an explicit matrix) applied to `input` (channels x step.inSize). */
  affine(step: AffineStep, input: Float64Array): void {
    if (step.weight === null) {
      this.kind = NONE;
      return;
    }
    this.kind = AFFINE;
    this.dense = step;
    this.input = input;
  }

  /**
   * The map is `dense` applied to `previous`'s outputs from its input `z` in `states` (read when
   * needed: the piece's states), in full and then with `updates` rank-one updates (each a unit's
   * change of state).
   */
  fused(previous: PiecewiseStep, z: Float64Array, dense: AffineStep, updates: number, states: Uint8Array, sums: FusedSums | null = null): void {
    this.kind = FUSED;
    this.sums = sums;
    this.previous = previous;
    this.input = z;
    this.dense = dense;
    this.updates = updates;
    this.states = states;
  }

  /** Whether unit bounds can be tighter than the channel bounds (otherwise `unit` just copies them). */
  get known(): boolean {
    return this.kind !== NONE;
  }

  /**
   * out[c] = a bound on the rounding of unit i's channel c, at most channelErr[c]. `value` is the
   * map (for the bias addition's rounding).
   */
  unit(i: number, channelErr: Float64Array | readonly number[], value: Float64Array, out: Float64Array): void {
    const C = this.channels;
    if (this.kind === NONE) {
      for (let c = 0; c < C; c++) out[c] = channelErr[c];
      return;
    }
    const dense = this.dense as AffineStep;
    const W = dense.weight as Float64Array;
    const n = dense.inSize;
    const x = this.input;
    const acc = this.acc;
    const row = i * n;
    if (this.kind === AFFINE) {
      // As map-error.ts's affineError, with this row's sum of |A_ij x_j| for the norm times max|x|.
      for (let c = 0; c < C; c++) {
        if (channelErr[c] === 0) {
          out[c] = 0;
          continue;
        }
        let sum = 0;
        for (let j = 0; j < n; j++) sum += Math.abs(W[row + j] * x[c * n + j]);
        const e = ((n + 2) * EPS * sum + (c === 0 ? 2 * EPS * Math.abs(value[i]) : 0)) * MARGIN;
        out[c] = Math.min(channelErr[c], e);
      }
      return;
    }
    // Fused: row i of the dense step times the largest |output| unit j of the previous step can
    // have in any state (X_j), plus |bias|: A_i bounds every value the full product and each
    // update met, so the product rounds by at most (n + 3) u A_i, and each update (the unit's
    // new output minus its old one, times the weight, added) by at most 16 u A_i.
    const step = this.previous as PiecewiseStep;
    acc.fill(0);
    acc[0] = Math.abs(dense.bias[i]);
    if (step.kind === "elementwise" && C === 2) {
      // The loop below for two channels (the line engine's), in locals: the same operations in
      // the same order, so the same bits.
      const slope = largestSlope(step);
      const intercept = largestIntercept(step);
      if (this.sums?.(i, slope, intercept, acc)) {
        const factor = (n + 3 + 16 * this.updates) * EPS * MARGIN;
        for (let c = 0; c < C; c++) out[c] = Math.min(channelErr[c], factor * acc[c]);
        return;
      }
      let a0 = acc[0];
      let a1 = 0;
      for (let j = 0; j < n; j++) {
        const w = Math.abs(W[row + j]);
        if (w === 0) continue;
        a0 += w * (slope * Math.abs(x[j]) + intercept);
        a1 += w * slope * Math.abs(x[n + j]);
      }
      acc[0] = a0;
      acc[1] = a1;
    } else if (step.kind === "elementwise") {
      const slope = largestSlope(step);
      const intercept = largestIntercept(step);
      for (let j = 0; j < n; j++) {
        const w = Math.abs(W[row + j]);
        if (w === 0) continue;
        acc[0] += w * (slope * Math.abs(x[j]) + intercept);
        for (let c = 1; c < C; c++) acc[c] += w * slope * Math.abs(x[c * n + j]);
      }
    } else {
      const nIn = step.inSize;
      for (let j = 0; j < n; j++) {
        const w = Math.abs(W[row + j]);
        if (w === 0) continue;
        for (let c = 0; c < C; c++) {
          let big = 0;
          for (let q = step.offsets[j]; q < step.offsets[j + 1]; q++) big = Math.max(big, Math.abs(x[c * nIn + step.indices[q]]));
          acc[c] += w * big;
        }
      }
    }
    const factor = (n + 3 + 16 * this.updates) * EPS * MARGIN;
    for (let c = 0; c < C; c++) out[c] = Math.min(channelErr[c], factor * acc[c]);
  }
}

/** The scale of exact coefficients: below the smallest product of three doubles (3 x -1074). */
export const EXACT_SCALE = -3300;

/** The product of one to three doubles as an integer times 2^EXACT_SCALE, exactly. */
export function scaled(a: number, b = 1, c = 1): bigint {
  if (a === 0 || b === 0 || c === 0) return 0n;
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  return (da.m * db.m * dc.m) << BigInt(da.e + db.e + dc.e - EXACT_SCALE);
}
