/**
 * What the walk does to a cell's (k+1)-channel map outside the kernel: an elementwise step's
 * states applied, the range check before a piecewise step, and an affine step's per-unit bounds.
 */
import type { AffineStep, ElementwiseStep } from "../../model/steps.ts";
import { EPS } from "../map-error.ts";
import { MIN_NORMAL } from "../refusal.ts";

/**
 * applyStates (model/forward.ts) for an elementwise step, its per-unit operations in the same
 * order, channel by channel: out = slope z + intercept in the constant channel, slope z in the others.
 */
export function applyElementwise(step: ElementwiseStep, states: Uint8Array, src: Float64Array, dst: Float64Array, channels: number): void {
  const n = step.size;
  const { slopes, intercepts } = step;
  if (unitSlopes.length < n) unitSlopes = new Float64Array(2 * n);
  const slope = unitSlopes;
  for (let j = 0; j < n; j++) {
    const state = states[j];
    slope[j] = slopes[state];
    dst[j] = slope[j] * src[j] + intercepts[state];
  }
  // The slopes' channels in runs of n (the same products as unit by unit).
  for (let c = 1; c < channels; c++) {
    const o = c * n;
    for (let j = 0; j < n; j++) dst[o + j] = slope[j] * src[o + j];
  }
}
/** applyElementwise's scratch: each unit's slope in its state. */
let unitSlopes = new Float64Array(64);

/**
 * Whether none of the three checks before a piecewise step refuses (refuseOutOfRange of z and of
 * its bounds, refuseUnderflow of z's slopes), in one pass per array and without their messages.
 */
export function inRange(z: Float64Array, zErr: Float64Array, channels: number, reach: number): boolean {
  const n = z.length / channels;
  let ok = true;
  let smallest = Infinity;
  // The constant channel, then the slopes (whose smallest non-zero |entry| the underflow test needs).
  for (let i = 0; i < n; i++) {
    const x = z[i];
    if (!(x - x === 0) || (Math.abs(x) < MIN_NORMAL && x !== 0)) ok = false;
  }
  for (let i = n; i < z.length; i++) {
    const x = z[i];
    const a = Math.abs(x);
    if (!(x - x === 0) || (a < MIN_NORMAL && x !== 0)) ok = false;
    if (a !== 0 && a < smallest) smallest = a;
  }
  // Sums of x - x are 0 exactly when every x is finite (NaN and infinities give NaN).
  let sum = 0;
  for (let i = 0; i < zErr.length; i++) sum += zErr[i] - zErr[i];
  return ok && sum === 0 && !(smallest * reach < MIN_NORMAL);
}

/**
 * Per-unit rounding bounds of y = A x + b (laid out as y): with an explicit matrix,
 * (n + 2) u sum_j |A_ij x_j| plus the bias addition's 2 u |y_i|, where the scalar rule found the
 * channel inexact (`channelErr[c] > 0`); without one, the scalar rule's bound for every unit.
 */
export function unitErrors(step: AffineStep, x: Float64Array, y: Float64Array, channelErr: Float64Array, err: Float64Array, channels: number): void {
  const n = step.inSize;
  const m = step.outSize;
  const W = step.weight;
  const gamma = (n + 2) * EPS;
  for (let c = 0; c < channels; c++) {
    const o = c * m;
    if (channelErr[c] === 0 || !W) {
      err.fill(channelErr[c], o, o + m);
      continue;
    }
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.abs(W[i * n + j] * x[c * n + j]);
      err[o + i] = gamma * sum + (c === 0 ? 2 * EPS * Math.abs(y[o + i]) : 0);
    }
  }
}
