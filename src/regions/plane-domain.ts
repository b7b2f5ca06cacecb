/**
 * The domain polygon of a plane count, in (u, v): its edges' lines, stored exactly where they can
 * be (axis-parallel edges always), its corners their intersections, and how many edges could not
 * be (uncertain decisions).
 */
import { exactSignOfProducts } from "../geometry/exact.ts";
import { type LineTable, lineIntersection, type PolygonArena, SIDE_DOMAIN } from "../geometry/polygon.ts";
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import { maxAbs } from "./map-error.ts";
import { refuseDomain } from "./refusal.ts";

/**
 * How many of the domain polygon's edges domainPolygon cannot store exactly: the line
 * -(b u0 + c v0) + b u + c v with b = v0 - v1, c = u1 - u0 computed in doubles (domainEdgeLine)
 * passes exactly through both ends only when nothing rounded (axis-parallel edges always). Such a domain is
 * within rounding of the polygon asked, not it: each such edge is counted as an uncertain
 * decision, so the count says so (docs/numerics.md, "Degenerate slices").
 */
export function inexactDomainEdges(domain: Float64Array): number {
  const m = domain.length / 2;
  let count = 0;
  for (let k = 0; k < m; k++) {
    const [a, b, c] = domainEdgeLine(domain, k);
    if (b === 0 || c === 0) continue;
    const through = (q: number) => exactSignOfProducts([[a], [b, domain[2 * q]], [c, domain[2 * q + 1]]]) === 0;
    if (!through(k) || !through((k + 1) % m)) count++;
  }
  return count;
}

/** The line (a, b, c) of the domain polygon's edge k, to vertex k + 1, inside where a + b u + c v > 0. */
function domainEdgeLine(domain: Float64Array, k: number): [number, number, number] {
  const j = (k + 1) % (domain.length / 2);
  const [u0, v0, u1, v1] = [domain[2 * k], domain[2 * k + 1], domain[2 * j], domain[2 * j + 1]];
  const b = v0 - v1;
  const c = u1 - u0;
  // Axis-aligned edges get unit normals, so box corners are exact intersections.
  if (b === 0) return [-Math.sign(c) * v0, 0, Math.sign(c)];
  if (c === 0) return [-Math.sign(b) * u0, Math.sign(b), 0];
  return [-(b * u0 + c * v0), b, c];
}

/** Domain polygon with exact edge lines; corners are the lines' intersections. */
export function domainPolygon(lines: LineTable, arena: PolygonArena, domain: Float64Array): number {
  const m = domain.length / 2;
  if (m < 3 || !Number.isInteger(m)) throw new Error("domain polygon needs at least 3 (u, v) vertices");
  refuseDomain(domain, "the domain polygon");
  let area = signedPolygonArea(domain);
  if (!(Math.abs(area) > 0 && Math.abs(area) < Infinity)) {
    // The products under- or overflowed: the orientation from coordinates scaled by 1 / max.
    const scale = maxAbs(domain);
    area = signedPolygonArea(domain.map((x) => x / scale));
  }
  if (!(area > 0)) throw new Error("domain polygon must be counter-clockwise with positive area");
  const ids: number[] = [];
  for (let k = 0; k < m; k++) ids.push(lines.add(...domainEdgeLine(domain, k)));
  const p = arena.begin(m);
  const corner = new Float64Array(3);
  for (let k = 0; k < m; k++) {
    // Vertex k is the intersection of edge lines k-1 and k.
    lineIntersection(lines, ids[(k + m - 1) % m], ids[k], corner);
    arena.push(p, corner[0], corner[1], corner[2], ids[k], SIDE_DOMAIN);
  }
  return p;
}
