/**
 * The difference of two vectors of doubles as doubles plus their rounding: p - q = d + r exactly,
 * d = fl(p - q) and r its rounding error (Knuth's TwoSum, exact for finite doubles barring
 * overflow). A plane's directions P2 - P1 and P3 - P1 round for most pairs of corners (any two of
 * different magnitudes): the rounding is what the plane engine carries so that the parallelogram
 * counted is the one asked (regions/plane.ts, docs/numerics.md).
 */
export function exactDifference(p: ArrayLike<number>, q: ArrayLike<number>): { d: Float64Array; r: Float64Array } {
  const n = p.length;
  const d = new Float64Array(n);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = p[i] - q[i];
    r[i] = differenceError(p[i], q[i], d[i]);
  }
  return { d, r };
}

/** The rounding of d = fl(p - q): p - q - d, exactly (TwoSum of p and -q). */
export function differenceError(p: number, q: number, d: number): number {
  const b = -q;
  const bb = d - p;
  return p - (d - bb) + (b - bb);
}
