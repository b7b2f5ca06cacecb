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
import type { Domain } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import type { PartitionEngine } from "./engines.ts";
import { Budget, type LimitOptions, markStopped } from "./limits.ts";
import { type CountSummary, linearPiecesBy, type WholePartition } from "./partition.ts";
import { type FacetPairs, facetPairs } from "./whole/adjacency.ts";
import { type TraverseOptions, type TraverseResult, traverse } from "./whole/engine.ts";
import { keepFirstRegions } from "./whole/first-regions.ts";
import { RegionProcessor } from "./whole/processor.ts";
import { type InputPolytope, type Reduction, reduce } from "./whole/reduce.ts";
import { KNOWN } from "./whole/round-output.ts";
import { SameMap } from "./whole/same-map.ts";
import { type AffineSlice, sliceCompiled } from "./whole/slice.ts";
import { wholeArguments } from "./whole-domain.ts";

export interface WholeOptions extends LimitOptions {
  /** The box [lo, hi]^n0 (default [-1, 1]). */
  box?: [number, number];
  /** Limits shared with other work (then maxCells, timeout, signal, onProgress are the budget's). */
  budget?: Budget;
  /** Regions and facets with an in-radius at most eps * max(|lo|, |hi|) sqrt(n0) are not counted (default 1e-9). */
  eps?: number;
  /** Keep an input-space point of every region (default true; n0 numbers per region). */
  points?: boolean;
  /** Keep every region's output map (default: as `points`; outputSize x (r + 1) numbers per region). Off, `outputMaps` is empty; the linear pieces are the same. */
  maps?: boolean;
  /** Points of new regions from the first layer's common point without an LP (default true; whole/star.ts). */
  star?: boolean;
  /** Rows proved not to be facets without full LPs where possible (default true; off: every candidate's LP to its optimum, the engine before). */
  lpShortcuts?: boolean;
  /** A polytope's rows (48 or more) generated lazily in the LPs (default true; off: every row in every LP, as before). */
  rowGeneration?: boolean;
  /** New regions' points and facets without the box LP (a step across the facet, LPs in u and over an inner zonotope of the box's image), certified by their rows (default true; off: the points the LPs give, the engine before; the same partition up to the points and numbering). */
  stepPoints?: boolean;
  /** Where to start (default: the box centre, or the polytope's deepest point). */
  start?: ArrayLike<number>;
  /** Inequalities A y <= b cutting the box (A: rows x inputs, row-major; slice coordinates with `slice`). */
  polytope?: InputPolytope;
  /** Count on the slice x = origin + sum_c y_c basis_c instead, y in the box (and the polytope). */
  slice?: AffineSlice;
}

export function wholePartition(compiled: Compiled, options: WholeOptions = {}): WholePartition {
  const net = wholeNetwork(compiled, options);
  const [lo, hi] = wholeBox(options);
  const red = reduce(net, lo, hi, options.polytope);
  const topts = traverseOptions(options);
  const before = topts.budget.cells;
  const result = traverse(net, red, topts);
  return assembleWhole(net, red, result, options, topts.budget.cells - before);
}

/**
 * The network the traversal runs on: folded with the slice when there is one (its inputs are
 * then the slice's coordinates); the polytope's shape checked against its inputs.
 */
export function wholeNetwork(compiled: Compiled, options: WholeOptions): Compiled {
  const net = options.slice ? sliceCompiled(compiled, options.slice) : compiled;
  const p = options.polytope;
  if (p && p.A.length !== p.b.length * net.inputSize) throw new Error(`polytope: A has ${p.A.length} entries, expected ${p.b.length} rows x ${net.inputSize}`);
  return net;
}

/** The box of the options, checked. */
export function wholeBox(options: WholeOptions): [number, number] {
  const [lo, hi] = options.box ?? [-1, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`box needs finite lo < hi, got ${lo}, ${hi}`);
  return [lo, hi];
}

export function traverseOptions(options: WholeOptions): TraverseOptions {
  return {
    eps: options.eps ?? 1e-9,
    start: options.start ?? null,
    budget: options.budget ?? new Budget(options),
    points: options.points ?? true,
    ...(options.maps !== undefined ? { maps: options.maps } : {}),
    star: options.star,
    lpShortcuts: options.lpShortcuts,
    rowGeneration: options.rowGeneration,
    stepPoints: options.stepPoints,
  };
}

/**
 * The partition from a traversal's result (on one thread or many: parallel/whole.ts); `counted`
 * is the cells the budget counted during the traversal.
 */
export function assembleWhole(compiled: Compiled, red: Reduction, result: TraverseResult, options: WholeOptions, counted: number, pairs?: FacetPairs): WholePartition {
  const [lo, hi] = wholeBox(options);
  const r = red.r;
  const mapSize = compiled.outputSize * (r + 1);
  // At the cell limit, the regions the budget counted, not every region found (first-regions.ts).
  const cellCount = result.stopped?.reason === "max-cells" ? Math.min(result.table.count, counted) : result.table.count;
  if (cellCount < result.table.count) result = keepFirstRegions(result, cellCount, r, compiled.inputSize, mapSize);
  // The pairs when the threads made them from the whole result (parallel/whole.ts), else here.
  const { adjacency, same } = pairs && cellCount === result.table.count ? pairs : facetPairs(cellCount, result.facetStart, result.facetNeighbour, result.facetSame);
  const pieces = linearPiecesBy(cellCount, adjacency, (a, b, pair) => (same[pair] === KNOWN ? undecidedSame(compiled, red, result, a, b) : same[pair] === 1));
  const keepPoints = options.points ?? true;
  const part: WholePartition = {
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
    ...(options.polytope ? { polytope: options.polytope } : {}),
    ...(options.slice ? { slice: options.slice } : {}),
  };
  return markStopped(part, result.stopped);
}

/**
 * The engine as `partition()` sees it (regions/engines.ts): a box, a polytope with a bounding box
 * or a slice of any dimension, any input size (whole-domain.ts); the engine `partition()` takes
 * where the space engine refuses (more than 8 dimensions).
 */
export const wholeEngine: PartitionEngine = {
  name: "whole",
  accepts: (domain: Domain) => domain.kind === "box" || domain.kind === "polytope" || domain.kind === "slice",
  refusal(_compiled, domain) {
    const args = wholeArguments(domain);
    return typeof args === "string" ? args : null;
  },
  needsLp: (domain: Domain) => domain.kind === "polytope" && !domain.box,
  run(compiled, domain, options) {
    const args = wholeArguments(domain);
    if (typeof args === "string") throw new Error(`internal: ${args}`);
    return wholePartition(compiled, { ...args, budget: options.budget, ...(options.points !== undefined ? { points: options.points } : {}) });
  },
};

/**
 * Equal maps of regions a and b when no facet listing decided it (the traversal decides every
 * pair from one side at least; this is the safety net): both maps computed and compared.
 */
function undecidedSame(compiled: Compiled, red: Reduction, result: TraverseResult, a: number, b: number): boolean {
  const processor = new RegionProcessor(compiled, red, { eps: 1e-9, points: false, star: false });
  const words = compiled.layout.words;
  const mapA = processor.mapOf(result.table.patterns, a * words).slice();
  return new SameMap(compiled, red.r, -1).equal(mapA, processor.mapOf(result.table.patterns, b * words));
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
