/**
 * The plane a count is made in: the 2D affine slice x(u, v) = origin + u e1 + v e2 of a
 * network's input space (a box's or a parallelogram's, with the directions' rounding kept), its
 * map into the first step (3 channels) and that map's bound and rounding.
 */
import { parallelogram } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import { maxAbs } from "./map-error.ts";
import { refuseSubnormalParameters } from "./refusal.ts";

export interface PlaneSlice {
  origin: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  /**
   * Where e1 and e2 are differences that rounded (a parallelogram's P2 - P1 and P3 - P1): the
   * exact directions are e1 + rounding.e1 and e2 + rounding.e2. The first affine step then carries
   * the difference in its bounds and its exact lines are the exact plane's, so the slice counted
   * is the one asked (docs/numerics.md).
   */
  rounding?: { e1: Float64Array; e2: Float64Array };
}

/** The slice and domain of the box [lo, hi]^2 of a 2-input network (u, v = the inputs). */
export function boxSlice(lo: number, hi: number): { slice: PlaneSlice; domain: Float64Array } {
  return {
    slice: { origin: new Float64Array(2), e1: Float64Array.of(1, 0), e2: Float64Array.of(0, 1) },
    domain: Float64Array.of(lo, lo, hi, lo, hi, hi, lo, hi),
  };
}

/** The parallelogram p1 + s (p2 - p1) + t (p3 - p1), s, t in [0, 1] (domain.ts `parallelogram`: the directions' rounding kept). */
export function parallelogramSlice(p1: Float64Array, p2: Float64Array, p3: Float64Array): { slice: PlaneSlice; domain: Float64Array } {
  const { plane, polygon } = parallelogram(p1, p2, p3);
  return { slice: plane, domain: polygon };
}

/** The activation map of the slice's inputs, 3 channels x inputs: x(u, v) = origin + u e1 + v e2. */
export function sliceMap(n0: number, slice: PlaneSlice): Float64Array {
  const map = new Float64Array(3 * n0);
  map.set(slice.origin, 0);
  map.set(slice.e1, n0);
  map.set(slice.e2, 2 * n0);
  return map;
}

/**
 * The slice map's bound per channel: 0, or max |rounding| of a direction that rounded (the
 * walk's input bound, map-error.ts `inputErr`).
 */
export function sliceError(slice: PlaneSlice): Float64Array {
  const err = new Float64Array(3);
  if (slice.rounding !== undefined) {
    err[1] = maxAbs(slice.rounding.e1);
    err[2] = maxAbs(slice.rounding.e2);
  }
  return err;
}

/** The rounding of the slice map (3 channels x inputs, the constant's zero), or null when there is none. */
export function sliceLow(n0: number, slice: PlaneSlice): Float64Array | null {
  return slice.rounding === undefined ? null : sliceMap(n0, { origin: new Float64Array(n0), ...slice.rounding });
}

/** The slice fits the network (its inputs), whose parameters are not subnormal. */
export function checkSlice(compiled: Compiled, slice: PlaneSlice): void {
  const n0 = compiled.inputSize;
  for (const name of ["origin", "e1", "e2"] as const) {
    if (slice[name].length !== n0) throw new Error(`plane slice ${name} has ${slice[name].length} coordinates, the network has ${n0} inputs`);
  }
  refuseSubnormalParameters(compiled.steps);
}
