/**
 * Rows describing a whole-domain partition, for files (CSV now, other formats later): one row per
 * cell (its pattern, an input-space point strictly inside it, the certified margin, its facets as
 * hyperplane ids with the cell across each) and one row per adjacent pair. Building the rows is
 * kept apart from writing them.
 *
 * Hyperplane ids: for ReLU-like units (one breakpoint) the id is the unit's index over all
 * layers, 0-based, in the pattern's order; in general see `hyperplaneLabel`.
 */
import type { Compiled } from "../../model/forward.ts";
import { patternString } from "../../model/pattern.ts";
import { isPiecewise, maxStates, unitCount } from "../../model/steps.ts";
import type { WholePartition } from "../partition.ts";
import { hyperplaneIds } from "./constraints.ts";

export interface CellRow {
  cell: number;
  pattern: string;
  radius: number;
  /** Non-redundant constraints (hyperplane ids) and the cell across each. */
  facets: number[];
  neighbours: number[];
  /** Strictly inside the cell and the box (empty when the partition kept no points). */
  point: Float64Array;
}

export function cellRows(compiled: Compiled, part: WholePartition): CellRow[] {
  const n0 = part.inputSize;
  const words = part.layout.words;
  const rows: CellRow[] = [];
  for (let i = 0; i < part.cellCount; i++) {
    const facets: number[] = [];
    const neighbours: number[] = [];
    for (let f = part.facetStart[i]; f < part.facetStart[i + 1]; f++) {
      facets.push(part.facetHyperplane[f]);
      neighbours.push(part.facetNeighbour[f]);
    }
    rows.push({
      cell: i,
      pattern: patternString(compiled.layout, part.patterns, i * words),
      radius: part.radii[i],
      facets,
      neighbours,
      point: part.points.length > 0 ? part.points.subarray(i * n0, (i + 1) * n0) : new Float64Array(0),
    });
  }
  return rows;
}

/** The adjacency graph as (a, b) pairs, a < b. */
export function edgeRows(part: WholePartition): [number, number][] {
  const out: [number, number][] = [];
  for (let e = 0; e < part.adjacency.length; e += 2) out.push([part.adjacency[e], part.adjacency[e + 1]]);
  return out;
}

/** A readable name of hyperplane id: "L1 u3" (layer, unit), with ":b1" for the second breakpoint or ":2-3" for a max pair. */
export function hyperplaneLabel(compiled: Compiled, id: number): string {
  const ids = hyperplaneIds(compiled.steps);
  let layer = 0;
  for (let s = 0; s < compiled.steps.length; s++) {
    const step = compiled.steps[s];
    if (!isPiecewise(step)) continue;
    layer++;
    const n = unitCount(step);
    const per = step.kind === "elementwise" ? step.breakpoints.length : maxStates(step) * maxStates(step);
    if (id >= ids.base[s] + n * per) continue;
    const local = id - ids.base[s];
    const unit = Math.floor(local / per);
    const rest = local % per;
    if (step.kind === "elementwise") return `L${layer} u${unit}${per > 1 ? `:b${rest}` : ""}`;
    const g = maxStates(step);
    return `L${layer} u${unit}:${Math.floor(rest / g)}-${rest % g}`;
  }
  return `#${id}`;
}
