/**
 * A plane partition as a self-describing JSON document (the explorer's "partition as JSON"
 * export): the slice, the domain, the counts, and every cell with its pattern, polygon, area,
 * output affine map and linear piece. Plain arrays, full float64 precision, so another program
 * (or a test) can recompute anything from it without tessera.
 */
import { patternString } from "../model/pattern.ts";
import type { PlanePartition } from "../regions/partition.ts";

export interface PartitionCellJson {
  /** Per-unit states grouped by layer, "0110|1001" (patternString). */
  pattern: string;
  /** Counter-clockwise polygon in plane coordinates (u, v). */
  vertices: [number, number][];
  area: number;
  /** One row per output: [constant, d/du, d/dv]. */
  output: [number, number, number][];
  /** Linear piece id: cells with the same id form one affine piece of the function. */
  piece: number;
}

export interface PartitionJson {
  format: "tessera.partition";
  version: 1;
  kind: "plane";
  /** x(u, v) = origin + u e1 + v e2 in input space. */
  origin: number[];
  e1: number[];
  e2: number[];
  domain: [number, number][];
  activationRegions: number;
  linearPieces: number;
  cells: PartitionCellJson[];
}

export function planePartitionJson(p: PlanePartition): PartitionJson {
  const words = p.layout.words;
  const outs = p.outputSize;
  const cells: PartitionCellJson[] = [];
  for (let i = 0; i < p.cellCount; i++) {
    const vertices: [number, number][] = [];
    for (let j = p.cellStart[i]; j < p.cellStart[i + 1]; j++) vertices.push([p.vertices[2 * j], p.vertices[2 * j + 1]]);
    const output: [number, number, number][] = [];
    for (let k = 0; k < outs; k++) {
      const o = (i * outs + k) * 3;
      output.push([p.outputMaps[o], p.outputMaps[o + 1], p.outputMaps[o + 2]]);
    }
    cells.push({
      pattern: patternString(p.layout, p.patterns, i * words),
      vertices,
      area: p.areas[i],
      output,
      piece: p.pieceOf[i],
    });
  }
  const domain: [number, number][] = [];
  for (let j = 0; j < p.domain.length; j += 2) domain.push([p.domain[j], p.domain[j + 1]]);
  return {
    format: "tessera.partition",
    version: 1,
    kind: "plane",
    origin: Array.from(p.origin),
    e1: Array.from(p.e1),
    e2: Array.from(p.e2),
    domain,
    activationRegions: p.activationRegions,
    linearPieces: p.linearPieces,
    cells,
  };
}
