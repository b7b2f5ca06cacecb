/**
 * An inner description of U = Q [lo, hi]^n0, the box's image in the reduced space: a zonotope of
 * m generators (m much smaller than n0) inside U, over which the traversal's LPs find points of
 * the box for a fraction of the box LP's cost (docs/whole.md, "Points from an inner zonotope").
 *
 * U is the Minkowski sum of the n0 segments [lo, hi] q_j (q_j: column j of Q). Inputs whose
 * columns point nearly the same way (up to sign) are tied together: x_j = mid + s_j half t_g for
 * every input j of cluster g, one variable t_g in [-1, 1] for the cluster (s_j = +-1 aligns the
 * column with the cluster's direction). Every t in [-1, 1]^m gives a point x of the box, so the
 * zonotope uMid + G t (G's column g = half sum_j s_j q_j over the cluster) lies inside U, and a
 * point it gives needs no preimage search: x is known, in the box, and u = Q x is recomputed from
 * it. Tying parallel columns loses nothing (their segments add up to one); the clusters come from
 * a few rounds of spherical k-means on the columns' directions (antipodes identified), seeded by
 * farthest points, so the description is the same in every thread.
 *
 * Nothing it gives is trusted: the caller certifies the point by the region's own rows (star.ts
 * marginAt), and falls back to the box LP when the margin is not there.
 */
import { BoxLp } from "./box-lp.ts";
import type { Reduction } from "./reduce.ts";

/** Rounds of k-means after the farthest-point seeds. */
const KMEANS_ROUNDS = 8;
/**
 * Most rows for its LP: the basis inverse is dense, K x K, and a polytope of many rows (which the
 * box LP generates lazily, box-lp.ts) would cost more here than the box LP; no point then.
 */
const MAX_ROWS = 96;

export class InnerZonotope {
  /** Generators: m of them. */
  readonly m: number;
  /** The LP over t in [-1, 1]^m with u = uMid + G t (b shifted by A uMid). */
  readonly lp: BoxLp;
  /** The last point found: x in the box and u = Q x. */
  readonly x: Float64Array;
  readonly u: Float64Array;
  private readonly cluster: Int32Array;
  private readonly sign: Float64Array;
  private readonly uMid: Float64Array;
  private readonly mid: number;
  private readonly half: number;
  private shifted = new Float64Array(0);

  constructor(
    private readonly red: Reduction,
    generators: number,
  ) {
    const { r, n0, Q, lo, hi } = red;
    this.mid = 0.5 * (lo + hi);
    this.half = 0.5 * (hi - lo);
    this.x = new Float64Array(n0);
    this.u = new Float64Array(r);
    this.uMid = new Float64Array(r);
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let j = 0; j < n0; j++) acc += Q[c * n0 + j];
      this.uMid[c] = this.mid * acc;
    }
    const norm = new Float64Array(n0);
    let maxNorm = 0;
    for (let j = 0; j < n0; j++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += Q[c * n0 + j] * Q[c * n0 + j];
      norm[j] = Math.sqrt(acc);
      maxNorm = Math.max(maxNorm, norm[j]);
    }
    // Inputs the first layer does not see (columns no longer than this) stay at the box's middle.
    const zeroNorm = 1e-14 * maxNorm;
    let active = 0;
    for (let j = 0; j < n0; j++) if (norm[j] > zeroNorm) active++;
    const m = Math.max(1, Math.min(generators, active));
    const centre = new Float64Array(m * r);
    this.cluster = new Int32Array(n0).fill(-1);
    this.sign = new Float64Array(n0);
    // Seeds: the longest column, then repeatedly the column farthest (in direction, weighted by
    // length) from every seed so far.
    const closest = new Float64Array(n0).fill(Number.POSITIVE_INFINITY);
    let pick = 0;
    for (let j = 0; j < n0; j++) if (norm[j] > norm[pick]) pick = j;
    let seeds = 0;
    for (; seeds < m; seeds++) {
      if (!(norm[pick] > zeroNorm)) break;
      for (let c = 0; c < r; c++) centre[seeds * r + c] = Q[c * n0 + pick] / norm[pick];
      let best = -1;
      let bestGap = -1;
      for (let j = 0; j < n0; j++) {
        if (!(norm[j] > zeroNorm)) continue;
        let dot = 0;
        for (let c = 0; c < r; c++) dot += centre[seeds * r + c] * Q[c * n0 + j];
        const gap = norm[j] - Math.abs(dot);
        if (gap < closest[j]) closest[j] = gap;
        if (closest[j] > bestGap) {
          bestGap = closest[j];
          best = j;
        }
      }
      if (best < 0) break;
      pick = best;
    }
    const sum = new Float64Array(m * r);
    for (let round = 0; round <= KMEANS_ROUNDS; round++) {
      // Each active column to the seed of largest |cos|, with that cosine's sign.
      for (let j = 0; j < n0; j++) {
        if (!(norm[j] > zeroNorm)) continue;
        let bestG = 0;
        let bestDot = 0;
        for (let g = 0; g < seeds; g++) {
          let dot = 0;
          for (let c = 0; c < r; c++) dot += centre[g * r + c] * Q[c * n0 + j];
          if (Math.abs(dot) > Math.abs(bestDot)) {
            bestDot = dot;
            bestG = g;
          }
        }
        this.cluster[j] = bestG;
        this.sign[j] = bestDot < 0 ? -1 : 1;
      }
      sum.fill(0);
      for (let j = 0; j < n0; j++) {
        const g = this.cluster[j];
        if (g < 0) continue;
        for (let c = 0; c < r; c++) sum[g * r + c] += this.sign[j] * Q[c * n0 + j];
      }
      if (round === KMEANS_ROUNDS) break;
      for (let g = 0; g < seeds; g++) {
        let len = 0;
        for (let c = 0; c < r; c++) len += sum[g * r + c] * sum[g * r + c];
        len = Math.sqrt(len);
        if (len > 0) for (let c = 0; c < r; c++) centre[g * r + c] = sum[g * r + c] / len;
      }
    }
    this.m = Math.max(1, seeds);
    // G (r x m, row-major as Q): column g = half * sum over the cluster of s_j q_j.
    const G = new Float64Array(r * this.m);
    for (let g = 0; g < seeds; g++) for (let c = 0; c < r; c++) G[c * this.m + g] = this.half * sum[g * r + c];
    this.lp = new BoxLp({ n0: this.m, r, Q: G, lo: -1, hi: 1 });
  }

  /**
   * The LP (K, A, nu, b, eq, sLo, sHi) of processor.ts over the inner zonotope; when it has an
   * optimum, its point of the box in this.x and u = Q x in this.u (to be certified by the caller).
   */
  solve(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number): boolean {
    if (K > MAX_ROWS) return false;
    const { r, n0, Q, lo, hi } = this.red;
    if (this.shifted.length < K) this.shifted = new Float64Array(K);
    const shifted = this.shifted;
    for (let k = 0; k < K; k++) {
      let acc = b[k];
      for (let c = 0; c < r; c++) acc -= A[k * r + c] * this.uMid[c];
      shifted[k] = acc;
    }
    const res = this.lp.solve(K, A, nu, shifted, eq, sLo, sHi);
    if (res.status !== "optimal") return false;
    const t = res.x;
    const { x, u, cluster, sign, mid, half } = this;
    for (let j = 0; j < n0; j++) {
      const g = cluster[j];
      x[j] = g < 0 ? mid : Math.min(hi, Math.max(lo, mid + sign[j] * half * t[g]));
    }
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let j = 0; j < n0; j++) acc += Q[c * n0 + j] * x[j];
      u[c] = acc;
    }
    return true;
  }
}
