/**
 * The k-volume of a convex polytope given by its vertices and its facet hyperplanes, exactly up
 * to rounding (no sampling): a pyramid decomposition about an interior point,
 *
 *   vol_d(P) = sum over facets F of dist(c, aff F) * vol_{d-1}(F) / d,
 *
 * applied recursively, each face handled in coordinates of its own affine hull. A face is the set
 * of vertices on one of the hyperplanes, so degenerate polytopes (several hyperplanes through one
 * facet, vertices shared by many facets) count each face once. The cost grows with the number
 * of faces, which is small for the cells of the engines (k <= 8).
 */

/** Vertices `points` (n x k, row-major) and hyperplanes a . x <= b (`planes`: m x (k + 1), [a, b]). */
export function polytopeVolume(points: Float64Array, k: number, planes: Float64Array): number {
  const n = points.length / k;
  if (n === 0) return 0;
  const all = Array.from({ length: n }, (_, i) => i);
  const hyperplanes: number[][] = [];
  for (let r = 0; r < planes.length; r += k + 1) hyperplanes.push(Array.from(planes.subarray(r, r + k + 1)));
  const rows: number[][] = all.map((i) => Array.from(points.subarray(i * k, i * k + k)));
  return faceVolume(rows, all, hyperplanes, k);
}

/** Orthonormal directions spanning the affine hull of the given points (Gram-Schmidt, relative tolerance). */
function hullBasis(points: number[][], subset: number[], scale: number): number[][] {
  const p0 = points[subset[0]];
  const basis: number[][] = [];
  for (const i of subset) {
    const v = points[i].map((x, c) => x - p0[c]);
    for (const b of basis) {
      const dot = v.reduce((s, x, c) => s + x * b[c], 0);
      for (let c = 0; c < v.length; c++) v[c] -= dot * b[c];
    }
    const len = Math.hypot(...v);
    if (len > 1e-9 * scale) basis.push(v.map((x) => x / len));
  }
  return basis;
}

/** Volume of the face spanned by `subset` of `points` (ambient dimension k), of affine dimension `d`. */
function faceVolume(points: number[][], subset: number[], hyperplanes: number[][], d: number): number {
  if (d === 0) return 1;
  const k = points[0].length;
  let scale = 0;
  for (const i of subset) for (const x of points[i]) scale = Math.max(scale, Math.abs(x));
  scale = Math.max(scale, 1e-300);
  const basis = hullBasis(points, subset, scale);
  if (basis.length < d) return 0;
  // The face in its own coordinates: q = B (p - p0).
  const p0 = points[subset[0]];
  const local: number[][] = points.map((p) => basis.map((b) => b.reduce((s, x, c) => s + x * (p[c] - p0[c]), 0)));
  if (d === 1) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of subset) {
      lo = Math.min(lo, local[i][0]);
      hi = Math.max(hi, local[i][0]);
    }
    return hi - lo;
  }
  const centre = new Array<number>(d).fill(0);
  for (const i of subset) for (let c = 0; c < d; c++) centre[c] += local[i][c] / subset.length;
  // The hyperplanes in local coordinates: a . (p0 + B^T q) <= b  ->  (B a) . q <= b - a . p0.
  const localPlanes: number[][] = [];
  for (const h of hyperplanes) {
    const a = basis.map((b) => b.reduce((s, x, c) => s + x * h[c], 0));
    const norm = Math.hypot(...a);
    if (norm <= 1e-12 * Math.hypot(...h.slice(0, k))) continue; // parallel to this face's hull
    const offset = h[k] - h.slice(0, k).reduce((s, x, c) => s + x * p0[c], 0);
    localPlanes.push([...a.map((x) => x / norm), offset / norm]);
  }
  let localScale = 0;
  for (const i of subset) for (const x of local[i]) localScale = Math.max(localScale, Math.abs(x));
  const tol = 1e-9 * Math.max(localScale, 1e-300);
  const seen = new Set<string>();
  let volume = 0;
  for (const h of localPlanes) {
    const on = subset.filter((i) => Math.abs(h.slice(0, d).reduce((s, x, c) => s + x * local[i][c], 0) - h[d]) <= tol);
    if (on.length < d) continue;
    const key = on.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    if (hullBasis(local, on, localScale).length !== d - 1) continue;
    const distance = h[d] - h.slice(0, d).reduce((s, x, c) => s + x * centre[c], 0);
    if (distance <= 0) continue;
    volume += (distance * faceVolume(local, on, localPlanes, d - 1)) / d;
  }
  return volume;
}
