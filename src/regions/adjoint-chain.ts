/**
 * The adjoint bound's level, for both engines (docs/numerics.md, the line adjoint paragraph; the
 * plane's refers to it). On a chain of fused steps y_q = W_q f_{D_q}(y_q') + b_q whose states D are
 * settled, each computed map is within its local bound L_q of the step applied to its computed
 * input, so its error obeys e_q = r_q + W_q D_q e_q', |r_q| <= L_q, and
 *   e_p = sum over q <= p of P_{p,q} r_q (+ P_{p,b} e_b),  P_{p,q} = W_p D_p ... (down to q, excluded),  P_{p,p} = I,
 * |e_p,i| <= sum_q rowsum_i |P_{p,q}| L_q. The products are signed, taken before their absolute
 * values: they keep the cancellation |W| |D| per layer loses (in He networks their row sums stay
 * O(1) where the product of |W| |D| grows about 1.6x a layer). Made backwards from p in float64,
 * each entry u with f, a bound of its own rounding: per level, every row's sum of |u| + f (what
 * the level's local bound is multiplied by), then u <- u W D and f <- (f + gamma |u|) |W| |D|
 * rounded up. These are the loops over a level's rows and columns; each engine gives its rounding
 * constants (gamma, the factor f is rounded up by, what is added for underflow) and keeps its own
 * sums over the levels and the chain's end (line-adjoint.ts, plane-adjoint.ts).
 */

/** Unit roundoff of float64 (map-error.ts). */
export { EPS } from "./map-error.ts";

/** The smallest subnormal: at least what a product that underflows loses (2^-1075), twice. */
export const SUBNORMAL = 2 ** -1074;

/**
 * Reused buffers of a level, grown as needed (never per level): its rows gathered (row b's at b
 * times the stride: where their weights start, u, f + gamma |u|; `counts` per row), the columns
 * it passes (`active`), 0, 1, 2, ... (`all`), and per column the states' slopes and underflow terms.
 */
export class AdjointLevel {
  nonzero = new Int32Array(0);
  uOf = new Float64Array(0);
  fOf = new Float64Array(0);
  counts = new Int32Array(0);
  active = new Int32Array(0);
  all = new Int32Array(0);
  slopes = new Float64Array(0);
  floors = new Float64Array(0);

  /** Room for `rows` rows of `stride` entries and for `width` columns. */
  size(rows: number, stride: number, width: number): void {
    if (this.counts.length < rows) this.counts = new Int32Array(rows);
    if (this.nonzero.length < rows * stride) {
      this.nonzero = new Int32Array(rows * stride);
      this.uOf = new Float64Array(rows * stride);
      this.fOf = new Float64Array(rows * stride);
    }
    if (this.all.length >= width) return;
    this.all = Int32Array.from({ length: width }, (_, j) => j);
    this.active = new Int32Array(width);
    this.slopes = new Float64Array(width);
    this.floors = new Float64Array(width);
  }
}

/**
 * Rows b < rowCount of (u, f) (row b at b stride, its entries support[0 .. supportSize): the
 * others are 0, which adds nothing to a sum: x + 0 is x, and no sum here is -0): sums[b] = the
 * sum of |u| + f over them in order, and into `into` (sized for them) the entries that add
 * anything, with their weights' start (r times `inSize`, the next step's inputs) and f + gamma |u|.
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
  into: AdjointLevel,
): void {
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
 * (row-major, its inputs wide) and the states' slopes d, for the columns active[0 .. activeCount)
 * (the others are left as they are): each entry's two sums su = sum u w and sf = sum (f + gamma
 * |u|) |w| from 0 in the row's order, then nu = su d and nf = d = 0 ? 0 : (sf |d| + floors[j])
 * widen + tiny, into row b at b `outStride` of (nu, nf). (sf is never -0: with floors 0, widen
 * and d 1 and tiny 0 nu and nf are the sums themselves, and 0 added to a sum of non-negative
 * terms, or to NaN, is the same double: a formula without floors or tiny has its own doubles.)
 */
export function multiplyRows(
  rows: AdjointLevel,
  stride: number,
  rowCount: number,
  W: Float64Array,
  active: Int32Array,
  activeCount: number,
  slopes: Float64Array,
  floors: Float64Array,
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
      const d = slopes[j];
      nu[out + j] = su * d;
      nf[out + j] = d === 0 ? 0 : (sf * Math.abs(d) + floors[j]) * widen + tiny;
    }
  }
}
