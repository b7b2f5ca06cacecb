/**
 * A partition as a table, one row per cell, for pandas, DuckDB or a spreadsheet:
 *
 *   cell          the cell's index in the partition
 *   pattern_hash  32-bit hash of its activation pattern (stable across runs and slices)
 *   pattern       the pattern itself, unit states by layer ("0110|10")
 *   measure       length, area or volume of the cell in input-space units
 *   piece         its linear piece (adjacent cells with the same output map share one)
 *   x0 .. x{n-1}  an interior point in input space (segment: the piece's midpoint; polygon:
 *                 the vertex mean; polytope: the engine's interior point)
 *   y{k}_c, y{k}_d{j}  output k's affine map on the cell in the domain's own coordinates: its
 *                 value at the domain's origin and its slope along coordinate j (a segment's t,
 *                 a plane's u and v, a slice's y_1..y_k; whole-domain partitions: u = Q x, the
 *                 coordinates of the first layer's row space)
 *   radius, facets, neighbours  (whole-domain partitions) the certified margin, the cell's
 *                 non-redundant constraints as hyperplane ids, and the cell across each
 *
 * Pure (no Node API): `tableToCsv` and `tableToParquet` (io/table-files.ts) turn it into bytes.
 */
import { parallelogramArea, parallelotopeVolume } from "../domain/measure.ts";
import { polytopeVolume } from "../geometry/polytope-volume.ts";
import { patternHash, patternString } from "../model/pattern.ts";
import type { Partition } from "../regions/partition.ts";
import { slicePoint } from "../regions/whole/slice.ts";

/** The values of one column: integers, doubles or text, one per row. */
export type ColumnValues = Int32Array | Uint32Array | Float64Array | string[];

/** A named column of a table. */
export interface TableColumn {
  name: string;
  values: ColumnValues;
}

/** A table of rows (one per cell, or per epoch) for CSV and Parquet files. */
export interface Table {
  rows: number;
  columns: TableColumn[];
}

/** Dimension of the domain's own coordinates (segment 1, plane 2, slice k). */
function domainDim(p: Partition): number {
  return p.kind === "line" ? 1 : p.kind === "plane" ? 2 : p.dim;
}

/** Input size of the partition's input space. */
function inputSizeOf(p: Partition): number {
  if (p.kind === "line") return p.path.length / (p.segments + 1);
  // A whole-domain partition of a slice keeps its points in slice coordinates; rows give x.
  if (p.kind === "whole") return p.slice ? p.slice.origin.length : p.inputSize;
  return p.origin.length;
}

/** Measure of each cell in input-space units. */
function measures(p: Partition): Float64Array {
  if (p.kind === "line") return p.lengths;
  if (p.kind === "plane") {
    const scale = parallelogramArea(p);
    return p.areas.map((a) => a * scale);
  }
  // The whole-domain engine does not compute volumes (its cells live in hundreds of dimensions).
  if (p.kind === "whole") return new Float64Array(p.cellCount).fill(Number.NaN);
  const n0 = p.origin.length;
  const basis = Array.from({ length: p.dim }, (_, c) => p.basis.subarray(c * n0, (c + 1) * n0));
  const scale = parallelotopeVolume(basis);
  const k = p.dim;
  const out = new Float64Array(p.cellCount);
  for (let i = 0; i < p.cellCount; i++) {
    const vertices = p.vertices.subarray(p.vertexStart[i] * k, p.vertexStart[i + 1] * k);
    const facets = p.facets.subarray(p.facetStart[i] * (k + 1), p.facetStart[i + 1] * (k + 1));
    out[i] = polytopeVolume(vertices, k, facets) * scale;
  }
  return out;
}

/** An interior point of each cell in input space: cellCount x inputSize. */
function interiorPoints(p: Partition): Float64Array {
  const n0 = inputSizeOf(p);
  const out = new Float64Array(p.cellCount * n0);
  if (p.kind === "line") {
    for (let i = 0; i < p.cellCount; i++) {
      const s = p.segmentOf[i];
      const t = (p.tStart[i] + p.tEnd[i]) / 2;
      for (let d = 0; d < n0; d++) out[i * n0 + d] = p.path[s * n0 + d] + t * (p.path[(s + 1) * n0 + d] - p.path[s * n0 + d]);
    }
    return out;
  }
  if (p.kind === "plane") {
    for (let i = 0; i < p.cellCount; i++) {
      let u = 0;
      let v = 0;
      const m = p.cellStart[i + 1] - p.cellStart[i];
      for (let j = p.cellStart[i]; j < p.cellStart[i + 1]; j++) {
        u += p.vertices[2 * j] / m;
        v += p.vertices[2 * j + 1] / m;
      }
      for (let d = 0; d < n0; d++) out[i * n0 + d] = p.origin[d] + u * p.e1[d] + v * p.e2[d];
    }
    return out;
  }
  if (p.kind === "whole") {
    const n = p.inputSize;
    let own = p.points;
    if (own.length === 0) {
      // No kept points: Q^T u has the cell's u (so its pattern), though maybe outside the box.
      own = new Float64Array(p.cellCount * n);
      for (let i = 0; i < p.cellCount; i++) for (let c = 0; c < p.dim; c++) for (let d = 0; d < n; d++) own[i * n + d] += p.centres[i * p.dim + c] * p.basis[c * n + d];
    }
    if (!p.slice) return own;
    for (let i = 0; i < p.cellCount; i++) slicePoint(p.slice, own.subarray(i * n, (i + 1) * n), out.subarray(i * n0, (i + 1) * n0));
    return out;
  }
  const k = p.dim;
  for (let i = 0; i < p.cellCount; i++) {
    for (let d = 0; d < n0; d++) {
      let x = p.origin[d];
      for (let c = 0; c < k; c++) x += p.centres[i * k + c] * p.basis[c * n0 + d];
      out[i * n0 + d] = x;
    }
  }
  return out;
}

/** The per-cell table of a partition (see the module comment for the columns). */
export function cellTable(p: Partition): Table {
  const rows = p.cellCount;
  const words = p.layout.words;
  const hashes = new Uint32Array(rows);
  const patterns: string[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    hashes[i] = patternHash(p.patterns, i * words, words) >>> 0;
    patterns[i] = patternString(p.layout, p.patterns, i * words);
  }
  const columns: TableColumn[] = [
    { name: "cell", values: Int32Array.from({ length: rows }, (_, i) => i) },
    { name: "pattern_hash", values: hashes },
    { name: "pattern", values: patterns },
    { name: "measure", values: measures(p) },
    { name: "piece", values: p.pieceOf },
  ];
  if (p.kind === "whole") columns.push(...wholeColumns(p));
  const n0 = inputSizeOf(p);
  const points = interiorPoints(p);
  for (let d = 0; d < n0; d++) columns.push({ name: `x${d}`, values: Float64Array.from({ length: rows }, (_, i) => points[i * n0 + d]) });
  // Line maps are [value at t = 0, d/dt]; plane [c, d/du, d/dv]; slice [c, d/dy_1 .. d/dy_k].
  const k = domainDim(p);
  const size = k + 1;
  for (let o = 0; o < p.outputSize; o++) {
    for (let c = 0; c < size; c++) {
      const name = c === 0 ? `y${o}_c` : `y${o}_d${c}`;
      columns.push({ name, values: Float64Array.from({ length: rows }, (_, i) => p.outputMaps[(i * p.outputSize + o) * size + c]) });
    }
  }
  return { rows, columns };
}

/** The whole-domain engine's extra columns: margin, facets (hyperplane ids) and the cells across. */
function wholeColumns(p: Extract<Partition, { kind: "whole" }>): TableColumn[] {
  const facets: string[] = [];
  const neighbours: string[] = [];
  for (let i = 0; i < p.cellCount; i++) {
    const f0 = p.facetStart[i];
    const f1 = p.facetStart[i + 1];
    facets.push(Array.from(p.facetHyperplane.subarray(f0, f1)).join(" "));
    neighbours.push(Array.from(p.facetNeighbour.subarray(f0, f1)).join(" "));
  }
  return [
    { name: "radius", values: p.radii },
    { name: "facets", values: facets },
    { name: "neighbours", values: neighbours },
  ];
}

/** Tables with the same columns one after another, with a first column `name` holding keys[i] on table i's rows (e.g. the epoch). */
export function stackTables(tables: readonly Table[], keys: readonly number[], name: string): Table {
  const rows = tables.reduce((s, t) => s + t.rows, 0);
  const key = new Float64Array(rows);
  let at = 0;
  tables.forEach((t, i) => {
    key.fill(keys[i], at, at + t.rows);
    at += t.rows;
  });
  const columns: TableColumn[] = [{ name, values: key }];
  const first = tables[0];
  if (!first) return { rows, columns };
  first.columns.forEach((c, j) => {
    const parts = tables.map((t) => {
      if (t.columns[j]?.name !== c.name) throw new Error(`stackTables: column ${j} is ${t.columns[j]?.name}, expected ${c.name}`);
      return t.columns[j].values;
    });
    let values: ColumnValues;
    if (Array.isArray(c.values)) values = parts.flatMap((p) => p as string[]);
    else {
      const Ctor = c.values.constructor as Float64ArrayConstructor;
      const out = new Ctor(rows);
      let o = 0;
      for (const p of parts) {
        out.set(p as Float64Array, o);
        o += p.length;
      }
      values = out;
    }
    columns.push({ name: c.name, values });
  });
  return { rows, columns };
}
