import type { RegionRows } from "./constraints.ts";

/**
 * The segment from centre a to centre b (in u) crosses row k's hyperplane at a point y where
 * every row of another group holds with more than the threshold: y is then in the relative
 * interior of the facet (and in U, between two points of U).
 */
export function segmentWitness(
  rows: RegionRows,
  groupOf: Int32Array,
  k: number,
  ca: Float64Array,
  a: number,
  cb: Float64Array,
  b: number,
  r: number,
  threshold: number,
  y: Float64Array,
): boolean {
  const A = rows.A;
  let fa = -rows.b[k];
  let fb = -rows.b[k];
  for (let c = 0; c < r; c++) {
    fa += A[k * r + c] * ca[a + c];
    fb += A[k * r + c] * cb[b + c];
  }
  if (!(fa < 0 && fb > 0)) return false;
  const t = -fa / (fb - fa);
  for (let c = 0; c < r; c++) y[c] = ca[a + c] + t * (cb[b + c] - ca[a + c]);
  for (let q = 0; q < rows.count; q++) {
    if (groupOf[q] === k) continue;
    let v = -rows.b[q];
    for (let c = 0; c < r; c++) v += A[q * r + c] * y[c];
    if (!(v < -threshold)) return false;
  }
  return true;
}
