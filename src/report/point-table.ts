/**
 * The cells data points lie in, one row per point, for pandas and DuckDB (`tessera stats
 * --cells`): the point's index, its activation pattern and hash (join with a cell table on
 * `pattern_hash`), the exact distance to its region's boundary and that distance times the
 * number of units (Hanin & Rolnick's scale-free measure), and the units whose breakpoint
 * hyperplane passes within `radius` of it.
 */
import { boundaryDistances } from "../metrics/batch-distance.ts";
import { localComplexity } from "../metrics/distance.ts";
import { type Compiled, forward } from "../model/forward.ts";
import { patternHash, patternString } from "../model/pattern.ts";
import type { Table } from "./cell-table.ts";

export function pointTable(compiled: Compiled, data: Float64Array, count: number, radius: number): Table {
  const n0 = compiled.inputSize;
  const distances = boundaryDistances(compiled, data, count);
  const hashes = new Uint32Array(count);
  const patterns: string[] = new Array(count);
  const near = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const x = data.subarray(i * n0, (i + 1) * n0);
    const { pattern } = forward(compiled, x);
    hashes[i] = patternHash(pattern, 0, pattern.length) >>> 0;
    patterns[i] = patternString(compiled.layout, pattern);
    near[i] = localComplexity(compiled, x, radius);
  }
  const units = compiled.layout.units;
  return {
    rows: count,
    columns: [
      { name: "point", values: Int32Array.from({ length: count }, (_, i) => i) },
      { name: "pattern_hash", values: hashes },
      { name: "pattern", values: patterns },
      { name: "distance", values: distances },
      { name: "distance_x_units", values: distances.map((d) => d * units) },
      { name: "units_within_radius", values: near },
    ],
  };
}
