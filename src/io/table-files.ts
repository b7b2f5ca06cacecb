/**
 * Tables (report/cell-table.ts, per-run metrics) as files pandas and DuckDB read directly: CSV
 * (numbers written so that they parse back to the same double) and Parquet (hyparquet-writer;
 * typed columns, compressed). Pure: bytes in memory, so the browser can offer the same files; the
 * CLI writes them with writeFileAtomic.
 *
 *   pandas:  pd.read_parquet("cells.parquet")   /  pd.read_csv("cells.csv")
 *   DuckDB:  SELECT piece, sum(measure) FROM 'cells.parquet' GROUP BY piece;
 *
 * The Parquet reader (hyparquet, about 10 ms of CPU to import) is imported by `parquetRows` when
 * it first runs: importing the library does not pay for it. The writer stays a static import:
 * `tableToParquet` is synchronous (public), and ESM has no synchronous import.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Table } from "../report/cell-table.ts";

/** The file formats of tables. */
export type TableFormat = "csv" | "parquet";

function csvField(value: string | number): string {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with a header line; every double as its shortest round-trip decimal form. */
export function tableToCsv(table: Table): string {
  const lines: string[] = [table.columns.map((c) => csvField(c.name)).join(",")];
  for (let r = 0; r < table.rows; r++) lines.push(table.columns.map((c) => csvField(c.values[r])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Parquet bytes: int32 and double columns as such, 32-bit unsigned hashes as int64, text as UTF-8. */
export function tableToParquet(table: Table): Uint8Array {
  const columnData = table.columns.map((c) => {
    const v = c.values;
    if (v instanceof Int32Array) return { name: c.name, data: v, type: "INT32" as const, nullable: false };
    if (v instanceof Uint32Array) return { name: c.name, data: BigInt64Array.from(v, (x) => BigInt(x)), type: "INT64" as const, nullable: false };
    if (v instanceof Float64Array) return { name: c.name, data: v, type: "DOUBLE" as const, nullable: false };
    return { name: c.name, data: v, type: "STRING" as const, nullable: false };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: "tessera" }));
}

/** The rows of a Parquet file as objects (int64 columns as numbers when they fit exactly). */
export async function parquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { parquetReadObjects } = await import("hyparquet");
  const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) row[k] = Number(v);
  }
  return rows;
}

/** The table as bytes in the format its file name asks for. */
export function tableBytes(table: Table, format: TableFormat): Uint8Array {
  return format === "csv" ? new TextEncoder().encode(tableToCsv(table)) : tableToParquet(table);
}
