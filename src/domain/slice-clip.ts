/**
 * A slice kept inside an input box: the rows, in slice coordinates, of origin + sum_c y_c basis_c
 * in [lo, hi]^n0 (`count --clip`, the explorer's slices through digits, which the parallelotope
 * of k+1 digits leaves).
 */

/**
 * Rows in slice coordinates y keeping origin + sum_c y_c basis_c inside [lo, hi]^n0. Rows that
 * hold on all of the slice's domain, the cube `range`^k of y (default [0, 1]^k) or the simplex
 * (y >= 0, sum y <= 1: the extremes are at its vertices 0 and e_c), are left out.
 */
export function clipRows(
  origin: Float64Array,
  basis: readonly Float64Array[],
  lo: number,
  hi: number,
  simplex: boolean,
  range: readonly [number, number] = [0, 1],
): { A: number[]; b: number[] } {
  const [y0, y1] = range;
  const k = basis.length;
  const A: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < origin.length; i++) {
    let min = origin[i];
    let max = origin[i];
    let mag = Math.abs(origin[i]);
    for (let c = 0; c < k; c++) {
      const g = basis[c][i];
      if (simplex) {
        min = Math.min(min, origin[i] + g);
        max = Math.max(max, origin[i] + g);
      } else {
        min += Math.min(g * y0, g * y1);
        max += Math.max(g * y0, g * y1);
      }
      mag += Math.abs(g) * Math.max(Math.abs(y0), Math.abs(y1));
    }
    if (mag === Math.abs(origin[i])) {
      // No gradient: the coordinate is the origin's on the whole slice (outside: nothing is left).
      if (!(origin[i] >= lo && origin[i] <= hi)) {
        A.push(...new Array(k).fill(0));
        b.push(-1);
      }
      continue;
    }
    // Rows that hold up to rounding at every vertex are left out: what they could cut is a
    // sliver about 1e-12 thick, far below the engines' thinness threshold.
    const slack = 1e-12 * (mag + Math.abs(lo) + Math.abs(hi));
    if (max > hi + slack) {
      for (let c = 0; c < k; c++) A.push(basis[c][i]);
      b.push(hi - origin[i]);
    }
    if (min < lo - slack) {
      for (let c = 0; c < k; c++) A.push(-basis[c][i]);
      b.push(origin[i] - lo);
    }
  }
  return { A, b };
}
