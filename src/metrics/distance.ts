/**
 * Distance from a point to the boundary of its activation region (Hanin & Rolnick 2019): the
 * region is the convex polytope where every breakpoint function keeps its sign, so the distance
 * is exactly min_i |z_i(x)| / |grad z_i(x)| over the breakpoint functions with a non-zero
 * gradient. Hanin & Rolnick report it times the number of units (their scale-free measure).
 */
import type { Compiled } from "../model/forward.ts";
import { localBreakpoints } from "./local-maps.ts";

/** The exact distance from a point to the boundary of its region, and the direction to it. */
export interface BoundaryDistance {
  distance: number;
  /** distance x number of piecewise-linear units. */
  normalised: number;
  /** Unit (pattern order) whose hyperplane is nearest, -1 when none is (an affine network). */
  unit: number;
  /** Unit direction from the point to the nearest boundary point (n0). */
  direction: Float64Array;
}

/** The exact distance from `x` to the nearest boundary of its activation region. */
export function distanceToBoundary(compiled: Compiled, x: ArrayLike<number>): BoundaryDistance {
  const n0 = compiled.inputSize;
  const local = localBreakpoints(compiled, x);
  let best = Infinity;
  let arg = -1;
  for (let i = 0; i < local.count; i++) {
    const g = local.gradNorms[i];
    if (!(g > 1e-300)) continue;
    const d = Math.abs(local.values[i]) / g;
    if (d < best) {
      best = d;
      arg = i;
    }
  }
  const direction = new Float64Array(n0);
  if (arg >= 0) {
    const s = local.values[arg] > 0 ? -1 : 1;
    for (let d = 0; d < n0; d++) direction[d] = (s * local.gradients[arg * n0 + d]) / local.gradNorms[arg];
  }
  return {
    distance: best,
    normalised: best * local.units,
    unit: arg >= 0 ? local.unitOf[arg] : -1,
    direction,
  };
}

/** Number of units with a breakpoint hyperplane (of the point's region) within radius r. */
export function localComplexity(compiled: Compiled, x: ArrayLike<number>, radius: number): number {
  const local = localBreakpoints(compiled, x);
  const near = new Set<number>();
  for (let i = 0; i < local.count; i++) {
    if (local.gradNorms[i] > 1e-300 && Math.abs(local.values[i]) <= radius * local.gradNorms[i]) near.add(local.unitOf[i]);
  }
  return near.size;
}
