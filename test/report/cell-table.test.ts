/**
 * Per-cell tables (report/cell-table.ts) and their files (io/table-files.ts): measures add up to
 * the domain's, each interior point reproduces its cell's pattern by a forward pass, output maps
 * reproduce the network's output there, and CSV and Parquet read back to the same values.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { tableFormatOf } from "../../src/cli/shared-options.ts";
import { parquetRows, tableToCsv, tableToParquet } from "../../src/io/table-files.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { patternHash } from "../../src/model/pattern.ts";
import { linePartition } from "../../src/regions/line.ts";
import type { Partition } from "../../src/regions/partition.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { cellTable, type Table } from "../../src/report/cell-table.ts";

const column = (t: Table, name: string) => {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name}`);
  return c.values;
};

function checkTable(p: Partition, compiled: ReturnType<typeof prepare>, measure: number): Table {
  const t = cellTable(p);
  assert.equal(t.rows, p.cellCount);
  const measures = column(t, "measure") as Float64Array;
  const total = measures.reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(total - measure) <= 1e-9 * measure, `measures add up to the domain's: ${total} vs ${measure}`);
  assert.ok(
    measures.every((m) => m > 0),
    "every cell has positive measure",
  );
  const n0 = compiled.inputSize;
  const hashes = column(t, "pattern_hash") as Uint32Array;
  for (let i = 0; i < t.rows; i++) {
    const x = Array.from({ length: n0 }, (_, d) => (column(t, `x${d}`) as Float64Array)[i]);
    const f = forward(compiled, x);
    assert.equal(patternHash(f.pattern, 0, f.pattern.length) >>> 0, hashes[i], `cell ${i}: the interior point has the cell's pattern`);
  }
  return t;
}

test("plane cells: areas add up to the square's, interior points reproduce patterns, outputs match; CSV and Parquet round-trip", async () => {
  const compiled = prepare(mlp([2, 8, 8, 2], { init: "he", seed: 4 }));
  const { slice, domain } = boxSlice(-1, 1);
  const p = planePartition(compiled, slice, { domain });
  const t = checkTable(p, compiled, 4);
  // The affine map in (u, v) gives the network's output at the interior point (box slice: u, v = x0, x1).
  for (let i = 0; i < t.rows; i += 7) {
    const [x0, x1] = [(column(t, "x0") as Float64Array)[i], (column(t, "x1") as Float64Array)[i]];
    const y = forward(compiled, [x0, x1]).output;
    for (let o = 0; o < 2; o++) {
      const v = (column(t, `y${o}_c`) as Float64Array)[i] + (column(t, `y${o}_d1`) as Float64Array)[i] * x0 + (column(t, `y${o}_d2`) as Float64Array)[i] * x1;
      assert.ok(Math.abs(v - y[o]) <= 1e-9 * (1 + Math.abs(y[o])), `cell ${i} output ${o}: ${v} vs ${y[o]}`);
    }
  }
  const rows = await parquetRows(tableToParquet(t));
  assert.equal(rows.length, t.rows);
  for (const c of t.columns) {
    for (let i = 0; i < t.rows; i++) assert.equal(rows[i][c.name], c.values[i], `parquet ${c.name}[${i}]`);
  }
  const csv = tableToCsv(t).trimEnd().split("\n");
  assert.equal(csv.length, t.rows + 1);
  const header = csv[0].split(",");
  assert.deepEqual(
    header,
    t.columns.map((c) => c.name),
  );
  for (let i = 0; i < t.rows; i++) {
    const fields = csv[i + 1].split(",");
    t.columns.forEach((c, j) => {
      const v = c.values[i];
      assert.equal(typeof v === "string" ? fields[j] : Number(fields[j]), v, `csv ${c.name}[${i}]`);
    });
  }
  assert.equal(tableFormatOf("cells.PARQUET"), "parquet");
  assert.equal(tableFormatOf("cells.csv"), "csv");
  assert.equal(tableFormatOf("cells.json"), null);
});

test("line cells: lengths add up to the segment's; space cells: volumes add up to the box's (exact polytope volumes)", () => {
  const two = prepare(mlp([2, 6, 6, 1], { init: "he", seed: 1 }));
  const line = linePartition(two, Float64Array.of(-1, -0.5, 2, 1.5));
  checkTable(line, two, Math.hypot(3, 2));
  const three = prepare(mlp([3, 6, 6, 1], { init: "he", seed: 2 }));
  const space = spacePartition(three, { box: [-1, 1] });
  checkTable(space, three, 8);
});
