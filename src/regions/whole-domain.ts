/**
 * A domain as the whole-domain engine takes it (regions/whole.ts): a cube [lo, hi]^n of the
 * network's inputs (or of slice coordinates), optionally cut by inequalities A y <= b, and
 * optionally a slice x = origin + sum_c y_c basis_c (the network folded with it, whole/slice.ts).
 * A box with unequal sides is its enclosing cube cut by the sides that lie inside it (as for the
 * space engine, space-domain.ts). Null with the reason when the engine cannot take the domain.
 */
import type { Domain } from "../domain/domain.ts";
import type { InputPolytope } from "./whole/reduce.ts";
import type { AffineSlice } from "./whole/slice.ts";

export interface WholeArguments {
  box: [number, number];
  polytope?: InputPolytope;
  slice?: AffineSlice;
}

export function wholeArguments(domain: Domain): WholeArguments | string {
  switch (domain.kind) {
    case "box": {
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
    case "polytope":
      if (!domain.box) return "the whole-domain engine needs a polytope's bounding box: give it one (polytope(A, b, n, [lo, hi]) or --box with --polytope)";
      return { box: domain.box, polytope: { A: domain.A, b: domain.b } };
    case "slice":
      return {
        box: [domain.lo, domain.hi],
        slice: { origin: domain.origin, basis: domain.basis },
        ...(domain.polytope ? { polytope: { A: domain.polytope.A, b: domain.polytope.b } } : {}),
      };
    default:
      return `the whole-domain engine partitions boxes, polytopes and slices, not a ${domain.kind}`;
  }
}
