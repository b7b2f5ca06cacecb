/**
 * count reports what float64 cannot decide instead of merging it silently: a generic 2-5-4-3-1
 * network in a box 2^60 times larger than its features has deep-layer ties the plane engine
 * cannot settle exactly (docs/numerics.md, known limits). The JSON says how many, the table has a
 * row, stderr one line; in a box of the features' size nothing is uncertain and nothing is said.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { buildNetwork } from "../invariance/networks.ts";
import { scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("count --box far beyond the features: uncertain decisions in the JSON, the table and one stderr line", async () => {
  const file = join(dir, "generic.json");
  writeFileSync(file, stringifyNetwork(buildNetwork({ widths: [5, 4, 3], seed: 186, degeneracy: "none", activation: "relu" }, 2)));
  const B = String(2 ** 60);
  const far = await tesseraInProcess(["count", file, "--box", `-${B},${B}`, "--json"]);
  assert.equal(far.code, 0, far.stderr);
  const report = JSON.parse(far.stdout);
  assert.equal(report.engine, "plane");
  assert.ok(report.uncertain > 0, `uncertain ${report.uncertain}`);
  assert.match(far.stderr, /^tessera: \d+ decisions were uncertain: the count may be off \(docs\/numerics\.md, known limits\)\n$/);
  const table = await tesseraInProcess(["count", file, "--box", `-${B},${B}`]);
  assert.match(table.stdout, new RegExp(`uncertain decisions\\s+${report.uncertain}\\n`));
  const near = await tesseraInProcess(["count", file, "--box", "-1,1", "--json"]);
  assert.equal(near.code, 0, near.stderr);
  assert.equal(JSON.parse(near.stdout).uncertain, undefined);
  assert.equal(near.stderr, "");
});

test("count --box on the space engine: the complex counts, or a row and a JSON field saying why they are withheld", async () => {
  const file = join(dir, "integer3.json");
  writeFileSync(file, stringifyNetwork(buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "integer", activation: "relu" }, 3)));
  const near = JSON.parse((await tesseraInProcess(["count", file, "--box", "-1,1", "--json"])).stdout);
  assert.equal(near.engine, "space");
  assert.ok(near.vertices > 0 && near.complexWithheld === undefined, JSON.stringify(near));
  // In a box of 1e20 the integer network's hyperplanes pass within rounding of vertices; the
  // vertices are decided exactly there (docs/space.md), so the counts are given.
  const far = JSON.parse((await tesseraInProcess(["count", file, "--box", "-1e20,1e20", "--json"])).stdout);
  assert.ok(far.vertices > 0 && far.complexWithheld === undefined, JSON.stringify(far));
  // A max step's vertices are still matched across cells on a grid: far smaller cells withhold.
  const maxout = join(dir, "maxout3.json");
  writeFileSync(maxout, stringifyNetwork(mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } })));
  const report = JSON.parse((await tesseraInProcess(["count", maxout, "--box", "-1e12,1e12", "--json"])).stdout);
  assert.equal(report.vertices, undefined);
  assert.match(report.complexWithheld, /cells far smaller than the domain/);
  const table = await tesseraInProcess(["count", maxout, "--box", "-1e12,1e12"]);
  assert.match(table.stdout, /vertices, edges, facets\s+withheld: cells far smaller than the domain/);
});
