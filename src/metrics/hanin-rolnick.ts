/**
 * Hanin & Rolnick's protocol (ICML 2019, "Complexity of linear regions in deep networks") for
 * networks with many inputs: exact region counts along segments between pairs of data points and
 * in planes through triples of data points, and the distance from data points to the nearest
 * region boundary. The counts in each slice are exact (line and plane engines); the statistics
 * over slices are estimates of densities, labelled as such, with the number of slices.
 */

import { planePolygon, segment, UNIT_SQUARE } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import type { Random } from "../model/random.ts";
import { type Budget, requireComplete } from "../regions/limits.ts";
import { partition } from "../regions/partition-domain.ts";
import { distanceToBoundary } from "./distance.ts";

/** Mean, standard deviation, range and size of a sample. */
export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

/** The `Spread` of a sample (NaN statistics for an empty one). */
export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0)
    return {
      mean: Number.NaN,
      std: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      n,
    };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return {
    mean,
    std: Math.sqrt(variance),
    min: Math.min(...values),
    max: Math.max(...values),
    n,
  };
}

function row(data: Float64Array, n0: number, i: number): Float64Array {
  return data.subarray(i * n0, (i + 1) * n0);
}

function distinctIndices(rng: Random, n: number, k: number): number[] {
  const out: number[] = [];
  while (out.length < k) {
    const i = rng.int(n);
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Regions along sampled segments between data points (exact per segment). */
export interface SegmentStats {
  /** Exact pieces per segment (mean and spread over the sampled pairs). */
  regions: Spread;
  /** Pieces per unit length. */
  perLength: Spread;
}

/**
 * Exact regions along segments between `pairs` random pairs of distinct data points. A `budget`
 * bounds the work: a limit it hits is thrown (`LimitReached`), as no partial segment is a sample.
 */
export function segmentStats(compiled: Compiled, data: Float64Array, count: number, pairs: number, rng: Random, budget?: Budget): SegmentStats {
  const n0 = compiled.inputSize;
  const regions: number[] = [];
  const perLength: number[] = [];
  for (let p = 0; p < pairs && count >= 2; p++) {
    const [a, b] = distinctIndices(rng, count, 2);
    const length = norm(row(data, n0, a).map((x, d) => x - data[b * n0 + d]));
    if (length === 0) continue;
    const part = requireComplete(partition(compiled, segment(row(data, n0, a), row(data, n0, b)), { budget }), budget);
    regions.push(part.activationRegions);
    perLength.push(part.cellCount / length);
  }
  return { regions: spread(regions), perLength: spread(perLength) };
}

/** Regions in squares through sampled triples of data points (exact per square). */
export interface PlaneStats {
  regions: Spread;
  /** Regions per unit area of the square. */
  perArea: Spread;
}

/**
 * Exact regions in planes through `planes` random triples of data points: the square, in the
 * triple's plane, centred at the triangle's centroid with the side of the triangle's larger
 * extent along an orthonormal basis of the plane (so it holds the triangle).
 */
export function planeStats(compiled: Compiled, data: Float64Array, count: number, planes: number, rng: Random, budget?: Budget): PlaneStats {
  const n0 = compiled.inputSize;
  const regions: number[] = [];
  const perArea: number[] = [];
  for (let p = 0; p < planes && count >= 3; p++) {
    const [a, b, c] = distinctIndices(rng, count, 3).map((i) => row(data, n0, i));
    const u = b.map((x, d) => x - a[d]);
    const nu = norm(u);
    if (nu === 0) continue;
    for (let d = 0; d < n0; d++) u[d] /= nu;
    const w = c.map((x, d) => x - a[d]);
    let dot = 0;
    for (let d = 0; d < n0; d++) dot += w[d] * u[d];
    for (let d = 0; d < n0; d++) w[d] -= dot * u[d];
    const nw = norm(w);
    if (nw <= 1e-12 * nu) continue; // collinear triple: no plane
    for (let d = 0; d < n0; d++) w[d] /= nw;
    const centroid = a.map((x, d) => (x + b[d] + c[d]) / 3);
    // Triangle coordinates in (u, w) about the centroid; the square holds them.
    let half = 0;
    for (const q of [a, b, c]) {
      let su = 0;
      let sw = 0;
      for (let d = 0; d < n0; d++) {
        su += (q[d] - centroid[d]) * u[d];
        sw += (q[d] - centroid[d]) * w[d];
      }
      half = Math.max(half, Math.abs(su), Math.abs(sw));
    }
    const side = 2 * half;
    const origin = centroid.map((x, d) => x - half * u[d] - half * w[d]);
    const e1 = u.map((x) => x * side);
    const e2 = w.map((x) => x * side);
    const part = requireComplete(partition(compiled, planePolygon({ origin, e1, e2 }, UNIT_SQUARE), { budget }), budget);
    regions.push(part.activationRegions);
    perArea.push(part.activationRegions / (side * side));
  }
  return { regions: spread(regions), perArea: spread(perArea) };
}

/** Distances from data points to their regions' boundaries. */
export interface DistanceStats {
  /** Exact distance from each point to its region's boundary. */
  distance: Spread;
  /** Distance x number of units (Hanin & Rolnick's normalisation). */
  normalised: Spread;
  /** Points whose distance was confirmed by the line engine along the nearest direction. */
  checked: number;
  agreed: number;
}

/**
 * Distance to the boundary for up to `limit` data points; for `check` of them, confirm with the
 * line engine that the first breakpoint along the direction to the nearest hyperplane is there.
 */
export function distanceStats(compiled: Compiled, data: Float64Array, count: number, limit: number, check: number, budget?: Budget): DistanceStats {
  const n0 = compiled.inputSize;
  const distance: number[] = [];
  const normalised: number[] = [];
  let checked = 0;
  let agreed = 0;
  for (let i = 0; i < Math.min(count, limit); i++) {
    const x = row(data, n0, i);
    budget?.poll();
    const r = distanceToBoundary(compiled, x);
    if (!Number.isFinite(r.distance)) continue;
    distance.push(r.distance);
    normalised.push(r.normalised);
    if (checked < check && r.distance > 0) {
      checked++;
      if (confirmAlongDirection(compiled, x, r.direction, r.distance, budget)) agreed++;
    }
  }
  return {
    distance: spread(distance),
    normalised: spread(normalised),
    checked,
    agreed,
  };
}

/** The line engine's first breakpoint on x + t d, t in [0, 2 dist], is at t = dist (relative 1e-6). */
export function confirmAlongDirection(compiled: Compiled, x: Float64Array, direction: Float64Array, dist: number, budget?: Budget): boolean {
  const end = x.map((v, d) => v + 2 * dist * direction[d]);
  const part = requireComplete(partition(compiled, segment(x, end), { budget }), budget);
  if (part.cellCount < 2) return false;
  let tFirst = 1;
  for (let i = 0; i < part.cellCount; i++) if (part.tEnd[i] < tFirst) tFirst = part.tEnd[i];
  const first = tFirst * 2 * dist;
  return Math.abs(first - dist) <= 1e-6 * dist;
}
