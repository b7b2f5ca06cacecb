/**
 * The complex's vertices, edges and facets (issue 12): vertices are named combinatorially
 * (space/vertex-names.ts), so the counts are exact at every scale. Scaling invariance (a network
 * whose first layer is scaled by 2^-e, in a box scaled by 2^e, has the same complex), the same
 * complex in every box that holds every vertex, Euler's relation for subdivisions of a cube
 * (V - E + F - C = 1, boundary faces included), and a vertex count against an independent exact
 * oracle on degenerate arrangements (zero biases, duplicated units, planes through box corners).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import type { CellComplex } from "../../src/regions/space/cells.ts";
import { ComplexCounter } from "../../src/regions/space/complex.ts";
import { type SpaceOptions, spacePartition, spaceWalk } from "../../src/regions/space.ts";
import { buildNetwork, scaleFirstLayer } from "../invariance/networks.ts";

/**
 * The complex with its edges and facets counted cell by cell (the engine otherwise derives the
 * facets from the cells' facet incidences, and in 3-D the edges by Euler's relation, which these
 * tests check).
 */
function complexOf(net: Network, B: number, options: SpaceOptions = {}): number[] {
  const p = spacePartition(prepare(net), { box: [-B, B], countEdges: true, countFacets: true, ...options });
  assert.equal(p.complexWithheld, undefined, p.complexWithheld);
  return [p.cellCount, p.vertexCount, p.edgeCount, p.facetCount];
}

const euler = ([c, v, e, f]: number[]): number => v - e + f - c;

test("scaling invariance: the first layer times 2^-e in a box times 2^e has the same complex (e from -30 to 200)", () => {
  const nets: [string, Network][] = [
    ["3-8-8-1", mlp([3, 8, 8, 1], { seed: 1 })],
    ["zero biases", buildNetwork({ widths: [5, 4, 3], seed: 1, degeneracy: "zero-bias", activation: "relu" }, 3)],
    ["integer", buildNetwork({ widths: [5, 4, 3], seed: 3, degeneracy: "integer", activation: "relu" }, 3)],
    ["duplicated, hard-tanh", buildNetwork({ widths: [5, 4], seed: 3, degeneracy: "duplicate", activation: "hard-tanh" }, 3)],
    ["coincident, abs, 4 inputs", buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "coincident", activation: "abs" }, 4)],
  ];
  for (const [name, net] of nets) {
    const reference = complexOf(net, 1);
    if (net.inputSize === 3) assert.equal(euler(reference), 1, `${name}: Euler`);
    for (const e of [-30, 40, 58, 200]) assert.deepEqual(complexOf(scaleFirstLayer(net, 2 ** -e), 2 ** e), reference, `${name}, 2^${e}`);
  }
});

test("the same complex in every box that holds every vertex, 1e3 to 1e300 (the grid withheld it from 1e12 on)", () => {
  const net = mlp([3, 8, 8, 1], { seed: 1 });
  const reference = complexOf(net, 1e3);
  assert.equal(euler(reference), 1);
  for (const B of [1e12, 1e20, 1e300]) assert.deepEqual(complexOf(net, B), reference, `B = ${B}`);
});

/** The distinct points where 3 of the planes (rows [a1, a2, a3, c]: a . x + c = 0) meet inside the box [-B, B]^3, exactly (BigInt Cramer). */
function oracleVertices(planes: number[][], B: number): number {
  const all = [...planes];
  for (let d = 0; d < 3; d++) {
    for (const s of [-1, 1]) {
      const row = [0, 0, 0, -s * B];
      row[d] = 1;
      all.push(row);
    }
  }
  const big = all.map((r) => r.map(BigInt));
  const det3 = (m: bigint[][]): bigint =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  const points = new Set<string>();
  for (let i = 0; i < big.length; i++) {
    for (let j = i + 1; j < big.length; j++) {
      for (let l = j + 1; l < big.length; l++) {
        const rows = [big[i], big[j], big[l]];
        const A = rows.map((r) => r.slice(0, 3));
        const D = det3(A);
        if (D === 0n) continue;
        // x_d = det(A with column d replaced by -c) / D
        const num = [0, 1, 2].map((d) => det3(A.map((r, t) => r.map((x, c) => (c === d ? -rows[t][3] : x)))));
        // Inside the box and on the right side of nothing else: a vertex of the arrangement in the box.
        const inside = num.every((n) => (D > 0n ? n <= BigInt(B) * D && n >= -BigInt(B) * D : n >= BigInt(B) * D && n <= -BigInt(B) * D));
        if (!inside) continue;
        const g = num.reduce((a, n) => gcd(a, n), D);
        const sign = D < 0n ? -1n : 1n;
        points.add(`${num.map((n) => (sign * n) / g).join(",")}/${(sign * D) / g}`);
      }
    }
  }
  return points.size;
}

test("degenerate one-layer arrangements: vertices equal an exact oracle, Euler holds, at scales 1 and 2^100", () => {
  const cases: [string, number[][]][] = [
    // Zero biases: every plane through the origin.
    [
      "through the origin",
      [
        [1, 2, -1, 0],
        [2, -1, 1, 0],
        [-1, 1, 3, 0],
        [1, 1, 1, 0],
        [3, -2, 1, 0],
      ],
    ],
    // Through the box's corners (1,1,1) and (-1,1,-1), duplicated and opposite units.
    [
      "through corners, duplicated",
      [
        [1, 1, 1, -3],
        [1, 1, 1, -3],
        [-2, -2, -2, 6],
        [1, -1, 1, 3],
        [1, 0, -1, 0],
        [0, 1, 0, 0],
      ],
    ],
    // Integer planes with many triple points.
    [
      "integer, concurrent",
      [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [1, 1, 0, 0],
        [1, -1, 1, 1],
        [0, 0, 1, -1],
        [2, 1, -1, 0],
      ],
    ],
  ];
  for (const [name, planes] of cases) {
    const net: Network = {
      inputSize: 3,
      layers: [
        { type: "dense", inSize: 3, outSize: planes.length, weight: Float64Array.from(planes.flatMap((r) => r.slice(0, 3))), bias: Float64Array.from(planes.map((r) => r[3])) },
        { type: "relu" },
        { type: "dense", inSize: planes.length, outSize: 1, weight: new Float64Array(planes.length).fill(1), bias: new Float64Array(1) },
      ],
    };
    const reference = complexOf(net, 1);
    assert.equal(reference[1], oracleVertices(planes, 1), `${name}: vertices`);
    assert.equal(euler(reference), 1, `${name}: Euler`);
    assert.deepEqual(complexOf(scaleFirstLayer(net, 2 ** -100), 2 ** 100), reference, `${name}: 2^100`);
  }
});

test("cells whose facets do not match withhold the complex and say why (deep hyperplanes within rounding of far vertices)", () => {
  // Integer weights in a box of 1e20: layer-2 hyperplanes pass within their rounding of vertices
  // 1e14 and more from the origin. Decided within the bounds (so with eps > 0, which turns off
  // the exact decisions), neighbouring cells decide them differently; decided exactly (the
  // default), the complex is the one of every smaller box.
  const net = buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "integer", activation: "relu" }, 3);
  const near = complexOf(net, 1e3);
  assert.equal(euler(near), 1);
  const far = spacePartition(prepare(net), { box: [-1e20, 1e20], eps: 1e-15 });
  assert.equal(far.cellCount, near[0]);
  assert.deepEqual([far.vertexCount, far.edgeCount, far.facetCount], [-1, -1, -1]);
  assert.match(far.complexWithheld ?? "", /facets do not match/);
  assert.deepEqual(complexOf(net, 1e20), near, "decided exactly: withheld before the exact decisions of deeper hyperplanes");
});

test("facets from the cells' incidences and 3-D edges by Euler's relation (the defaults) equal the ones counted cell by cell, degenerate networks included", () => {
  const nets: [string, Network, number][] = [
    ["3-8-8-1", mlp([3, 8, 8, 1], { seed: 1 }), 1],
    ["3-8-8-1 in 1e20", mlp([3, 8, 8, 1], { seed: 1 }), 1e20],
    ["zero biases", buildNetwork({ widths: [5, 4, 3], seed: 1, degeneracy: "zero-bias", activation: "relu" }, 3), 1],
    ["integer", buildNetwork({ widths: [5, 4, 3], seed: 3, degeneracy: "integer", activation: "relu" }, 3), 1],
    ["duplicated, hard-tanh", buildNetwork({ widths: [5, 4], seed: 3, degeneracy: "duplicate", activation: "hard-tanh" }, 3), 1],
    ["coincident, abs", buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "coincident", activation: "abs" }, 3), 10],
    ["4-6-6-1", mlp([4, 6, 6, 1], { seed: 2 }), 1],
    ["zero biases, 4 inputs", buildNetwork({ widths: [5, 4], seed: 1, degeneracy: "zero-bias", activation: "leaky-relu" }, 4), 1],
    ["coincident, abs, 4 inputs", buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "coincident", activation: "abs" }, 4), 1],
  ];
  for (const [name, net, B] of nets) {
    const counted = complexOf(net, B);
    const derived = complexOf(net, B, { countEdges: false, countFacets: false });
    assert.deepEqual(derived, counted, name);
    // Facets derived, edges counted (4-D always counts them).
    assert.deepEqual(complexOf(net, B, { countFacets: false }), counted, `${name}: facets derived`);
  }
  // Where the facets do not match, both withhold every count.
  const integer = buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "integer", activation: "relu" }, 3);
  const far = spacePartition(prepare(integer), { box: [-1e20, 1e20], eps: 1e-15 });
  assert.deepEqual([far.vertexCount, far.edgeCount, far.facetCount], [-1, -1, -1]);
});

test("a walk not known to have decided exactly hashes its facets at the end: the counts and the facets' check as counted cell by cell", () => {
  // The engine's walks decide every sign within rounding exactly (eps = 0) and say so, so this
  // runs the fallback through a share that claims every top piece, with a counter of derived
  // facets that no walk tells.
  const cases: [string, Network][] = [
    ["3-8-8-1", mlp([3, 8, 8, 1], { seed: 1 })],
    ["zero biases, 4 inputs", buildNetwork({ widths: [5, 4], seed: 1, degeneracy: "zero-bias", activation: "leaky-relu" }, 4)],
  ];
  const box: [number, number] = [-1, 1];
  const every = (complex: CellComplex) => ({ claim: () => true, complex });
  for (const [name, net] of cases) {
    const compiled = prepare(net);
    const counted = spacePartition(compiled, { box, countEdges: true, countFacets: true });
    // The walk's rows (every walk of these options makes the same), for the counter's boundary test.
    const { rows } = spaceWalk(compiled, { box });
    for (const told of [false, true]) {
      const counter = new ComplexCounter(net.inputSize, 1, rows, false, true);
      const walk = spaceWalk(compiled, { box, share: every(counter) });
      counter.decidedExactly = told;
      const part = walk.sink.finish(walk.slice, walk.radius);
      assert.equal(counter.derivedFacets, told, `${name}: hashed at the end unless told`);
      assert.equal(part.complexWithheld, undefined);
      assert.deepEqual(
        [part.cellCount, part.vertexCount, part.edgeCount, part.facetCount],
        [counted.cellCount, counted.vertexCount, counted.edgeCount, counted.facetCount],
        `${name}, told ${told}`,
      );
    }
  }
  // The facets hashed at the end are checked: with the last cell left out, its neighbours' facets
  // are unmatched and the counts are withheld.
  const compiled = prepare(cases[0][1]);
  const { rows } = spaceWalk(compiled, { box });
  const counter = new ComplexCounter(3, 1, rows, false, true);
  const dropLast: CellComplex = {
    derivedFacets: true,
    addCell: (arena, p, facets) => counter.addCell(arena, p, facets),
    counts: () => counter.counts(),
    mismatched: () => counter.mismatched(),
    facetsPending: () => counter.facetsPending(),
    addFacetsOfCells: (count, ...rest) => counter.addFacetsOfCells(count - 1, ...rest),
  };
  const walk = spaceWalk(compiled, { box, share: every(dropLast) });
  const part = walk.sink.finish(walk.slice, walk.radius);
  assert.equal(part.facetCount, -1);
  assert.match(part.complexWithheld ?? "", /facets do not match/);
});
