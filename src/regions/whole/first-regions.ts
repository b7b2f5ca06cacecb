/**
 * A traversal stopped at the cell limit (`maxCells` N) has found more regions than it processed:
 * each processed region adds its unknown neighbours. What it returns is the first N regions (the
 * budget counted N), with the facets among them (hence the edges), so a partition cut short at N cells
 * never holds more than N. (The pattern table keeps its count: callers take the first
 * `min(count, keep)` patterns.)
 */
import type { TraverseResult } from "./engine.ts";

export function keepFirstRegions(result: TraverseResult, keep: number, r: number, n0: number, mapSize: number): TraverseResult {
  if (result.table.count <= keep) return result;
  const facetStart = new Uint32Array(keep + 1);
  const hyperplanes: number[] = [];
  const neighbours: number[] = [];
  const same: number[] = [];
  for (let i = 0; i < keep; i++) {
    facetStart[i] = neighbours.length;
    for (let f = result.facetStart[i]; f < result.facetStart[i + 1]; f++) {
      if (result.facetNeighbour[f] >= keep) continue;
      hyperplanes.push(result.facetHyperplane[f]);
      neighbours.push(result.facetNeighbour[f]);
      same.push(result.facetSame[f]);
    }
  }
  facetStart[keep] = neighbours.length;
  return {
    ...result,
    centres: result.centres.slice(0, keep * r),
    inputPoints: result.inputPoints.slice(0, keep * n0),
    margins: result.margins.slice(0, keep),
    outputs: result.outputs.length > 0 ? result.outputs.slice(0, keep * mapSize) : result.outputs,
    facetStart,
    facetHyperplane: Int32Array.from(hyperplanes),
    facetNeighbour: Int32Array.from(neighbours),
    facetSame: Uint8Array.from(same),
  };
}
