/**
 * `count` with a slice given as origin and directions (cli/domain-slice.ts): --slice-origin,
 * --slice-directions, --slice-range, --slice-file, "#I" vectors as rows of --data; the counts are
 * the library's for the same `slice(origin, basis, lo, hi)`, with the cuts of domain-cuts.ts; bad
 * combinations get one line.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { clipRows } from "../../src/cli/domain-cuts.ts";
import { slice } from "../../src/domain/domain.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { assertUserError, scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

const n = 12;
const network = mlp([n, 6, 5, 1], { seed: 81, init: "he" });
const compiled = prepare(network);
const model = join(dir, "m12.json");
writeFileSync(model, stringifyNetwork(network));
const random = createRandom(82);
const vector = () => Array.from({ length: n }, () => Math.round((random.next() - 0.5) * 1000) / 1000);
const rows = Array.from({ length: 12 }, vector);
const data = join(dir, "rows.csv");
writeFileSync(data, `${rows.map((r) => r.join(",")).join("\n")}\n`);
const text = (v: number[]) => v.join(",");

async function count(args: string[]): Promise<{ engine: string; activationRegions: number; linearPieces: number; domain: Record<string, unknown> }> {
  const run = await tesseraInProcess(["count", model, ...args, "--json", "--workers", "1"]);
  assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test("--slice-origin and --slice-directions: the library's slice(origin, basis, lo, hi), for k = 1, 2, 3 and 10", async () => {
  const origin = rows[0];
  for (const [k, range, engine] of [
    [1, [-1, 1], "line"],
    [2, [0, 1], "plane"],
    [3, [-0.5, 2], "space"],
    [10, [0, 1], "whole"],
  ] as const) {
    const basis = rows.slice(1, 1 + k);
    const args = ["--slice-origin", text(origin), "--slice-directions", basis.map(text).join(";"), ...(range[0] !== 0 || range[1] !== 1 ? ["--slice-range", range.join(",")] : [])];
    const report = await count(args);
    const expected = partition(compiled, slice(origin, basis, range[0], range[1]));
    assert.equal(report.engine, engine);
    assert.deepEqual([report.activationRegions, report.linearPieces], [expected.activationRegions, expected.linearPieces], `k = ${k}`);
    assert.ok(report.activationRegions > 1);
    assert.deepEqual([report.domain.k, report.domain.lo, report.domain.hi], [k, range[0], range[1]]);
  }
});

test("--slice-file and #I rows of --data give the same slice; cuts apply in slice coordinates", async () => {
  const basis = rows.slice(1, 5);
  const file = join(dir, "slice.json");
  writeFileSync(file, JSON.stringify({ origin: rows[0], basis, lo: -1, hi: 1 }));
  const cut = join(dir, "cut.json");
  writeFileSync(cut, JSON.stringify({ A: [[1, -1, 0.5, 0]], b: [0.3] }));
  const byFile = await count(["--slice-file", file, "--polytope", cut, "--clip", "-0.4,0.4"]);
  const byRows = await count(["--slice-origin", "#0", "--slice-directions", "#1;#2;#3;#4", "--data", data, "--slice-range", "-1,1", "--polytope", cut, "--clip", "-0.4,0.4"]);
  const clip = clipRows(
    Float64Array.from(rows[0]),
    basis.map((d) => Float64Array.from(d)),
    -0.4,
    0.4,
    false,
    [-1, 1],
  );
  assert.ok(clip.b.length > 0);
  const expected = partition(compiled, slice(rows[0], basis, -1, 1, { A: [1, -1, 0.5, 0, ...clip.A], b: [0.3, ...clip.b] }));
  for (const report of [byFile, byRows]) {
    assert.equal(report.engine, "space");
    assert.deepEqual([report.activationRegions, report.linearPieces], [expected.activationRegions, expected.linearPieces]);
    assert.equal((report.domain.cut as { inequalities: number }).inequalities, 1 + clip.b.length);
  }
  assert.equal(byRows.domain.origin, "#0");
  assert.equal(byFile.domain.file, file);
  // --slice-range overrides the file's range; --simplex is the hull of the origin and origin + each direction.
  const simplex = await count(["--slice-file", file, "--slice-range", "0,1", "--simplex"]);
  const hull = partition(compiled, slice(rows[0], basis, 0, 1, { A: [1, 1, 1, 1], b: [1] }));
  assert.equal(simplex.activationRegions, hull.activationRegions);
});

test("origin-and-directions slices: bad combinations get one line", async () => {
  const o = text(rows[0]);
  const d = `${text(rows[1])};${text(rows[2])};${text(rows[3])}`;
  const file = join(dir, "s.json");
  writeFileSync(file, JSON.stringify({ origin: rows[0], basis: [rows[1]] }));
  const short = join(dir, "short.json");
  writeFileSync(short, JSON.stringify({ origin: [1, 2], basis: [rows[1]] }));
  const cases: [string[], RegExp][] = [
    [["--slice-origin", o], /--slice-origin needs --slice-directions/],
    [["--slice-directions", d], /--slice-directions needs --slice-origin/],
    [["--slice-origin", o, "--slice-directions", d, "--slice-file", file], /either as --slice-file FILE or as --slice-origin/],
    [["--slice-origin", o, "--slice-directions", d, "--box", "0,1"], /give the slice once: .* or --box, not both/],
    [["--box", "0,1", "--slice-range", "0,1"], /--slice-range gives the range of y/],
    [["--slice-origin", o, "--slice-directions", `${text(rows[1])};${text(rows[1].map((x) => 2 * x))}`], /directions are linearly dependent/],
    [["--slice-origin", o, "--slice-directions", `${text(rows[1])};${text(new Array(n).fill(0))}`], /direction 2 is zero/],
    [["--slice-origin", "1,2,3", "--slice-directions", d], /--slice-origin has 3 coordinates, the model has 12 inputs/],
    [["--slice-origin", "#0", "--slice-directions", d], /"#I" vectors are rows of --data FILE/],
    [["--slice-origin", "#40", "--slice-directions", d, "--data", data], /row 40 of .* which has 12 rows/],
    [["--slice-file", file, "--slice-range", "-1,1", "--simplex"], /--simplex .* does not go with --slice-range -1,1/],
    [["--slice-file", short], /"origin" has 2 numbers, the model has 12 inputs/],
    [["--slice-file", file, "--slice-range", "1,0"], /--slice-range: LO must be less than HI/],
    [["--lines", file, "--slice-file", file], /give only one of --lines and --slice-file/],
    [["--slice-origin", o, "--slice-directions", d, "--data", data], /neither --slice-origin nor --slice-directions names one/],
    [["--slice-file", file, "--data", data], /--slice-file holds numbers/],
    [["--slice-origin", o, "--slice-directions", d, "--engine", "plane"], /plane engine does not partition a 3-dimensional slice/],
  ];
  for (const [args, pattern] of cases) assertUserError(await tesseraInProcess(["count", model, ...args]), pattern, args.join(" "));
});
