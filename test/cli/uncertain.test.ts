/**
 * count reports what float64 cannot decide instead of merging it silently. A parallelogram from
 * an awkward corner through vertices of first-layer lines made a sliver whose edges' exact lines
 * enclose no area: until the plane engine's bounds were taken against the exact map (Dec 7,
 * evening: a cut's vertices take in where their exact lines meet), it was dropped and counted as
 * uncertain, with a JSON field, a table row and one stderr line. Now every decision there is exact:
 * the count is the exact oracle's and nothing is said. (A domain polygon's slanted edges still
 * round, test/parallel/engines.test.ts; a --plane parallelogram is the unit square in its own
 * coordinates, so the CLI no longer meets them.)
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import type { Network } from "../../src/model/layers.ts";
import { buildNetwork, flatDenseLayer } from "../invariance/networks.ts";
import { exactParallelogramRegions } from "../oracles/exact-partition.ts";
import { scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("count --plane through the sliver's vertices: the exact oracle's count, nothing uncertain, nothing on stderr", async () => {
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
  for (const corner of [
    [0.001, 0.003, 0.001],
    [0, 0, 0],
  ]) {
    const plane = `${corner.join(",")};-2,-1,0;-1,-2,0`;
    const run = await tesseraInProcess(["count", file, "--plane", plane, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.engine, "plane");
    assert.equal(report.activationRegions, exactParallelogramRegions(net, corner, [-2, -1, 0], [-1, -2, 0]).regions, plane);
    assert.equal(report.uncertain, undefined, plane);
    assert.equal(run.stderr, "", plane);
    const table = await tesseraInProcess(["count", file, "--plane", plane]);
    assert.doesNotMatch(table.stdout, /uncertain/);
  }
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
