/**
 * The exact sign of a hyperplane at a vertex, when both are exact: the vertex is the point where
 * k exact rows meet (rows of the domain and first-layer hyperplanes of a box, whose coefficients
 * are the weights themselves), and h's coefficients are exact too. Then
 *   h(y) = det [A c; h h_0] / det A      (A the rows' normals, c their constants; Schur's complement)
 * with every double an integer times a power of two, so BigInt decides it. The plane engine's
 * third stage (docs/numerics.md), in k dimensions: the space engine calls it only when the
 * rounding bounds cannot tell the vertex from the hyperplane.
 */
import { decompose } from "../../geometry/exact.ts";

/** A row [c_0, c_1..c_k] as integers: times a power of two (positive, so signs of ratios keep). */
export function integerRow(coef: Float64Array, at: number, k: number): bigint[] {
  const parts = [];
  let minE = Infinity;
  for (let j = 0; j <= k; j++) {
    const x = coef[at + j];
    const d = x === 0 ? { m: 0n, e: Infinity } : decompose(x);
    parts.push(d);
    if (d.m !== 0n) minE = Math.min(minE, d.e);
  }
  // Normals first, the constant last: [c_1..c_k, c_0].
  const row = parts.map((d) => (d.m === 0n ? 0n : d.m << BigInt(d.e - minE)));
  return [...row.slice(1), row[0]];
}

/** Sign of the determinant of a square BigInt matrix (Bareiss' fraction-free elimination; modified). */
function detSign(m: bigint[][]): number {
  const n = m.length;
  let sign = 1;
  let prev = 1n;
  for (let c = 0; c < n; c++) {
    let p = c;
    while (p < n && m[p][c] === 0n) p++;
    if (p === n) return 0;
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
  const d = m[n - 1][n - 1];
  return d > 0n ? sign : d < 0n ? -sign : 0;
}

/**
 * k rows among `ids[0 .. count)` (rows of `coef`, k + 1 numbers each) with independent normals, in
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

/**
 * The exact sign of h (k + 1 coefficients [h_0, h_1..h_k]) at the vertex where the rows
 * ids[0 .. count) meet, or null when they do not determine a point (rank < k).
 */
export function exactSignAtVertex(k: number, h: Float64Array, coef: Float64Array, ids: Int32Array, count: number): number | null {
  return exactSignOfRow(k, integerRow(h, 0, k), (i) => integerRow(coef, ids[i] * (k + 1), k), count);
}

/**
 * exactSignAtVertex with h and the vertex's rows given exactly as integers [c_1..c_k, c_0] (each
 * times a positive power of two): rowOf(i) for i < count.
 */
export function exactSignOfRow(k: number, hRow: bigint[], rowOf: (i: number) => bigint[], count: number): number | null {
  const rows = independentRows(k, rowOf, count);
  if (rows === null) return null;
  const a = rows.map((r) => r.slice(0, k));
  const sa = detSign(a);
  if (sa === 0) return null;
  const full = rows.map((r) => r.slice());
  full.push(hRow.slice());
  return detSign(full) * sa;
}
