/**
 * The whole-domain engine's self-check (whole/check.ts, `count --check`) on partitions that are
 * right but that float64 cannot verify at their points, and on partitions corrupted on purpose:
 * - a unit exactly on its breakpoint on a whole region (3 h0 - h1 with h1 = 3 h0: exactly 0
 *   everywhere, so in the state below it) is put above it by a float64 forward pass wherever
 *   rounding makes it positive: the check took that for another pattern (a false alarm on main);
 *   it now asks the point's pattern in exact arithmetic, and a pattern with that unit above still
 *   fails;
 * - a region thinner than float64 resolves (2.6e-17 of the box's radius) has no float64 point
 *   strictly inside it: the check said its point was outside the box (a false alarm); now such a
 *   region's pattern is checked for interior exactly, and a corrupted one still fails.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { getState, setState } from "../../src/model/pattern.ts";
import { checkWhole } from "../../src/regions/whole/check.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { denseLayer as dense } from "../invariance/networks.ts";
import { lattice } from "./degenerate-networks.ts";

/** h0, h1 = k h0 (integer weights, exact), h2; then g = k h0 - h1 (exactly 0) and h1 + h2 - 1. */
const cancelling = (k: number): Network => ({
  inputSize: 3,
  layers: [
    dense(
      [
        [1, 2, -1],
        [k, 2 * k, -k],
        [1, -1, 1],
      ],
      [0.5, 0.5 * k, 0],
    ),
    { type: "relu" },
    dense(
      [
        [k, -1, 0],
        [0, 1, 1],
      ],
      [0, -1],
    ),
    { type: "relu" },
    dense([[1, 1]], [0]),
  ],
});

test("a unit exactly on its breakpoint on whole regions: no false alarm, and the state above it still fails", () => {
  for (const k of [3, 5, 7, 10]) {
    const compiled = prepare(cancelling(k));
    const p = wholePartition(compiled, { box: [-1, 1] });
    assert.equal(p.activationRegions, 7, `k = ${k}`);
    // g in the state below it (0) in every region, as the engine counts it.
    for (let i = 0; i < p.cellCount; i++) assert.equal(getState(compiled.layout, p.patterns, i * p.layout.words, 3, 0), 0);
    assert.deepEqual(checkWhole(compiled, p).problems, [], `k = ${k}`);
    // The same partition with g above its breakpoint in every region: wrong wherever the float64
    // pass gives 0 (the exact pass always does).
    const wrong = { ...p, patterns: p.patterns.slice() };
    for (let i = 0; i < p.cellCount; i++) setState(compiled.layout, wrong.patterns, i * p.layout.words, 3, 0, 1);
    const problems = checkWhole(compiled, wrong).problems;
    assert.ok(problems.length > 0 && problems.every((s) => s.includes("another pattern (in exact arithmetic too)") || s.startsWith("(more")), `k = ${k}: ${problems}`);
  }
});

test("a region thinner than float64 resolves: its pattern checked for interior exactly, and a corrupted one fails", () => {
  // Non-dyadic lattice network in [-0.5, 0.5]^2: one region 2.6e-17 of the box's radius thick,
  // whose point rounds onto the box's face.
  const compiled = prepare(lattice(20 * 7 + 7000, 2, 0.5, { nonDyadic: true }));
  const p = wholePartition(compiled, { box: [-0.5, 0.5] });
  const R = 0.5 * Math.sqrt(2);
  const thin = Array.from(p.radii).findIndex((m) => m < 1e-15 * R);
  assert.ok(thin >= 0, "a thin region");
  const report = checkWhole(compiled, p);
  assert.deepEqual(report.problems, []);
  assert.ok(report.thinCells >= 1);
  // Its pattern with a first-layer unit flipped: not a region (no interior).
  const words = p.layout.words;
  const patterns = new Set<string>();
  for (let i = 0; i < p.cellCount; i++) patterns.add(Array.from(p.patterns.subarray(i * words, (i + 1) * words)).join(","));
  let failed = 0;
  for (let j = 0; j < compiled.layout.stepUnits[1]; j++) {
    const wrong = { ...p, patterns: p.patterns.slice() };
    setState(compiled.layout, wrong.patterns, thin * words, 1, j, 1 - getState(compiled.layout, p.patterns, thin * words, 1, j));
    if (patterns.has(Array.from(wrong.patterns.subarray(thin * words, (thin + 1) * words)).join(","))) continue;
    const problems = checkWhole(compiled, wrong).problems;
    assert.ok(problems.length > 0, `unit ${j} flipped`);
    failed++;
  }
  assert.ok(failed > 0);
  // Another region's point given to it (and the thin region's to that one): both fail.
  const other = thin === 0 ? 1 : 0;
  const n0 = compiled.inputSize;
  const swapped = { ...p, points: p.points.slice() };
  swapped.points.set(p.points.subarray(other * n0, (other + 1) * n0), thin * n0);
  swapped.points.set(p.points.subarray(thin * n0, (thin + 1) * n0), other * n0);
  assert.ok(checkWhole(compiled, swapped).problems.length > 0);
});
