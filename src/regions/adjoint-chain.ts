/**
 * The adjoint bound's level, for both engines (docs/numerics.md, the line adjoint paragraph,
 * steps 1 and 4: the proof; the plane's paragraph refers to it). On a settled chain of fused
 * steps the error of the top map is e_p = sum_q P_{p,q} r_q (+ P_{p,b} e_b), P the signed products
 * W D ... W D and |r_q| <= L_q, so |e_p,i| <= sum_q rowsum_i |P_{p,q}| L_q. The rows of P are made
 * backwards in float64, each entry u with f, a bound of its own rounding: per level every row's
 * sum of |u| + f (what the level's L is multiplied by), then u <- u W D and f <- (f + gamma |u|)
 * |W| |D| rounded up. These are a level's loops; each engine gives its rounding constants and
 * keeps its sums over the levels and its chain's end (line-adjoint.ts, plane-adjoint.ts).
 */

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
 * |u|) |w| from 0 in the row's order, then nu = su d and nf = (d = 0 ? 0 : (sf |d| + floors[j])
 * widen + tiny), into row b at b `outStride` of (nu, nf). sf is never -0, and 0 added to a sum of
 * non-negative terms, or to NaN, is the same double: a formula without floors or tiny (floors 0,
 * tiny 0) has its own doubles, and with d 1 and widen 1 too, nu and nf are the sums themselves.
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
