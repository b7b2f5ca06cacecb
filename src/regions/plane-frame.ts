/**
 * What the plane engine's JavaScript descent (plane.ts) holds per piecewise step: a step's cut of
 * a cell (its pieces and their states; an elementwise step's in buffers reused by every cell) and
 * the frame that walks its pieces.
 */
import type { PolygonArena } from "../geometry/polygon.ts";
import type { AffineStep, PiecewiseStep } from "../model/steps.ts";
import type { Branches } from "./map-error.ts";
import type { PlaneShare } from "./plane.ts";

export interface Cut {
  /** Polygon index (in the step's arena) of each piece: pieces[0 .. pieceCount). */
  pieces: Int32Array;
  pieceCount: number;
  /** pieces x crossing states (row-major). */
  states: Uint8Array;
  /** Units whose breakpoints cut the parent polygon: crossing[0 .. nc). */
  crossing: Int32Array;
  nc: number;
  /** State of every unit; the crossing entries are scratch. */
  fullStates: Uint8Array;
}

/** An elementwise step's cut, in buffers reused by every cell that reaches the step. */
export interface StepScratch extends Cut {
  full: Uint8Array;
  /** Index in `crossing` of each crossing unit. */
  crossingOf: Int32Array;
  /** States of the crossing units on the polygon being cut. */
  cur: Uint8Array;
  /** The cutting lines a + b u + c v = 0 (with the rounding bounds of a, b, c: the unit's own), their crossing unit and line id (-1 until used). */
  la: Float64Array;
  lb: Float64Array;
  lc: Float64Array;
  lea: Float64Array;
  /** The breakpoint each line is at (its unit's z = shift). */
  shift: Float64Array;
  /** Whether a line's bounds are its unit's own (1) or still the channel's (0). */
  own: Uint8Array;
  leb: Float64Array;
  lec: Float64Array;
  unitOf: Int32Array;
  idOf: Int32Array;
  /** Line lists of the recursive cut (see cutBy). */
  work: Int32Array;
  /** (unit, breakpoint) pairs the centroid test leaves to the vertex tests. */
  undecided: Int32Array;
}

/**
 * A piecewise step being walked over one cell (descend's explicit stack): its cut, the next
 * piece, and the state carried from piece to piece (the map is updated by rank-one terms).
 */
export interface CellFrame {
  s: number;
  step: PiecewiseStep;
  arena: PolygonArena;
  z: Float64Array;
  zErr: Float64Array;
  stack: Branches | null;
  cut: Cut;
  share: PlaneShare | null;
  /** The dense step folded into the pieces' maps, or null. */
  next: AffineStep | null;
  outSize: number;
  map: Float64Array;
  err: Float64Array;
  full: Cut["fullStates"];
  slopeMax: number;
  resume: number;
  WT: Float64Array;
  colMax: Float64Array;
  /** The next piece, pieces since the last full product, and whether the previous piece's pattern was written. */
  q: number;
  /** A share's top pieces per chunk, the chunk last asked about, and whether it is this share's. */
  chunk: number;
  chunkSeen: number;
  chunkMine: boolean;
  sinceFull: number;
  previousWritten: boolean;
  /** Rank-one updates of `map` since its last full product (for per-unit bounds, unit-error.ts). */
  updates: number;
  /**
   * What z's bound (relative to the exact map) becomes through the step and its dense step: the
   * part of `map`'s bound carried from before (|W|_inf times the largest |slope| times zErr,
   * whatever the states), beside `err`, the local part (its own product and rank-one updates).
   */
  carried: Float64Array;
  /** `err` plus `carried`: how far `map` may be from the network's exact map on the piece. */
  globalErr: Float64Array;
  /**
   * An elementwise step's dense step: per output i, sum_j |W_ij| |slope of unit j's state| on the
   * current piece (rowAbsFull, then updated with the rank-one terms), whose largest is |W D|_inf,
   * the carried part's factor on this piece; `gainMax` the one for any states (|W|_inf times the
   * largest |slope|), `normSlope` |W|_inf times the largest |slope|.
   */
  rowAbs: Float64Array;
  gainMax: number;
  normSlope: number;
  /** Whether the cut lowered zErr to the units' adjoint bounds (a chain made below stops here: plane-adjoint-bounds.ts make). */
  lowered: boolean;
}
