/**
 * What a caller gives the space engine (space.ts's `spacePartition`, `spaceWalk`): the domain and
 * the counts asked for, a thread's share of a split count, and the errors it stops with.
 */
import type { LpSolver } from "../../geometry/lp.ts";
import type { Budget } from "../limits.ts";
import type { CellComplex, SinkSharing } from "./cells.ts";
import type { SpaceSlice } from "./slice.ts";

export interface SpaceOptions {
  /** The slice (default: the whole input space, y = x). */
  slice?: SpaceSlice;
  /** Domain box [lo, hi]^k in slice coordinates (default [-1, 1]^k, or the polytope's bounding box). */
  box?: [number, number];
  /** Domain polytope {y : A y <= b} (A rows x k, row-major), intersected with the box if given. */
  polytope?: { A: Float64Array; b: Float64Array };
  /** LP solver (`await loadLp()`): Chebyshev centres, and the bounding box of a polytope domain. */
  lp?: LpSolver | null;
  /** Stop with an error beyond this many cells (default 2,000,000). */
  maxCells?: number;
  /**
   * Extra relative tolerance of hyperplane signs: a vertex within eps (|h_0| + sum |h_j y_j|) of
   * a hyperplane h lies on it. Default 0: only the rounding bounds decide (docs/space.md).
   */
  eps?: number;
  /** Count vertices, edges and facets of the complex (default: when k <= 4). */
  complex?: boolean;
  /**
   * Count the complex's edges cell by cell even where Euler's relation gives them (3-D, vertices
   * named, a walk no limit can cut short: E = V + F - C - 1, space/complex.ts): a check for tests.
   */
  countEdges?: boolean;
  /**
   * Count the complex's facets by hashing every cell's facets and checking that they match (every
   * inner facet in two cells, every boundary one in one) even where the cells' facet incidences
   * give them (vertices named, eps = 0, a walk no limit can cut short, every sign decided exactly:
   * F = (I + B) / 2, space/complex.ts): a check for tests.
   */
  countFacets?: boolean;
  /** Limits and progress (regions/limits.ts): stops early with the cells found so far. */
  budget?: Budget;
}

/**
 * One thread's share of a count split among threads (parallel/space.ts): every share makes the
 * first piecewise step's cut of the domain (the top pieces) and descends only into the top
 * pieces it claims. The maps of a top piece's cells are the ones a whole walk computes (the top
 * family's reference is the first top piece's, claimed or not), so the shares' cells, put in
 * the order of their top pieces, are one walk's.
 */
export interface SpaceShare {
  /** Asked once per top piece, in order, with the cells found so far: whether to descend into it. */
  claim(piece: number, cells: number): boolean;
  /**
   * Ask for the top pieces from the last down (after the first one has set the family's reference
   * without descending): a share that takes pieces from the back while another takes them from
   * the front, so that the front share's cells are the joined cells' beginning as they are.
   */
  descending?: boolean;
  /** Takes each cell's faces instead of counting the complex here (the counts are made at the join). */
  complex: CellComplex | null;
  /** Which of the cells' arrays go on SharedArrayBuffers (read by another thread at the join). */
  sharing?: SinkSharing;
}

/** The space engine's memory guard: more cells than `SpaceOptions.maxCells` (a smaller domain is needed). */
export class SpaceLimitError extends Error {
  override name = "SpaceLimitError";
}

/**
 * The largest slice dimension k the engine serves. A cell is held with all its vertices, and the
 * domain box alone has 2^k of them: at k = 10 a 16-unit network takes seconds, at 12 minutes, and
 * beyond 30 the corner count does not even fit the engine's 32-bit vertex indices (a 64-input box
 * used to become a single "vertex" that no hyperplane could split: one region, silently).
 */
export const SPACE_MAX_DIM = 12;

/** A domain the engine cannot serve (too many dimensions); thrown before any work starts. */
export class SpaceDimensionError extends SpaceLimitError {
  override name = "SpaceDimensionError";
}
