/**
 * Records (a run's tracked metrics, one JSON object per epoch) as a flat table for pandas and
 * DuckDB: nested fields become dotted column names (`plane.activationRegions`,
 * `lines.regions.mean`), short number arrays one column per entry (`plane.box.0`). A column is
 * numeric when every record has a number or nothing there (missing: NaN), text otherwise.
 * Arrays longer than `maxArray` stay in the JSON lines they came from.
 */
import type { Table, TableColumn } from "./cell-table.ts";

function flatten(value: unknown, prefix: string, into: Map<string, unknown>, maxArray: number): void {
  if (Array.isArray(value)) {
    if (value.length > maxArray) return;
    value.forEach((v, i) => {
      flatten(v, `${prefix}.${i}`, into, maxArray);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, into, maxArray);
  } else if (value !== undefined) {
    into.set(prefix, value);
  }
}

export function recordsTable(records: readonly object[], maxArray = 16): Table {
  const flat = records.map((r) => {
    const m = new Map<string, unknown>();
    flatten(r, "", m, maxArray);
    return m;
  });
  // Columns in order of first appearance (a Set keeps insertion order).
  const seen = new Set<string>();
  for (const m of flat) for (const k of m.keys()) seen.add(k);
  const names = [...seen];
  const columns: TableColumn[] = names.map((name) => {
    const values = flat.map((m) => m.get(name));
    if (values.every((v) => v === undefined || v === null || typeof v === "number")) {
      return { name, values: Float64Array.from(values, (v) => (typeof v === "number" ? v : Number.NaN)) };
    }
    return { name, values: values.map((v) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v))) };
  });
  return { rows: records.length, columns };
}
