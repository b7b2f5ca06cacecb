/**
 * The whole-domain engine: every activation region of a network over the box [lo, hi]^n0 for any
 * input size n0 (784 pixels and beyond), as long as the number of regions is tractable, by a
 * traversal of the region adjacency graph in the space the first layer sees (docs/whole.md).
 *
 *   const part = wholePartition(prepare(network), { box: [0, 1] });
 *   part.activationRegions, part.linearPieces, part.facetCount, part.uncertain
 *
 * No LP solver to load: the engine's LPs are its own (whole/box-lp.ts), synchronous and
 * certified. Works on every compiled step kind (affine, elementwise with any breakpoints, max
 * groups, branches).
 */
import type { Compiled } from "../model/forward.ts";
import { type CountSummary, linearPieces, type WholePartition } from "./partition.ts";
import { traverse, WholeLimitError } from "./whole/engine.ts";
import { reduce } from "./whole/reduce.ts";

export { WholeLimitError };

export interface WholeOptions {
  /** The box [lo, hi]^n0 (default [-1, 1]). */
  box?: [number, number];
  /** Stop with WholeLimitError beyond this many regions (default 1,000,000). */
  maxCells?: number;
  /** Stop with WholeLimitError after this many seconds (default: no limit). */
  timeout?: number;
  /** Regions and facets with an in-radius at most eps * max(|lo|, |hi|) sqrt(n0) are not counted (default 1e-9). */
  eps?: number;
  /** Keep an input-space point of every region (default true; n0 numbers per region). */
  points?: boolean;
  /** Where to start (default: the box centre). */
  start?: ArrayLike<number>;
  onProgress?: (found: number, processed: number) => void;
}

export function wholePartition(compiled: Compiled, options: WholeOptions = {}): WholePartition {
  const [lo, hi] = options.box ?? [-1, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`box needs finite lo < hi, got ${lo}, ${hi}`);
  const red = reduce(compiled, lo, hi);
  const result = traverse(compiled, red, {
    maxCells: options.maxCells ?? 1_000_000,
    eps: options.eps ?? 1e-9,
    start: options.start ?? null,
    deadline: options.timeout ? performance.now() + 1000 * options.timeout : Infinity,
    onProgress: options.onProgress ?? null,
  });
  const cellCount = result.table.count;
  const r = red.r;
  const adjacency = uniquePairs(result.edges);
  const mapSize = compiled.outputSize * (r + 1);
  const pieces = linearPieces(cellCount, adjacency, result.outputs, mapSize);
  const keepPoints = options.points ?? true;
  return {
    kind: "whole",
    cellCount,
    patterns: result.table.patterns.slice(0, cellCount * compiled.layout.words),
    layout: compiled.layout,
    outputSize: compiled.outputSize,
    activationRegions: cellCount,
    linearPieces: pieces.count,
    pieceOf: pieces.pieceOf,
    adjacency,
    inputSize: compiled.inputSize,
    box: [lo, hi],
    dim: r,
    basis: red.Q,
    centres: result.centres,
    radii: result.margins,
    points: keepPoints ? interiorPoints(result.inputPoints, result.margins, compiled.inputSize, lo, hi) : new Float64Array(0),
    facetStart: result.facetStart,
    facetHyperplane: result.facetHyperplane,
    facetNeighbour: result.facetNeighbour,
    facetCount: adjacency.length / 2,
    outputMaps: result.outputs,
    uncertain: result.stats.uncertain,
    thinRegions: result.stats.thinRegions,
    stats: { ...result.stats },
  };
}

/** Sorted distinct pairs (a, b), a < b. */
function uniquePairs(edges: Uint32Array): Uint32Array {
  const n = edges.length / 2;
  const keys = new Float64Array(n);
  for (let e = 0; e < n; e++) keys[e] = edges[2 * e] * 4294967296 + edges[2 * e + 1];
  keys.sort();
  const out: number[] = [];
  for (let e = 0; e < n; e++) {
    if (e > 0 && keys[e] === keys[e - 1]) continue;
    out.push(Math.floor(keys[e] / 4294967296), keys[e] % 4294967296);
  }
  return Uint32Array.from(out);
}

/**
 * The LP's points lie on the box's boundary in most coordinates (they are vertices): each is
 * moved toward the box centre by the fraction that keeps half of its margin (the rows are unit
 * normals, so a move of length L changes a row by at most L), which puts it strictly inside.
 */
function interiorPoints(points: Float64Array, margins: Float64Array, n0: number, lo: number, hi: number): Float64Array {
  const out = points.slice();
  const mid = 0.5 * (lo + hi);
  for (let i = 0; i < margins.length; i++) {
    let dist = 0;
    for (let d = 0; d < n0; d++) dist += (mid - out[i * n0 + d]) ** 2;
    dist = Math.sqrt(dist);
    if (dist === 0) continue;
    const theta = Math.min(0.5, margins[i] / (2 * dist));
    for (let d = 0; d < n0; d++) out[i * n0 + d] += theta * (mid - out[i * n0 + d]);
  }
  return out;
}

/** What `tessera count` needs from the whole-domain engine. */
export function wholeCount(compiled: Compiled, options: WholeOptions = {}): CountSummary & { cells: number; facets: number; uncertain: number } {
  const t0 = performance.now();
  const part = wholePartition(compiled, { ...options, points: false });
  return {
    engine: "whole",
    activationRegions: part.activationRegions,
    linearPieces: part.linearPieces,
    seconds: (performance.now() - t0) / 1000,
    cells: part.cellCount,
    facets: part.facetCount,
    uncertain: part.uncertain,
  };
}
