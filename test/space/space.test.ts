import assert from "node:assert/strict";
import { test } from "node:test";
import { loadLp } from "../../src/geometry/lp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { patternsEqual } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import type { SpacePartition } from "../../src/regions/partition.ts";
import { sliceThroughPoints, spaceCount, spacePartition } from "../../src/regions/space.ts";
import { binomial, independentSubsets, lpRegionCount } from "./oracle.ts";

const lp = await loadLp();

/** Self-checks every space partition must pass. */
function check(compiled: Compiled, part: SpacePartition): void {
  const k = part.dim;
  const n0 = compiled.inputSize;
  const words = part.layout.words;
  const x = new Float64Array(n0);
  for (let i = 0; i < part.cellCount; i++) {
    const c = part.centres.subarray(i * k, (i + 1) * k);
    assert.ok(part.radii[i] > 0, `cell ${i} has radius ${part.radii[i]}`);
    // The interior point lies strictly inside every facet and reproduces the cell's pattern.
    for (let f = part.facetStart[i]; f < part.facetStart[i + 1]; f++) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot += part.facets[f * (k + 1) + j] * c[j];
      assert.ok(dot < part.facets[f * (k + 1) + k], `centre of cell ${i} violates facet ${f}`);
    }
    x.set(part.origin);
    for (let j = 0; j < k; j++) for (let d = 0; d < n0; d++) x[d] += c[j] * part.basis[j * n0 + d];
    const { pattern, output } = forward(compiled, x);
    assert.ok(patternsEqual(pattern, 0, part.patterns, i * words, words), `centre of cell ${i} has another pattern`);
    // The output map agrees with the forward pass at the centre.
    for (let o = 0; o < part.outputSize; o++) {
      let v = part.outputMaps[(i * part.outputSize + o) * (k + 1)];
      for (let j = 0; j < k; j++) v += part.outputMaps[(i * part.outputSize + o) * (k + 1) + 1 + j] * c[j];
      assert.ok(Math.abs(v - output[o]) <= 1e-9 * (1 + Math.abs(output[o])), `output map of cell ${i}`);
    }
  }
  // Adjacent cells differ in their patterns; pairs are sorted and unique.
  for (let p = 0; p < part.adjacency.length; p += 2) {
    const [a, b] = [part.adjacency[p], part.adjacency[p + 1]];
    assert.ok(a < b);
    assert.ok(!patternsEqual(part.patterns, a * words, part.patterns, b * words, words));
  }
  assert.ok(part.linearPieces <= part.activationRegions);
}

function net(n0: number, layers: Layer[]): Network {
  return { inputSize: n0, layers };
}

function denseRows(rows: number[][], bias: number[]): Layer {
  const inSize = rows[0].length;
  return {
    type: "dense",
    inSize,
    outSize: rows.length,
    weight: Float64Array.from(rows.flat()),
    bias: Float64Array.from(bias),
  };
}

test("generic one-layer arrangements in R^3 reach Zaslavsky's count in a box holding every vertex", () => {
  for (const n of [1, 3, 5, 8]) {
    const rng = createRandom(100 + n);
    const rows = Array.from({ length: n }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const bias = Array.from({ length: n }, () => rng.uniform(-1, 1));
    const compiled = prepare(net(3, [denseRows(rows, bias), { type: "relu" }, denseRows([new Array(n).fill(1)], [0])]));
    const part = spacePartition(compiled, { box: [-1000, 1000], lp, countEdges: true });
    let expected = 0;
    for (let j = 0; j <= 3; j++) expected += binomial(n, j);
    assert.equal(part.activationRegions, expected, `n = ${n}`);
    check(compiled, part);
    // Euler's relation for a subdivided 3-ball: V - E + F - C = 1.
    assert.equal(part.vertexCount - part.edgeCount + part.facetCount - part.cellCount, 1);
  }
});

test("rank-deficient (conv-like) layer: regions = linearly independent subsets of the rows", () => {
  const cases = [
    // A 1-D convolution with kernel [1, -1] over 3 inputs, and the sum of its two outputs: rank 2.
    [
      [1, -1, 0],
      [0, 1, -1],
      [1, 0, -1],
    ],
    // Two kernels, a parallel copy of one row, and a dependent sum.
    [
      [1, -2, 0],
      [0, 1, -2],
      [1, -1, -2],
      [2, -4, 0],
      [1, 1, 0],
    ],
  ];
  cases.forEach((rows, c) => {
    const rng = createRandom(7 + c);
    const bias = rows.map(() => rng.uniform(-1, 1));
    const compiled = prepare(net(3, [denseRows(rows, bias), { type: "relu" }, denseRows([rows.map(() => 1)], [0])]));
    const part = spacePartition(compiled, { box: [-200, 200] });
    assert.equal(part.activationRegions, independentSubsets(rows), `case ${c}`);
    check(compiled, part);
  });
});

test("degenerate layers: duplicated units, zero rows and zero biases split once or never", () => {
  const rows = [
    [1, 0, 0],
    [0, 1, 0],
    [1, 0, 0], // duplicate of unit 0
    [0, 0, 0], // zero row, zero bias
    [0, 0, 0], // zero row, positive bias (always on)
    [1, 1, 1],
  ];
  const bias = [0, 0, 0, 0, 0.5, 0];
  const compiled = prepare(net(3, [denseRows(rows, bias), { type: "relu" }, denseRows([[1, -1, 2, 1, 1, 1]], [0])]));
  const part = spacePartition(compiled, { box: [-1, 1], lp });
  // Three distinct planes through the origin with independent normals, {x=0, y=0, x+y+z=0}: 2^3.
  assert.equal(part.activationRegions, lpRegionCount(lp, compiled, -1, 1));
  assert.equal(part.activationRegions, 8);
  check(compiled, part);
});

test("LP brute force over all patterns agrees on small networks of every step kind", () => {
  const nets: [string, Network][] = [
    ["relu", mlp([3, 4, 3, 1], { seed: 3 })],
    ["relu zero-bias", mlp([3, 4, 3, 1], { init: "zero-bias", seed: 4 })],
    [
      "leaky-relu",
      mlp([3, 3, 3, 1], {
        seed: 5,
        activation: { type: "leaky-relu", slope: 0.1 },
      }),
    ],
    [
      "hard-tanh",
      mlp([3, 3, 2, 1], {
        seed: 6,
        init: "he",
        activation: { type: "hard-tanh", lo: -0.5, hi: 0.5 },
      }),
    ],
    ["abs", mlp([3, 3, 2, 1], { seed: 8, activation: { type: "abs" } })],
    ["maxout", mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } })],
    [
      "residual",
      net(3, [
        {
          type: "residual",
          layers: [...mlp([3, 4, 3], { seed: 10 }).layers, { type: "relu" }],
        },
        ...mlp([3, 3, 1], { seed: 11 }).layers,
      ]),
    ],
  ];
  for (const [name, network] of nets) {
    const compiled = prepare(network);
    const part = spacePartition(compiled, { box: [-1, 1], lp });
    assert.equal(part.activationRegions, lpRegionCount(lp, compiled, -1, 1), name);
    check(compiled, part);
  }
});

test("dense sampling in 3D finds no pattern the engine misses (a lower bound)", () => {
  const compiled = prepare(mlp([3, 8, 8, 1], { seed: 12 }));
  const part = spacePartition(compiled, { box: [-1, 1] });
  const words = part.layout.words;
  const known = new Set<string>();
  for (let i = 0; i < part.cellCount; i++) known.add(part.patterns.subarray(i * words, (i + 1) * words).join(","));
  const rng = createRandom(13);
  const seen = new Set<string>();
  for (let s = 0; s < 20000; s++) {
    const { pattern } = forward(compiled, [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
    const key = pattern.join(",");
    seen.add(key);
    assert.ok(known.has(key), "a sampled pattern is missing from the partition");
  }
  assert.ok(seen.size <= part.activationRegions);
  assert.ok(seen.size >= 0.8 * part.activationRegions, `sampling found ${seen.size} of ${part.activationRegions}`);
});

test("Montufar's construction reaches its bound on [0,1]^3", () => {
  for (const widths of [
    [3, 3],
    [6, 3],
    [6, 6, 3],
    [3, 4],
    [3, 8],
    [6, 5],
    [6, 6, 4],
  ]) {
    const compiled = prepare(montufar(3, widths));
    const part = spacePartition(compiled, { box: [0, 1] });
    let expected = 1;
    for (const w of widths.slice(0, -1)) expected *= Math.floor(w / 3) ** 3;
    let last = 0;
    for (let j = 0; j <= 3; j++) last += binomial(widths[widths.length - 1], j);
    assert.equal(part.activationRegions, expected * last, `widths ${widths}`);
  }
  // The LP oracle agrees (a 15-region arrangement in the cube).
  const compiled = prepare(montufar(3, [3, 4]));
  assert.equal(spacePartition(compiled, { box: [0, 1] }).activationRegions, lpRegionCount(lp, compiled, 0, 1));
});

test("a k-dimensional slice through k+1 points, and a polytope domain", () => {
  const compiled = prepare(mlp([5, 6, 4, 1], { seed: 14 }));
  const rng = createRandom(15);
  const points = Array.from({ length: 4 }, () => Float64Array.from({ length: 5 }, () => rng.uniform(-1, 1)));
  const { slice, box } = sliceThroughPoints(points);
  const part = spacePartition(compiled, { slice, box, lp });
  assert.equal(part.dim, 3);
  assert.equal(part.centreKind, "chebyshev");
  check(compiled, part);
  // The box written as a polytope gives the same cells.
  const one = prepare(mlp([3, 6, 1], { seed: 16 }));
  const A = Float64Array.from([1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1]);
  const b = new Float64Array(6).fill(1);
  const viaBox = spacePartition(one, { box: [-1, 1] });
  const viaPolytope = spacePartition(one, { polytope: { A, b }, lp });
  assert.equal(viaPolytope.activationRegions, viaBox.activationRegions);
  // A simplex domain x, y, z >= -1, x + y + z <= 1 inside the box.
  const simplex = spacePartition(one, {
    polytope: {
      A: Float64Array.from([-1, 0, 0, 0, -1, 0, 0, 0, -1, 1, 1, 1]),
      b: Float64Array.from([1, 1, 1, 1]),
    },
    lp,
  });
  assert.ok(simplex.activationRegions <= viaBox.activationRegions);
  check(one, simplex);
});

test("polytopes with more than 32 vertices or rows: a prism over a 20-gon and a 40-gon", () => {
  // The 20-gon prism has 40 vertices (vertex sets of two words), the 40-gon prism 42 rows
  // (incidences of two words): the engine's general paths, against the LP oracle.
  for (const sides of [20, 40]) {
    const A: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < sides; i++) {
      const t = (2 * Math.PI * i) / sides;
      A.push(Math.cos(t), Math.sin(t), 0);
      b.push(0.9);
    }
    const domain = { A: Float64Array.from(A), b: Float64Array.from(b) };
    const compiled = prepare(mlp([3, 5, 4, 1], { seed: 30 + sides }));
    const part = spacePartition(compiled, { box: [-1, 1], polytope: domain, lp, countEdges: true });
    assert.equal(part.activationRegions, lpRegionCount(lp, compiled, -1, 1, 1e-7, domain), `${sides} sides`);
    check(compiled, part);
    assert.equal(part.vertexCount - part.edgeCount + part.facetCount - part.cellCount, 1);
  }
});

test("linear pieces merge cells where the output map is equal (a dead output unit)", () => {
  // The output ignores unit 1, so the cells on either side of its hyperplane are one piece.
  const compiled = prepare(
    net(3, [
      denseRows(
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        [0.1, 0.2],
      ),
      { type: "relu" },
      denseRows([[1, 0]], [0]),
    ]),
  );
  const part = spacePartition(compiled, { box: [-1, 1] });
  assert.equal(part.activationRegions, 4);
  assert.equal(part.linearPieces, 2);
});

test("spaceCount gives the count contract", () => {
  const summary = spaceCount(prepare(mlp([3, 5, 1], { seed: 17 })), {
    box: [-1, 1],
  });
  assert.equal(summary.engine, "space");
  assert.ok(summary.activationRegions >= 1 && summary.vertices > 0 && summary.seconds >= 0);
});

test("for n0 = 2 the space engine agrees with the plane engine", async () => {
  const { boxSlice, parallelogramSlice, planePartition } = await import("../../src/regions/plane.ts");
  const nets = [
    mlp([2, 6, 6, 1], { seed: 20 }),
    mlp([2, 4, 3, 1], {
      seed: 22,
      activation: { type: "hard-tanh", lo: -0.3, hi: 0.3 },
    }),
  ];
  for (const network of nets) {
    const compiled = prepare(network);
    const { slice, domain } = boxSlice(-1, 1);
    const plane = planePartition(compiled, slice, { domain });
    const space = spacePartition(compiled, { box: [-1, 1] });
    assert.equal(space.activationRegions, plane.activationRegions);
    assert.equal(space.linearPieces, plane.linearPieces);
    assert.equal(space.adjacency.length, plane.adjacency.length);
    // Euler for a subdivided disc: V - E + F = 1.
    assert.equal(space.vertexCount - space.edgeCount + space.cellCount, 1);
  }
  // A 2D slice through three points of a 4-input network.
  const compiled = prepare(mlp([4, 6, 5, 1], { seed: 23 }));
  const pts = [Float64Array.of(0, 0, 0, 0), Float64Array.of(1, 0.5, 0, -1), Float64Array.of(0, 1, 1, 0.5)];
  const { slice, domain } = parallelogramSlice(pts[0], pts[1], pts[2]);
  const plane = planePartition(compiled, slice, { domain });
  const { slice: s2, box } = sliceThroughPoints(pts);
  assert.equal(spacePartition(compiled, { slice: s2, box }).activationRegions, plane.activationRegions);
});

// Zero biases put every line through the origin: the LP oracle, the space engine and the plane
// engine all find 15 sectors (the plane engine once found 18, three of zero area).
test("for n0 = 2 with zero biases the space engine agrees with the plane engine", async () => {
  const { boxSlice, planePartition } = await import("../../src/regions/plane.ts");
  const compiled = prepare(mlp([2, 5, 4, 1], { init: "zero-bias", seed: 21 }));
  const { slice, domain } = boxSlice(-1, 1);
  const space = spacePartition(compiled, { box: [-1, 1] });
  assert.equal(space.activationRegions, lpRegionCount(lp, compiled, -1, 1));
  assert.equal(space.activationRegions, planePartition(compiled, slice, { domain }).activationRegions);
});
