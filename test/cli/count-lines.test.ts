/**
 * `tessera count MODEL --lines FILE`: each segment counted on its own, checked against one
 * `--line` run per segment (and a one-hidden-layer oracle: 1 + units whose zero lies strictly
 * inside the segment); bad lines give one error naming the line.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { dense, relu } from "../../src/model/layers.ts";
import { assertOk, assertUserError, scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test("count --lines: per-segment counts equal --line on each segment, with their sum", async () => {
  const model = write("deep.json", stringifyNetwork(mlp([2, 16, 16, 16, 1], { init: "zero-bias", seed: 4 })));
  const segments = ["-1,-1;1,1", "0,0;0.5,-0.75", "# a comment", "", "  -0.3,0.9 ; 0.8,-0.2  ", "1e-3,0;-1,0"];
  const file = write("segments.txt", `${segments.join("\n")}\n`);
  const r = await tesseraInProcess(["count", model, "--lines", file, "--json"]);
  assertOk(r, "count --lines");
  const report = JSON.parse(r.stdout);
  assert.equal(report.segments, 4);
  assert.equal(report.complete, true);
  assert.ok(report.seconds >= 0);
  const expected: number[] = [];
  for (const line of segments.filter((s) => s.trim() !== "" && !s.startsWith("#"))) {
    const one = await tesseraInProcess(["count", model, "--line", line.replaceAll(" ", ""), "--json"]);
    assertOk(one, `count --line ${line}`);
    expected.push(JSON.parse(one.stdout).activationRegions);
  }
  assert.deepEqual(report.perSegment, expected);
  assert.equal(
    report.activationRegions,
    expected.reduce((a, b) => a + b, 0),
  );
});

test("count --lines: one hidden layer gives 1 + the units whose zero lies inside each segment", async () => {
  // Units x0 = c for c in {-0.5, 0, 0.5} and x1 = 0.25.
  const net = {
    inputSize: 2,
    layers: [
      dense(
        [
          [1, 0],
          [1, 0],
          [1, 0],
          [0, 1],
        ],
        [0.5, 0, -0.5, -0.25],
      ),
      relu(),
      dense([[1, -1, 1, 1]], [0]),
    ],
  };
  const model = write("one.json", stringifyNetwork(net));
  const file = write("one.txt", "-1,0;1,0\n-1,0.5;1,0.5\n0.1,-1;0.2,1\n0.6,0;0.9,0\n");
  const r = await tesseraInProcess(["count", model, "--lines", file, "--json"]);
  assertOk(r, "count --lines one layer");
  assert.deepEqual(JSON.parse(r.stdout).perSegment, [4, 4, 2, 1]);
  const human = await tesseraInProcess(["count", model, "--lines", file]);
  assertOk(human, "count --lines human");
  assert.match(human.stdout, /activation regions\s+11 in all, 2\.75 per segment/);
});

test("count --lines: bad lines name the file and line; --lines excludes the other domains", async () => {
  const model = write("small.json", stringifyNetwork(mlp([2, 4, 1], { seed: 2 })));
  const cases: [string, RegExp][] = [
    ["0,0;1,1\n0,0;1\n", /bad1\.txt:2: point 2 has 1 coordinates/],
    ["0,0;1,1\n\n0,0;x,1\n", /bad2\.txt:3: expected "A;B", two points of 2 comma-separated numbers, got "0,0;x,1"/],
    ["0,0;1,1;2,2\n", /bad3\.txt:1: expected 2 points/],
    ["0.5,0.5;0.5,0.5\n", /bad4\.txt:1: the two ends are the same point/],
    ["# nothing\n\n", /bad5\.txt: no segments/],
  ];
  for (const [i, [text, pattern]] of cases.entries()) {
    const file = write(`bad${i + 1}.txt`, text);
    assertUserError(await tesseraInProcess(["count", model, "--lines", file]), pattern, `case ${i + 1}`);
  }
  assertUserError(await tesseraInProcess(["count", model, "--lines", join(dir, "missing.txt")]), /missing\.txt: cannot read/, "missing file");
  assertUserError(await tesseraInProcess(["count", model, "--lines", write("ok.txt", "0,0;1,1\n"), "--box", "-1,1"]), /only one of --lines and --box/, "two domains");
});
