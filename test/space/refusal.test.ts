/**
 * Issue 12, item 1: a box the space engine cannot hold is refused before any work, never
 * answered. A 64-input box used to give "1 region" in 13 ms: `1 << 64` is 1 in JavaScript, so the
 * domain became a polytope with a single vertex that no hyperplane could split.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { PolytopeArena } from "../../src/regions/space/polytope.ts";
import { RowStore } from "../../src/regions/space/row-store.ts";
import { identitySlice, SPACE_MAX_DIM, SpaceDimensionError, spacePartition } from "../../src/regions/space.ts";
import { scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("boxes of more dimensions than the engine serves are refused, whatever their size mod 32", () => {
  for (const [n0, widths] of [
    [64, [8, 8]],
    [3072, [6, 6]],
    [32, [4]],
    [33, [4]],
    [SPACE_MAX_DIM + 1, [4]],
  ] as const) {
    const compiled = prepare(mlp([n0, ...widths, 1], { seed: 1 }));
    assert.throws(() => spacePartition(compiled, { box: [0, 1] }), SpaceDimensionError, `n0 = ${n0}`);
  }
  // A slice of few dimensions through a high-dimensional input space is served.
  const compiled = prepare(mlp([64, 8, 8, 1], { seed: 1 }));
  const slice = identitySlice(64);
  slice.basis = slice.basis.slice(0, 3);
  assert.ok(spacePartition(compiled, { box: [0, 1], slice }).activationRegions > 1);
});

test("a polytope arena refuses a box whose corners do not fit 32-bit indices", () => {
  for (const k of [31, 32, 64]) {
    const arena = new PolytopeArena(k);
    assert.throws(() => arena.addBox(new Float64Array(k), new Float64Array(k).fill(1), new RowStore(k)), RangeError);
  }
});

test("count --box --engine space on a 64-input model: one line naming what works instead, exit 1", async () => {
  // Without --engine the whole-domain engine takes such boxes (docs/whole.md).
  const path = join(dir, "m64.json");
  writeFileSync(path, stringifyNetwork(mlp([64, 8, 8, 1], { seed: 1 })));
  const r = await tesseraInProcess(["count", path, "--box", "0,1", "--engine", "space"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /64/);
  assert.match(r.stderr, /--line/);
  assert.match(r.stderr, /--plane/);
  assert.match(r.stderr, /stats/);
});
