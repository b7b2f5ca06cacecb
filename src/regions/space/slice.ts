/** The k-dimensional affine slice of input space a space count walks in, and the usual ones. */
export interface SpaceSlice {
  origin: Float64Array;
  /** k direction vectors of input dimension. */
  basis: Float64Array[];
  /**
   * The points P0..Pk the slice goes through, when it was made from them (sliceThroughPoints):
   * then origin is P0 and basis c is P_c - P0 rounded, and the engine takes the rounding as its
   * input map's bound and decides within it by the exact differences (the slice counted is the
   * one through the points, not through the rounded differences).
   */
  points?: readonly Float64Array[];
}

/** The identity slice of an n0-input network (y = x). */
export function identitySlice(n0: number): SpaceSlice {
  const basis: Float64Array[] = [];
  for (let c = 0; c < n0; c++) {
    const e = new Float64Array(n0);
    e[c] = 1;
    basis.push(e);
  }
  return { origin: new Float64Array(n0), basis };
}

/** The k-dimensional slice through points P0..Pk: y in [0, 1]^k maps to P0 + sum y_c (P_c - P0). */
export function sliceThroughPoints(points: readonly Float64Array[]): {
  slice: SpaceSlice;
  box: [number, number];
} {
  if (points.length < 2) throw new Error(`a slice needs at least 2 points, got ${points.length}`);
  const p0 = points[0];
  const basis = points.slice(1).map((p) => p.map((x, i) => x - p0[i]));
  return { slice: { origin: p0.slice(), basis, points: points.map((p) => p.slice()) }, box: [0, 1] };
}
