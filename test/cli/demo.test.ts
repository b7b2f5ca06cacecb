/**
 * `tessera demo` (what `npm start` runs): finishes, prints the counts of the default network (the
 * same as `count` gives for it), checks the engines against Montufar's theorem and writes the
 * pictures it names.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { DEFAULT_WIDTHS } from "../../src/cli/commands/demo.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { assertOk, scratch, tessera, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("demo prints the default network's exact counts and writes the pictures", async () => {
  const r = await tessera(["demo", "--out", "pics"], dir);
  assertOk(r, "demo");
  assert.match(r.stdout, /Montufar 2-4-4-3 in \[0,1\]\^2\s+112 activation regions \(theory: exactly 112\)/);
  const line = /along the diagonal \(-1,-1\) -> \(1,1\)\s+(\d+) activation regions, (\d+) linear pieces/.exec(r.stdout);
  const square = /in the square \[-1,1\]\^2\s+(\d+) activation regions, (\d+) linear pieces/.exec(r.stdout);
  assert.ok(line && square, r.stdout);
  assert.match(r.stdout, /pictures\s+pics\/demo\.png, pics\/demo\.svg/);
  // The same network through `count` gives the same numbers.
  const model = join(dir, "default.json");
  writeFileSync(model, stringifyNetwork(mlp([...DEFAULT_WIDTHS], { init: "uniform", seed: 0 })));
  const c = JSON.parse((await tesseraInProcess(["count", model, "--box", "-1,1", "--json"])).stdout);
  const l = JSON.parse((await tesseraInProcess(["count", model, "--line", "-1,-1;1,1", "--json"])).stdout);
  assert.deepEqual([Number(square[1]), Number(square[2])], [c.activationRegions, c.linearPieces]);
  assert.deepEqual([Number(line[1]), Number(line[2])], [l.activationRegions, l.linearPieces]);
  const png = readFileSync(join(dir, "pics/demo.png"));
  assert.equal(png.toString("latin1", 1, 4), "PNG");
  const svg = readFileSync(join(dir, "pics/demo.svg"), "utf8");
  assert.equal(svg.slice(svg.indexOf('<g class="cells"'), svg.indexOf("</g>")).match(/<path /g)?.length, c.cells);
});

test("demo --model analyses another model: a plane of a 3-input one, only a line for 1 input", async () => {
  const m3 = join(dir, "m3.json");
  const m1 = join(dir, "m1.json");
  writeFileSync(m3, stringifyNetwork(mlp([3, 6, 1], { seed: 2 })));
  writeFileSync(m1, stringifyNetwork(mlp([1, 6, 1], { seed: 2 })));
  const a = JSON.parse((await tesseraInProcess(["demo", "--model", m3, "--out", join(dir, "a"), "--json"])).stdout);
  assert.equal(a.plane.engine, "plane");
  assert.deepEqual(a.plane.domain.points, [
    [-1, -1, 0],
    [1, -1, 0],
    [-1, 1, 0],
  ]);
  assert.equal(a.pictures.length, 2);
  assert.equal(a.montufar.activationRegions, 112);
  const b = await tesseraInProcess(["demo", "--model", m1, "--out", join(dir, "b")]);
  assertOk(b, "demo 1-input");
  assert.match(b.stdout, /along the diagonal -1 -> 1\s+\d+ activation regions/);
  assert.match(b.stdout, /pictures\s+none \(a 1-input model has no plane to draw\)/);
});
