/**
 * The result every engine returns: a partition of a domain (segment, polyline, polygon in a
 * plane, polytope) into cells on which the network is affine. Cells are stored in flat typed
 * arrays (one entry per cell), so a million cells stay compact; metrics, reports, the CLI and the
 * web app read these arrays.
 *
 * Counts:
 * - activationRegions: cells of positive measure with distinct activation patterns.
 * - linearPieces: connected groups of adjacent cells whose output affine maps are equal
 *   (the network's affine pieces as a function, which can be fewer than activation regions).
 */
import type { PatternLayout } from "../model/pattern.ts";
import type { StopReason } from "./limits.ts";

/** What every partition holds: cells with their patterns, counts, adjacency and linear pieces. */
export interface PartitionBase {
  /** Number of cells (pieces of a line, polygons of a plane, polytopes of a space slice). */
  cellCount: number;
  /** Bit-packed activation pattern of each cell: cellCount x layout.words. */
  patterns: Uint32Array;
  layout: PatternLayout;
  outputSize: number;
  activationRegions: number;
  linearPieces: number;
  /** Linear piece id of each cell (0..linearPieces-1). */
  pieceOf: Int32Array;
  /** Pairs of adjacent cells (a, b), a < b, sharing a facet (a point on a line, an edge in a plane). */
  adjacency: Uint32Array;
  /**
   * Set when a limit (cells, time, cancellation: regions/limits.ts) stopped the engine early: the
   * cells are those found so far, not the whole domain, and the counts are lower bounds.
   */
  stopped?: StopReason;
}

/** A segment x(t) = start + t (end - start), t in [0, 1], or a polyline of such segments. */
export interface LinePartition extends PartitionBase {
  kind: "line";
  /** Vertices of the path in input space: (segments + 1) x inputSize. */
  path: Float64Array;
  segments: number;
  /** Piece i covers path parameter [tStart[i], tEnd[i]] on segment segmentOf[i]. */
  tStart: Float64Array;
  tEnd: Float64Array;
  segmentOf: Int32Array;
  /** Euclidean length of each piece in input space. */
  lengths: Float64Array;
  /** Output maps along the piece: cellCount x outputSize x 2, [value at t=0, d/dt]. */
  outputMaps: Float64Array;
  /**
   * Decisions a rounding bound left open that no exact recomputation could decide (docs/numerics.md:
   * a deep-layer breakpoint within float64's reach of another); absent when every decision is exact.
   */
  uncertain?: number;
}

/** A convex polygon in the plane x(u, v) = origin + u e1 + v e2, cut into convex cells. */
export interface PlanePartition extends PartitionBase {
  kind: "plane";
  /**
   * Sign decisions a rounding bound left open that could not be decided exactly (docs/numerics.md:
   * a deep-layer line within float64's reach of a vertex): 0 when every decision is exact.
   */
  uncertain?: number;
  origin: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  /** Domain polygon in (u, v), counter-clockwise. */
  domain: Float64Array;
  /** Cell i's vertices are vertices[2*cellStart[i] .. 2*cellStart[i+1]) as (u, v), counter-clockwise. */
  cellStart: Uint32Array;
  vertices: Float64Array;
  /**
   * For each vertex j, the edge leaving it: 2 * lineId + side (side 0: the cell lies on the
   * positive side of line lineId, 1: negative), or -1 on the domain boundary. Two cells are
   * adjacent where edges on the same line from opposite sides overlap.
   */
  edgeLine: Int32Array;
  /** Line coefficients (a, b, c) of a + b u + c v = 0, indexed by lineId. */
  lines: Float64Array;
  /** Area of each cell in (u, v) units. */
  areas: Float64Array;
  /** Output maps: cellCount x outputSize x 3, [constant, d/du, d/dv]. */
  outputMaps: Float64Array;
}

/**
 * A convex polytope domain in a k-dimensional affine slice x(y) = origin + sum_c y_c basis_c of
 * input space (the whole input space when basis is the identity), cut into convex polytopes.
 * Written by the space engine (regions/space.ts; docs/space.md).
 */
export interface SpacePartition extends PartitionBase {
  kind: "space";
  /** Dimension k of the slice. */
  dim: number;
  origin: Float64Array;
  /** k x inputSize, row-major: basis vector c is basis[c * inputSize ..]. */
  basis: Float64Array;
  /** Minimal H-representation: cell i's facets are rows facetStart[i] .. facetStart[i+1] of
   *  `facets`, each [a_1..a_k, b] meaning a . y <= b with |a| = 1. */
  facetStart: Uint32Array;
  facets: Float64Array;
  /** Cell on the other side of each facet, -1 on the domain boundary (or unresolved). */
  facetNeighbour: Int32Array;
  /** Cell i's vertices are rows vertexStart[i] .. vertexStart[i+1] of `vertices` (k per row). */
  vertexStart: Uint32Array;
  vertices: Float64Array;
  /** Interior point and radius of a ball about it inside the cell: cellCount x k, cellCount. */
  centres: Float64Array;
  radii: Float64Array;
  /** "chebyshev": the largest inscribed ball (LP); "vertex-mean": the mean of the vertices. */
  centreKind: "chebyshev" | "vertex-mean";
  /** Output maps: cellCount x outputSize x (k + 1), [constant, d/dy_1, ..., d/dy_k]. */
  outputMaps: Float64Array;
  /** Distinct vertices, edges and facets of the complex (k <= 4; -1 when not computed). */
  vertexCount: number;
  edgeCount: number;
  facetCount: number;
  /** Why the counts above are -1 although they were asked for (space/complex-labels.ts); absent otherwise. */
  complexWithheld?: string;
}

/**
 * Every region of a network over a whole box of any input dimension, found by traversing the
 * region adjacency graph (regions/whole.ts; docs/whole.md). Geometry lives in the reduced space
 * u = Q x that the first layer sees (dim = rank of the first layer <= its width).
 */
export interface WholePartition extends PartitionBase {
  kind: "whole";
  inputSize: number;
  /** The box [lo, hi]^inputSize. */
  box: [number, number];
  /** Dimension r of the reduced space and its orthonormal basis Q (r x inputSize, u = Q x). */
  dim: number;
  basis: Float64Array;
  /** A point of each cell in u (cellCount x dim) and its certified margin: the distance from the
   *  point to the nearest of the cell's hyperplanes (a lower bound of the in-radius). */
  centres: Float64Array;
  radii: Float64Array;
  /** A point strictly inside each cell and the box in input space (cellCount x inputSize), or empty. */
  points: Float64Array;
  /** Non-redundant constraints: cell i's facets are facetStart[i] .. facetStart[i+1] of
   *  `facetHyperplane` (hyperplane ids, see `hyperplaneLabel`) and `facetNeighbour` (the cell across). */
  facetStart: Uint32Array;
  facetHyperplane: Int32Array;
  facetNeighbour: Int32Array;
  /** Facets inside the box (= adjacency pairs; facets on the box's boundary are not counted). */
  facetCount: number;
  /** Output maps in u: cellCount x outputSize x (dim + 1), [constant, d/du_1, ..., d/du_dim]. */
  outputMaps: Float64Array;
  /** Decisions the certificates could not make; 0 means the count is exact. */
  uncertain: number;
  /** Regions met across a facet but thinner than the threshold (not counted, as in the space engine). */
  thinRegions: number;
  stats: Record<string, number>;
  /** A polytope domain: the box cut by A y <= b (A: rows x inputSize, row-major). */
  polytope?: { A: Float64Array; b: Float64Array };
  /**
   * A slice x = origin + sum_c y_c basis_c of the network's inputs: then inputSize, box, basis,
   * points and the polytope are in the slice's coordinates y (k = inputSize of them).
   */
  slice?: { origin: Float64Array; basis: readonly Float64Array[] };
}

/** What `partition()` returns: a line, plane, space or whole-domain partition (by `kind`). */
export type Partition = LinePartition | PlanePartition | SpacePartition | WholePartition;

/** What `count` reports, the JSON contract of `tessera count --json`. */
export interface CountSummary {
  engine: "line" | "plane" | "space" | "whole";
  activationRegions: number;
  linearPieces: number;
  seconds: number;
}

/** Union-find over cells: connected groups of adjacent cells with equal output maps (see mapsEqual). */
export function linearPieces(
  cellCount: number,
  adjacency: Uint32Array,
  outputMaps: Float64Array,
  mapSize: number,
  channels = 1,
  reach = 1,
): { count: number; pieceOf: Int32Array } {
  return linearPiecesBy(cellCount, adjacency, (a, b) => mapsEqual(outputMaps, a * mapSize, b * mapSize, mapSize, channels, reach));
}

/** linearPieces with the maps' equality of adjacent cells a, b from `same` (pair p = adjacency[2p], adjacency[2p + 1]). */
export function linearPiecesBy(cellCount: number, adjacency: Uint32Array, same: (a: number, b: number, pair: number) => boolean): { count: number; pieceOf: Int32Array } {
  const parent = new Int32Array(cellCount);
  for (let i = 0; i < cellCount; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let p = 0; p < adjacency.length; p += 2) {
    const a = adjacency[p];
    const b = adjacency[p + 1];
    if (same(a, b, p >> 1)) {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[ra] = rb;
    }
  }
  // Number the groups in order of first appearance (typed arrays: no Map for a million cells).
  const pieceOf = new Int32Array(cellCount);
  const idOfRoot = new Int32Array(cellCount).fill(-1);
  let count = 0;
  for (let i = 0; i < cellCount; i++) {
    const r = find(i);
    if (idOfRoot[r] < 0) idOfRoot[r] = count++;
    pieceOf[i] = idOfRoot[r];
  }
  return { count, pieceOf };
}

/**
 * Two affine maps are equal when every coefficient agrees to 1e-9 of the maps' size (maps
 * computed along different paths differ by rounding only). The maps have `channels` coefficients
 * per output, [c_0, c_1..] for c_0 + sum_j c_j y_j with |y_j| <= reach over the domain: the size
 * is the largest |c_0| + reach sum |c_j| of the two, a bound on the values they take, and a
 * slope's tolerance is that over `reach`. So scaling the domain by 2^k and the slopes by 2^-k
 * changes nothing (with one channel: the largest coefficient, as before).
 */
export function mapsEqual(maps: Float64Array, a: number, b: number, size: number, channels = 1, reach = 1): boolean {
  let scale = 0;
  for (let o = 0; o < size; o += channels) {
    let sa = Math.abs(maps[a + o]);
    let sb = Math.abs(maps[b + o]);
    let slopes = 0;
    for (let c = 1; c < channels; c++) slopes += Math.abs(maps[a + o + c]);
    sa += slopes * reach;
    slopes = 0;
    for (let c = 1; c < channels; c++) slopes += Math.abs(maps[b + o + c]);
    sb += slopes * reach;
    scale = Math.max(scale, sa, sb);
  }
  // Relative only: an absolute floor would call maps of tiny (but exact) slopes equal.
  const tol = 1e-9 * scale;
  const slopeTol = tol / reach;
  for (let k = 0; k < size; k++) if (Math.abs(maps[a + k] - maps[b + k]) > (k % channels === 0 ? tol : slopeTol)) return false;
  return true;
}
