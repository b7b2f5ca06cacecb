/**
 * The networks and slices of the plane engine's global-bound tests (plane-global*.test.ts):
 * what the engine once decided from bounds relative to the computed predecessor, not the exact
 * map (docs/numerics.md, "Bounds relative to the exact map"), and a family of zero-bias deep
 * networks. Each count is compared with the exact oracle, patterns included.
 */
import assert from "node:assert/strict";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { getState } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import type { PlanePartition } from "../../src/regions/partition.ts";
import { parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { exactParallelogramRegions } from "../oracles/exact-partition.ts";

/**
 * bench/identical.ts's `2-5x5x5x5x5x5x5x5x5x5x5x5-hard-tanh-zero-bias-integer-58`: a 2-5x12-1
 * hard tanh network, integer weights (2 w sqrt(n) rounded), zero biases; the line engine's
 * second known case (a unit exactly -1 on a piece 10 layers deep).
 */
export function hardTanhInteger58(): Network {
  const c = 58;
  const net = mlp([2, ...Array(12).fill(5), 1], { init: "zero-bias", seed: c, activation: { type: "hard-tanh", lo: -1, hi: 1 } });
  const rng = createRandom(c);
  const dense = net.layers.filter((l) => l.type === "dense");
  for (const layer of dense.slice(0, -1)) {
    const n = layer.inSize;
    // The corpus's draws for its other kinds of degeneracy (none applies to "integer").
    for (let i = 1; i < layer.outSize; i++) {
      rng.int(i);
      rng.next();
    }
    for (let i = 0; i < layer.weight.length; i++) layer.weight[i] = Math.round(2 * layer.weight[i] * Math.sqrt(n));
    for (let i = 0; i < layer.outSize; i++) layer.bias[i] = Math.round(2 * layer.bias[i]) / 2;
  }
  return net;
}

/** The patterns of a partition's cells as the oracle writes them ("|" and each piecewise step's states), sorted. */
export function patternsOf(p: PlanePartition): string[] {
  const out: string[] = [];
  const { layout } = p;
  for (let cell = 0; cell < p.cellCount; cell++) {
    let text = "";
    for (let s = 0; s < layout.stepBit.length; s++) {
      if (layout.stepBit[s] < 0) continue;
      text += "|";
      for (let j = 0; j < layout.stepUnits[s]; j++) text += getState(layout, p.patterns, cell * layout.words, s, j);
    }
    out.push(text);
  }
  return out.sort();
}

/** The parallelogram p1 + s (p2 - p1) + t (p3 - p1) counted, against the oracle: regions and every cell's pattern, nothing uncertain. */
export function assertExact(net: Network, p1: number[], p2: number[], p3: number[], what: string): void {
  const { slice, domain } = parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3));
  const p = planePartition(prepare(net), slice, { domain });
  const exact = exactParallelogramRegions(net, p1, p2, p3);
  assert.equal(p.activationRegions, exact.regions, `${what}: regions`);
  assert.deepEqual(patternsOf(p), exact.patterns.slice().sort(), `${what}: patterns`);
  assert.equal(p.uncertain ?? 0, 0, `${what}: uncertain decisions`);
}

/** Zero-bias deep narrow networks: every unit's breakpoint line through the origin, exactly. */
export function zeroBiasDeep(seed: number): Network {
  const depth = 6 + (seed % 3);
  const width = 3 + (seed % 2);
  const activation = seed % 4 === 3 ? { type: "leaky-relu" as const, slope: 0.25 } : { type: "relu" as const };
  return mlp([2, ...Array(depth).fill(width), 1], { init: "zero-bias", seed, activation });
}

/** Parallelograms about the origin from corners that are not it (the slice's constants round). */
export const AROUND_ORIGIN: number[][][] = [
  [
    [-0.7, -0.3],
    [0.9, -0.2],
    [-0.4, 1.1],
  ],
  [
    [-0.3, -0.4],
    [0.6, 0.8],
    [-0.5, 0.3],
  ],
  [
    [-1 / 3, -0.2],
    [2 / 3, -0.2],
    [-1 / 3, 0.8],
  ],
];
