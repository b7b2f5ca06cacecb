/**
 * The whole-domain engine's other domains (regions/whole-domain.ts): polytopes cutting a box and
 * affine slices of any dimension. Oracles: the space engine (its own polytopes and slices, up to
 * 8 dimensions), brute force over patterns with one HiGHS LP each (oracle.ts, polytope rows from
 * the root), and invariances (a polytope equal to the box, a box split in two halves).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { clipRows } from "../../src/cli/domain-cuts.ts";
import { polytope, slice } from "../../src/domain/domain.ts";
import { loadLp } from "../../src/geometry/lp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { withPool } from "../../src/parallel/pool.ts";
import { wholePartitionParallel } from "../../src/parallel/whole.ts";
import type { SpacePartition, WholePartition } from "../../src/regions/partition.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { checkWhole } from "../../src/regions/whole/check.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { bruteForceCount } from "./oracle.ts";

const lp = await loadLp();

function names(compiled: Compiled, p: SpacePartition | WholePartition): string[] {
  const words = p.layout.words;
  return Array.from({ length: p.cellCount }, (_, i) => patternString(compiled.layout, p.patterns, i * words)).sort();
}

function pairs(compiled: Compiled, p: SpacePartition | WholePartition): Set<string> {
  const words = p.layout.words;
  const name = (i: number) => patternString(compiled.layout, p.patterns, i * words);
  const out = new Set<string>();
  for (let e = 0; e < p.adjacency.length; e += 2) out.add([name(p.adjacency[e]), name(p.adjacency[e + 1])].sort().join(" "));
  return out;
}

/** m random rows a . x <= b through points near the centre of [lo, hi]^n (the domain keeps an interior). */
function randomPolytope(n: number, m: number, seed: number, lo = -1, hi = 1): { A: Float64Array; b: Float64Array } {
  const random = createRandom(seed);
  const rand = () => random.next();
  const A = new Float64Array(m * n);
  const b = new Float64Array(m);
  const mid = 0.5 * (lo + hi);
  for (let j = 0; j < m; j++) {
    let dot = 0;
    for (let d = 0; d < n; d++) {
      A[j * n + d] = rand() * 2 - 1;
      dot += A[j * n + d] * mid;
    }
    b[j] = dot + (0.15 + 0.5 * rand()) * (hi - lo);
  }
  return { A, b };
}

function agree(name: string, compiled: Compiled, whole: WholePartition, space: SpacePartition): void {
  assert.equal(whole.uncertain, 0, `${name}: uncertain`);
  assert.equal(whole.activationRegions, space.activationRegions, `${name}: regions`);
  assert.equal(whole.linearPieces, space.linearPieces, `${name}: pieces`);
  assert.deepEqual(pairs(compiled, whole), pairs(compiled, space), `${name}: adjacency`);
  assert.deepEqual(checkWhole(compiled, whole).problems, [], name);
}

test("polytopes: agreement with the space engine (random, zero-bias and duplicated units; 3 and 4 inputs)", () => {
  const nets: [string, Network][] = [
    ["relu 3-6-5-1", mlp([3, 6, 5, 1], { seed: 1, init: "he" })],
    ["zero-bias 4-5-3-1", mlp([4, 5, 3, 1], { seed: 4, init: "zero-bias" })],
    ["maxout 3-3-2-1", mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } })],
  ];
  nets.forEach(([name, network], i) => {
    const compiled = prepare(network);
    const n = compiled.inputSize;
    const poly = randomPolytope(n, 3 + i, 100 + i);
    const space = spacePartition(compiled, { box: [-1, 1], polytope: poly });
    const whole = wholePartition(compiled, { box: [-1, 1], polytope: poly });
    agree(name, compiled, whole, space);
    assert.ok(whole.activationRegions > 1, name);
  });
  // A face of the polytope on a unit's hyperplane (same side and the other side).
  const compiled = prepare(mlp([3, 5, 4, 1], { seed: 3, init: "he" }));
  const step = compiled.steps[0];
  if (step.kind !== "affine" || !step.weight) throw new Error("dense first step expected");
  const w = step.weight.subarray(0, 3);
  const onUnit = { A: Float64Array.from([...w, ...w.map((v) => -v)]), b: Float64Array.of(-step.bias[0], step.bias[0] + 0.8) };
  agree("a face on a hyperplane", compiled, wholePartition(compiled, { box: [-1, 1], polytope: onUnit }), spacePartition(compiled, { box: [-1, 1], polytope: onUnit }));
});

test("polytopes and boxes with unequal sides through partition(): the whole and space engines agree", () => {
  const compiled = prepare(mlp([3, 6, 4, 1], { seed: 12, init: "he" }));
  const poly = randomPolytope(3, 4, 7);
  const domain = polytope(poly.A, poly.b, 3, [-1, 1]);
  const w = partition(compiled, domain, { engine: "whole" });
  const s = partition(compiled, domain, { engine: "space", lp });
  assert.equal(w.kind, "whole");
  agree("polytope()", compiled, w as WholePartition, s as SpacePartition);
  const uneven = { kind: "box" as const, lo: Float64Array.of(-1, -0.5, 0), hi: Float64Array.of(1, 0.25, 2) };
  agree("uneven box", compiled, partition(compiled, uneven, { engine: "whole" }) as WholePartition, partition(compiled, uneven, { engine: "space" }) as SpacePartition);
});

test("slices of dimension 3 and 4 of a 12-input network, with and without a cut: whole = space", () => {
  const compiled = prepare(mlp([12, 8, 6, 1], { seed: 21, init: "he" }));
  const random = createRandom(5);
  const rand = () => random.next();
  const point = () => Float64Array.from({ length: 12 }, () => rand() * 2 - 1);
  for (const k of [3, 4]) {
    const origin = point();
    const basis = Array.from({ length: k }, () => point());
    const cut = randomPolytope(k, 2, 40 + k, 0, 1);
    for (const domain of [slice(origin, basis), slice(origin, basis, 0, 1, cut)]) {
      const w = partition(compiled, domain, { engine: "whole" }) as WholePartition;
      const s = partition(compiled, domain, { engine: "space" }) as SpacePartition;
      agree(`slice k=${k}${domain.polytope ? " cut" : ""}`, compiled, w, s);
      assert.equal(w.inputSize, k);
      assert.ok(w.activationRegions > 1);
    }
  }
});

/**
 * A polytope that cuts regions away: unit 0 of the first layer on (its face exactly on the unit's
 * hyperplane, a degenerate face), unit 1 off by a margin, and a random row.
 */
function unitCut(compiled: Compiled, seed: number): { A: Float64Array; b: Float64Array } {
  const step = compiled.steps[0];
  if (step.kind !== "affine" || !step.weight) throw new Error("dense first step expected");
  const n = step.inSize;
  const w0 = step.weight.subarray(0, n);
  const w1 = step.weight.subarray(n, 2 * n);
  const norm1 = Math.hypot(...w1);
  const random = randomPolytope(n, 1, seed, 0, 1);
  return { A: Float64Array.from([...w0.map((v) => -v), ...w1, ...random.A]), b: Float64Array.from([step.bias[0], -step.bias[1] - 0.05 * norm1, random.b[0]]) };
}

test("784 inputs cut by a polytope: brute force with one HiGHS LP per pattern-tree node; sampled patterns all found", () => {
  for (const [name, network] of [
    ["relu 784-6-1", mlp([784, 6, 1], { seed: 31, init: "uniform" })],
    ["relu 784-4-4-1", mlp([784, 4, 4, 1], { seed: 32, init: "uniform" })],
  ] as [string, Network][]) {
    const compiled = prepare(network);
    const poly = unitCut(compiled, 50);
    const whole = wholePartition(compiled, { box: [0, 1], polytope: poly });
    const boxed = wholePartition(compiled, { box: [0, 1], points: false });
    assert.ok(whole.activationRegions > 1 && whole.activationRegions < boxed.activationRegions, `${name}: ${whole.activationRegions} of ${boxed.activationRegions}`);
    assert.equal(whole.uncertain, 0, name);
    assert.equal(whole.activationRegions, bruteForceCount(lp, compiled, 0, 1, 1e-7, poly), name);
    assert.deepEqual(checkWhole(compiled, whole).problems, [], name);
    // Sampled points of the polytope (by rejection from the box): their patterns are regions.
    const found = new Set(names(compiled, whole));
    const random = createRandom(8);
    const rand = () => random.next();
    let inside = 0;
    for (let s = 0; s < 3000 && inside < 100; s++) {
      const x = Float64Array.from({ length: 784 }, () => rand());
      let ok = true;
      for (let j = 0; j < poly.b.length && ok; j++) {
        let acc = 0;
        for (let d = 0; d < 784; d++) acc += poly.A[j * 784 + d] * x[d];
        ok = acc < poly.b[j];
      }
      if (!ok) continue;
      inside++;
      assert.ok(found.has(patternString(compiled.layout, forward(compiled, x).pattern, 0)), `${name}: sample ${s}`);
    }
    assert.ok(inside > 20, `${name}: ${inside} samples inside`);
  }
});

test("invariances: a polytope equal to the box counts as the box; two halves cover every region", () => {
  const compiled = prepare(mlp([12, 5, 4, 1], { seed: 41, init: "he" }));
  const n = 12;
  const boxed = wholePartition(compiled, { box: [-1, 1] });
  // The box's faces as rows, in a larger box: the same regions, pieces and adjacency.
  const A = new Float64Array(2 * n * n);
  const b = new Float64Array(2 * n).fill(1);
  for (let i = 0; i < n; i++) {
    A[2 * i * n + i] = 1;
    A[(2 * i + 1) * n + i] = -1;
  }
  const faces = wholePartition(compiled, { box: [-3, 2], polytope: { A, b } });
  assert.equal(faces.activationRegions, boxed.activationRegions);
  assert.equal(faces.linearPieces, boxed.linearPieces);
  assert.deepEqual(pairs(compiled, faces), pairs(compiled, boxed));
  // Halves a . x <= c and -a . x <= -c: every region of the box is in one of them at least, the
  // regions in both are the ones the cut crosses, and no half has a region the box lacks.
  const random = createRandom(3);
  const rand = () => random.next();
  const a = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const c = 0.1;
  const low = wholePartition(compiled, { box: [-1, 1], polytope: { A: a, b: Float64Array.of(c) } });
  const high = wholePartition(compiled, { box: [-1, 1], polytope: { A: a.map((v) => -v), b: Float64Array.of(-c) } });
  const all = new Set(names(compiled, boxed));
  const union = new Set([...names(compiled, low), ...names(compiled, high)]);
  assert.deepEqual([...union].sort(), [...all].sort());
  assert.ok(low.activationRegions + high.activationRegions > boxed.activationRegions, "the cut crosses some region");
  for (const p of [low, high]) assert.deepEqual(checkWhole(compiled, p).problems, []);
});

test("empty and thin polytopes: no region, no error; a slice of 10 dimensions of a 784-input net, clipped to the pixel box, against brute force", () => {
  const compiled = prepare(mlp([6, 4, 1], { seed: 2, init: "he" }));
  const emptyPoly = { A: Float64Array.of(1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0), b: Float64Array.of(0, -0.5) };
  assert.equal(wholePartition(compiled, { box: [-1, 1], polytope: emptyPoly }).activationRegions, 0);
  const zeroRow = { A: new Float64Array(6), b: Float64Array.of(-1) };
  assert.equal(wholePartition(compiled, { box: [-1, 1], polytope: zeroRow }).activationRegions, 0);

  // A 10-dimensional slice through 11 sparse, overlapping "images" (40 lit pixels of the first
  // 120 each), t in [0,1]^10, clipped to [0,1]^784: the engine gets the clip's rows that can cut
  // (clipRows), checked against all 1568 at sampled points.
  const net = mlp([784, 6, 4, 1], { seed: 61, init: "he" });
  const big = prepare(net);
  const random = createRandom(62);
  const rand = () => random.next();
  const pts = Array.from({ length: 11 }, () => {
    const p = new Float64Array(784);
    for (let j = 0; j < 40; j++) p[Math.floor(rand() * 120)] = 0.3 + 0.7 * rand();
    return p;
  });
  const k = 10;
  const origin = pts[0];
  const basis = pts.slice(1).map((p) => p.map((v, i) => v - origin[i]));
  const rows: number[] = [];
  const rhs: number[] = [];
  for (let i = 0; i < 784; i++) {
    const g = basis.map((d) => d[i]);
    rows.push(...g);
    rhs.push(1 - origin[i]);
    rows.push(...g.map((v) => -v));
    rhs.push(origin[i]);
  }
  const cut = { A: Float64Array.from(rows), b: Float64Array.from(rhs) };
  const kept = clipRows(origin, basis, 0, 1, false);
  assert.ok(kept.b.length > 10 && kept.b.length < 240, `${kept.b.length} clip rows kept`);
  const domain = slice(origin, basis, 0, 1, { A: kept.A, b: kept.b });
  const w = partition(big, domain) as WholePartition;
  assert.equal(w.kind, "whole");
  assert.equal(w.uncertain, 0);
  assert.deepEqual(checkWhole(big, w).problems, []);
  // The oracle on the network with the slice as its own first layer (built here, not by the engine).
  const folded = prepare({
    inputSize: k,
    layers: [
      { type: "dense", inSize: k, outSize: 784, weight: Float64Array.from({ length: 784 * k }, (_, e) => basis[e % k][Math.floor(e / k)]), bias: origin.slice() },
      ...net.layers,
    ],
  });
  assert.equal(w.activationRegions, bruteForceCount(lp, folded, 0, 1, 1e-7, { A: Float64Array.from(kept.A), b: Float64Array.from(kept.b) }));
  // The rows the clip left out hold wherever the kept ones do (sampled points of the slice's cube).
  for (let s = 0; s < 2000; s++) {
    const t = Float64Array.from({ length: k }, () => rand());
    const value = (A: ArrayLike<number>, j: number) => {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += A[j * k + c] * t[c];
      return acc;
    };
    if (!kept.b.every((bj, j) => value(kept.A, j) <= bj)) continue;
    for (let j = 0; j < cut.b.length; j++) assert.ok(value(cut.A, j) <= cut.b[j] + 1e-12, `sample ${s}: clip row ${j} fails`);
  }
});

test("a polytope containing part of the first layer's common subspace: regions from the common point are those the LPs find", () => {
  const compiled = prepare(mlp([784, 7, 1], { seed: 81, init: "uniform" }));
  const poly = randomPolytope(784, 3, 82, 0, 1);
  const fast = wholePartition(compiled, { box: [0, 1], polytope: poly });
  const slow = wholePartition(compiled, { box: [0, 1], polytope: poly, star: false });
  assert.ok(fast.stats.starRegions > 0, `${fast.stats.starRegions} regions from the common point`);
  assert.equal(slow.stats.starRegions, 0);
  assert.equal(fast.activationRegions, slow.activationRegions);
  assert.equal(fast.linearPieces, slow.linearPieces);
  assert.deepEqual(names(compiled, fast), names(compiled, slow));
  assert.deepEqual(pairs(compiled, fast), pairs(compiled, slow));
  assert.deepEqual(checkWhole(compiled, fast).problems, []);
});

test("polytopes and slices on 2 worker threads: the one-thread partition, array for array", async () => {
  const arrays = (p: WholePartition) => [p.patterns, p.centres, p.radii, p.facetStart, p.facetHyperplane, p.facetNeighbour, p.adjacency, p.pieceOf].map((a) => Array.from(a));
  const compiled = prepare(mlp([784, 4, 4, 2], { seed: 3, init: "he" }));
  const poly = randomPolytope(784, 2, 91, 0, 1);
  const random = createRandom(92);
  // A 9-D slice through the pixel box's centre, y in [-1, 1]^9.
  const origin = new Float64Array(784).fill(0.5);
  const basis = Array.from({ length: 9 }, () => Float64Array.from({ length: 784 }, () => 4 * (random.next() - 0.5)));
  await withPool(2, async (pool) => {
    for (const options of [
      { box: [0, 1] as [number, number], polytope: poly },
      { box: [-1, 1] as [number, number], slice: { origin, basis } },
    ]) {
      const alone = wholePartition(compiled, options);
      const two = await wholePartitionParallel(pool, compiled, { ...options, rangeMin: 4 });
      assert.ok(two.stats.sharedRounds >= 1, `${two.stats.sharedRounds} rounds shared`);
      assert.ok(alone.activationRegions > 8);
      assert.deepEqual(arrays(two), arrays(alone));
    }
  });
});
