/**
 * Local complexity (Humayun, Balestriero & Baraniuk 2024, "Deep Networks Always Grok and Here is
 * Why"; and "Training Dynamics of Deep Network Linear Regions", 2023): how densely the linear
 * regions tile the input space around a data point.
 *
 * Their measure is an estimate: around x they take a cross-polytope conv{x +- r v_p, p = 1..P}
 * over P random orthonormal directions v_p and count, layer by layer, the neurons whose
 * pre-activation changes sign among its vertices. Here the definition is exact: the local
 * complexity of x is the number of activation regions that meet the k-dimensional
 * cross-polytope conv{x +- r v_1, ..., x +- r v_k} (k = 1: the segment [x - r v_1, x + r v_1],
 * k = 2: the square with those four corners), counted by the exact line or plane engine.
 * The directions are drawn once per point (seeded), so training epochs measure the same
 * neighbourhoods.
 */
import type { Compiled } from "../model/forward.ts";
import type { Random } from "../model/random.ts";
import { linePartition } from "../regions/line.ts";
import { planePartition } from "../regions/plane.ts";

export type LocalDimension = 1 | 2;

/** k orthonormal directions in R^n (k x n, row-major), Gaussian then Gram-Schmidt. */
export function randomFrame(n: number, k: number, rng: Random): Float64Array {
  if (k > n) throw new Error(`cannot draw ${k} orthonormal directions in ${n} dimensions`);
  const frame = new Float64Array(k * n);
  for (let p = 0; p < k; p++) {
    for (;;) {
      const v = frame.subarray(p * n, (p + 1) * n);
      for (let i = 0; i < n; i++) v[i] = rng.normal();
      for (let q = 0; q < p; q++) {
        const u = frame.subarray(q * n, (q + 1) * n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * u[i];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let i = 0; i < n; i++) v[i] /= norm;
        break;
      }
    }
  }
  return frame;
}

/**
 * Exact number of activation regions meeting the cross-polytope of radius r around x spanned by
 * the k rows of `frame` (k = frame.length / n0, 1 or 2).
 */
export function localRegions(compiled: Compiled, x: ArrayLike<number>, frame: Float64Array, radius: number): number {
  const n0 = compiled.inputSize;
  if (x.length !== n0) throw new Error(`point has ${x.length} numbers, the network expects ${n0}`);
  if (!(radius > 0)) throw new Error(`local complexity radius must be positive, got ${radius}`);
  const k = frame.length / n0;
  if (k === 1) {
    const path = new Float64Array(2 * n0);
    for (let i = 0; i < n0; i++) {
      path[i] = x[i] - radius * frame[i];
      path[n0 + i] = x[i] + radius * frame[i];
    }
    return linePartition(compiled, path).activationRegions;
  }
  if (k === 2) {
    const origin = Float64Array.from(x);
    const domain = Float64Array.of(radius, 0, 0, radius, -radius, 0, 0, -radius);
    return planePartition(compiled, { origin, e1: frame.slice(0, n0), e2: frame.slice(n0, 2 * n0) }, { domain }).activationRegions;
  }
  throw new Error(`local complexity is counted in 1 or 2 dimensions, got ${k}`);
}
