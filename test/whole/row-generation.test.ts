/**
 * Row generation in the whole engine's LPs (box-lp.ts solveLazy): a polytope domain of 48 rows or
 * more enters each LP only through the rows its answers violate. Oracles: the same LP with every
 * row (bounds, multipliers valid for all rows), the engine with every row in every LP
 * (`rowGeneration: false`: regions, facets, adjacency and pieces array for array), the space
 * engine, and the zonotope form of a turned frame (no rows at all).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { zonotope } from "../../src/domain/domain.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import type { SpacePartition, WholePartition } from "../../src/regions/partition.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { BoxLp, LAZY_MIN_ROWS } from "../../src/regions/whole/box-lp.ts";
import { wholePartition } from "../../src/regions/whole.ts";

const SAME = ["patterns", "facetStart", "facetHyperplane", "facetNeighbour", "adjacency", "pieceOf"] as const;

function names(compiled: Compiled, p: SpacePartition | WholePartition): string[] {
  const words = p.layout.words;
  return Array.from({ length: p.cellCount }, (_, i) => patternString(compiled.layout, p.patterns, i * words)).sort();
}

/** m rows a . x <= b around the origin: random unit normals, offsets in [0.3, 0.5] (most rows are faces). */
function roundPolytope(n: number, m: number, seed: number): { A: Float64Array; b: Float64Array } {
  const random = createRandom(seed);
  const A = new Float64Array(m * n);
  const b = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const a = Float64Array.from({ length: n }, () => random.normal());
    const norm = Math.hypot(...a);
    for (let d = 0; d < n; d++) A[j * n + d] = a[d] / norm;
    b[j] = 0.3 + 0.2 * random.next();
  }
  return { A, b };
}

test("one LP: the bounds with rows generated are those of every row, and its multipliers hold over every row", () => {
  const n = 6;
  const K = 70;
  const poly = roundPolytope(n, K, 1);
  const Q = new Float64Array(n * n);
  for (let d = 0; d < n; d++) Q[d * n + d] = 1;
  const nu = new Float64Array(K).fill(1);
  const eq = new Uint8Array(K);
  const space = { n0: n, r: n, Q, lo: -1, hi: 1, domain: { count: K } };
  const lazy = new BoxLp(space);
  const full = new BoxLp({ ...space, lazyDomainRows: false });
  const a = lazy.solve(K, poly.A, nu, poly.b, eq, -3, 3);
  const lower = a.lower;
  const y = Float64Array.from(lazy.multipliers());
  const b = full.solve(K, poly.A, nu, poly.b, eq, -3, 3);
  assert.ok(K >= LAZY_MIN_ROWS);
  assert.ok(lazy.rowRounds > 0 && lazy.rowsAdded < K, `rows added ${lazy.rowsAdded} in ${lazy.rowRounds} rounds`);
  assert.equal(full.rowRounds, 0);
  assert.equal(a.status, "optimal");
  assert.ok(Math.abs(lower - b.lower) < 1e-9 && Math.abs(a.upper - b.upper) < 1e-9, `${lower} ${a.upper} against ${b.lower} ${b.upper}`);
  assert.ok(lower <= a.upper && a.upper - lower < 1e-9);
  assert.equal(y.length, K);
  assert.ok(full.lagrangian(K, poly.A, nu, poly.b, eq, -3, 3, y) <= a.upper + 1e-12);
});

test("a 5-D polytope of 50 rows: the partition with rows generated is the one with every row, and the space engine's", () => {
  const compiled = prepare(mlp([5, 6, 4, 1], { seed: 2, init: "he" }));
  const poly = roundPolytope(5, 50, 3);
  const on = wholePartition(compiled, { box: [-1, 1], polytope: poly });
  const off = wholePartition(compiled, { box: [-1, 1], polytope: poly, rowGeneration: false });
  for (const key of SAME) assert.deepEqual(on[key], off[key], key);
  assert.equal(on.uncertain, 0);
  assert.ok(on.activationRegions > 20, `${on.activationRegions} regions`);
  assert.deepEqual(names(compiled, on), names(compiled, spacePartition(compiled, { box: [-1, 1], polytope: poly })));
});

test("a turned 30-D frame as 60 rows: rows generated, every row, and the frame as a zonotope give one partition", () => {
  const n = 30;
  const compiled = prepare(mlp([n, 5, 3, 1], { seed: 4, init: "he" }));
  const random = createRandom(5);
  const R: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from({ length: n }, () => random.normal());
    for (let pass = 0; pass < 2; pass++)
      for (const q of R) {
        let d = 0;
        for (let j = 0; j < n; j++) d += q[j] * v[j];
        for (let j = 0; j < n; j++) v[j] -= d * q[j];
      }
    const norm = Math.hypot(...v);
    R.push(v.map((x) => x / norm));
  }
  const A = new Float64Array(2 * n * n);
  R.forEach((row, i) => {
    A.set(row, i * n);
    A.set(
      row.map((x) => -x),
      (n + i) * n,
    );
  });
  const polytope = { A, b: new Float64Array(2 * n).fill(1) };
  const on = wholePartition(compiled, { box: [-6, 6], polytope });
  const off = wholePartition(compiled, { box: [-6, 6], polytope, rowGeneration: false });
  for (const key of SAME) assert.deepEqual(on[key], off[key], key);
  const z = partition(compiled, zonotope(new Float64Array(n), R)) as WholePartition;
  assert.deepEqual(names(compiled, on), names(compiled, z));
  assert.equal(on.linearPieces, z.linearPieces);
  assert.ok(on.activationRegions > 8, `${on.activationRegions} regions`);
});
