/**
 * Convex polygons cut by half-planes with integer coefficients, exactly: points are homogeneous
 * integers (w > 0, u, v) reduced by their gcd, so nothing rounds. For the plane engine's test of
 * a sliver (plane.ts): does a thin cell, as the intersection of its edges' exact half-planes,
 * have positive area at all?
 */

/**
 * Whether the polygon bounded by the lines `boundary` (a + b u + c v, in order around it, inside
 * where positive) intersected with the half-planes `rows` >= 0 has positive area.
 */
export function halfPlanesEncloseArea(boundary: readonly (readonly bigint[])[], rows: readonly (readonly bigint[])[]): boolean {
  const m = boundary.length;
  let poly: bigint[][] = [];
  for (let k = 0; k < m; k++) poly.push(meet(boundary[(k + m - 1) % m], boundary[k]));
  for (let k = 0; k < rows.length && poly.length >= 3; k++) poly = clipHalfPlane(poly, rows[k]);
  if (poly.length < 3) return false;
  // Twice the area times the product of the w's squared: its sign is the area's.
  let prod = 1n;
  for (const q of poly) prod *= q[0];
  let total = 0n;
  for (let k = 0; k < poly.length; k++) {
    const [w1, u1, v1] = poly[k];
    const [w2, u2, v2] = poly[(k + 1) % poly.length];
    total += (u1 * v2 - u2 * v1) * (prod / w1) * (prod / w2);
  }
  return total > 0n;
}

/** The point where lines (a, b, c) and (a', b', c') meet, homogeneous (w > 0, u, v), reduced. */
function meet(l1: readonly bigint[], l2: readonly bigint[]): bigint[] {
  const [a1, b1, c1] = l1;
  const [a2, b2, c2] = l2;
  return reduced([b1 * c2 - c1 * b2, c1 * a2 - a1 * c2, a1 * b2 - a2 * b1]);
}

/** A homogeneous point with w > 0 (w = 0, a point at infinity, stays) divided by the gcd of its coordinates. */
function reduced(q: bigint[]): bigint[] {
  if (q[0] < 0n) q = q.map((x) => -x);
  let g = 0n;
  for (const x of q) {
    let a = x < 0n ? -x : x;
    let b = g;
    while (b !== 0n) [a, b] = [b, a % b];
    g = a;
  }
  return g > 1n ? q.map((x) => x / g) : q;
}

/** The part of a convex polygon (homogeneous points, w > 0) where a + b u + c v >= 0, exactly. */
function clipHalfPlane(poly: bigint[][], row: readonly bigint[]): bigint[][] {
  const value = (q: bigint[]) => row[0] * q[0] + row[1] * q[1] + row[2] * q[2];
  const vals = poly.map(value);
  const out: bigint[][] = [];
  for (let i = 0; i < poly.length; i++) {
    const j = (i + 1) % poly.length;
    const [fi, fj] = [vals[i], vals[j]];
    if (fi >= 0n) out.push(poly[i]);
    if ((fi > 0n && fj < 0n) || (fi < 0n && fj > 0n)) {
      // fi Q - fj P is on the line; with w of the sign of fi - fj times w's, made positive.
      out.push(reduced(poly[j].map((x, k) => fi * x - fj * poly[i][k])));
    }
  }
  return out;
}
