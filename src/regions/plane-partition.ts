/**
 * The PlanePartition record of a plane count from its arrays: one literal for the engine's
 * result (plane.ts, from the kernel's cells or its own) and the threads' join of shares
 * (plane-merge.ts), so the two cannot drift apart.
 */
import type { PatternLayout } from "../model/pattern.ts";
import type { PlanePartition } from "./partition.ts";
import type { PlaneSlice } from "./plane.ts";

/** A count's cells, lines and the adjacency and linear pieces computed on them. */
export type PlaneArrays = Pick<
  PlanePartition,
  "cellCount" | "cellStart" | "vertices" | "edgeLine" | "lines" | "areas" | "outputMaps" | "patterns" | "adjacency" | "pieceOf" | "linearPieces" | "uncertain"
>;

export function planePartitionOf(slice: PlaneSlice, domain: Float64Array, layout: PatternLayout, outputSize: number, a: PlaneArrays): PlanePartition {
  return {
    kind: "plane",
    origin: slice.origin,
    e1: slice.e1,
    e2: slice.e2,
    domain,
    cellCount: a.cellCount,
    cellStart: a.cellStart,
    vertices: a.vertices,
    edgeLine: a.edgeLine,
    lines: a.lines,
    areas: a.areas,
    outputMaps: a.outputMaps,
    patterns: a.patterns,
    layout,
    outputSize,
    activationRegions: a.cellCount,
    linearPieces: a.linearPieces,
    uncertain: a.uncertain,
    pieceOf: a.pieceOf,
    adjacency: a.adjacency,
  };
}
