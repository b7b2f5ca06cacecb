/**
 * The affine rank test of `PolytopeArena.facets` (space/polytope.ts): whether a row's tight
 * vertices span a hyperplane of the polytope, which from k = 4 on their count alone cannot tell.
 */

/** Scratch of the test: the elimination matrix (one call at a time, grown as needed). */
let rankMatrix: Float64Array = new Float64Array(256);

/**
 * Whether the vertices ids[at .. at + count) of a polytope (vertex v's k coordinates from
 * v0 + v * k in `verts`) span an affine hull of dimension >= `target`
 * (facets: k - 1; for k <= 3, k tight vertices suffice, as a lower-dimensional face of a
 * 3-polytope is an edge with two vertices, but from k = 4 on a 2-face can hold many vertices).
 * The rank of the differences from the first by Gaussian elimination with a relative pivot
 * tolerance, stopped once the target is reached.
 */
export function affineRankAtLeast(k: number, verts: Float64Array, v0: number, ids: Int32Array, at: number, count: number, target: number): boolean {
  const rows = count - 1;
  if (rankMatrix.length < rows * k) rankMatrix = new Float64Array(2 * rows * k);
  const m = rankMatrix;
  const base = v0 + ids[at] * k;
  // The differences, their largest magnitude (the tolerance's scale), and column 0's pivot (the
  // first row of largest |m[i][0]|), in one pass.
  let scale = 0;
  let best0 = 0;
  let piv0 = 0;
  if (k === 4) {
    // Unrolled for k = 4: the same arithmetic as the loop below.
    const b0 = verts[base];
    const b1 = verts[base + 1];
    const b2 = verts[base + 2];
    const b3 = verts[base + 3];
    for (let i = 0; i < rows; i++) {
      const from = v0 + ids[at + i + 1] * 4;
      const d0 = verts[from] - b0;
      const d1 = verts[from + 1] - b1;
      const d2 = verts[from + 2] - b2;
      const d3 = verts[from + 3] - b3;
      m[4 * i] = d0;
      m[4 * i + 1] = d1;
      m[4 * i + 2] = d2;
      m[4 * i + 3] = d3;
      const a0 = Math.abs(d0);
      const a1 = Math.abs(d1);
      const a2 = Math.abs(d2);
      const a3 = Math.abs(d3);
      if (a0 > scale) scale = a0;
      if (a1 > scale) scale = a1;
      if (a2 > scale) scale = a2;
      if (a3 > scale) scale = a3;
      if (i === 0 || a0 > best0) {
        best0 = a0;
        piv0 = i;
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const from = v0 + ids[at + i + 1] * k;
      for (let j = 0; j < k; j++) {
        const d = verts[from + j] - verts[base + j];
        m[i * k + j] = d;
        const a = Math.abs(d);
        if (a > scale) scale = a;
      }
      const a0 = Math.abs(m[i * k]);
      if (i === 0 || a0 > best0) {
        best0 = a0;
        piv0 = i;
      }
    }
  }
  const tol = 1e-9 * scale;
  let rank = 0;
  for (let c = 0; c < k && rank < rows; c++) {
    let piv = rank;
    let best = 0;
    if (c === 0) {
      best = best0;
      piv = piv0;
    } else if (rank + 1 === target) {
      // The last pivot needed: the largest entry is above the tolerance when any one is.
      for (let i = rank; i < rows; i++) if (Math.abs(m[i * k + c]) > tol) return true;
      continue;
    } else {
      best = Math.abs(m[rank * k + c]);
      for (let i = rank + 1; i < rows; i++) {
        const a = Math.abs(m[i * k + c]);
        if (a > best) {
          best = a;
          piv = i;
        }
      }
    }
    if (best <= tol) continue;
    if (rank + 1 === target) return true;
    // Columns before c are never read again, nor is column c below the pivot: swap and
    // eliminate only what later columns read.
    for (let j = c; j < k; j++) {
      const t = m[rank * k + j];
      m[rank * k + j] = m[piv * k + j];
      m[piv * k + j] = t;
    }
    const pivot = m[rank * k + c];
    for (let i = rank + 1; i < rows; i++) {
      const f = m[i * k + c] / pivot;
      if (f === 0) continue;
      for (let j = c + 1; j < k; j++) m[i * k + j] -= f * m[rank * k + j];
    }
    rank++;
  }
  return rank >= target;
}
