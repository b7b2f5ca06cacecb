/**
 * A domain as the space engine takes it: a slice (the identity for boxes and polytopes), a box
 * [lo, hi]^k in slice coordinates, and inequalities. Used by the engine registry and by
 * `domainMeasure` (the volume of a polytope is that of its one cell).
 */
import type { Domain } from "../domain/domain.ts";
import type { SpaceSlice } from "./space.ts";

/**
 * A box with unequal sides as its enclosing cube [lo, hi]^n cut by the sides that lie inside it
 * (rows A y <= b; none for a cube). The space and whole-domain engines take cubes.
 */
export function enclosingCube(domain: { lo: Float64Array; hi: Float64Array }): { box: [number, number]; polytope?: { A: Float64Array; b: Float64Array } } {
  const n = domain.lo.length;
  const lo = Math.min(...domain.lo);
  const hi = Math.max(...domain.hi);
  const A: number[] = [];
  const b: number[] = [];
  const side = (i: number, sign: number, bound: number): void => {
    for (let j = 0; j < n; j++) A.push(j === i ? sign : 0);
    b.push(sign * bound);
  };
  for (let i = 0; i < n; i++) {
    if (domain.lo[i] > lo) side(i, -1, domain.lo[i]);
    if (domain.hi[i] < hi) side(i, 1, domain.hi[i]);
  }
  return { box: [lo, hi], ...(b.length > 0 ? { polytope: { A: Float64Array.from(A), b: Float64Array.from(b) } } : {}) };
}

/** The space engine's slice, box and polytope (slice coordinates) for a domain. */
export function spaceArguments(domain: Domain): { slice?: SpaceSlice; box?: [number, number]; polytope?: { A: Float64Array; b: Float64Array } } {
  switch (domain.kind) {
    case "box":
      return enclosingCube(domain);
    case "polytope":
      return { polytope: { A: domain.A, b: domain.b }, ...(domain.box ? { box: domain.box } : {}) };
    case "slice":
      // The points a slice was made through, when the domain keeps them (SpaceSlice.points).
      return {
        slice: { origin: domain.origin, basis: domain.basis, ...(domain.points ? { points: domain.points } : {}) },
        box: [domain.lo, domain.hi],
        ...(domain.polytope ? { polytope: domain.polytope } : {}),
      };
    default:
      throw new Error(`internal: the space engine got a ${domain.kind}`);
  }
}
