/**
 * The engines' hot product: next-layer maps out = bias + sum over active units j of
 * W[:, j] * x_j, for 3 channels (plane) or 2 (line), with W stored column-major (WT[j * m + i]).
 * Register-blocked: 4 outputs x all channels stay in local accumulators while the active units
 * stream past, so the outputs are read and written once instead of once per unit. The 3- and
 * 2-channel versions are written out separately on purpose: the accumulators must be locals.
 */
import type { AffineStep } from "./steps.ts";

const transposedCache = new WeakMap<AffineStep, Float64Array>();

/** Column-major copy of a dense step's weight (WT[j * outSize + i]), made once per step. */
export function transposedWeights(step: AffineStep): Float64Array {
  let WT = transposedCache.get(step);
  if (!WT) {
    const W = step.weight as Float64Array;
    const n = step.inSize;
    const m = step.outSize;
    WT = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) WT[j * m + i] = W[i * n + j];
    transposedCache.set(step, WT);
  }
  return WT;
}

/** out[c * m + i] = (c == 0 ? bias[i] : 0) + sum_k WT[active[k] * m + i] * xs[c][k]. */
export function denseColumns3(WT: Float64Array, m: number, bias: Float64Array, active: Int32Array, count: number, x0: Float64Array, x1: Float64Array, x2: Float64Array, out: Float64Array): void {
  const m4 = m & ~3;
  for (let i = 0; i < m4; i += 4) {
    let a0 = bias[i];
    let a1 = bias[i + 1];
    let a2 = bias[i + 2];
    let a3 = bias[i + 3];
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let k = 0; k < count; k++) {
      const base = active[k] * m + i;
      const w0 = WT[base];
      const w1 = WT[base + 1];
      const w2 = WT[base + 2];
      const w3 = WT[base + 3];
      const p = x0[k];
      const q = x1[k];
      const r = x2[k];
      a0 += w0 * p;
      a1 += w1 * p;
      a2 += w2 * p;
      a3 += w3 * p;
      b0 += w0 * q;
      b1 += w1 * q;
      b2 += w2 * q;
      b3 += w3 * q;
      c0 += w0 * r;
      c1 += w1 * r;
      c2 += w2 * r;
      c3 += w3 * r;
    }
    out[i] = a0;
    out[i + 1] = a1;
    out[i + 2] = a2;
    out[i + 3] = a3;
    out[m + i] = b0;
    out[m + i + 1] = b1;
    out[m + i + 2] = b2;
    out[m + i + 3] = b3;
    out[2 * m + i] = c0;
    out[2 * m + i + 1] = c1;
    out[2 * m + i + 2] = c2;
    out[2 * m + i + 3] = c3;
  }
  for (let i = m4; i < m; i++) {
    let a = bias[i];
    let b = 0;
    let c = 0;
    for (let k = 0; k < count; k++) {
      const w = WT[active[k] * m + i];
      a += w * x0[k];
      b += w * x1[k];
      c += w * x2[k];
    }
    out[i] = a;
    out[m + i] = b;
    out[2 * m + i] = c;
  }
}

/** The 2-channel version (line engine): out[c * m + i] for c in {0, 1}. */
export function denseColumns2(WT: Float64Array, m: number, bias: Float64Array, active: Int32Array, count: number, x0: Float64Array, x1: Float64Array, out: Float64Array): void {
  const m4 = m & ~3;
  for (let i = 0; i < m4; i += 4) {
    let a0 = bias[i];
    let a1 = bias[i + 1];
    let a2 = bias[i + 2];
    let a3 = bias[i + 3];
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let k = 0; k < count; k++) {
      const base = active[k] * m + i;
      const w0 = WT[base];
      const w1 = WT[base + 1];
      const w2 = WT[base + 2];
      const w3 = WT[base + 3];
      const p = x0[k];
      const q = x1[k];
      a0 += w0 * p;
      a1 += w1 * p;
      a2 += w2 * p;
      a3 += w3 * p;
      b0 += w0 * q;
      b1 += w1 * q;
      b2 += w2 * q;
      b3 += w3 * q;
    }
    out[i] = a0;
    out[i + 1] = a1;
    out[i + 2] = a2;
    out[i + 3] = a3;
    out[m + i] = b0;
    out[m + i + 1] = b1;
    out[m + i + 2] = b2;
    out[m + i + 3] = b3;
  }
  for (let i = m4; i < m; i++) {
    let a = bias[i];
    let b = 0;
    for (let k = 0; k < count; k++) {
      const w = WT[active[k] * m + i];
      a += w * x0[k];
      b += w * x1[k];
    }
    out[i] = a;
    out[m + i] = b;
  }
}
