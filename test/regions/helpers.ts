/** Small builders for engine tests. */

import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { dense } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { linePartition } from "../../src/regions/line.ts";
import type { LinePartition, PlanePartition } from "../../src/regions/partition.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";

/** A network from dense weight matrices with relu (or another activation) between them. */
export function net(inputSize: number, layers: { w: number[][]; b?: number[] }[], activation: Layer = { type: "relu" }): Network {
  const out: Layer[] = [];
  layers.forEach((l, i) => {
    out.push(dense(l.w, l.b));
    if (i < layers.length - 1) out.push(activation);
  });
  return { inputSize, layers: out };
}

export function planeBox(network: Network, lo: number, hi: number): { compiled: Compiled; partition: PlanePartition } {
  const compiled = prepare(network);
  const { slice, domain } = boxSlice(lo, hi);
  return { compiled, partition: planePartition(compiled, slice, { domain }) };
}

export function segment(network: Network, a: number[], b: number[]): { compiled: Compiled; partition: LinePartition } {
  const compiled = prepare(network);
  return { compiled, partition: linePartition(compiled, Float64Array.from([...a, ...b])) };
}

/** Distinct patterns on an n x n grid of cell centres of [lo, hi]^2 (a lower bound). */
export function gridPatterns(compiled: Compiled, lo: number, hi: number, n: number): number {
  const seen = new Set<string>();
  const x = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      x[0] = lo + ((i + 0.5) / n) * (hi - lo);
      x[1] = lo + ((j + 0.5) / n) * (hi - lo);
      seen.add(patternString(compiled.layout, forward(compiled, x).pattern));
    }
  }
  return seen.size;
}

/** Random integer in [lo, hi] from a seeded generator. */
export function randomInts(rng: () => number, count: number, lo: number, hi: number): number[] {
  return Array.from({ length: count }, () => lo + Math.floor(rng() * (hi - lo + 1)));
}

export function matrix(values: number[], rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => values.slice(i * cols, (i + 1) * cols));
}
