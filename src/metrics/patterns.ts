/**
 * Distinct activation patterns over a set of points: a sampled lower bound on the number of
 * activation regions the points meet (each pattern is one region), always reported with the
 * number of points.
 */
import { type Compiled, forward } from "../model/forward.ts";
import { patternHash, patternsEqual } from "../model/pattern.ts";
import type { Random } from "../model/random.ts";

/** Distinct activation patterns of sampled points: a lower bound on the regions they meet. */
export interface PatternEstimate {
  kind: "sampled lower bound";
  distinct: number;
  samples: number;
}

/** Distinct patterns of the points (rows of `points`, count x n0). */
export function distinctPatterns(compiled: Compiled, points: Float64Array, count: number): PatternEstimate {
  const n0 = compiled.inputSize;
  const words = compiled.layout.words;
  const seen = new Map<number, Uint32Array[]>();
  let distinct = 0;
  for (let i = 0; i < count; i++) {
    const { pattern } = forward(compiled, points.subarray(i * n0, (i + 1) * n0));
    const key = patternHash(pattern, 0, words);
    let list = seen.get(key);
    if (!list) {
      list = [];
      seen.set(key, list);
    }
    if (list.some((p) => patternsEqual(p, 0, pattern, 0, words))) continue;
    list.push(pattern);
    distinct++;
  }
  return { kind: "sampled lower bound", distinct, samples: count };
}

/** Uniform random points in the box [lo, hi]^n0. */
export function boxSamples(n0: number, count: number, lo: number, hi: number, rng: Random): Float64Array {
  const out = new Float64Array(count * n0);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(lo, hi);
  return out;
}
