/**
 * `count` on cut domains (cli/domain-cuts.ts): --polytope FILE with --box (input space) and with
 * --slice (slice coordinates), --slice through data rows (#I of --data), --simplex and --clip;
 * the counts are the library's for the same domain (regions/whole-domain.ts, tested against
 * oracles in test/whole/domains.test.ts), and bad input gets one line.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { clipRows } from "../../src/cli/domain-cuts.ts";
import { polytope, slice, sliceThrough } from "../../src/domain/domain.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { assertUserError, scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

const network = mlp([12, 6, 5, 1], { seed: 71, init: "he" });
const compiled = prepare(network);
const model = join(dir, "m12.json");
writeFileSync(model, stringifyNetwork(network));
const random = createRandom(72);
const rows = Array.from({ length: 14 }, () => Array.from({ length: 12 }, () => Math.round(random.next() * 1000) / 1000));
const data = join(dir, "rows.csv");
writeFileSync(data, `${rows.map((r) => r.join(",")).join("\n")}\n`);

test("count --box --polytope FILE: the whole engine's count of the cut box, as the library's", async () => {
  const A = [Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1 : -0.5)), Array.from({ length: 12 }, (_, i) => (i < 6 ? -1 : 0.25))];
  const b = [0.5, 0.3];
  const file = join(dir, "cut.json");
  writeFileSync(file, JSON.stringify({ A, b }));
  const run = await tesseraInProcess(["count", model, "--box", "-1,1", "--polytope", file, "--json", "--check", "--workers", "1"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const expected = partition(compiled, polytope(A.flat(), b, 12, [-1, 1]));
  assert.equal(report.engine, "whole");
  assert.equal(report.activationRegions, expected.activationRegions);
  assert.deepEqual(report.domain, { kind: "polytope", lo: -1, hi: 1, inequalities: 2 });
  assert.deepEqual(report.check.problems, []);
});

test("count --slice through 11 data rows (k = 10, whole engine), as a simplex inside the box; --polytope in slice coordinates", async () => {
  const refs = "#0;#1;#2;#3;#4;#5;#6;#7;#8;#9;#10";
  const cells = join(dir, "slice-cells.csv");
  const run = await tesseraInProcess(["count", model, "--slice", refs, "--data", data, "--simplex", "--clip", "0,1", "--json", "--workers", "1", "--cells", cells, "--check"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const points = rows.slice(0, 11).map((r) => Float64Array.from(r));
  const base = sliceThrough(points);
  const clip = clipRows(base.origin, base.basis, 0, 1, true);
  const expected = partition(compiled, slice(base.origin, base.basis, 0, 1, { A: [...new Array(10).fill(1), ...clip.A], b: [1, ...clip.b] }));
  assert.equal(report.engine, "whole");
  assert.equal(report.activationRegions, expected.activationRegions);
  assert.ok(report.activationRegions > 1);
  assert.equal(report.domain.rows, refs);
  assert.deepEqual(report.check.problems, []);
  // The cells' points are in input space (12 columns), each reproducing its pattern.
  const lines = readFileSync(cells, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  assert.equal(lines.length - 1, report.activationRegions);
  assert.ok(header.includes("x11") && !header.includes("x12"), header.join(","));
  const x0 = header.indexOf("x0");
  for (const line of lines.slice(1, 20)) {
    const fields = line.split(",");
    const x = fields.slice(x0, x0 + 12).map(Number);
    assert.equal(patternString(compiled.layout, forward(compiled, x).pattern, 0), fields[header.indexOf("pattern")]);
  }
  // The simplex of points of the box lies in the box: the clip adds no row.
  assert.equal(report.domain.cut.inequalities, 1);
  // A 3-D slice cut by a file in slice coordinates (space engine) and forced to the whole engine: one count.
  const file = join(dir, "slice-cut.json");
  writeFileSync(file, JSON.stringify({ A: [[1, 1, -1]], b: [0.8] }));
  const counts: number[] = [];
  for (const engine of ["space", "whole"]) {
    const r = await tesseraInProcess(["count", model, "--slice", "#3;#4;#5;#6", "--data", data, "--polytope", file, "--engine", engine, "--json", "--workers", "1"]);
    assert.equal(r.code, 0, r.stderr);
    counts.push(JSON.parse(r.stdout).activationRegions);
  }
  assert.equal(counts[0], counts[1]);
});

test("count with cut domains: bad input gets one line", async () => {
  const wrong = join(dir, "wrong.json");
  writeFileSync(wrong, JSON.stringify({ A: [[1, 2, 3]], b: [1] }));
  const broken = join(dir, "broken.json");
  writeFileSync(broken, "{ A: ");
  const cases: [string[], RegExp][] = [
    [["--box", "0,1", "--polytope", wrong], /row 1 of A has 3 numbers, expected 12/],
    [["--box", "0,1", "--polytope", broken], /not valid JSON/],
    [["--box", "0,1", "--clip", "0,1"], /--clip and --simplex cut a --slice/],
    [["--slice", "#0;#1;#2;#3"], /give --data/],
    [["--slice", "#0;#1;#99;#3", "--data", data], /row 99 of .* which has 14 rows/],
    [["--line", "0,0,0,0,0,0,0,0,0,0,0,0;1,1,1,1,1,1,1,1,1,1,1,1", "--simplex"], /cut a --box or a --slice/],
  ];
  for (const [args, pattern] of cases) assertUserError(await tesseraInProcess(["count", model, ...args]), pattern, args.join(" "));
});
