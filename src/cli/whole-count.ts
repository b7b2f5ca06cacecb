/**
 * What `count` adds for the whole-domain engine (any input size): the report's extra fields, and
 * with `--cells FILE` the adjacency graph as a second table next to the cells (FILE.edges.csv or
 * FILE.edges.parquet: columns a, b, the two cells of each interior facet).
 */
import type { TableFormat } from "../io/table-files.ts";
import type { Partition } from "../regions/partition.ts";
import type { Table } from "../report/cell-table.ts";

/** The report's fields of a whole-domain count (none for the other engines). */
export function wholeFields(partition: Partition): {
  facets?: number;
  uncertain?: number;
  reducedDimension?: number;
  lpSolves?: number;
  exactDecisions?: number;
  floatZeros?: number;
} {
  if (partition.kind !== "whole") return {};
  return {
    facets: partition.facetCount,
    uncertain: partition.uncertain,
    reducedDimension: partition.dim,
    lpSolves: partition.stats.lpSolves,
    exactDecisions: partition.stats.exactDecisions ?? 0,
    floatZeros: partition.stats.floatZeros ?? 0,
  };
}

/** The adjacency pairs as a table (a < b). */
export function edgeTable(partition: Partition): Table {
  const n = partition.adjacency.length / 2;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    a[e] = partition.adjacency[2 * e];
    b[e] = partition.adjacency[2 * e + 1];
  }
  return {
    rows: n,
    columns: [
      { name: "a", values: a },
      { name: "b", values: b },
    ],
  };
}

/** Write the edges table next to the cells file of a whole-domain partition; returns its path (null for other engines). */
export async function writeWholeEdges(cellsPath: string, format: TableFormat, partition: Partition): Promise<string | null> {
  if (partition.kind !== "whole") return null;
  const [{ tableBytes }, { writeFileAtomic }] = await Promise.all([import("../io/table-files.ts"), import("../io/files.ts")]);
  const path = edgesPath(cellsPath);
  writeFileAtomic(path, tableBytes(edgeTable(partition), format));
  return path;
}

/** cells.csv -> cells.edges.csv (the adjacency graph next to the cells). */
export function edgesPath(cells: string): string {
  const dot = cells.lastIndexOf(".");
  const slash = Math.max(cells.lastIndexOf("/"), cells.lastIndexOf("\\"));
  return dot > slash ? `${cells.slice(0, dot)}.edges${cells.slice(dot)}` : `${cells}.edges.csv`;
}
