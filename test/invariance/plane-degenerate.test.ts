/**
 * The plane engine on degenerate slices, against exact rational arithmetic
 * (test/oracles/exact-partition.ts): parallelograms through corners that are vertices of
 * first-layer lines, from corners whose differences round, and units whose map is zero on a
 * whole cell as near as doubles go. Each case was miscounted without a word before the fix it
 * names (docs/numerics.md, "Degenerate slices").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { exactParallelogramRegions } from "../oracles/exact-partition.ts";

const dense = (inSize: number, weight: number[], bias: number[]): Layer => ({
  type: "dense",
  inSize,
  outSize: bias.length,
  weight: Float64Array.from(weight),
  bias: Float64Array.from(bias),
});

function count(net: Network, p1: number[], p2: number[], p3: number[]): { regions: number; uncertain: number; exact: number } {
  const { slice, domain } = parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3));
  const partition = planePartition(prepare(net), slice, { domain });
  for (const name of ["vertices", "areas", "outputMaps", "lines"] as const) {
    for (const x of partition[name]) assert.ok(Number.isFinite(x), `${name}: ${x}`);
  }
  return { regions: partition.activationRegions, uncertain: partition.uncertain ?? 0, exact: exactParallelogramRegions(net, p1, p2, p3).regions };
}

test("a unit zero on a whole cell (as near as doubles go) cuts no sliver along its predecessor's rounding", () => {
  // Layer 3's first unit is |z2| - |z1| with z = (2, -2) where layer 1's hard tanh saturates: 0
  // exactly there, but rank-one updates leave about 2^-52 in the computed z, and the line
  // through that rounding was taken as exact (12 regions, not 11, no uncertain decision).
  const net: Network = {
    inputSize: 3,
    layers: [
      dense(3, [-2, -2, -1, -3, 2, -1, -4, -4, -2, 3, -3, 1, 1, 0, 3], [0, 1, 0, 6, 3]),
      { type: "hard-tanh", lo: -1, hi: 1 },
      dense(5, [0, -1, 1, 0, 0, -1, 1, 1, 2, -1], [0, -2]),
      { type: "abs" },
      dense(2, [-1, 1, 0, 0], [0, 0]),
      { type: "leaky-relu", slope: 0.5 },
      dense(2, [1, 1], [0]),
    ],
  };
  const { regions, exact } = count(net, [0, 0, 0.2], [0, -1, 0], [2, -1, -1]);
  assert.equal(regions, exact);
});

test("a parallelogram whose directions round: the rounding is carried, and ties within it are reported", () => {
  // P2 - P1 = (1, -2/3) rounds (by 2^-54): the line x = 2 passes through the corner P2, and
  // 2x + y = 2 and y = 0 through P3; the slice through P1 + fl(P2 - P1) is not the one asked
  // (4 regions where there are 3, without a word).
  const net: Network = {
    inputSize: 2,
    layers: [dense(2, [2, 0, 0, 0, 2, 1, 0, -1], [-4, 0, -2, 0]), { type: "relu" }, dense(4, [-2, 0, -2, -2, 0, 0, -1, 0], [0, 1]), { type: "relu" }, dense(2, [1, 1], [0])],
  };
  const { regions, uncertain, exact } = count(net, [1, -1 / 3], [2, -1], [1, 0]);
  assert.ok(regions === exact || uncertain > 0, `${regions} regions (exact ${exact}), ${uncertain} uncertain`);
});
