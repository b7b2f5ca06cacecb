/**
 * The first `keep` cells of a plane partition (in its order), with the adjacency among them and
 * their linear pieces: what a split plane count stopped at the cell limit keeps, so that it holds
 * `maxCells` cells as one engine does (each share stops at the limit itself, so the shares back
 * hold more). The lines and vertices stay: cells index them.
 */
import { maxAbs } from "../regions/map-error.ts";
import { linearPieces, type PlanePartition } from "../regions/partition.ts";

export function planeFirstCells(p: PlanePartition, keep: number): PlanePartition {
  if (p.cellCount <= keep) return p;
  const words = p.layout.words;
  const mapSize = 3 * p.outputSize;
  const vertexEnd = p.cellStart[keep];
  let pairs = 0;
  for (let e = 0; e < p.adjacency.length; e += 2) if (p.adjacency[e] < keep && p.adjacency[e + 1] < keep) pairs++;
  const adjacency = new Uint32Array(2 * pairs);
  for (let e = 0, at = 0; e < p.adjacency.length; e += 2) {
    if (p.adjacency[e] < keep && p.adjacency[e + 1] < keep) {
      adjacency[at++] = p.adjacency[e];
      adjacency[at++] = p.adjacency[e + 1];
    }
  }
  const outputMaps = p.outputMaps.slice(0, keep * mapSize);
  const linear = linearPieces(keep, adjacency, outputMaps, mapSize, 3, maxAbs(p.domain));
  return {
    ...p,
    cellCount: keep,
    activationRegions: keep,
    cellStart: p.cellStart.slice(0, keep + 1),
    vertices: p.vertices.slice(0, 2 * vertexEnd),
    edgeLine: p.edgeLine.slice(0, vertexEnd),
    patterns: p.patterns.slice(0, keep * words),
    areas: p.areas.slice(0, keep),
    outputMaps,
    adjacency,
    linearPieces: linear.count,
    pieceOf: linear.pieceOf,
  };
}
