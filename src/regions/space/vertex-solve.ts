/**
 * A new vertex of a cut, computed from its definition: the point where the cutting hyperplane h
 * meets the edge, i.e. the solution of k of the rows tight at it (h and k - 1 independent rows
 * common to the edge's ends), with a bound on its distance from the exact solution.
 *
 * Why not interpolate along the edge? The crossing u + t (w - u) is computed from h's values at
 * the edge's ends, which may be a domain radius R away, so its error is about 2^-53 R however
 * close the vertex is to the origin: at R = 1e12 a vertex near the origin is off by 1e-4, and
 * every later decision about it must allow for that. Solved from its rows, the vertex's error is
 * relative to its own size and to the rows' terms, whatever the domain (docs/space.md).
 *
 * Rows are first scaled by powers of two (exact) so that their largest normal entry lies in
 * [1, 2): pivots are then chosen the same way for a network and domain scaled by powers of two,
 * and the computed vertex scales exactly with them.
 */
import { EPS } from "../map-error.ts";

/** Scratch, grown as needed (one solve at a time). */
let M = new Float64Array(64);
let used = new Uint8Array(8);
let sel = new Int32Array(8);
let A = new Float64Array(64);
let LU = new Float64Array(64);
let inv = new Float64Array(64);
let piv = new Int32Array(8);
let rhs = new Float64Array(8);
let x = new Float64Array(8);
let scaleOf = new Float64Array(8);
let column = new Float64Array(8);

const bitsOf = new Float64Array(1);
const bitWords = new Uint32Array(bitsOf.buffer);
/** The index of the word holding the sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The power of two 2^e with max_j |row[1 + j]| * 2^-e in [1, 2) (1 for a zero normal). */
function powerScale(row: Float64Array, at: number, k: number): number {
  let m = 0;
  for (let j = 1; j <= k; j++) m = Math.max(m, Math.abs(row[at + j]));
  if (m === 0 || !Number.isFinite(m)) return 1;
  // 2^-e for m's exponent e, from its bits (the loops below give the same power when m is normal).
  bitsOf[0] = m;
  const biased = (bitWords[HIGH] >>> 20) & 0x7ff;
  if (biased > 0 && biased < 2046) {
    bitsOf[0] = 0;
    bitWords[HIGH] = (2046 - biased) << 20;
    return bitsOf[0];
  }
  let s = 1;
  // Exact halvings and doublings (2^-1074 .. 2^1023 are all representable).
  while (m * s >= 2) s *= 0.5;
  while (m * s < 1) s *= 2;
  return s;
}

/**
 * Solve for the vertex tight at h (k + 1 coefficients [h_0, h_1..h_k] of h_0 + h . y = 0) and at
 * the rows `ids[0 .. count)` of `coef` (row r at r (k + 1), same layout). `out[at .. at + k)`
 * holds an estimate on entry (the interpolated crossing) and the solution on return. Returns a
 * bound on the largest coordinate error of the solution, or -1 when h and these rows have rank
 * below k in float64 (the estimate is then kept, and the caller bounds it otherwise).
 */
export function solveVertex(k: number, h: Float64Array, coef: Float64Array, ids: Int32Array, count: number, out: Float64Array, at: number): number {
  const C = k + 1;
  const rowsIn = count + 1;
  if (M.length < rowsIn * C) M = new Float64Array(2 * rowsIn * C);
  if (used.length < rowsIn) used = new Uint8Array(2 * rowsIn);
  if (scaleOf.length < rowsIn) scaleOf = new Float64Array(2 * rowsIn);
  if (sel.length < k) {
    sel = new Int32Array(2 * k);
    piv = new Int32Array(2 * k);
    rhs = new Float64Array(2 * k);
    x = new Float64Array(2 * k);
  }
  if (A.length < k * k) {
    A = new Float64Array(2 * k * k);
    LU = new Float64Array(2 * k * k);
    inv = new Float64Array(2 * k * k);
  }
  // The rows, scaled by powers of two: h first, then the edge's rows.
  scaleOf[0] = powerScale(h, 0, k);
  for (let j = 0; j < C; j++) M[j] = h[j] * scaleOf[0];
  for (let i = 0; i < count; i++) {
    const r = ids[i] * C;
    const s = powerScale(coef, r, k);
    scaleOf[i + 1] = s;
    for (let j = 0; j < C; j++) M[(i + 1) * C + j] = coef[r + j] * s;
  }
  // Pick k independent rows by elimination with complete pivoting over the normals (h first):
  // a well-conditioned choice among the rows tight at the vertex when there are more than k.
  for (let i = 0; i < rowsIn; i++) used[i] = 0;
  const colUsed = piv; // reused as a column mask during selection
  for (let j = 0; j < k; j++) colUsed[j] = 0;
  for (let step = 0; step < k; step++) {
    let bestRow = -1;
    let bestCol = -1;
    let best = 0;
    for (let i = step === 0 ? 0 : 1; i < (step === 0 ? 1 : rowsIn); i++) {
      if (used[i]) continue;
      for (let j = 0; j < k; j++) {
        if (colUsed[j]) continue;
        const a = Math.abs(M[i * C + 1 + j]);
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = j;
        }
      }
    }
    // Relative to the scaled rows' size (about 1): a pivot at rounding level is no pivot.
    if (bestRow < 0 || best <= 64 * k * EPS) return -1;
    used[bestRow] = 1;
    colUsed[bestCol] = 1;
    sel[step] = bestRow;
    const p = M[bestRow * C + 1 + bestCol];
    for (let i = 1; i < rowsIn; i++) {
      if (used[i]) continue;
      const f = M[i * C + 1 + bestCol] / p;
      if (f === 0) continue;
      for (let j = 0; j < C; j++) M[i * C + j] -= f * M[bestRow * C + j];
    }
  }
  // The chosen rows as they are (scaled, unreduced): A y = -c.
  for (let i = 0; i < k; i++) {
    const r = sel[i];
    const s = scaleOf[r];
    for (let j = 0; j < C; j++) {
      const v = (r === 0 ? h[j] : coef[ids[r - 1] * C + j]) * s;
      if (j === 0) rhs[i] = -v;
      else A[i * k + j - 1] = v;
    }
  }
  // LU with partial pivoting.
  for (let i = 0; i < k * k; i++) LU[i] = A[i];
  for (let i = 0; i < k; i++) piv[i] = i;
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(LU[i * k + c]) > Math.abs(LU[p * k + c])) p = i;
    if (LU[p * k + c] === 0) return -1;
    if (p !== c) {
      for (let j = 0; j < k; j++) {
        const t = LU[c * k + j];
        LU[c * k + j] = LU[p * k + j];
        LU[p * k + j] = t;
      }
      const t = piv[c];
      piv[c] = piv[p];
      piv[p] = t;
    }
    const d = LU[c * k + c];
    for (let i = c + 1; i < k; i++) {
      const f = LU[i * k + c] / d;
      LU[i * k + c] = f;
      if (f === 0) continue;
      for (let j = c + 1; j < k; j++) LU[i * k + j] -= f * LU[c * k + j];
    }
  }
  luSolve(k, rhs, x);
  for (let j = 0; j < k; j++) if (!Number.isFinite(x[j])) return -1;
  // The inverse, column by column, for the bound.
  if (column.length < k) column = new Float64Array(2 * k);
  for (let c = 0; c < k; c++) inverseColumn(k, c);
  // Bound: |x - x*| <= |A^-1| (|A x - b| + rounding of the residual), twice for the rounding of
  // A^-1 itself and of this bound.
  const gamma = (k + 2) * EPS;
  let radius = 0;
  // rhs[i] becomes row i's residual bound once read.
  const res = rhs;
  for (let i = 0; i < k; i++) {
    let r = -res[i];
    let mag = Math.abs(res[i]);
    for (let j = 0; j < k; j++) {
      r += A[i * k + j] * x[j];
      mag += Math.abs(A[i * k + j] * x[j]);
    }
    res[i] = Math.abs(r) + gamma * mag;
  }
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) s += Math.abs(inv[j * k + i]) * res[i];
    radius = Math.max(radius, s);
  }
  for (let j = 0; j < k; j++) out[at + j] = x[j];
  return 2 * radius * (1 + 4 * gamma) + Number.MIN_VALUE;
}

/** y = A^-1 b from the LU factors (rows permuted by piv). */
function luSolve(k: number, b: Float64Array, y: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let s = b[piv[i]];
    for (let j = 0; j < i; j++) s -= LU[i * k + j] * y[j];
    y[i] = s;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < k; j++) s -= LU[i * k + j] * y[j];
    y[i] = s / LU[i * k + i];
  }
}

/** Column c of A^-1 into inv (entry (j, c) at j * k + c). */
function inverseColumn(k: number, c: number): void {
  const y = column;
  for (let i = 0; i < k; i++) {
    let s = piv[i] === c ? 1 : 0;
    for (let j = 0; j < i; j++) s -= LU[i * k + j] * y[j];
    y[i] = s;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let j = i + 1; j < k; j++) s -= LU[i * k + j] * y[j];
    y[i] = s / LU[i * k + i];
  }
  for (let j = 0; j < k; j++) inv[j * k + c] = y[j];
}
