/**
 * How far a vertex may be from where the network's exact lines put it (the plane engine).
 *
 * A vertex is where the computed lines of its two edges meet (geometry/polygon.ts: its cached
 * point within its radius of that). The lines' bounds are relative to the exact map (map-error.ts,
 * docs/numerics.md "Bounds relative to the exact map"), so the exact lines meet elsewhere: at
 * most (their bounds at the vertex) / (the sine of their angle) away. That displacement is added
 * to the radius of every vertex a cut makes, so a sign test outside the bound is the exact line's
 * sign at the exact vertex, and one within goes to the exact decisions (plane-ties.ts settle). Lines
 * with no bounds (the domain's, a box's first layer) give none. The WebAssembly kernel
 * (plane-cut.as `widenCut`) does the same float64 operations in the same order.
 */
import type { PolygonArena } from "../geometry/polygon.ts";

const EPS = 2 ** -53;

/**
 * An upper bound on the distance (per coordinate) between the computed lines' intersection at
 * (u, v) (within r) and the exact lines' intersection, for lines (a1, b1, c1) and (a2, b2, c2)
 * within (ea, eb, ec) of the exact ones; Infinity when the exact lines may be parallel.
 */
export function vertexDisplacement(
  u: number,
  v: number,
  r: number,
  b1: number,
  c1: number,
  ea1: number,
  eb1: number,
  ec1: number,
  b2: number,
  c2: number,
  ea2: number,
  eb2: number,
  ec2: number,
): number {
  // The exact lines' values at the computed intersection p (|p| <= |(u, v)| + r).
  const au = Math.abs(u) + r;
  const av = Math.abs(v) + r;
  const r1 = ea1 + eb1 * au + ec1 * av;
  const r2 = ea2 + eb2 * au + ec2 * av;
  // p* - p = -M*^-1 (r1, r2), M* the exact slopes: |adjugate| over |det M*|, bounded below.
  const B1 = Math.abs(b1) + eb1;
  const C1 = Math.abs(c1) + ec1;
  const B2 = Math.abs(b2) + eb2;
  const C2 = Math.abs(c2) + ec2;
  const bc = Math.abs(b1 * c2);
  const cb = Math.abs(c1 * b2);
  const moved = eb1 * C2 + Math.abs(b1) * ec2 + ec1 * B2 + Math.abs(c1) * eb2;
  const low = (Math.abs(b1 * c2 - c1 * b2) - 2 * EPS * (bc + cb) - moved) * (1 - 8 * EPS);
  if (!(low > 0)) return Infinity;
  const du = (C2 * r1 + C1 * r2) / low;
  const dv = (B2 * r1 + B1 * r2) / low;
  const d = Math.max(du, dv) * (1 + 16 * EPS);
  return Number.isNaN(d) ? Infinity : d;
}

/**
 * Widen the radius of every vertex of polygon p (in arena) on cut line l by its displacement
 * (vertexDisplacement), from the lines' coefficients `coef` and bounds `bounds` (3 per line id).
 */
export function widenCutVertices(arena: PolygonArena, p: number, l: number, coef: Float64Array, bounds: Float64Array): void {
  const s = arena.start[p];
  const n = arena.size[p];
  const eaL = bounds[3 * l];
  const ebL = bounds[3 * l + 1];
  const ecL = bounds[3 * l + 2];
  for (let k = 0; k < n; k++) {
    const incoming = arena.line[s + ((k + n - 1) % n)];
    const outgoing = arena.line[s + k];
    if (incoming !== l && outgoing !== l) continue;
    const other = incoming === l ? outgoing : incoming;
    const ea = bounds[3 * other];
    const eb = bounds[3 * other + 1];
    const ec = bounds[3 * other + 2];
    if (eaL === 0 && ebL === 0 && ecL === 0 && ea === 0 && eb === 0 && ec === 0) continue;
    const i = s + k;
    const d = vertexDisplacement(
      arena.uv[2 * i],
      arena.uv[2 * i + 1],
      arena.err[i],
      coef[3 * l + 1],
      coef[3 * l + 2],
      eaL,
      ebL,
      ecL,
      coef[3 * other + 1],
      coef[3 * other + 2],
      ea,
      eb,
      ec,
    );
    arena.err[i] = arena.err[i] + d;
  }
}
