/**
 * Issue 12, item 2: the space engine's count must not depend on the size of the box once the box
 * holds every vertex. A 3-8-8-1 net gave 887 regions at B = 1e6, 868 at 1e8, 752 at 1e9, 355 at
 * 1e10 and 265 at 1e12 (`count --box -B,B`), and `--check` passed: the sign tolerance was
 * 1e-10 times the domain's radius, so at 1e12 a vertex within 100 of a hyperplane was on it, and
 * vertices interpolated between far corners carried errors of 2^-53 R. Now every tolerance is
 * relative to the vertex and the hyperplane (docs/space.md), and `--check` probes near vertices.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { box } from "../../src/domain/domain.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { checkPartition } from "../../src/regions/check.ts";
import { spacePartition } from "../../src/regions/space.ts";

test("a 3-8-8-1 net has the same regions in every box from 1e3 to 1e300, and passes the self-checks", () => {
  const compiled = prepare(mlp([3, 8, 8, 1], { seed: 1 }));
  const reference = spacePartition(compiled, { box: [-1e3, 1e3], complex: false });
  assert.ok(reference.activationRegions > 500, `${reference.activationRegions}`);
  for (const B of [1e6, 1e8, 1e9, 1e10, 1e12, 1e20, 1e100, 1e300]) {
    const part = spacePartition(compiled, { box: [-B, B], complex: false });
    assert.equal(part.activationRegions, reference.activationRegions, `B = ${B}`);
    assert.equal(part.linearPieces, reference.linearPieces, `B = ${B}`);
    if (B === 1e12 || B === 1e300) assert.deepEqual(checkPartition(compiled, part).problems, [], `B = ${B}`);
  }
});

test("--check finds regions an engine merged (a tolerance far too wide), near the vertices of large cells", () => {
  const compiled = prepare(mlp([3, 8, 8, 1], { seed: 1 }));
  // eps = 1e-3: a vertex within a thousandth of the terms of a hyperplane lies on it, so thin
  // regions join their neighbours; their centres still reproduce the cells' patterns.
  const part = spacePartition(compiled, { box: [-1e3, 1e3], complex: false, eps: 1e-3 });
  const exact = spacePartition(compiled, { box: [-1e3, 1e3], complex: false });
  assert.ok(part.activationRegions < exact.activationRegions);
  const problems = checkPartition(compiled, part).problems;
  assert.ok(
    problems.some((p) => p.includes("near its vertex")),
    problems.join("\n"),
  );
});

test("a maxout network's complex is withheld (-1) when its vertex grid is too coarse for the cells", () => {
  // Max steps name their vertices on a grid of 1e-7 of the domain's radius (space/complex.ts).
  const compiled = prepare(mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } }));
  const small = spacePartition(compiled, { box: [-1e3, 1e3] });
  assert.ok(small.vertexCount > 0 && small.complexWithheld === undefined);
  const large = spacePartition(compiled, { box: [-1e12, 1e12] });
  assert.equal(large.activationRegions, small.activationRegions);
  assert.deepEqual([large.vertexCount, large.edgeCount, large.facetCount], [-1, -1, -1]);
  assert.match(large.complexWithheld ?? "", /grid of 1e-7/);
});

test("first-layer hyperplanes are decided exactly at any scale (parallel planes 0.3 apart in a box of 2^300)", () => {
  // hard-tanh(W x + b) with integer weights: each unit gives two parallel planes (z = -1, z = 1)
  // whose vertices all lie on the box's faces; far out, rounding bounds cannot separate them, the
  // exact stage does.
  const compiled = prepare({
    inputSize: 3,
    layers: [
      { type: "dense", inSize: 3, outSize: 2, weight: Float64Array.of(2, 2, 3, 2, -2, 3), bias: Float64Array.of(-2, 2) },
      { type: "hard-tanh", lo: -1, hi: 1 },
      { type: "dense", inSize: 2, outSize: 1, weight: Float64Array.of(-3, -3), bias: Float64Array.of(3) },
    ],
  });
  for (const e of [10, 41, 50, 300, 1000]) {
    const B = 2 ** e;
    assert.equal(spacePartition(compiled, { box: [-B, B], complex: false }).activationRegions, 9, `box 2^${e}`);
  }
});

test("--check counts the complex again with every edge and facet enumerated, and names a derived count that differs", () => {
  const compiled = prepare(mlp([3, 8, 8, 1], { seed: 1 }));
  const domain = box(-1, 1, 3);
  const part = spacePartition(compiled, { box: [-1, 1] });
  assert.ok(part.edgeCount > 0 && part.facetCount > 0);
  assert.deepEqual(checkPartition(compiled, part, domain).problems, []);
  // A count whose Euler-derived edges were off by one (what a cell complex that is not face to
  // face would give) fails the check, with the counts side by side.
  const problems = checkPartition(compiled, { ...part, edgeCount: part.edgeCount + 1 }, domain).problems;
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], /enumerated differs: cells, vertices, edges, facets .* against /);
});
