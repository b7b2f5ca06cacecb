/** A polyline path as the line engine walks it: its segments counted and checked, each walked in turn, and a segment's length. */
import { differenceError } from "../geometry/exact-difference.ts";
import type { Compiled } from "../model/forward.ts";
import type { LineEngine } from "./line.ts";
import { maxAbs } from "./map-error.ts";
import { refuseDomain, refuseSubnormalParameters } from "./refusal.ts";

/** The number of segments of `path`; throws when it is not at least 2 points of the network's inputs. */
export function pathSegments(compiled: Compiled, path: Float64Array): number {
  const n0 = compiled.inputSize;
  if (path.length % n0 !== 0 || path.length / n0 < 2) throw new Error(`a path needs at least 2 points of ${n0} coordinates`);
  return path.length / n0 - 1;
}

/** Walks every segment of `path` (checked first) with `engine`, until a limit stops it. */
export function walkPath(engine: LineEngine, compiled: Compiled, path: Float64Array): void {
  const n0 = compiled.inputSize;
  const segments = path.length / n0 - 1;
  refuseDomain(path, "the path");
  refuseSubnormalParameters(compiled.steps);
  const residual = new Float64Array(n0);
  for (let g = 0; g < segments; g++) {
    const map = new Float64Array(2 * n0);
    segmentMap(path, g * n0, (g + 1) * n0, n0, map, residual);
    if (engine.segment(g, segmentLength(map, n0, `segment ${g + 1} of the path`), map, residual)) break;
  }
}

/**
 * The map (p0, p1 - p0) of the segment from points[from ..] to points[to ..] into map, and the
 * difference's rounding into residual (exact: p1 - p0 = d + r, geometry/exact-difference.ts), so that the
 * engine walks exactly p0 -> p1 (line-frame.ts). A difference that overflows keeps r = 0.
 */
export function segmentMap(points: Float64Array, from: number, to: number, n0: number, map: Float64Array, residual: Float64Array): void {
  for (let i = 0; i < n0; i++) {
    const p0 = points[from + i];
    const p1 = points[to + i];
    const d = p1 - p0;
    map[i] = p0;
    map[n0 + i] = d;
    residual[i] = Number.isFinite(d) ? differenceError(p1, p0, d) : 0;
  }
}

/** Euclidean length of a segment's direction map[n0 .. 2 n0); throws, naming `what`, when it is zero. */
export function segmentLength(map: Float64Array, n0: number, what: string): number {
  const scale = maxAbs(map, n0, 2 * n0);
  if (scale === 0) throw new Error(`${what} has zero length`);
  let sum = 0;
  for (let i = 0; i < n0; i++) sum += map[n0 + i] ** 2;
  // When the squares underflow or overflow, the length from the scaled differences.
  if (sum > 0 && sum < Infinity) return Math.sqrt(sum);
  sum = 0;
  for (let i = 0; i < n0; i++) sum += (map[n0 + i] / scale) ** 2;
  return scale * Math.sqrt(sum);
}
