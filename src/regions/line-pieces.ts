import { type PatternLayout, patternHash } from "../model/pattern.ts";
import { type LinePartition, mapsEqual } from "./partition.ts";

/** The pieces of a path, in order along it. */
export type LinePieces = Pick<LinePartition, "tStart" | "tEnd" | "segmentOf" | "lengths" | "patterns" | "outputMaps">;

/** A line partition from its pieces: adjacency, linear pieces and distinct patterns (also for pieces joined from workers). */
export function linePartitionOf(path: Float64Array, segments: number, layout: PatternLayout, outputSize: number, pieces: LinePieces): LinePartition {
  const { patterns, outputMaps, segmentOf } = pieces;
  const cellCount = pieces.tStart.length;
  const words = layout.words;
  const mapSize = 2 * outputSize;
  // Consecutive pieces are adjacent; they are one linear piece when their maps along the
  // segment agree (across a corner of the polyline: when their patterns agree).
  const adjacency = new Uint32Array(2 * Math.max(0, cellCount - 1));
  const pieceOf = new Int32Array(cellCount);
  let linear = cellCount > 0 ? 1 : 0;
  for (let i = 1; i < cellCount; i++) {
    adjacency[2 * i - 2] = i - 1;
    adjacency[2 * i - 1] = i;
    const same =
      segmentOf[i] === segmentOf[i - 1]
        ? mapsEqual(outputMaps, (i - 1) * mapSize, i * mapSize, mapSize)
        : patterns.subarray((i - 1) * words, i * words).every((w, k) => w === patterns[i * words + k]);
    if (!same) linear++;
    pieceOf[i] = linear - 1;
  }
  return {
    kind: "line",
    path,
    segments,
    ...pieces,
    layout,
    outputSize,
    cellCount,
    activationRegions: distinctPatterns(patterns, cellCount, words),
    linearPieces: linear,
    pieceOf,
    adjacency,
  };
}

/**
 * Number of distinct patterns among `count` (each `words` long): an open-addressing hash table
 * of cell indices, comparing words on a hash match (no string per cell).
 */
function distinctPatterns(patterns: Uint32Array, count: number, words: number): number {
  let size = 16;
  while (size < 2 * count) size *= 2;
  const table = new Int32Array(size).fill(-1);
  let distinct = 0;
  for (let i = 0; i < count; i++) {
    let slot = patternHash(patterns, i * words, words) & (size - 1);
    for (;;) {
      const j = table[slot];
      if (j < 0) {
        table[slot] = i;
        distinct++;
        break;
      }
      let w = 0;
      while (w < words && patterns[j * words + w] === patterns[i * words + w]) w++;
      if (w === words) break;
      slot = (slot + 1) & (size - 1);
    }
  }
  return distinct;
}
