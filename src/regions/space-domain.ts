/**
 * A domain as the space engine takes it: a slice (the identity for boxes and polytopes), a box
 * [lo, hi]^k in slice coordinates, and inequalities. Used by the engine registry and by
 * `domainMeasure` (the volume of a polytope is that of its one cell).
 */
import type { Domain } from "../domain/domain.ts";
import type { SpaceSlice } from "./space.ts";

/** The space engine's slice, box and polytope (slice coordinates) for a domain. */
export function spaceArguments(domain: Domain): { slice?: SpaceSlice; box?: [number, number]; polytope?: { A: Float64Array; b: Float64Array } } {
  switch (domain.kind) {
    case "box": {
      const n = domain.lo.length;
      const lo = Math.min(...domain.lo);
      const hi = Math.max(...domain.hi);
      // A box with unequal sides: the enclosing cube cut by the sides that lie inside it.
      const A: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < n; i++) {
        if (domain.lo[i] > lo) {
          A.push(...Array.from({ length: n }, (_, j) => (j === i ? -1 : 0)));
          b.push(-domain.lo[i]);
        }
        if (domain.hi[i] < hi) {
          A.push(...Array.from({ length: n }, (_, j) => (j === i ? 1 : 0)));
          b.push(domain.hi[i]);
        }
      }
      return { box: [lo, hi], ...(b.length > 0 ? { polytope: { A: Float64Array.from(A), b: Float64Array.from(b) } } : {}) };
    }
    case "polytope":
      return { polytope: { A: domain.A, b: domain.b }, ...(domain.box ? { box: domain.box } : {}) };
    case "slice":
      return { slice: { origin: domain.origin, basis: domain.basis }, box: [domain.lo, domain.hi], ...(domain.polytope ? { polytope: domain.polytope } : {}) };
    default:
      throw new Error(`internal: the space engine got a ${domain.kind}`);
  }
}
