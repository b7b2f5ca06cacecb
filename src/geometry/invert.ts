/**
 * The inverse of an n x n row-major matrix by Gauss-Jordan elimination with partial pivoting:
 * the one elimination the whole engine's simplex (its basis), its common-point solve and the
 * polytope's parallelotope bounds share, so they round alike.
 *
 * `M` is overwritten (its first n x n entries); `inv` receives the inverse in its first n x n
 * entries. Returns false, leaving both undefined, when a pivot's magnitude is not above
 * `minPivot` (or is NaN): the matrix is singular to that tolerance.
 */
export function invertInPlace(M: Float64Array, inv: Float64Array, n: number, minPivot: number): boolean {
  inv.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    const pivot = M[p * n + c];
    if (!(Math.abs(pivot) > minPivot)) return false;
    if (p !== c) {
      for (let q = 0; q < n; q++) {
        let t = M[p * n + q];
        M[p * n + q] = M[c * n + q];
        M[c * n + q] = t;
        t = inv[p * n + q];
        inv[p * n + q] = inv[c * n + q];
        inv[c * n + q] = t;
      }
    }
    const f = 1 / pivot;
    for (let q = 0; q < n; q++) {
      M[c * n + q] *= f;
      inv[c * n + q] *= f;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const g = M[r * n + c];
      if (g === 0) continue;
      for (let q = 0; q < n; q++) {
        M[r * n + q] -= g * M[c * n + q];
        inv[r * n + q] -= g * inv[c * n + q];
      }
    }
  }
  return true;
}
