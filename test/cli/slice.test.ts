import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { sliceThroughPoints, spacePartition } from "../../src/regions/space.ts";
import { tessera } from "./cli-harness.ts";

test("count --slice: a 3-dimensional slice of a 5-input model, as the space engine counts it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-slice-"));
  const network = mlp([5, 10, 10, 1], { seed: 9 });
  writeFileSync(join(dir, "m.json"), stringifyNetwork(network));
  const points = [
    [0, 0, 0, 0, 0],
    [1, 0.5, 0, 0, 0],
    [0, 1, 0, 0.5, 0],
    [0, 0, 1, 0, 1],
  ];
  const expected = spacePartition(prepare(network), sliceThroughPoints(points.map((p) => Float64Array.from(p))));
  const run = await tessera(["count", "m.json", "--slice", points.map((p) => p.join(",")).join(";"), "--json"], dir);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.engine, "space");
  assert.equal(report.activationRegions, expected.activationRegions);
  assert.deepEqual(report.domain, { kind: "slice", points });
  // Affinely dependent points: one line, exit 1.
  const bad = await tessera(["count", "m.json", "--slice", "0,0,0,0,0;1,0,0,0,0;2,0,0,0,0;0,0,1,0,0"], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^tessera: --slice: the 4 points are affinely dependent/);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
});

test("count --box on a 3-input model reports vertices, edges and facets satisfying Euler's relation", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-space-"));
  writeFileSync(join(dir, "m3.json"), stringifyNetwork(mlp([3, 8, 8, 1], { seed: 2 })));
  const run = await tessera(["count", "m3.json", "--box", "-1,1", "--json"], dir);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.equal(r.engine, "space");
  // A subdivided cube: V - E + F - C = 1.
  assert.equal(r.vertices - r.edges + r.facets - r.activationRegions, 1);
});
