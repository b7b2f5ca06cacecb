/**
 * Scale and symmetry invariance of every exact engine (engines.ts), as property tests over random
 * and degenerate networks (networks.ts), with fixed seeds:
 * - scaling the first layer's weights by 2^-k and the box by 2^k (k from -40 to 40) gives the
 *   identical counts: every float64 operation on the scaled network is the original's times a
 *   power of two, so an engine whose decisions are relative to the numbers involved (never to
 *   the domain's size) decides the same;
 * - permuting the units of a hidden layer gives the identical counts;
 * - scaling one hidden unit's weights and bias by 2^-k and its outgoing weights by 2^k (k from
 *   -40 to 40; relu and abs are positively homogeneous) gives the identical activation regions;
 * - growing a box never lowers the number of activation regions;
 * - a box holding every vertex has the counts of a box twice as large (integer weights and
 *   biases: after a hidden layer with slopes in {0, 1/4, 1, -1} every hyperplane has integer
 *   coefficients up to 4 (5 * 3 * 3 + 3) = 192 once scaled by 4, so every vertex is a ratio of
 *   integer determinants, below 192^n0 n0^(n0/2) < 2^(9 n0) by Hadamard's bound).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { prepare } from "../../src/model/forward.ts";
import { linePartition } from "../../src/regions/line.ts";
import { boxSlice, parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { exactBoxRegions } from "../oracles/exact-partition.ts";
import { counts, engines } from "./engines.ts";
import { buildNetwork, type NetSpec, netSpec, permuteUnits, scaleFirstLayer, scaleUnit } from "./networks.ts";

/** Boxes [lo, hi] to start from: symmetric, one-sided, off-centre. */
const boxes: readonly [number, number][] = [
  [-1, 1],
  [0, 1],
  [-2, 3],
  [-0.75, 0.5],
];

const SEED = 20261206;

for (const engine of engines) {
  const n0 = engine.inputSize;
  const options = (salt: number) => ({ seed: SEED + salt, numRuns: engine.runs });

  describe(`${engine.name} engine invariances`, () => {
    test("first layer times 2^-k, box times 2^k (k in [-40, 40]): identical counts", { todo: engine.knownFailures?.["domain scaling"] }, () => {
      fc.assert(
        fc.property(netSpec, fc.integer({ min: -40, max: 40 }), fc.constantFrom(...boxes), (spec, k, [lo, hi]) => {
          const net = buildNetwork(spec, n0);
          const s = 2 ** k;
          const before = counts(engine, prepare(net), lo, hi);
          const after = counts(engine, prepare(scaleFirstLayer(net, 1 / s)), lo * s, hi * s);
          assert.deepEqual(after, before, describeSpec(spec, `k = ${k}, box [${lo}, ${hi}]`));
        }),
        options(1),
      );
    });

    test("permuting the units of a hidden layer: identical counts", () => {
      fc.assert(
        fc.property(
          netSpec,
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
          fc.nat(1),
          fc.constantFrom(...boxes),
          (spec, keys, which, [lo, hi]) => {
            const net = buildNetwork(spec, n0);
            const layer = 2 * Math.min(which, spec.widths.length - 1);
            const width = spec.widths[layer / 2];
            const order = Array.from({ length: width }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
            const before = counts(engine, prepare(net), lo, hi);
            const after = counts(engine, prepare(permuteUnits(net, layer, order)), lo, hi);
            assert.deepEqual(after, before, describeSpec(spec, `layer ${layer}, order ${order}, box [${lo}, ${hi}]`));
          },
        ),
        options(2),
      );
    });

    test("one unit x 2^-k, its outgoing weights x 2^k (k in [-40, 40]): identical regions", () => {
      fc.assert(
        fc.property(
          netSpec.filter((spec) => spec.activation === "relu" || spec.activation === "abs"),
          fc.integer({ min: -40, max: 40 }),
          fc.nat(4),
          fc.constantFrom(...boxes),
          (spec, k, unit, [lo, hi]) => {
            const net = buildNetwork(spec, n0);
            const j = unit % spec.widths[0];
            const before = counts(engine, prepare(net), lo, hi).activationRegions;
            const after = counts(engine, prepare(scaleUnit(net, j, 2 ** -k)), lo, hi).activationRegions;
            assert.equal(after, before, describeSpec(spec, `unit ${j}, k = ${k}, box [${lo}, ${hi}]`));
          },
        ),
        options(5),
      );
    });

    test("one unit x 2^-k: the counterexamples found for some engine", { todo: engine.knownFailures?.["unit scaling"] }, () => {
      // Found with widths [4, 3] (the property's networks are smaller); unit 0, box [-1, 1].
      for (const [seed, activation, k] of [
        [17, "relu", -40],
        [57, "abs", 40],
        [33, "abs", -40],
        [18, "abs", -40],
        [57, "abs", -40],
      ] as const) {
        const spec: NetSpec = { widths: [4, 3], seed, degeneracy: seed % 2 ? "none" : "zero-bias", activation };
        const net = buildNetwork(spec, n0);
        const before = counts(engine, prepare(net), -1, 1).activationRegions;
        const after = counts(engine, prepare(scaleUnit(net, 0, 2 ** -k)), -1, 1).activationRegions;
        assert.equal(after, before, describeSpec(spec, `k = ${k}`));
      }
    });

    test("growing a box never lowers the activation-region count", () => {
      fc.assert(
        fc.property(
          netSpec,
          fc.constantFrom(...boxes),
          fc.integer({ min: 0, max: 32 }).map((i) => i / 8),
          fc.integer({ min: 0, max: 32 }).map((i) => i / 8),
          (spec, [lo, hi], left, right) => {
            const compiled = prepare(buildNetwork(spec, n0));
            const inner = counts(engine, compiled, lo, hi).activationRegions;
            const outer = counts(engine, compiled, lo - left, hi + right).activationRegions;
            assert.ok(outer >= inner, describeSpec(spec, `[${lo}, ${hi}]: ${inner} regions, [${lo - left}, ${hi + right}]: ${outer}`));
          },
        ),
        options(3),
      );
    });

    test("a box holding every vertex has the counts of a box twice as large (integer weights)", () => {
      fc.assert(
        fc.property(netSpec, (drawn) => {
          const spec: NetSpec = { ...drawn, degeneracy: "integer" };
          const compiled = prepare(buildNetwork(spec, n0));
          const B = 2 ** (9 * n0);
          const box = counts(engine, compiled, -B, B);
          assert.deepEqual(counts(engine, compiled, -2 * B, 2 * B), box, describeSpec(spec, `2^${9 * n0} against twice that`));
        }),
        options(4),
      );
    });
  });
}

function describeSpec(spec: NetSpec, what: string): string {
  return `widths ${spec.widths}, seed ${spec.seed}, ${spec.degeneracy}, ${spec.activation}: ${what}`;
}

describe("per-unit rounding bounds on slices (first layer computed, not exact)", () => {
  // A segment and a plane off the axes: the first layer's maps carry rounding, so every layer's
  // decisions rely on error bounds. One unit x 2^40 must not widen the others' bounds.
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 17, 33, 57];
  test("line engine, a segment across a 2-input net: one unit x 2^-k, identical regions", () => {
    const path = Float64Array.of(-1, -0.625, 1, 0.8125);
    for (const seed of seeds) {
      for (const activation of ["relu", "abs"] as const) {
        const spec: NetSpec = { widths: [5, 4], seed, degeneracy: seed % 2 ? "none" : "zero-bias", activation };
        const net = buildNetwork(spec, 2);
        const before = linePartition(prepare(net), path).activationRegions;
        for (const k of [-40, 40]) {
          const after = linePartition(prepare(scaleUnit(net, seed % 5, 2 ** -k)), path).activationRegions;
          assert.equal(after, before, describeSpec(spec, `unit ${seed % 5}, k = ${k}`));
        }
      }
    }
  });
  test("plane engine, the plane through three points of a 3-input net: one unit x 2^-k, identical regions", () => {
    const { slice, domain } = parallelogramSlice(Float64Array.of(-1, -0.75, 0.5), Float64Array.of(1, -0.5, -0.25), Float64Array.of(-0.625, 1, 0.375));
    for (const seed of seeds) {
      for (const activation of ["relu", "abs"] as const) {
        const spec: NetSpec = { widths: [5, 4], seed, degeneracy: seed % 2 ? "none" : "zero-bias", activation };
        const net = buildNetwork(spec, 3);
        const before = planePartition(prepare(net), slice, { domain }).activationRegions;
        for (const k of [-40, 40]) {
          const after = planePartition(prepare(scaleUnit(net, seed % 5, 2 ** -k)), slice, { domain }).activationRegions;
          assert.equal(after, before, describeSpec(spec, `unit ${seed % 5}, k = ${k}`));
        }
      }
    }
  });
});

describe("line engine far field: a longer segment through the same features keeps their regions", () => {
  // Integer networks: every vertex lies within 2^9 of the origin (see above), so [-2^e, 2^e] holds
  // the same regions for every e >= 9. Walked from one end (t in [0, 1]) the rounding grew with
  // the length: 9 regions at 2^40 became 8 at 2^41 and 2 at 2^60.
  const exponents = [9, 40, 41, 60, 200, 900];
  const near = [9, 30, 40, 41, 46, 50];
  test("1 input: boxes [-2^e, 2^e]", () => {
    for (let seed = 0; seed < 12; seed++) {
      for (const activation of ["abs", "relu", "hard-tanh"] as const) {
        const spec: NetSpec = { widths: [4, 2], seed, degeneracy: "integer", activation };
        const compiled = prepare(buildNetwork(spec, 1));
        const counts = exponents.map((e) => linePartition(compiled, Float64Array.of(-(2 ** e), 2 ** e)).activationRegions);
        assert.deepEqual(
          counts,
          counts.map(() => counts[0]),
          describeSpec(spec, `exponents ${exponents}`),
        );
      }
    }
  });
  test("2 inputs: a segment off the axes, not through the origin, scaled by 2^e about its nearest point", () => {
    for (let seed = 0; seed < 8; seed++) {
      for (const activation of ["abs", "relu"] as const) {
        const spec: NetSpec = { widths: [4, 3], seed, degeneracy: "integer", activation };
        const compiled = prepare(buildNetwork(spec, 2));
        // From (0.25, 0.5) - 2^e (1, 0.75) to (0.25, 0.5) + 2^e (1, 0.75): floats up to e = 50.
        const counts = near.map((e) => {
          const s = 2 ** e;
          return linePartition(compiled, Float64Array.of(0.25 - s, 0.5 - 0.75 * s, 0.25 + s, 0.5 + 0.75 * s)).activationRegions;
        });
        assert.deepEqual(
          counts,
          counts.map(() => counts[0]),
          describeSpec(spec, `exponents ${exponents.slice(0, 5)}`),
        );
      }
    }
  });
});

describe("plane engine: deep-layer lines far from the origin", () => {
  // Within its rounding bound a deep-layer line through a vertex was taken to pass through it, so
  // boxes 2^40 times larger than the features lost regions (an integer 2-4-3-1 net: 8 regions up
  // to 2^45, 5 from 2^50) or, with three layers, made slivers (60 -> 61 at 2^45). Such a tie is
  // now decided again from the unit's exact local line, and what cannot be is reported.
  const exponents = [18, 40, 45, 50, 60, 100];
  const count = (compiled: ReturnType<typeof prepare>, e: number) => {
    const { slice, domain } = boxSlice(-(2 ** e), 2 ** e);
    return planePartition(compiled, slice, { domain });
  };
  test("integer networks (every vertex within 2^18): the same counts in boxes up to 2^100, nothing uncertain", () => {
    for (const [seed, activation, widths] of [
      [34, "abs", [4, 3]],
      [34, "relu", [4, 3]],
      [184, "relu", [5, 4, 3]],
      [186, "relu", [5, 4, 3]],
      [242, "relu", [5, 4, 3]],
    ] as const) {
      const spec: NetSpec = { widths: [...widths], seed, degeneracy: "integer", activation };
      const compiled = prepare(buildNetwork(spec, 2));
      const results = exponents.map((e) => count(compiled, e));
      const counts = results.map((p) => p.activationRegions);
      assert.deepEqual(
        counts,
        counts.map(() => counts[0]),
        describeSpec(spec, `boxes 2^${exponents}`),
      );
      assert.deepEqual(
        results.map((p) => p.uncertain),
        counts.map(() => 0),
        describeSpec(spec, "uncertain"),
      );
    }
  });
  test("a generic network: ties within the rounding decided exactly, the same count in boxes up to 2^100", () => {
    // Its rounded lines leave vertices far from the origin within their bounds: until Dec 7
    // reported as uncertain (10 at 2^60), now decided at the exact vertices from the exact slice.
    const spec: NetSpec = { widths: [5, 4, 3], seed: 186, degeneracy: "none", activation: "relu" };
    const net = buildNetwork(spec, 2);
    const compiled = prepare(net);
    const exact = exactBoxRegions(net, -(2 ** 60), 2 ** 60).regions;
    for (const e of [18, 60, 100]) {
      const p = count(compiled, e);
      assert.equal(p.activationRegions, exact, `2^${e}`);
      assert.equal(p.uncertain ?? 0, 0, `2^${e}`);
    }
  });
});
