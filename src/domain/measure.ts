/**
 * The size of a domain in input-space units: the length of a polyline, the area of a polygon in
 * its plane, the volume of a box or of a slice's parallelotope. Densities (regions per unit
 * length, area or volume) divide by it.
 */
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import { polytopeVolume } from "../geometry/polytope-volume.ts";
import { prepare } from "../model/forward.ts";
import { spacePartition } from "../regions/space.ts";
import { spaceArguments } from "../regions/space-domain.ts";
import { type Domain, domainDimension, type Plane, type PolytopeDomain, type SliceDomain } from "./domain.ts";

/** Largest dimension whose cut domains `domainMeasure` measures (their vertices are enumerated). */
const MAX_CUT_DIMENSION = 8;

/**
 * The k-volume of a domain cut by inequalities, in its own coordinates: its vertices and facets
 * are those of the one cell the space engine finds for a network with no piecewise layer, and
 * the volume is exact up to rounding (pyramids over facets). NaN beyond MAX_CUT_DIMENSION, and
 * for a polytope without a bounding box (its box would need the LP solver).
 */
function cutVolume(domain: PolytopeDomain | SliceDomain): number {
  const k = domainDimension(domain);
  if (k > MAX_CUT_DIMENSION || (domain.kind === "polytope" && !domain.box)) return Number.NaN;
  const inputSize = domain.kind === "polytope" ? domain.inputSize : domain.origin.length;
  const cell = spacePartition(prepare({ inputSize, layers: [] }), { ...spaceArguments(domain), complex: false });
  if (cell.cellCount !== 1) return Number.NaN;
  return polytopeVolume(cell.vertices.subarray(0, cell.vertexStart[1] * k), k, cell.facets.subarray(0, cell.facetStart[1] * (k + 1)));
}

/**
 * k-volume of the parallelotope spanned by the basis vectors: sqrt(det Gram), by elimination.
 * The Gram matrix is filled on typed rows, each dot product once (a turned frame of 784 directions:
 * 0.3 s here, 12 s with per-entry closures); the sums run in the same order as before, so the
 * value is the same to the bit.
 */
export function parallelotopeVolume(basis: readonly Float64Array[]): number {
  const k = basis.length;
  const g = Array.from({ length: k }, () => new Float64Array(k));
  for (let a = 0; a < k; a++) {
    const x = basis[a];
    for (let b = a; b < k; b++) {
      const y = basis[b];
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i] * y[i];
      g[a][b] = s;
      g[b][a] = s;
    }
  }
  let det = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(g[r][c]) > Math.abs(g[piv][c])) piv = r;
    if (g[piv][c] === 0) return 0;
    [g[c], g[piv]] = [g[piv], g[c]];
    if (piv !== c) det = -det;
    det *= g[c][c];
    const gc = g[c];
    for (let r = c + 1; r < k; r++) {
      const gr = g[r];
      const f = gr[c] / gc[c];
      for (let q = c; q < k; q++) gr[q] -= f * gc[q];
    }
  }
  return Math.sqrt(Math.max(0, det));
}

/** Area of the parallelogram spanned by a plane's e1, e2 in input space (Gram determinant): the area of one (u, v) unit. */
export function parallelogramArea(plane: Pick<Plane, "e1" | "e2">): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < plane.e1.length; i++) {
    aa += plane.e1[i] * plane.e1[i];
    bb += plane.e2[i] * plane.e2[i];
    ab += plane.e1[i] * plane.e2[i];
  }
  return Math.sqrt(Math.max(0, aa * bb - ab * ab));
}

/** Euclidean length of a polyline through `points`. */
export function polylineLength(points: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    let s = 0;
    for (let d = 0; d < points[i].length; d++) s += (points[i][d] - points[i - 1][d]) ** 2;
    total += Math.sqrt(s);
  }
  return total;
}

/**
 * Length (polyline), area (polygon) or volume (box, polytope, slice) of the domain in input-space
 * units (a slice's k-volume in its own k dimensions). NaN for a polytope without a bounding box,
 * and for polytopes and cut slices of more than 8 dimensions.
 */
export function domainMeasure(domain: Domain): number {
  switch (domain.kind) {
    case "polyline":
      return polylineLength(domain.points);
    case "polygon":
      return Math.abs(signedPolygonArea(domain.polygon)) * parallelogramArea(domain.plane);
    case "box": {
      const n = domain.lo.length;
      const side = domain.hi[0] - domain.lo[0];
      if (domain.lo.every((x) => x === domain.lo[0]) && domain.hi.every((x) => x === domain.hi[0])) return side ** n;
      let v = 1;
      for (let i = 0; i < domain.lo.length; i++) v *= domain.hi[i] - domain.lo[i];
      return v;
    }
    case "slice":
      return parallelotopeVolume(domain.basis) * (domain.polytope ? cutVolume(domain) : (domain.hi - domain.lo) ** domain.basis.length);
    case "polytope":
      return cutVolume(domain);
  }
}
