/**
 * The one level of the adjoint bound both engines take (docs/numerics.md, the line adjoint
 * paragraph, steps 1, 4 and 5; the plane's refers to it): on a settled chain of fused steps the
 * error of the map at its top is e_p = sum_q P_{p,q} r_q (+ P_{p,b} e_b), P the signed products
 * W D ... W D, so |e_p,i| <= sum_q rowsum_i |P_{p,q}| L_q. The rows of P are made backwards in
 * float64, each entry u with a bound f of its own rounding: per level, every row's sum of |u| + f
 * (what that level's local bound is multiplied by) and the next rows u W D, f' = (f + gamma |u|)
 * |W| |D| rounded up.
 *
 * line-adjoint.ts (every row of a map at once, its levels kept between measures, max groups) and
 * plane-adjoint.ts (a cut's rows in one pass) each give their own rounding constants (gamma, the
 * factor f' is rounded up by, what is added for underflow) and keep their own sums over the
 * levels; the loops over a level's rows and columns are these.
 */

/** Unit roundoff of float64 (map-error.ts). */
export { EPS } from "./map-error.ts";

/** The smallest subnormal: at least what a product that underflows loses (2^-1075), twice. */
export const SUBNORMAL = 2 ** -1074;

/**
 * A level's rows (row b at b times the stride), gathered: per row its sum of |u| + f, and its
 * entries that add anything (u or f not 0): where their weights start (r times the step's
 * inputs), u, and f + gamma |u|. Grown as needed, never per level.
 */
export class GatheredRows {
  nonzero = new Int32Array(0);
  uOf = new Float64Array(0);
  fOf = new Float64Array(0);
  counts = new Int32Array(0);

  size(entries: number, rows: number): void {
    if (this.counts.length < rows) this.counts = new Int32Array(rows);
    if (this.nonzero.length >= entries) return;
    this.nonzero = new Int32Array(entries);
    this.uOf = new Float64Array(entries);
    this.fOf = new Float64Array(entries);
  }
}

/**
 * Rows b < rowCount of (u, f) (row b at b stride, its entries support[0 .. supportSize): the
 * others are 0, which adds nothing to a sum: x + 0 is x, and no sum here is -0): sums[b] = the
 * sum of |u| + f over them in order, and into `into` the entries that add anything, with their
 * weights' start (r times `inSize`, the next step's inputs) and f + gamma |u|.
 */
export function gatherRows(
  u: Float64Array,
  f: Float64Array,
  stride: number,
  rowCount: number,
  support: Int32Array,
  supportSize: number,
  gamma: number,
  inSize: number,
  sums: Float64Array,
  into: GatheredRows,
): void {
  into.size(rowCount * stride, rowCount);
  const { nonzero, uOf, fOf, counts } = into;
  for (let b = 0; b < rowCount; b++) {
    const o = b * stride;
    let sum = 0;
    let nr = o;
    for (let t = 0; t < supportSize; t++) {
      const r = support[t];
      const ur = u[o + r];
      const f0 = f[o + r];
      const au = Math.abs(ur);
      sum += au + f0;
      if (ur === 0 && f0 === 0) continue;
      nonzero[nr] = r * inSize;
      uOf[nr] = ur;
      fOf[nr] = f0 + gamma * au;
      nr++;
    }
    sums[b] = sum;
    counts[b] = nr - o;
  }
}

/**
 * The next rows from gathered ones (row b's entries at b `stride`), through the step's weights W
 * (row-major, its inputs wide) and the states' slopes, for the columns active[0 .. activeCount)
 * (the others are left as they are): each entry's two sums su = sum u w and sf = sum (f + gamma
 * |u|) |w| from 0 in the row's order, then
 *   nu = su d,  nf = d = 0 ? 0 : (sf |d| + floors[j]) widen + tiny    (slopes given: D diagonal)
 *   nu = su,    nf = sf                                             (slopes null: the caller applies D)
 * into row b at b `outStride` of (nu, nf). (A 0 added to a sum of non-negative terms, or to NaN,
 * is the same double: a caller without floors or tiny has its formula's doubles.)
 */
export function multiplyRows(
  rows: GatheredRows,
  stride: number,
  rowCount: number,
  W: Float64Array,
  active: Int32Array,
  activeCount: number,
  slopes: Float64Array | null,
  floors: Float64Array | null,
  widen: number,
  tiny: number,
  nu: Float64Array,
  nf: Float64Array,
  outStride: number,
): void {
  const { nonzero, uOf, fOf, counts } = rows;
  for (let b = 0; b < rowCount; b++) {
    const o = b * stride;
    const end = o + counts[b];
    const out = b * outStride;
    for (let a = 0; a < activeCount; a++) {
      const j = active[a];
      let su = 0;
      let sf = 0;
      for (let t = o; t < end; t++) {
        const w = W[nonzero[t] + j];
        su += uOf[t] * w;
        sf += fOf[t] * Math.abs(w);
      }
      if (slopes === null) {
        nu[out + j] = su;
        nf[out + j] = sf;
        continue;
      }
      const d = slopes[j];
      nu[out + j] = su * d;
      nf[out + j] = d === 0 ? 0 : (sf * Math.abs(d) + (floors === null ? 0 : floors[j])) * widen + tiny;
    }
  }
}
