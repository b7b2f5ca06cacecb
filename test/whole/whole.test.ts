import assert from "node:assert/strict";
import { test } from "node:test";
import { loadLp } from "../../src/geometry/lp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import type { SpacePartition, WholePartition } from "../../src/regions/partition.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { checkWhole } from "../../src/regions/whole/check.ts";
import { wholeCount, wholePartition } from "../../src/regions/whole.ts";
import { bruteForceCount } from "./oracle.ts";

const lp = await loadLp();

function denseRows(rows: number[][], bias: number[]): Layer {
  return { type: "dense", inSize: rows[0].length, outSize: rows.length, weight: Float64Array.from(rows.flat()), bias: Float64Array.from(bias) };
}

/** Adjacent pairs as pattern strings, independent of the engines' cell numbering. */
function pairs(compiled: Compiled, p: SpacePartition | WholePartition): Set<string> {
  const words = p.layout.words;
  const name = (i: number) => patternString(compiled.layout, p.patterns, i * words);
  const out = new Set<string>();
  for (let e = 0; e < p.adjacency.length; e += 2) {
    const [a, b] = [name(p.adjacency[e]), name(p.adjacency[e + 1])].sort();
    out.add(`${a} ${b}`);
  }
  return out;
}

function agreeWithSpace(name: string, network: Network, box: [number, number] = [-1, 1]): WholePartition {
  const compiled = prepare(network);
  const space = spacePartition(compiled, { box });
  const whole = wholePartition(compiled, { box });
  assert.equal(whole.uncertain, 0, `${name}: uncertain decisions`);
  assert.equal(whole.activationRegions, space.activationRegions, `${name}: regions`);
  assert.equal(whole.linearPieces, space.linearPieces, `${name}: linear pieces`);
  assert.deepEqual(pairs(compiled, whole), pairs(compiled, space), `${name}: adjacency`);
  assert.deepEqual(checkWhole(compiled, whole).problems, [], name);
  return whole;
}

test("agrees with the space engine on random networks of every step kind (3 and 4 inputs)", () => {
  const nets: [string, Network][] = [
    ["relu 3-6-5-1", mlp([3, 6, 5, 1], { seed: 1, init: "he" })],
    ["relu 4-5-4-1", mlp([4, 5, 4, 1], { seed: 2, init: "he" })],
    ["zero-bias", mlp([3, 5, 3, 1], { seed: 4, init: "zero-bias" })],
    ["leaky-relu", mlp([3, 4, 3, 1], { seed: 5, activation: { type: "leaky-relu", slope: 0.1 } })],
    ["hard-tanh", mlp([3, 3, 2, 1], { seed: 6, init: "he", activation: { type: "hard-tanh", lo: -0.5, hi: 0.5 } })],
    ["abs", mlp([3, 3, 2, 1], { seed: 8, activation: { type: "abs" } })],
    ["maxout", mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } })],
    ["residual", { inputSize: 3, layers: [{ type: "residual", layers: [...mlp([3, 4, 3], { seed: 10 }).layers, { type: "relu" }] }, ...mlp([3, 3, 1], { seed: 11 }).layers] }],
  ];
  for (const [name, network] of nets) agreeWithSpace(name, network);
});

test("degenerate networks: duplicated and dead units, zero biases, one facet shared by units of two layers", () => {
  // Duplicates, zero rows (one dead, one always on), every hyperplane through the origin (the
  // box centre, so the start point lies on all of them).
  const dup = agreeWithSpace("duplicates and zero rows", {
    inputSize: 3,
    layers: [
      denseRows(
        [
          [1, 0, 0],
          [0, 1, 0],
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [1, 1, 1],
        ],
        [0, 0, 0, 0, 0.5, 0],
      ),
      { type: "relu" },
      denseRows([[1, -1, 2, 1, 1, 1]], [0]),
    ],
  });
  assert.equal(dup.activationRegions, 8);
  // Units x and -x, then a second-layer unit relu(x) - relu(-x) = x: three units of two layers on
  // the plane x = 0, all flipping across it (the neighbour differs in three units).
  const shared = agreeWithSpace("shared facet", {
    inputSize: 3,
    layers: [
      denseRows(
        [
          [1, 0, 0],
          [-1, 0, 0],
          [0, 1, 0.5],
        ],
        [0, 0, 0.1],
      ),
      { type: "relu" },
      denseRows(
        [
          [1, -1, 0],
          [0, 0, 1],
        ],
        [0, -0.2],
      ),
      { type: "relu" },
      denseRows([[1, 1]], [0]),
    ],
  });
  assert.equal(shared.activationRegions, 6);
  // Random degenerate layers: duplicated rows, dead rows and zero biases mixed in.
  const rng = createRandom(17).next;
  for (let trial = 0; trial < 4; trial++) {
    const rows: number[][] = [];
    const bias: number[] = [];
    for (let j = 0; j < 6; j++) {
      const kind = rng();
      if (j > 0 && kind < 0.25) {
        rows.push([...rows[j - 1]]);
        bias.push(bias[j - 1]);
      } else if (kind < 0.35) {
        rows.push([0, 0, 0]);
        bias.push(rng() < 0.5 ? 0 : 0.3);
      } else {
        rows.push([0, 1, 2].map(() => Math.round(4 * rng() - 2)));
        bias.push(rng() < 0.5 ? 0 : Math.round(2 * rng() - 1) / 2);
      }
    }
    const second = [0, 1, 2, 3].map(() => rows.map(() => Math.round(4 * rng() - 2)));
    agreeWithSpace(`random degenerate ${trial}`, {
      inputSize: 3,
      layers: [denseRows(rows, bias), { type: "relu" }, denseRows(second, [0, 0, 0.5, -0.5]), { type: "relu" }, denseRows([[1, 1, 1, 1]], [0])],
    });
  }
});

test("784 inputs: one LP per pattern (HiGHS, no reduction) agrees, and sampled patterns are all found", () => {
  const cases: [string, Network][] = [
    ["784-5-3-1 he", mlp([784, 5, 3, 1], { seed: 3, init: "he" })],
    ["784-6-2-1 zero-bias", mlp([784, 6, 2, 1], { seed: 5, init: "zero-bias" })],
  ];
  // A first layer with a duplicated unit and a dead one.
  const dupNet = mlp([784, 6, 2, 1], { seed: 7, init: "he" });
  const first = dupNet.layers[0] as { weight: Float64Array; bias: Float64Array };
  first.weight.copyWithin(784, 0, 784);
  first.bias[1] = first.bias[0];
  first.weight.fill(0, 2 * 784, 3 * 784);
  cases.push(["784-6-2-1 duplicate and dead units", dupNet]);
  for (const [name, network] of cases) {
    const compiled = prepare(network);
    const whole = wholePartition(compiled, { box: [0, 1] });
    assert.equal(whole.uncertain, 0, name);
    assert.equal(whole.activationRegions, bruteForceCount(lp, compiled, 0, 1), name);
    assert.deepEqual(checkWhole(compiled, whole).problems, [], name);
    const found = new Set<string>();
    for (let i = 0; i < whole.cellCount; i++) found.add(patternString(compiled.layout, whole.patterns, i * compiled.layout.words));
    const rng = createRandom(1).next;
    const x = new Float64Array(784);
    for (let s = 0; s < 500; s++) {
      for (let d = 0; d < 784; d++) x[d] = rng();
      const p = patternString(compiled.layout, forward(compiled, x).pattern);
      assert.ok(found.has(p), `${name}: sampled pattern ${p} missing`);
    }
  }
});

test("a one-layer network in general position has every pattern in the box's image (2^n)", () => {
  // 784-8-1 with He weights: eight hyperplanes in the 8-dimensional reduced space, all cells
  // meeting the zonotope of [0, 1]^784 (the brute force agrees above on smaller ones).
  const compiled = prepare(mlp([784, 8, 1], { seed: 2, init: "he" }));
  const summary = wholeCount(compiled, { box: [0, 1] });
  assert.equal(summary.activationRegions, 256);
  assert.equal(summary.facets, 8 * 128);
  assert.equal(summary.uncertain, 0);
});

test("regions from the first layer's common point (no LP) are those the LPs find, degenerate deeper units included", () => {
  // One hidden layer: every region from the common point; two layers: some; zero biases in
  // [-1, 1]: the common point is the origin, where every deeper unit sits on its breakpoint
  // (the candidates beside it are cones from the origin; the oracle checks the count); a
  // first layer wider than the reduced space has no common point.
  const cases: [string, Network, [number, number], boolean][] = [
    ["784-7-3 he", mlp([784, 7, 3], { seed: 4, init: "he" }), [0, 1], true],
    ["784-5-3-1 he", mlp([784, 5, 3, 1], { seed: 3, init: "he" }), [0, 1], true],
    ["784-5-3-1 zero-bias", mlp([784, 5, 3, 1], { seed: 6, init: "zero-bias" }), [-1, 1], true],
    ["3-5-2-1", mlp([3, 5, 2, 1], { seed: 2, init: "he" }), [-1, 1], false],
  ];
  for (const [name, network, box, starUsed] of cases) {
    const compiled = prepare(network);
    const fast = wholePartition(compiled, { box });
    const slow = wholePartition(compiled, { box, star: false });
    assert.equal(fast.uncertain + slow.uncertain, 0, name);
    assert.equal(fast.stats.starRegions > 0, starUsed, `${name}: ${fast.stats.starRegions} regions from the common point`);
    assert.equal(slow.stats.starRegions, 0, name);
    assert.equal(fast.activationRegions, slow.activationRegions, name);
    assert.equal(fast.linearPieces, slow.linearPieces, name);
    assert.deepEqual(pairs(compiled, fast), pairs(compiled, slow), name);
    assert.deepEqual(checkWhole(compiled, fast).problems, [], name);
    if (name.includes("zero-bias")) assert.equal(fast.activationRegions, bruteForceCount(lp, compiled, box[0], box[1]), name);
  }
});
