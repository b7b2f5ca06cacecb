/**
 * count reports what float64 cannot decide instead of merging it silently: a parallelogram from
 * an awkward corner through vertices of first-layer lines makes a sliver whose edges' exact lines
 * enclose no area, dropped and counted as uncertain (docs/numerics.md, known limits; the plane
 * engine decides its ties exactly since Dec 7, so a 2^60 box of a generic network no longer
 * serves here). The JSON says how many, the table has a row, stderr one line; on a plane whose
 * directions are exact nothing is uncertain and nothing is said.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import type { Network } from "../../src/model/layers.ts";
import { buildNetwork, flatDenseLayer } from "../invariance/networks.ts";
import { scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("count --plane with a dropped sliver: uncertain decisions in the JSON, the table and one stderr line", async () => {
  const file = join(dir, "sliver.json");
  const dense = flatDenseLayer;
  const net: Network = {
    inputSize: 3,
    layers: [
      dense(3, [1, -2, -3, 0, -1, 0, 3, 0, -2, 3, 0, 0], [0, -1, 6, 6]),
      { type: "relu" },
      dense(4, [0, 2, 0, -1, -1, 1, -1, 1], [0, 1]),
      { type: "relu" },
      dense(2, [1, 1], [0]),
    ],
  };
  writeFileSync(file, stringifyNetwork(net));
  const plane = "0.001,0.003,0.001;-2,-1,0;-1,-2,0";
  const far = await tesseraInProcess(["count", file, "--plane", plane, "--json"]);
  assert.equal(far.code, 0, far.stderr);
  const report = JSON.parse(far.stdout);
  assert.equal(report.engine, "plane");
  assert.ok(report.uncertain > 0, `uncertain ${report.uncertain}`);
  assert.match(far.stderr, /^tessera: \d+ decisions were uncertain: the count may be off \(docs\/numerics\.md, known limits\)\n$/);
  const table = await tesseraInProcess(["count", file, "--plane", plane]);
  assert.match(table.stdout, new RegExp(`uncertain decisions\\s+${report.uncertain}\\n`));
  const near = await tesseraInProcess(["count", file, "--plane", "0,0,0;-2,-1,0;-1,-2,0", "--json"]);
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
