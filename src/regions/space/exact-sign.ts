/**
 * The exact sign of a hyperplane at a vertex, when both are known exactly: the vertex is the point
 * where k exact rows meet (rows of the domain, first-layer hyperplanes of a box, whose coefficients
 * are the weights themselves, and rounded rows whose exact form space/exact-hyperplane.ts gives),
 * solved once by Cramer's rule in BigInt (every double is an integer times a power of two), and h
 * is then one dot product there. The plane engine's third stage (docs/numerics.md), in k
 * dimensions: the space engine calls it only when the rounding bounds cannot tell the vertex from
 * the hyperplane.
 */
import { dyadicOf } from "../exact-maps.ts";

/**
 * The row coef[at .. at + k] = [c_0, c_1..c_k] as integers [c_1..c_k, c_0] (normals first, the
 * constant last), times one power of two (positive, so signs of ratios keep).
 */
export function integerRow(coef: Float64Array, at: number, k: number): bigint[] {
  const { v } = dyadicOf(coef.subarray(at, at + k + 1));
  return [...v.slice(1), v[0]];
}

/**
 * k rows among rowOf(0 .. count) (integer rows [c_1..c_k, c_0]) with independent normals, in
 * exact arithmetic: each candidate is reduced against those kept (fraction-free) and kept when
 * something is left. Returns their integer rows, or null when the candidates have rank < k.
 */
function independentRows(k: number, rowOf: (i: number) => bigint[], count: number): bigint[][] | null {
  const kept: bigint[][] = [];
  const reduced: bigint[][] = [];
  const pivots: number[] = [];
  for (let i = 0; i < count && kept.length < k; i++) {
    const row = rowOf(i);
    let r = row.slice(0, k);
    for (let b = 0; b < reduced.length; b++) {
      const pc = pivots[b];
      if (r[pc] === 0n) continue;
      const f = r[pc];
      const p = reduced[b][pc];
      r = r.map((x, j) => x * p - reduced[b][j] * f);
    }
    const pc = r.findIndex((x) => x !== 0n);
    if (pc < 0) continue;
    kept.push(row);
    reduced.push(r);
    pivots.push(pc);
  }
  return kept.length === k ? kept : null;
}

/** The determinant of a square BigInt matrix (Bareiss' fraction-free elimination; modifies m). */
function det(m: bigint[][]): bigint {
  const n = m.length;
  let sign = 1n;
  let prev = 1n;
  for (let c = 0; c < n; c++) {
    let p = c;
    while (p < n && m[p][c] === 0n) p++;
    if (p === n) return 0n;
    if (p !== c) {
      [m[p], m[c]] = [m[c], m[p]];
      sign = -sign;
    }
    for (let i = c + 1; i < n; i++) {
      for (let j = c + 1; j < n; j++) m[i][j] = (m[i][j] * m[c][c] - m[i][c] * m[c][j]) / prev;
      m[i][c] = 0n;
    }
    prev = m[c][c];
  }
  return sign * m[n - 1][n - 1];
}

/**
 * The vertex where the rows rowOf(0 .. count) meet, exactly, in homogeneous integers
 * [x_1 D, .., x_k D, D] (Cramer's rule), or null when they do not determine a point. Made once
 * per vertex: then h's sign there is one dot product (signAtPoint), for every h that asks.
 */
export function exactVertex(k: number, rowOf: (i: number) => bigint[], count: number): bigint[] | null {
  const rows = independentRows(k, rowOf, count);
  if (rows === null) return null;
  const D = det(rows.map((r) => r.slice(0, k)));
  if (D === 0n) return null;
  const point: bigint[] = [];
  // a . x + c = 0 for each row: x_j = det(A with column j replaced by -c) / D.
  for (let j = 0; j < k; j++) point.push(det(rows.map((r) => r.slice(0, k).map((x, col) => (col === j ? -r[k] : x)))));
  point.push(D);
  return point;
}

/** The sign of h ([h_1..h_k, h_0] integers) at a homogeneous point from exactVertex. */
export function signAtPoint(k: number, hRow: bigint[], point: bigint[]): number {
  let sum = hRow[k] * point[k];
  for (let j = 0; j < k; j++) sum += hRow[j] * point[j];
  const s = sum > 0n ? 1 : sum < 0n ? -1 : 0;
  return point[k] > 0n ? s : -s;
}
