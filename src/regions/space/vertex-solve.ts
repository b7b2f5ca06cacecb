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
 * the rows `ids[0 .. count)` of `coef` (row r at r (k + 1), same layout; `scales[r]` its
 * powerScale, or 0 when not yet known: then set here). `out[at .. at + k)`
 * holds an estimate on entry (the interpolated crossing) and the solution on return, and
 * `radius[radiusAt]` a bound on the largest coordinate error of the solution. Returns false when h
 * and these rows have rank below k in float64 (the estimate is then kept, `radius` untouched, and
 * the caller bounds it otherwise). The bound goes into an array, not out as the result: a double
 * returned from a call that is not inlined is a heap number, and half of a 3-D count's crossings
 * are solved (3-32x3-1: 42,000 garbage numbers a count).
 */
export function solveVertex(
  k: number,
  h: Float64Array,
  coef: Float64Array,
  scales: Float64Array,
  ids: Int32Array,
  count: number,
  out: Float64Array,
  at: number,
  radius: Float64Array,
  radiusAt: number,
): boolean {
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
  if (k === 3) return select3(h, coef, scales, ids, count) && finish3(h, coef, ids, out, at, radius, radiusAt);
  // The rows, scaled by powers of two: h first, then the edge's rows.
  scaleOf[0] = powerScale(h, 0, k);
  for (let j = 0; j < C; j++) M[j] = h[j] * scaleOf[0];
  for (let i = 0; i < count; i++) {
    const r = ids[i] * C;
    let s = scales[ids[i]];
    if (s === 0) s = scales[ids[i]] = powerScale(coef, r, k);
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
    if (bestRow < 0 || best <= 64 * k * EPS) return false;
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
    if (LU[p * k + c] === 0) return false;
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
  for (let j = 0; j < k; j++) if (!Number.isFinite(x[j])) return false;
  // The inverse, column by column, for the bound.
  if (column.length < k) column = new Float64Array(2 * k);
  for (let c = 0; c < k; c++) inverseColumn(k, c);
  // Bound: |x - x*| <= |A^-1| (|A x - b| + rounding of the residual), twice for the rounding of
  // A^-1 itself and of this bound.
  const gamma = (k + 2) * EPS;
  let largest = 0;
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
    largest = Math.max(largest, s);
  }
  for (let j = 0; j < k; j++) out[at + j] = x[j];
  radius[radiusAt] = 2 * largest * (1 + 4 * gamma) + Number.MIN_VALUE;
  return true;
}

/** `powerScale` for k = 3: the same largest magnitude (same order of Math.max) and power. */
function powerScale3(row: Float64Array, at: number): number {
  const m = Math.max(Math.max(Math.max(0, Math.abs(row[at + 1])), Math.abs(row[at + 2])), Math.abs(row[at + 3]));
  if (m === 0 || !Number.isFinite(m)) return 1;
  bitsOf[0] = m;
  const biased = (bitWords[HIGH] >>> 20) & 0x7ff;
  if (biased > 0 && biased < 2046) {
    bitsOf[0] = 0;
    bitWords[HIGH] = (2046 - biased) << 20;
    return bitsOf[0];
  }
  return powerScale(row, at, 3);
}

/**
 * `solveVertex`'s scaling and choice of rows for k = 3 (sel, scaleOf), with the loops over the
 * 4 coefficients and 3 columns unrolled: the same operations in the same order. False when h and
 * the rows have rank below 3 in float64.
 */
function select3(h: Float64Array, coef: Float64Array, scales: Float64Array, ids: Int32Array, count: number): boolean {
  const rowsIn = count + 1;
  let s = powerScale3(h, 0);
  scaleOf[0] = s;
  M[0] = h[0] * s;
  M[1] = h[1] * s;
  M[2] = h[2] * s;
  M[3] = h[3] * s;
  for (let i = 0; i < count; i++) {
    const r = ids[i] * 4;
    s = scales[ids[i]];
    if (s === 0) s = scales[ids[i]] = powerScale3(coef, r);
    scaleOf[i + 1] = s;
    const o = (i + 1) * 4;
    M[o] = coef[r] * s;
    M[o + 1] = coef[r + 1] * s;
    M[o + 2] = coef[r + 2] * s;
    M[o + 3] = coef[r + 3] * s;
  }
  for (let i = 0; i < rowsIn; i++) used[i] = 0;
  let used0 = false;
  let used1 = false;
  let used2 = false;
  const tiny = 64 * 3 * EPS;
  for (let step = 0; step < 3; step++) {
    let bestRow = -1;
    let bestCol = -1;
    let best = 0;
    for (let i = step === 0 ? 0 : 1; i < (step === 0 ? 1 : rowsIn); i++) {
      if (used[i]) continue;
      const o = i * 4;
      if (!used0) {
        const a = Math.abs(M[o + 1]);
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 0;
        }
      }
      if (!used1) {
        const a = Math.abs(M[o + 2]);
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 1;
        }
      }
      if (!used2) {
        const a = Math.abs(M[o + 3]);
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 2;
        }
      }
    }
    if (bestRow < 0 || best <= tiny) return false;
    used[bestRow] = 1;
    if (bestCol === 0) used0 = true;
    else if (bestCol === 1) used1 = true;
    else used2 = true;
    sel[step] = bestRow;
    const b = bestRow * 4;
    const p = M[b + 1 + bestCol];
    for (let i = 1; i < rowsIn; i++) {
      if (used[i]) continue;
      const o = i * 4;
      const f = M[o + 1 + bestCol] / p;
      if (f === 0) continue;
      M[o] -= f * M[b];
      M[o + 1] -= f * M[b + 1];
      M[o + 2] -= f * M[b + 2];
      M[o + 3] -= f * M[b + 3];
    }
  }
  return true;
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

/**
 * The rest of `solveVertex` for k = 3, once the rows are chosen (sel, scaleOf): the same
 * operations in the same order as the loops (LU with partial pivoting, the solve, the inverse's
 * columns, the bound), unrolled into locals (vertex solves were 9% of a 3-D count).
 */
function finish3(h: Float64Array, coef: Float64Array, ids: Int32Array, out: Float64Array, at: number, bound: Float64Array, boundAt: number): boolean {
  const r0 = sel[0];
  const r1 = sel[1];
  const r2 = sel[2];
  const s0 = scaleOf[r0];
  const s1 = scaleOf[r1];
  const s2 = scaleOf[r2];
  const src0 = r0 === 0 ? h : coef;
  const src1 = r1 === 0 ? h : coef;
  const src2 = r2 === 0 ? h : coef;
  const o0 = r0 === 0 ? 0 : ids[r0 - 1] * 4;
  const o1 = r1 === 0 ? 0 : ids[r1 - 1] * 4;
  const o2 = r2 === 0 ? 0 : ids[r2 - 1] * 4;
  // A y = b, b = -c (rows as chosen, scaled).
  const b0 = -(src0[o0] * s0);
  const b1 = -(src1[o1] * s1);
  const b2 = -(src2[o2] * s2);
  const a00 = src0[o0 + 1] * s0;
  const a01 = src0[o0 + 2] * s0;
  const a02 = src0[o0 + 3] * s0;
  const a10 = src1[o1 + 1] * s1;
  const a11 = src1[o1 + 2] * s1;
  const a12 = src1[o1 + 3] * s1;
  const a20 = src2[o2 + 1] * s2;
  const a21 = src2[o2 + 2] * s2;
  const a22 = src2[o2 + 3] * s2;
  // LU with partial pivoting: rows (u*, v*, w*), their original indices p0, p1, p2.
  let u0 = a00;
  let u1 = a01;
  let u2 = a02;
  let v0 = a10;
  let v1 = a11;
  let v2 = a12;
  let w0 = a20;
  let w1 = a21;
  let w2 = a22;
  let p0 = 0;
  let p1 = 1;
  let p2 = 2;
  let t: number;
  // Column 0.
  let p = 0;
  if (Math.abs(v0) > Math.abs(u0)) p = 1;
  if (Math.abs(w0) > Math.abs(p === 0 ? u0 : v0)) p = 2;
  if ((p === 0 ? u0 : p === 1 ? v0 : w0) === 0) return false;
  if (p === 1) {
    t = u0;
    u0 = v0;
    v0 = t;
    t = u1;
    u1 = v1;
    v1 = t;
    t = u2;
    u2 = v2;
    v2 = t;
    t = p0;
    p0 = p1;
    p1 = t;
  } else if (p === 2) {
    t = u0;
    u0 = w0;
    w0 = t;
    t = u1;
    u1 = w1;
    w1 = t;
    t = u2;
    u2 = w2;
    w2 = t;
    t = p0;
    p0 = p2;
    p2 = t;
  }
  let f = v0 / u0;
  v0 = f;
  if (f !== 0) {
    v1 -= f * u1;
    v2 -= f * u2;
  }
  f = w0 / u0;
  w0 = f;
  if (f !== 0) {
    w1 -= f * u1;
    w2 -= f * u2;
  }
  // Column 1.
  p = Math.abs(w1) > Math.abs(v1) ? 2 : 1;
  if ((p === 1 ? v1 : w1) === 0) return false;
  if (p === 2) {
    t = v0;
    v0 = w0;
    w0 = t;
    t = v1;
    v1 = w1;
    w1 = t;
    t = v2;
    v2 = w2;
    w2 = t;
    t = p1;
    p1 = p2;
    p2 = t;
  }
  f = w1 / v1;
  w1 = f;
  if (f !== 0) w2 -= f * v2;
  // Column 2.
  if (w2 === 0) return false;
  // The solve (b indexed by the original rows).
  let y0 = p0 === 0 ? b0 : p0 === 1 ? b1 : b2;
  let y1 = p1 === 0 ? b0 : p1 === 1 ? b1 : b2;
  y1 -= v0 * y0;
  let y2 = p2 === 0 ? b0 : p2 === 1 ? b1 : b2;
  y2 -= w0 * y0;
  y2 -= w1 * y1;
  y2 = y2 / w2;
  y1 -= v2 * y2;
  y1 = y1 / v1;
  y0 -= u1 * y1;
  y0 -= u2 * y2;
  y0 = y0 / u0;
  const x0 = y0;
  const x1 = y1;
  const x2 = y2;
  if (!Number.isFinite(x0) || !Number.isFinite(x1) || !Number.isFinite(x2)) return false;
  // The inverse, column by column (column c: the solve with the unit vector e_c).
  const gamma = 5 * EPS;
  let i00 = 0;
  let i01 = 0;
  let i02 = 0;
  let i10 = 0;
  let i11 = 0;
  let i12 = 0;
  let i20 = 0;
  let i21 = 0;
  let i22 = 0;
  for (let c = 0; c < 3; c++) {
    let z0 = p0 === c ? 1 : 0;
    let z1 = p1 === c ? 1 : 0;
    z1 -= v0 * z0;
    let z2 = p2 === c ? 1 : 0;
    z2 -= w0 * z0;
    z2 -= w1 * z1;
    z2 = z2 / w2;
    z1 -= v2 * z2;
    z1 = z1 / v1;
    z0 -= u1 * z1;
    z0 -= u2 * z2;
    z0 = z0 / u0;
    if (c === 0) {
      i00 = z0;
      i10 = z1;
      i20 = z2;
    } else if (c === 1) {
      i01 = z0;
      i11 = z1;
      i21 = z2;
    } else {
      i02 = z0;
      i12 = z1;
      i22 = z2;
    }
  }
  // Residual bounds per row: |A x - b| + gamma (|b| + sum |A_ij x_j|).
  let r = -b0;
  let mag = Math.abs(b0);
  r += a00 * x0;
  mag += Math.abs(a00 * x0);
  r += a01 * x1;
  mag += Math.abs(a01 * x1);
  r += a02 * x2;
  mag += Math.abs(a02 * x2);
  const e0 = Math.abs(r) + gamma * mag;
  r = -b1;
  mag = Math.abs(b1);
  r += a10 * x0;
  mag += Math.abs(a10 * x0);
  r += a11 * x1;
  mag += Math.abs(a11 * x1);
  r += a12 * x2;
  mag += Math.abs(a12 * x2);
  const e1 = Math.abs(r) + gamma * mag;
  r = -b2;
  mag = Math.abs(b2);
  r += a20 * x0;
  mag += Math.abs(a20 * x0);
  r += a21 * x1;
  mag += Math.abs(a21 * x1);
  r += a22 * x2;
  mag += Math.abs(a22 * x2);
  const e2 = Math.abs(r) + gamma * mag;
  let radius = 0;
  let sum = 0;
  sum += Math.abs(i00) * e0;
  sum += Math.abs(i01) * e1;
  sum += Math.abs(i02) * e2;
  radius = Math.max(radius, sum);
  sum = 0;
  sum += Math.abs(i10) * e0;
  sum += Math.abs(i11) * e1;
  sum += Math.abs(i12) * e2;
  radius = Math.max(radius, sum);
  sum = 0;
  sum += Math.abs(i20) * e0;
  sum += Math.abs(i21) * e1;
  sum += Math.abs(i22) * e2;
  radius = Math.max(radius, sum);
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = x2;
  bound[boundAt] = 2 * radius * (1 + 4 * gamma) + Number.MIN_VALUE;
  return true;
}
