/**
 * An a posteriori ("adjoint") bound of how far a deep map is from the network's exact map, on
 * one cell whose states above are settled (docs/numerics.md, "An adjoint bound on a settled
 * chain (the plane engine)").
 *
 * The carried bound (map-error.ts, plane.ts `carried`) multiplies the input's bound by |W D|_inf
 * at every fused step: it loses the cancellation of the signed products and grows like that
 * product (about 1.6x a layer in He networks of width 8) while the error itself does not. On a
 * chain of fused steps z_k = W_k f_{D_k}(z_{k-1}) + b_k with settled states D_k the error is
 * linear: e_k = W_k D_k e_{k-1} + r_k, r_k the step's own rounding (its local bound), so
 *   e_p = sum_k P_{p,k} r_k + P_{p,0} e_0,   P_{p,k} = W_p D_p ... W_{k+1} D_{k+1},  P_{p,p} = I,
 * and |e_p,i| <= sum_k |row i of P_{p,k}| 1 L_k. The rows of P are made backwards from p in
 * float64, signed (keeping the cancellation), with a rigorous bound of their own rounding.
 *
 * One function, `adjointRow`, serves any engine: it takes the fused steps (weights, the slopes of
 * the states, the local bound per channel), the start's whole bound and the number of channels.
 */

import { EPS } from "./map-error.ts";

/** One fused step of a settled chain: y = W f_D(x) + b computed within `local` of that from the computed x. */
export interface AdjointLink {
  /** The dense step's weights, row-major outSize x inSize. */
  weight: Float64Array;
  inSize: number;
  outSize: number;
  /** Per input unit, the slope of its state on the cell (D; a relu 0 or 1, a hard tanh's flat part 0). */
  slopes: Float64Array;
  /** Per channel, a bound of every output's rounding against W f_D(x) + b, x the computed input. */
  local: Float64Array;
}

/**
 * Absolute margin added to every rounded-up quantity: it covers products that underflow (each
 * loses at most 2^-1075; far fewer than 2^70 of them meet in one sum) and is nothing beside any
 * bound a decision reads.
 */
const TINY = 2 ** -1000;

/** Reused buffers (the row, its rounding bound, and the next ones). */
export class AdjointScratch {
  u = new Float64Array(0);
  f = new Float64Array(0);
  nu = new Float64Array(0);
  nf = new Float64Array(0);

  size(n: number): void {
    if (this.u.length >= n) return;
    this.u = new Float64Array(n);
    this.f = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.nf = new Float64Array(n);
  }
}

/**
 * Bound per channel (into out[0 .. channels)) of |z_i - z*_i|, z the computed output of the chain
 * links[0 .. count) (links[count - 1] the last step, whose output z is) and z* the exact map, given
 * that the first link's input is within start[c] of its exact map in every unit. Infinity or NaN
 * where the arithmetic overflows (the caller then keeps its other bound).
 *
 * Backwards from u = e_i with its rounding bound f = 0: at link k add S = sum(|u| + f) times
 * local_k, then u <- fl(u^T W_k) D_k and f <- [(f + G |u|)^T |W_k|] |D_k| rounded up, G covering
 * the product's rounding; at the end S times start. Every sum is of non-negative terms, rounded up
 * by factors (1 + k eps) and TINY (docs/numerics.md gives the count).
 */
export function adjointRow(links: readonly AdjointLink[], count: number, start: Float64Array, channels: number, i: number, out: Float64Array, scratch: AdjointScratch): void {
  let width = 0;
  for (let k = 0; k < count; k++) width = Math.max(width, links[k].inSize, links[k].outSize);
  scratch.size(width);
  let { u, f, nu, nf } = scratch;
  const last = links[count - 1];
  u.fill(0, 0, last.outSize);
  f.fill(0, 0, last.outSize);
  u[i] = 1;
  for (let c = 0; c < channels; c++) out[c] = 0;
  let n = last.outSize;
  for (let k = count - 1; k >= -1; k--) {
    // S = sum |u| + f: n + 1 roundings down at most, times (1 + (n + 3) eps) and TINY.
    let S = 0;
    for (let j = 0; j < n; j++) S += Math.abs(u[j]) + f[j];
    S = S * (1 + (n + 3) * EPS) + TINY;
    const L = k >= 0 ? links[k].local : start;
    for (let c = 0; c < channels; c++) if (L[c] !== 0) out[c] += S * L[c];
    if (k < 0) break;
    const { weight: W, inSize: m, slopes } = links[k];
    // u W: n products summed per entry, then times the slope: n + 1 roundings, G = (n + 3) eps
    // bounds their relative effect; f's own sum: each term passes G|u| (1), + f (1), |W| (1),
    // n - 1 additions, |slope| (1): (n + 3) roundings down, so times (1 + (n + 5) eps).
    const G = (n + 3) * EPS;
    const up = 1 + (n + 5) * EPS;
    nu.fill(0, 0, m);
    nf.fill(0, 0, m);
    for (let r = 0; r < n; r++) {
      const ur = u[r];
      if (ur === 0 && f[r] === 0) continue;
      const fr = f[r] + G * Math.abs(ur);
      const row = r * m;
      for (let j = 0; j < m; j++) {
        const w = W[row + j];
        nu[j] += ur * w;
        nf[j] += fr * Math.abs(w);
      }
    }
    for (let j = 0; j < m; j++) {
      const d = slopes[j];
      nu[j] = nu[j] * d;
      nf[j] = d === 0 ? 0 : nf[j] * Math.abs(d) * up + TINY;
    }
    [u, nu] = [nu, u];
    [f, nf] = [nf, f];
    n = m;
  }
  scratch.u = u;
  scratch.f = f;
  scratch.nu = nu;
  scratch.nf = nf;
  // The accumulation: count + 1 additions of products (2 roundings each, beside S's own).
  const widen = 1 + (count + 8) * EPS;
  for (let c = 0; c < channels; c++) out[c] = out[c] * widen + TINY;
}

/**
 * For the tests only (test/regions/plane-adjoint.test.ts). `seen`: called with every unit's
 * adjoint bound the plane engine makes (step s, unit j, the map cut (3 channels x units), the
 * bound per channel and the cell's states of step k < s), to check it against the exact map.
 * `off`: the plane engine makes none (today's path before it, the reference it is compared with).
 */
export const adjointTesting: {
  seen: ((s: number, j: number, z: Float64Array, bound: Float64Array, states: (k: number) => Uint8Array) => void) | null;
  off: boolean;
} = { seen: null, off: false };
