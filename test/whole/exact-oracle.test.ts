/**
 * The whole-domain engine against the exact-rational oracles (test/oracles/exact-space.ts in 3-D,
 * exact-partition.ts in 2-D: every layer cuts every cell, in BigInt rationals) on degenerate
 * networks (degenerate-networks.ts), region for region (the patterns as sets). The cases are the
 * ones the engine miscounted, silently, before the exactness audit (docs/whole.md, "Exactness
 * audit"), by cause:
 * - rows whose float64 gradient was only rounding (a unit minus its own multiple, a max group's
 *   identical candidates), taken as real hyperplanes: patterns counted twice, or regions lost;
 * - units exactly on a breakpoint on a whole region put above it by float64 (no interior);
 * - nearly proportional units (one unit times 0.1) whose normalised rows round to the same bits,
 *   grouped as one hyperplane without an exact check: the slab between them lost;
 * - a flat-row test and allowances absolute rather than relative to the domain (first-layer
 *   weights 2^-60, 1e-100, 2^40, 1e150 in boxes scaled inversely: every hyperplane lost);
 * - the neighbour pass deciding the facet's own unit by its float derivative, which is rounding for
 *   a unit that is a cancellation (-h0 + h1 / 3 with h1 about 3 h0): the facet taken as changing
 *   nothing, every region beyond it lost (75 regions of 108);
 * - slices through points whose differences round, decided for the float64 fold of the slice
 *   into the first layer, not for the slice through the points;
 * - (after the audit, on held-out seeds) a first layer of float64 rank 2 and exact rank 3 (a unit
 *   and its rounded non-dyadic multiple): the reduction to the row space dropped the direction in
 *   which the thin parts between them lie (12 regions for 16, 9 for 8);
 * - (networks built for the rank: nearlyDependent) a unit flat on its breakpoint in a region that
 *   is a cancellation, whose exact slope across a facet is about 1e-17, taken as flat across by the
 *   neighbour pass's float derivative (the regions beyond lost), and starts whose float64 pattern
 *   had no interior at every point tried (refused).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sliceThrough } from "../../src/domain/domain.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { exactBoxRegions, exactParallelogramRegions } from "../oracles/exact-partition.ts";
import { exactSliceRegions, exactSpaceBoxRegions } from "../oracles/exact-space.ts";
import { cutLattice, decimal, integer, lattice, liftedTo5, nearlyDependent, scaleFirst, sliceThroughDecimals } from "./degenerate-networks.ts";

/** The engine on `net` against the oracle on `oracleNet` (the same regions and patterns; by default the network itself). */
function agree(name: string, net: Network, lo: number, hi: number, oracleNet: Network = net): void {
  const oracle = oracleNet.inputSize === 2 ? exactBoxRegions(oracleNet, lo, hi) : exactSpaceBoxRegions(oracleNet, lo, hi);
  const compiled = prepare(net);
  const p = wholePartition(compiled, { box: [lo, hi], points: false });
  assert.equal(p.uncertain, 0, `${name}: uncertain`);
  const patterns: string[] = [];
  for (let i = 0; i < p.activationRegions; i++) patterns.push(patternString(compiled.layout, p.patterns, i * p.layout.words));
  // The oracle's patterns start with the separator the engine's leave out.
  assert.deepEqual(patterns.sort(), oracle.patterns.map((s) => s.replace(/^\|/, "")).sort(), `${name}: regions`);
}

/** The audit's constructions by seed: n0 = 2 or 3 by parity, the box from the seed. */
const latticeCase = (kind: "" | "nd" | "max" | "ndmax", seed: number): [Network, number, number] => {
  const B = [1, 2, 0.5][seed % 3];
  const name = `lattice${kind ? `-${kind}` : ""}`;
  return [lattice(seed * 7 + name.length * 1000, 2 + (seed % 2), B, { nonDyadic: kind.includes("nd"), maxout: kind.includes("max") }), -B, B];
};
const cornerCase = (seed: number): [Network, number, number] => {
  const B = [1, 2, 0.5][seed % 3];
  return [lattice(seed * 11 + 77, 2 + (seed % 2), B, { nonDyadic: seed % 2 === 1 }), 0, B];
};
const scaleCase = (B: number, seed: number): [Network, number, number] => [lattice(seed * 17 + 5, 2 + (seed % 2), B, { nonDyadic: seed % 2 === 1 }), -B, B];
const scaledCase = (seed: number): [Network, number, number] => {
  const s = [2 ** -60, 1e-6, 1e6, 2 ** 40, 1e-100, 1e150, 3, 0.1][seed % 8];
  const n0 = 2 + (seed % 2);
  const base = [decimal(seed, n0), integer(seed, n0), lattice(seed * 13, n0, 1, { nonDyadic: true })][Math.floor(seed / 8) % 3];
  return [scaleFirst(base, s), -1 / s, 1 / s];
};

test("rounding taken for hyperplanes: tied maxout candidates, units minus their own multiples (over- and under-counts)", () => {
  agree("integer 71 (30 regions for 25)", integer(71, 3), -2, 2);
  for (const seed of [21, 145, 195]) agree(`lattice ${seed}`, ...latticeCase("", seed));
  agree("lattice-max 262", ...latticeCase("max", 262));
  agree("lattice-ndmax 287", ...latticeCase("ndmax", 287));
});

test("non-dyadic multiples of units: slabs between nearly proportional units, hyperplanes through box corners", () => {
  for (const seed of [61, 127, 140, 180, 181, 215, 266, 393, 499]) agree(`lattice-nd ${seed}`, ...latticeCase("nd", seed));
  for (const seed of [221, 233, 267]) agree(`corner ${seed}`, ...cornerCase(seed));
});

test("boxes 1e-6 and 1e6 wide, and first layers scaled by 2^-60, 1e-6, 1e-100, 2^40, 1e150 in boxes scaled inversely", () => {
  for (const seed of [21, 161, 173, 197]) agree(`box 1e-6, seed ${seed}`, ...scaleCase(1e-6, seed));
  for (const seed of [141, 155]) agree(`box 1e6, seed ${seed}`, ...scaleCase(1e6, seed));
  for (const seed of [60, 61, 64, 65, 69, 195]) agree(`scaled ${seed}`, ...scaledCase(seed));
});

test("first layers of float64 rank 2 and exact rank 3 (a unit and its rounded non-dyadic multiple): the reduction keeps the third direction", () => {
  agree("box 1e6, seed 519 (12 regions for 16)", ...scaleCase(1e6, 519));
  agree("corner 399 (9 regions for 8)", ...cornerCase(399));
  // Deeper units that cancel up to the multiple's rounding: their hyperplanes lie in that direction.
  const nearCase = (seed: number): { net: Network; lo: number; hi: number } => {
    const B = [1, 2, 0.5][seed % 3];
    return { net: nearlyDependent(seed, B), lo: seed % 4 < 2 ? -B : 0, hi: B };
  };
  for (const seed of [20, 41, 47, 57]) {
    const { net, lo, hi } = nearCase(seed);
    agree(`nearly dependent ${seed}`, net, lo, hi);
  }
  // On 5 inputs the direction itself matters, not only the rank: a residual of rounding size points anywhere.
  for (const seed of [22, 51, 53, 91]) {
    const { net, lo, hi } = nearCase(seed);
    const lifted = lo < 0 ? liftedTo5(net, seed % 3 === 0 ? 1 : -1, seed % 5 === 0 ? -1 : 1) : liftedTo5(net, 1, 1);
    agree(`nearly dependent ${seed} on 5 inputs`, lifted, lo, hi, net);
  }
});

test("cancelling units flat on a breakpoint whose slope across a facet is rounding, and starts whose float64 pattern has no interior", () => {
  const nearCase = (seed: number): { net: Network; lo: number; hi: number } => {
    const B = [1, 2, 0.5][seed % 3];
    return { net: nearlyDependent(seed, B), lo: seed % 4 < 2 ? -B : 0, hi: B };
  };
  // 10 h0 - h2 with h2 about 10 h0: 0 where both are off, 5.6e-17 (0.5 - s) beyond the facet
  // where both turn on; the neighbour pass took its float derivative as 0 (1 region for 2, 1 for
  // 16, 7 for 21 on main).
  for (const seed of [6, 29, 49]) {
    const { net, lo, hi } = nearCase(seed);
    agree(`nearly dependent ${seed}`, net, lo, hi);
  }
  // Every float64 forward pass at the centre and 64 sampled points gave a pattern with no interior
  // ("no region with interior found" on main): the point's exact pattern starts it.
  const { net, lo, hi } = nearCase(11);
  agree("nearly dependent 11", net, lo, hi);
  const lifted = nearCase(9);
  agree("nearly dependent 9 on 5 inputs", liftedTo5(lifted.net, 1, 1), lifted.lo, lifted.hi, lifted.net);
});

test("slices through points whose differences round: the slice counted is the one through the points", () => {
  for (const seed of [62, 73, 110, 160, 161, 180, 221]) {
    const { net, points } = sliceThroughDecimals(seed);
    const oracle = points.length === 3 ? exactParallelogramRegions(net, points[0], points[1], points[2]) : exactSliceRegions(net, points);
    const p = partition(net, sliceThrough(points), { engine: "whole", points: false });
    assert.equal(p.kind, "whole");
    assert.equal(p.activationRegions, oracle.regions, `seed ${seed}`);
  }
});

test("polytope domains: faces through grid points and on units' hyperplanes (an over-count and lost regions before)", () => {
  for (const [seed, nonDyadic] of [
    [173, false],
    [61, true],
    [125, true],
    [141, true],
    // Thinner than float64 can place a point in: its exact point rounds outside it, and every
    // float64 pattern there had no interior (refused on main; the exact pattern of the point now).
    [171, true],
  ] as const) {
    const cut = cutLattice(seed, nonDyadic);
    if (!cut) throw new Error("a relu, leaky relu or abs first layer");
    const P = cut.b.length;
    const cells = exactSpaceBoxRegions(cut.oracleNet, -cut.B, cut.B).patterns.filter((s) => s.slice(1, 1 + P) === "0".repeat(P));
    const p = wholePartition(prepare(cut.net), { box: [-cut.B, cut.B], polytope: { A: Float64Array.from(cut.A), b: Float64Array.from(cut.b) }, points: false });
    assert.equal(p.uncertain, 0);
    assert.equal(p.activationRegions, cells.length, `seed ${seed}`);
  }
});
