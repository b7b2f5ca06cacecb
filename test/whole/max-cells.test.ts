/**
 * The whole-domain engine at the cell limit: at most N regions (the first N it found, with the
 * facets and edges among them), stopped "max-cells"; the CLI prints complete: false and exits 3.
 * (The traversal finds every unknown neighbour of a region it processes, so it knows more
 * regions than it has processed when the limit strikes; it used to return them all.)
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const network = mlp([10, 8, 6, 1], { init: "he", seed: 3 });
const compiled = prepare(network);
const whole = wholePartition(compiled, { box: [-1, 1], points: false });

test("wholePartition with maxCells N: the first N regions of the whole run, facets and edges among them", () => {
  assert.ok(whole.cellCount > 40, `${whole.cellCount} regions`);
  const words = compiled.layout.words;
  for (const N of [1, 2, 7, 30]) {
    const cut = wholePartition(compiled, { box: [-1, 1], points: false, maxCells: N });
    assert.equal(cut.stopped, "max-cells");
    assert.equal(cut.cellCount, N, `maxCells ${N}`);
    assert.equal(cut.activationRegions, N);
    assert.equal(cut.patterns.length, N * words);
    for (let i = 0; i < N; i++) assert.equal(patternString(compiled.layout, cut.patterns, i * words), patternString(compiled.layout, whole.patterns, i * words));
    assert.ok(
      cut.adjacency.every((c) => c < N),
      "adjacency within the regions kept",
    );
    assert.ok(
      cut.facetNeighbour.every((c) => c < N),
      "facets to regions kept",
    );
    assert.equal(cut.facetStart.length, N + 1);
    assert.equal(cut.outputMaps.length, (N * whole.outputMaps.length) / whole.cellCount);
    assert.ok(cut.linearPieces <= N);
  }
  // A limit the run does not reach changes nothing.
  const roomy = wholePartition(compiled, { box: [-1, 1], points: false, maxCells: whole.cellCount });
  assert.equal(roomy.stopped, undefined);
  assert.equal(roomy.cellCount, whole.cellCount);
});

const { dir, cleanup } = scratch();
after(cleanup);

test("count --box (whole engine) --max-cells 5: 5 cells, complete false, exit 3", async () => {
  const file = join(dir, "ten.json");
  writeFileSync(file, stringifyNetwork(network));
  const r = await tesseraInProcess(["count", file, "--box", "-1,1", "--json", "--max-cells", "5"]);
  assert.equal(r.code, 3, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.engine, out.complete, out.stopped, out.cells, out.activationRegions], ["whole", false, "max-cells", 5, 5]);
});
