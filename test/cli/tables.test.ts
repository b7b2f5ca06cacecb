/**
 * Tables for pandas and DuckDB from the command line: `count --cells` (one row per cell) and
 * `report RUN --metrics / --cells` (one row per tracked epoch, one row per cell and epoch), in
 * CSV and Parquet, read back and checked against the counts.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { parquetRows } from "../../src/io/table-files.ts";
import { distanceToBoundary } from "../../src/metrics/distance.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { assertOk, assertUserError, scratch, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);
const model = join(dir, "m.json");
writeFileSync(model, stringifyNetwork(mlp([2, 8, 8, 1], { init: "he", seed: 3 })));

test("count --cells writes one row per cell as Parquet or CSV; the measures add up to the box's area", async () => {
  const parquet = join(dir, "cells.parquet");
  const r = await tesseraInProcess(["count", model, "--box", "-1,1", "--cells", parquet, "--json"]);
  assertOk(r, "count --cells parquet");
  const count = JSON.parse(r.stdout) as { cells: number; linearPieces: number; activationRegions: number };
  const rows = await parquetRows(readFileSync(parquet));
  assert.equal(rows.length, count.cells);
  const area = rows.reduce((s, row) => s + (row.measure as number), 0);
  assert.ok(Math.abs(area - 4) < 1e-9, `areas add up to 4: ${area}`);
  assert.equal(new Set(rows.map((row) => row.piece)).size, count.linearPieces);
  assert.equal(new Set(rows.map((row) => row.pattern)).size, count.activationRegions);

  const csv = join(dir, "cells.csv");
  assertOk(await tesseraInProcess(["count", model, "--line", "-1,-1;1,1", "--cells", csv]), "count --cells csv");
  const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
  assert.match(lines[0], /^cell,pattern_hash,pattern,measure,piece,x0,x1,y0_c,y0_d1$/);
  const line = JSON.parse((await tesseraInProcess(["count", model, "--line", "-1,-1;1,1", "--json"])).stdout) as { cells: number };
  assert.equal(lines.length, line.cells + 1);

  assertUserError(await tesseraInProcess(["count", model, "--box", "-1,1", "--cells", join(dir, "cells.txt")]), /--cells .*must end in \.csv or \.parquet/, "unknown table format");
});

test("report RUN --metrics and --cells: one row per tracked epoch, one row per cell of every epoch's map", async () => {
  const run = join(dir, "run");
  assertOk(
    await tesseraInProcess(["train", "--data", "moons", "--count", "200", "--widths", "2,6,2", "--epochs", "2", "--track", "plane", "--track-every", "1", "--out", run]),
    "train",
  );
  const metrics = join(dir, "metrics.parquet");
  const cells = join(dir, "epoch-cells.csv");
  const r = await tesseraInProcess(["report", run, "--metrics", metrics, "--cells", cells, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const text = await tesseraInProcess(["report", run, "--metrics", metrics, "--cells", cells]);
  assert.match(text.stdout, /^wrote .*metrics\.parquet: 3 rows, one per tracked epoch\nwrote .*epoch-cells\.csv: \d+ rows, one per cell of 3 region maps\n$/);
  assertUserError(await tesseraInProcess(["report", model, "--metrics", join(dir, "none.csv")]), /--metrics: .* is a model file/, "metrics of a model file");
  const rows = await parquetRows(readFileSync(metrics));
  assert.deepEqual(
    rows.map((row) => row.epoch),
    [0, 1, 2],
  );
  for (const row of rows) assert.ok((row["plane.activationRegions"] as number) >= 1 && Number.isFinite(row.loss as number));
  const lines = readFileSync(cells, "utf8").trimEnd().split("\n");
  assert.match(lines[0], /^epoch,cell,pattern_hash,/);
  const perEpoch = [0, 1, 2].map((e) => lines.slice(1).filter((l) => l.startsWith(`${e},`)).length);
  assert.deepEqual(
    perEpoch,
    rows.map((row) => row["plane.cells"]),
  );
});

test("stats --cells: one row per data point, with the exact distance to its region's boundary", async () => {
  const csv = join(dir, "points.csv");
  const points = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  writeFileSync(csv, `${points.map((p) => p.join(",")).join("\n")}\n`);
  const out = join(dir, "points.parquet");
  const r = await tesseraInProcess(["stats", model, "--data", csv, "--points", "25", "--pairs", "2", "--planes", "1", "--cells", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = await parquetRows(readFileSync(out));
  assert.equal(rows.length, 25);
  const compiled = prepare(mlp([2, 8, 8, 1], { init: "he", seed: 3 }));
  for (const row of rows) {
    const exact = distanceToBoundary(compiled, points[row.point as number]);
    assert.ok(Math.abs((row.distance as number) - exact.distance) <= 1e-9 * exact.distance, `point ${row.point}: ${row.distance} vs ${exact.distance}`);
    assert.equal(row.distance_x_units, (row.distance as number) * 16);
  }
});
