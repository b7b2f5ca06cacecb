/**
 * The plane engine (being implemented): exact partition of a convex polygon in a 2D affine slice
 * x(u, v) = origin + u e1 + v e2 of input space into convex cells.
 */
import type { Compiled } from "../model/forward.ts";
import type { PlanePartition } from "./partition.ts";

export interface PlaneSlice {
  origin: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
}

export interface PlaneOptions {
  /** Convex domain polygon in (u, v), counter-clockwise (default: the unit square). */
  domain?: Float64Array;
}

/** The slice and domain of the box [lo, hi]^2 of a 2-input network (u, v = the inputs). */
export function boxSlice(lo: number, hi: number): { slice: PlaneSlice; domain: Float64Array } {
  return {
    slice: { origin: new Float64Array(2), e1: Float64Array.of(1, 0), e2: Float64Array.of(0, 1) },
    domain: Float64Array.of(lo, lo, hi, lo, hi, hi, lo, hi),
  };
}

/** The parallelogram p1 + s (p2 - p1) + t (p3 - p1), s, t in [0, 1]. */
export function parallelogramSlice(p1: Float64Array, p2: Float64Array, p3: Float64Array): { slice: PlaneSlice; domain: Float64Array } {
  const e1 = p2.map((x, i) => x - p1[i]);
  const e2 = p3.map((x, i) => x - p1[i]);
  return { slice: { origin: p1.slice(), e1, e2 }, domain: Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1) };
}

export function planePartition(_compiled: Compiled, _slice: PlaneSlice, _options: PlaneOptions = {}): PlanePartition {
  throw new Error("plane engine: not implemented yet");
}
