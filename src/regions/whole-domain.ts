/**
 * A domain as the whole-domain engine takes it (regions/whole.ts): a cube [lo, hi]^n of the
 * network's inputs (or of slice coordinates), optionally cut by inequalities A y <= b, and
 * optionally a slice x = origin + sum_c y_c basis_c (the network folded with it, whole/slice.ts).
 * A box with unequal sides is its enclosing cube cut by the sides that lie inside it (as for the
 * space engine, space-domain.ts). Null with the reason when the engine cannot take the domain.
 */
import type { Domain } from "../domain/domain.ts";
import { enclosingCube } from "./space-domain.ts";
import type { InputPolytope } from "./whole/reduce.ts";
import type { AffineSlice } from "./whole/slice.ts";

export interface WholeArguments {
  box: [number, number];
  polytope?: InputPolytope;
  slice?: AffineSlice;
}

export function wholeArguments(domain: Domain): WholeArguments | string {
  switch (domain.kind) {
    case "box":
      return enclosingCube(domain);
    case "polytope":
      // partition() gives a polytope its bounding cube when it has the LP solver (domain/polytope-box.ts).
      if (!domain.box)
        return "a polytope without a bounding box needs the LP solver for its box: pass options.lp (await loadLp()), call partitionAsync, or give polytope(A, b, n, [lo, hi])";
      return { box: domain.box, polytope: { A: domain.A, b: domain.b } };
    case "slice":
      return {
        box: [domain.lo, domain.hi],
        // The points a slice was made through, when the domain keeps them: decided through them.
        slice: { origin: domain.origin, basis: domain.basis, ...(domain.points ? { points: domain.points } : {}) },
        ...(domain.polytope ? { polytope: { A: domain.polytope.A, b: domain.polytope.b } } : {}),
      };
    default:
      return `the whole-domain engine partitions boxes, polytopes and slices, not a ${domain.kind}`;
  }
}
