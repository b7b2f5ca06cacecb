/**
 * Bounds of every coordinate over a polytope {x : A x <= b} from a parallelotope that encloses
 * it, without an LP. A row and its exact opposite (a . x <= u and -a . x <= -l) make a slab
 * l <= a . x <= u; n linearly independent slabs B enclose the polytope in {l <= A_B x <= u}, and
 * there x = G z with G = A_B^-1 and z = A_B x in the box [l, u], so coordinate j lies within
 * sum_r min/max(G_jr l_r, G_jr u_r). For a turned frame (a box under a rotation, whose rows bound
 * no coordinate alone) these are the polytope's exact extents, from one n x n inverse instead of
 * 2n LPs (1,568 in 784 dimensions); for a polytope with more rows they are valid, maybe loose.
 *
 * The inverse is a float64 one: its residual G A_B - I is measured and its effect bounded
 * (|rho_j . x| <= |rho_j|_1 max_i |x_i|), so the bounds stay valid; an ill-conditioned choice of
 * slabs (residual >= 1/2) gives no bounds rather than wrong ones.
 */
import { invertInPlace } from "../geometry/invert.ts";

/**
 * Per-coordinate bounds lo <= x <= hi over the polytope, or null when its rows hold no n
 * independent slabs (or two rows of a slab contradict each other: the LPs say it is empty).
 * `exact`: every row belongs to one of the n slabs, so the polytope is the parallelotope itself,
 * nonempty, and lo and hi are its extents (up to the outward rounding slack).
 */
export function parallelotopeBounds(A: ArrayLike<number>, b: ArrayLike<number>, n: number): { lo: Float64Array; hi: Float64Array; exact: boolean } | null {
  const slabs = findSlabs(A, b, n);
  if (slabs === null || slabs.count < n) return null;
  // Exactly n slabs (a turned frame): the inverse itself says whether they are independent.
  const chosen = slabs.count === n ? Array.from({ length: n }, (_, s) => s) : independentSlabs(slabs, n);
  if (chosen === null) return null;
  const AB = new Float64Array(n * n);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  chosen.forEach((s, r) => {
    AB.set(slabs.directions.subarray(s * n, (s + 1) * n), r * n);
    lower[r] = slabs.lower[s];
    upper[r] = slabs.upper[s];
  });
  const G = inverse(AB, n);
  if (G === null) return null;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const residual = new Float64Array(n);
  let worstResidual = 0;
  let largest = 0;
  const eps = 4 * Number.EPSILON * (n + 2);
  const rho = new Float64Array(n);
  const norm1 = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let i = 0; i < n; i++) norm1[r] += Math.abs(AB[r * n + i]);
  for (let j = 0; j < n; j++) {
    // The scaled rows' own rounding (a_i / max|a|) and that of rho below count as residual too.
    let rounding = 0;
    let top = 0;
    let bottom = 0;
    let magnitude = 0;
    rho.fill(0);
    rho[j] = -1;
    for (let r = 0; r < n; r++) {
      const g = G[j * n + r];
      if (g === 0) continue;
      const a = g * lower[r];
      const c = g * upper[r];
      top += Math.max(a, c);
      bottom += Math.min(a, c);
      magnitude += Math.abs(a) + Math.abs(c);
      rounding += Math.abs(g) * norm1[r];
      // rho_j = G_j A_B - e_j, row by row of A_B (zeros skipped: a box given as rows costs O(n^2)).
      for (let i = 0; i < n; i++) rho[i] += g * AB[r * n + i];
    }
    let size = eps * rounding;
    for (let i = 0; i < n; i++) size += Math.abs(rho[i]);
    // The sums' own rounding, outward.
    hi[j] = top + eps * magnitude;
    lo[j] = bottom - eps * magnitude;
    residual[j] = size;
    worstResidual = Math.max(worstResidual, size);
    largest = Math.max(largest, Math.abs(hi[j]), Math.abs(lo[j]));
  }
  if (!(worstResidual < 0.5) || !Number.isFinite(largest)) return null;
  // x_j = G_j A_B x - rho_j . x, and max |x_i| <= largest + worstResidual max |x_i|.
  const reach = largest / (1 - worstResidual);
  for (let j = 0; j < n; j++) {
    const slack = residual[j] * reach * (1 + eps);
    hi[j] += slack;
    lo[j] -= slack;
  }
  return { lo, hi, exact: slabs.count === n && slabs.everyRow };
}

/** Distinct row directions bounded on both sides: unit-max directions (count x n) and their l, u. */
interface Slabs {
  count: number;
  directions: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  /** Every row is one side of a slab (no zero row, no direction bounded on one side only). */
  everyRow: boolean;
}

/**
 * The slabs among the rows. Each row is scaled so that its largest coefficient is +1 or -1 and
 * signed so that its first non-zero is positive; rows with the same scaled direction (exactly)
 * bound a . x from above or, with the sign flipped, from below. A direction with both is a slab.
 */
function findSlabs(A: ArrayLike<number>, b: ArrayLike<number>, n: number): Slabs | null {
  const rows = b.length;
  const scaled = new Float64Array(rows * n);
  const upperOf = new Float64Array(rows).fill(Infinity);
  const lowerOf = new Float64Array(rows).fill(-Infinity);
  const byHash = new Map<number, number[]>();
  /** Row index of the first row holding each distinct direction. */
  const distinct: number[] = [];
  let zeroRows = false;
  for (let r = 0; r < rows; r++) {
    let big = 0;
    let first = 0;
    for (let i = 0; i < n; i++) {
      const a = A[r * n + i];
      if (first === 0 && a !== 0) first = a;
      big = Math.max(big, Math.abs(a));
    }
    if (big === 0) {
      zeroRows = true;
      continue;
    }
    const sign = first > 0 ? 1 : -1;
    const f = sign / big;
    let hash = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const v = A[r * n + i] * f + 0; // + 0: -0 becomes 0
      scaled[r * n + i] = v;
      hash = Math.imul(hash ^ hashNumber(v), 0x01000193);
    }
    const limit = (b[r] * sign) / big;
    const same = byHash.get(hash) ?? [];
    let home = same.find((s) => equalRows(scaled, s, r, n));
    if (home === undefined) {
      home = r;
      same.push(r);
      byHash.set(hash, same);
      distinct.push(r);
    }
    // sign > 0: direction . x <= limit; sign < 0: -direction . x <= b / big, so direction . x >= limit.
    if (sign > 0) upperOf[home] = Math.min(upperOf[home], limit);
    else lowerOf[home] = Math.max(lowerOf[home], limit);
  }
  const both = distinct.filter((r) => Number.isFinite(upperOf[r]) && Number.isFinite(lowerOf[r]));
  for (const r of both) if (!(lowerOf[r] <= upperOf[r])) return null; // empty: the feasibility LP says so
  // Narrow slabs first: they give the tighter bounds when there is a choice.
  both.sort((p, q) => upperOf[p] - lowerOf[p] - (upperOf[q] - lowerOf[q]) || p - q);
  const directions = new Float64Array(both.length * n);
  both.forEach((r, k) => {
    directions.set(scaled.subarray(r * n, (r + 1) * n), k * n);
  });
  return {
    count: both.length,
    directions,
    lower: Float64Array.from(both, (r) => lowerOf[r]),
    upper: Float64Array.from(both, (r) => upperOf[r]),
    everyRow: !zeroRows && both.length === distinct.length,
  };
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);
function hashNumber(v: number): number {
  bits[0] = v;
  return words[0] ^ Math.imul(words[1], 0x9e3779b1);
}

function equalRows(M: Float64Array, p: number, q: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (M[p * n + i] !== M[q * n + i]) return false;
  return true;
}

/**
 * n linearly independent slabs, by elimination with partial pivoting over the slabs (the
 * narrowest slab wins among pivots within a factor 2 of the largest, for tight bounds while
 * staying well conditioned), or null when the slabs span fewer than n dimensions.
 */
function independentSlabs(slabs: Slabs, n: number): number[] | null {
  const m = slabs.count;
  const M = slabs.directions.slice();
  const used = new Uint8Array(m);
  const chosen: number[] = [];
  for (let c = 0; c < n; c++) {
    let most = 0;
    for (let r = 0; r < m; r++) if (!used[r]) most = Math.max(most, Math.abs(M[r * n + c]));
    if (most < 1e-12) return null;
    let pivot = -1;
    for (let r = 0; r < m && pivot < 0; r++) if (!used[r] && Math.abs(M[r * n + c]) >= 0.5 * most) pivot = r;
    used[pivot] = 1;
    chosen.push(pivot);
    const inv = 1 / M[pivot * n + c];
    for (let r = 0; r < m; r++) {
      if (used[r]) continue;
      const f = M[r * n + c] * inv;
      if (f === 0) continue;
      for (let i = c; i < n; i++) M[r * n + i] -= f * M[pivot * n + i];
    }
  }
  return chosen;
}

/** The inverse of the n x n matrix M (Gauss-Jordan, partial pivoting), or null if it is singular. */
function inverse(source: Float64Array, n: number): Float64Array | null {
  const G = new Float64Array(n * n);
  return invertInPlace(source.slice(), G, n, 1e-12) ? G : null;
}
