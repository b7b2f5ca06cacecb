/**
 * A sign prefix (a job of a split count, docs/scale.md "Many machines"): hyperplanes of the first
 * piecewise step (an elementwise one) with a side each. No region crosses them, so the regions
 * whose states agree (unit `units[h]` above breakpoint `breakpoints[h]`, i.e. its state > that
 * index, when `above[h]` is 1) are those inside the prefix's cell: the box cut by `cell` (those
 * hyperplanes as input-space rows A x <= b). Prefixes are numbered by their sides, bit h for
 * hyperplane h: the facets between two prefixes' regions are decided by the lower-numbered one.
 */
import { getState, type PatternLayout } from "../../model/pattern.ts";
import type { InputPolytope } from "./reduce.ts";

export interface SignPrefix {
  step: number;
  units: Int32Array;
  breakpoints: Int32Array;
  above: Uint8Array;
  cell: InputPolytope;
}

/** The pattern at `offset` has the prefix's states. */
export function inPrefix(layout: PatternLayout, prefix: SignPrefix, pattern: Uint32Array, offset: number): boolean {
  for (let h = 0; h < prefix.units.length; h++) {
    if (getState(layout, pattern, offset, prefix.step, prefix.units[h]) > prefix.breakpoints[h] !== (prefix.above[h] === 1)) return false;
  }
  return true;
}

/** The number of the prefix the pattern at `offset` has (bit h: above hyperplane h). */
export function prefixNumber(layout: PatternLayout, prefix: SignPrefix, pattern: Uint32Array, offset: number): number {
  let job = 0;
  for (let h = 0; h < prefix.units.length; h++) if (getState(layout, pattern, offset, prefix.step, prefix.units[h]) > prefix.breakpoints[h]) job |= 1 << h;
  return job;
}

/** The prefix's own number. */
export function ownNumber(prefix: SignPrefix): number {
  let job = 0;
  for (let h = 0; h < prefix.units.length; h++) if (prefix.above[h] === 1) job |= 1 << h;
  return job;
}
