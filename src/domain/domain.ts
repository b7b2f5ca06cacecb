/**
 * Where to look: the part of input space a partition covers, as one value. Every consumer (the
 * CLI, the explorer, training's tracking, the metrics, `shallow`) describes its domain this way
 * and hands it to `partition()` (regions/entry.ts), which picks the engine.
 *
 *   segment(a, b)                 a segment (a polyline of two points)
 *   polyline([p0, p1, ...])       consecutive segments
 *   planePolygon(plane, uv)       a convex polygon in the 2-D plane origin + u e1 + v e2
 *   parallelogram(p1, p2, p3)     p1 + s (p2 - p1) + t (p3 - p1), s, t in [0, 1]
 *   box(lo, hi, inputSize)        [lo, hi]^n (or per-coordinate bounds)
 *   polytope(A, b)                {x : A x <= b} in input space
 *   slice(origin, basis, lo, hi)  origin + sum y_c basis_c, y in [lo, hi]^k (k = basis.length)
 *   zonotope(center, generators)  center + sum t_c g_c, t in [-1, 1]^m: a slice of range [-1, 1]
 *
 * Constructors check shapes and finiteness and throw a `DomainError` naming what is wrong.
 */

import { exactDifference } from "../geometry/exact-difference.ts";

/** A path through input space: consecutive segments between `points` (at least 2, each inputSize long). */
export interface PolylineDomain {
  kind: "polyline";
  points: Float64Array[];
}

/** A 2-D plane of input space, x(u, v) = origin + u e1 + v e2. */
export interface Plane {
  origin: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  /**
   * Where the directions are differences of points that round (`parallelogram`): the exact
   * directions are e1 + rounding.e1 and e2 + rounding.e2 (either may be all zeros).
   */
  rounding?: { e1: Float64Array; e2: Float64Array };
}

/** A convex polygon in a plane: `polygon` holds its (u, v) vertices, counter-clockwise. */
export interface PolygonDomain {
  kind: "polygon";
  plane: Plane;
  polygon: Float64Array;
}

/** The box lo <= x <= hi (per coordinate) in input space. */
export interface BoxDomain {
  kind: "box";
  lo: Float64Array;
  hi: Float64Array;
}

/**
 * The polytope {x : A x <= b} in input space (A is rows x inputSize, row-major), optionally
 * intersected with the box [box[0], box[1]]^n (without one, its bounding box is found by LP).
 */
export interface PolytopeDomain {
  kind: "polytope";
  inputSize: number;
  A: Float64Array;
  b: Float64Array;
  box?: [number, number];
}

/**
 * The k-dimensional affine slice x(y) = origin + sum_c y_c basis_c with y in [lo, hi]^k, optionally
 * cut by {y : A y <= b} (A is rows x k, row-major) in slice coordinates.
 */
export interface SliceDomain {
  kind: "slice";
  origin: Float64Array;
  basis: Float64Array[];
  lo: number;
  hi: number;
  polytope?: { A: Float64Array; b: Float64Array };
  /**
   * The points P0..Pk a slice through points was made from (sliceThrough, lo 0, hi 1): its basis
   * is their differences, rounded, and the space engine decides from the points exactly.
   */
  points?: Float64Array[];
}

/** Any domain a partition can cover. */
export type Domain = PolylineDomain | PolygonDomain | BoxDomain | PolytopeDomain | SliceDomain;

/** A domain that cannot be built as asked (wrong sizes, non-finite numbers, no extent). */
export class DomainError extends Error {
  override name = "DomainError";
}

function vector(p: ArrayLike<number>, what: string, size?: number): Float64Array {
  const v = Float64Array.from(p);
  if (size !== undefined && v.length !== size) throw new DomainError(`${what} has ${v.length} coordinates, expected ${size}`);
  if (v.length === 0) throw new DomainError(`${what} has no coordinates`);
  v.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new DomainError(`${what}: coordinate ${i + 1} is ${x}, not a finite number`);
  });
  return v;
}

/** The segment from a to b. */
export function segment(a: ArrayLike<number>, b: ArrayLike<number>): PolylineDomain {
  return polyline([a, b]);
}

/** The polyline through `points` (at least 2; consecutive points distinct). */
export function polyline(points: readonly ArrayLike<number>[]): PolylineDomain {
  if (points.length < 2) throw new DomainError(`a polyline needs at least 2 points, got ${points.length}`);
  const size = points[0].length;
  const ps = points.map((p, i) => vector(p, `point ${i + 1}`, size));
  ps.forEach((p, i) => {
    if (i > 0 && p.every((x, d) => x === ps[i - 1][d])) throw new DomainError(`points ${i} and ${i + 1} are the same, a segment needs two distinct ends`);
  });
  return { kind: "polyline", points: ps };
}

/** A convex polygon, (u, v) vertices counter-clockwise, in the plane origin + u e1 + v e2. */
export function planePolygon(plane: Plane, polygon: ArrayLike<number>): PolygonDomain {
  const n = plane.origin.length;
  const p: Plane = { origin: vector(plane.origin, "plane origin"), e1: vector(plane.e1, "plane direction e1", n), e2: vector(plane.e2, "plane direction e2", n) };
  const uv = vector(polygon, "polygon");
  if (uv.length < 6 || uv.length % 2 !== 0) throw new DomainError(`a polygon needs at least 3 (u, v) vertices, got ${uv.length} numbers`);
  return { kind: "polygon", plane: p, polygon: uv };
}

/** The unit square of (u, v), counter-clockwise. */
export const UNIT_SQUARE: Readonly<Float64Array> = Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1);

/** The parallelogram p1 + s (p2 - p1) + t (p3 - p1), s, t in [0, 1]. */
export function parallelogram(p1: ArrayLike<number>, p2: ArrayLike<number>, p3: ArrayLike<number>): PolygonDomain {
  const o = vector(p1, "P1");
  // P2 - P1 and P3 - P1 round for most corners: the rounding is kept, so the engines count the
  // parallelogram asked, not the one through P1 + fl(P2 - P1) (docs/numerics.md).
  const a = exactDifference(vector(p2, "P2", o.length), o);
  const b = exactDifference(vector(p3, "P3", o.length), o);
  const plane: Plane = { origin: o, e1: a.d, e2: b.d };
  if (a.r.some((x) => x !== 0) || b.r.some((x) => x !== 0)) plane.rounding = { e1: a.r, e2: b.r };
  return { kind: "polygon", plane, polygon: UNIT_SQUARE.slice() };
}

/**
 * The box [lo, hi]^inputSize (numbers), or lo <= x <= hi per coordinate (arrays; inputSize then
 * optional). Every side must have positive length.
 */
export function box(lo: number | ArrayLike<number>, hi: number | ArrayLike<number>, inputSize?: number): BoxDomain {
  const n = inputSize ?? (typeof lo === "number" ? (typeof hi === "number" ? undefined : hi.length) : lo.length);
  if (n === undefined || !Number.isInteger(n) || n < 1) throw new DomainError("a box needs its input size (a positive integer) when its bounds are numbers");
  const l = typeof lo === "number" ? new Float64Array(n).fill(lo) : vector(lo, "box lower corner", n);
  const h = typeof hi === "number" ? new Float64Array(n).fill(hi) : vector(hi, "box upper corner", n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(l[i]) || !Number.isFinite(h[i])) throw new DomainError(`box coordinate ${i + 1}: bounds ${l[i]}, ${h[i]} are not finite`);
    if (!(l[i] < h[i])) throw new DomainError(`box coordinate ${i + 1}: the lower bound ${l[i]} must be less than the upper ${h[i]}`);
  }
  return { kind: "box", lo: l, hi: h };
}

/** The polytope {x : A x <= b} (A: rows x inputSize, row-major), within [box[0], box[1]]^n if given. */
export function polytope(A: ArrayLike<number>, b: ArrayLike<number>, inputSize: number, bounds?: [number, number]): PolytopeDomain {
  const rows = b.length;
  if (rows === 0) throw new DomainError("a polytope needs at least one inequality");
  if (A.length !== rows * inputSize) throw new DomainError(`polytope matrix has ${A.length} entries, expected ${rows} x ${inputSize}`);
  if (bounds && !(bounds[0] < bounds[1])) throw new DomainError(`polytope box: LO must be less than HI, got ${bounds[0]}, ${bounds[1]}`);
  return { kind: "polytope", inputSize, A: vector(A, "polytope matrix"), b: vector(b, "polytope bounds"), ...(bounds ? { box: [bounds[0], bounds[1]] } : {}) };
}

/**
 * The k-dimensional slice origin + sum_c y_c basis_c, y in [lo, hi]^k (default [0, 1]^k), cut by
 * A y <= b when `cut` is given. The basis vectors must be linearly independent.
 */
export function slice(origin: ArrayLike<number>, basis: readonly ArrayLike<number>[], lo = 0, hi = 1, cut?: { A: ArrayLike<number>; b: ArrayLike<number> }): SliceDomain {
  const o = vector(origin, "slice origin");
  if (basis.length < 1) throw new DomainError("a slice needs at least one direction");
  const dirs = basis.map((d, c) => vector(d, `slice direction ${c + 1}`, o.length));
  if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new DomainError(`slice bounds: LO must be less than HI (finite), got ${lo}, ${hi}`);
  const k = dirs.length;
  const polytopeRows = cut ? { A: vector(cut.A, "slice cut matrix"), b: vector(cut.b, "slice cut bounds") } : undefined;
  if (polytopeRows && polytopeRows.A.length !== polytopeRows.b.length * k)
    throw new DomainError(`slice cut matrix has ${polytopeRows.A.length} entries, expected ${polytopeRows.b.length} x ${k}`);
  return { kind: "slice", origin: o, basis: dirs, lo, hi, ...(polytopeRows ? { polytope: polytopeRows } : {}) };
}

/**
 * The zonotope {center + sum_c t_c g_c : t in [-1, 1]^m}, the natural domain of high dimension
 * besides the box: a turned frame R^T [-1, 1]^n (the generators are R's rows), a parallelotope of
 * digits, any slice. It is the slice of range [-1, 1] over the generators, and every engine takes
 * it as one: the whole-domain engine folds the generators into the first layer and counts over
 * the cube in t, which for 784 dense generators costs what the plain box costs (a polytope of
 * the same frame, 1,568 rows {-1 <= R x <= 1}, puts every row into every LP). Generators may be
 * more than the inputs or dependent: a region is counted when its part of the zonotope has
 * positive volume in the zonotope's own dimension (the map t -> x is open onto the zonotope's
 * span), and `domainMeasure` is then the measure of the cube's parallelotope, which is 0.
 */
export function zonotope(center: ArrayLike<number>, generators: readonly ArrayLike<number>[]): SliceDomain {
  if (generators.length < 1) throw new DomainError("a zonotope needs at least one generator");
  const c = vector(center, "zonotope center");
  return slice(
    c,
    generators.map((g, i) => vector(g, `zonotope generator ${i + 1}`, c.length)),
    -1,
    1,
  );
}

/** The slice through points P0..Pk: P0 + sum y_c (P_c - P0), y in [0, 1]^k. */
export function sliceThrough(points: readonly ArrayLike<number>[]): SliceDomain {
  if (points.length < 2) throw new DomainError(`a slice needs at least 2 points, got ${points.length}`);
  const p0 = vector(points[0], "P0");
  const rest = points.slice(1).map((p, c) => vector(p, `P${c + 1}`, p0.length));
  const domain = slice(
    p0,
    rest.map((p) => p.map((x, i) => x - p0[i])),
    0,
    1,
  );
  return { ...domain, points: [p0, ...rest] };
}

/** The number of input coordinates of the domain's points. */
export function domainInputSize(domain: Domain): number {
  switch (domain.kind) {
    case "polyline":
      return domain.points[0].length;
    case "polygon":
      return domain.plane.origin.length;
    case "box":
      return domain.lo.length;
    case "polytope":
      return domain.inputSize;
    case "slice":
      return domain.origin.length;
  }
}

/** The dimension of the domain itself: 1 for a polyline, 2 for a polygon, k for a slice, n for a box. */
export function domainDimension(domain: Domain): number {
  switch (domain.kind) {
    case "polyline":
      return 1;
    case "polygon":
      return 2;
    case "slice":
      return domain.basis.length;
    default:
      return domainInputSize(domain);
  }
}

/** A short description, such as "box [0,1]^3" or "segment (0,0) -> (1,1)". */
export function describeDomain(domain: Domain): string {
  const point = (p: ArrayLike<number>) => `(${Array.from(p).join(",")})`;
  switch (domain.kind) {
    case "polyline":
      return domain.points.length === 2 ? `segment ${point(domain.points[0])} -> ${point(domain.points[1])}` : `polyline of ${domain.points.length - 1} segments`;
    case "polygon":
      return `polygon of ${domain.polygon.length / 2} vertices in a plane`;
    case "box": {
      const n = domain.lo.length;
      const uniform = domain.lo.every((x) => x === domain.lo[0]) && domain.hi.every((x) => x === domain.hi[0]);
      return uniform ? `box [${domain.lo[0]},${domain.hi[0]}]^${n}` : `box of ${n} dimensions`;
    }
    case "polytope":
      return `polytope of ${domain.b.length} inequalities in ${domain.inputSize} dimensions`;
    case "slice":
      return `${domain.basis.length}-dimensional slice`;
  }
}
