/**
 * `tessera map`: the picture holds one filled path per exact cell, the boundary when asked, a real PNG
 * of the stated size, and the same counts as `tessera count`; --check runs the engine self-checks.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { assertOk, scratch, tessera, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);
const folded = join(dir, "m.json");
writeFileSync(folded, stringifyNetwork(montufar(2, [4, 4, 3])));
const three = join(dir, "three.json");
writeFileSync(three, stringifyNetwork(mlp([3, 8, 8, 2], { seed: 4 })));

test("map --box writes an SVG with one filled path per cell; no boundary where the output keeps its sign", async () => {
  // A missing folder is an error (test/io/write-file.test.ts); this one exists.
  mkdirSync(join(dir, "pics"));
  const r = await tessera(["map", "m.json", "--box", "0,1", "--out", "pics/m.svg", "--boundary", "--json"], dir);
  assertOk(r, "map svg");
  const j = JSON.parse(r.stdout);
  assert.equal(j.activationRegions, 112);
  assert.equal(j.cells, 112);
  assert.equal(j.out, "pics/m.svg");
  const svg = readFileSync(join(dir, "pics/m.svg"), "utf8");
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="(\d+)"/);
  assert.match(svg, /<\/svg>\n$/);
  const cells = svg.slice(svg.indexOf('<g class="cells"'), svg.indexOf("</g>"));
  assert.equal(cells.match(/<path /g)?.length, 112);
  // Its output is a sum of relus: never negative, so no sign change and no boundary to draw.
  assert.doesNotMatch(svg, /class="boundary"/);
  assert.ok(svg.includes(`width="${j.width}" height="${j.height}"`));
});

test("map --out FILE.png writes a PNG of the SVG's size; --boundary draws the sign changes", async () => {
  const out = join(dir, "m.png");
  const r = await tesseraInProcess(["map", folded, "--box", "0,1", "--out", out, "--size", "300"]);
  assertOk(r, "map png");
  assert.match(r.stdout, /^wrote .*m\.png \((\d+)x(\d+) px\): 112 cells, 112 activation regions, \d+ linear pieces \(plane engine [\d.]+ s\)\n$/);
  const [, w, h] = /\((\d+)x(\d+) px\)/.exec(r.stdout) as RegExpExecArray;
  const png = readFileSync(out);
  assert.equal(png.toString("latin1", 1, 4), "PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [Number(w), Number(h)]);
  // f = relu(x) - relu(y) - 0.25 changes sign along two segments in [-1,1]^2: x = y + 0.25 for
  // x, y > 0 and x = 0.25 for y < 0 (for x < 0, f <= -0.25); without --boundary nothing is drawn.
  const mixed = join(dir, "mixed.json");
  const doc = {
    format: "tessera.network",
    version: 1,
    inputShape: [2],
    layers: [
      {
        type: "dense",
        weight: [
          [1, 0],
          [0, 1],
        ],
        bias: [0, 0],
      },
      { type: "relu" },
      { type: "dense", weight: [[1, -1]], bias: [-0.25] },
    ],
  };
  writeFileSync(mixed, JSON.stringify(doc));
  const withBoundary = join(dir, "mixed.svg");
  const plain = join(dir, "plain.svg");
  assertOk(await tesseraInProcess(["map", mixed, "--box", "-1,1", "--out", withBoundary, "--boundary", "--size", "200"]), "map boundary");
  assertOk(await tesseraInProcess(["map", mixed, "--box", "-1,1", "--out", plain, "--size", "200"]), "map plain");
  const d = /<path class="boundary" d="([^"]+)"/.exec(readFileSync(withBoundary, "utf8"))?.[1] ?? "";
  // In pixels (100 per unit, the square's corner (-1, 1) at (64, 12)): (0.25,-1)-(0.25,0) and
  // (0.25,0)-(1,0.75), each segment with its ends in either order.
  const segments = [...d.matchAll(/M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)/g)].map((m) => {
    const a = `${m[1]},${m[2]}`;
    const b = `${m[3]},${m[4]}`;
    return a < b ? `${a} ${b}` : `${b} ${a}`;
  });
  assert.deepEqual(segments.sort(), ["189,112 189,212", "189,112 264,37"]);
  assert.doesNotMatch(readFileSync(plain, "utf8"), /class="boundary"/);
});

test("map --plane on a 3-input model agrees with count --plane", async () => {
  const plane = "-1,-1,0.5;1,-1,0.5;-1,1,0";
  const out = join(dir, "slice.svg");
  const m = JSON.parse((await tesseraInProcess(["map", three, "--plane", plane, "--out", out, "--boundary", "--json"])).stdout);
  const c = JSON.parse((await tesseraInProcess(["count", three, "--plane", plane, "--json"])).stdout);
  assert.deepEqual([m.cells, m.activationRegions, m.linearPieces], [c.cells, c.activationRegions, c.linearPieces]);
  assert.ok(m.cells > 1);
  const svg = readFileSync(out, "utf8");
  assert.match(svg, />s \(toward P2\)<\/text>/);
});

test("--check runs the engines' self-checks and reports them", async () => {
  const c = await tesseraInProcess(["count", folded, "--box", "0,1", "--check"]);
  assertOk(c, "count --check");
  assert.match(c.stdout, /self-checks\s+passed/);
  const j = JSON.parse((await tesseraInProcess(["count", three, "--line", "0,0,0;1,1,1;1,-1,0", "--check", "--json"])).stdout);
  assert.deepEqual(j.check.problems, []);
  const m = await tesseraInProcess(["map", three, "--plane", "0,0,0;1,0,0;0,1,0", "--out", join(dir, "c.svg"), "--check"]);
  assertOk(m, "map --check");
  assert.match(m.stdout, /self-checks: passed/);
});
