/**
 * What several commands take alike: the model argument's help, and the table files (--cells,
 * --metrics) whose format the file name chooses.
 */
import type { TableFormat } from "../io/table-files.ts";
import type { Compiled } from "../model/forward.ts";
import type { Partition } from "../regions/partition.ts";
import { UserError } from "./errors.ts";

/** The help of every command's MODEL argument: all three formats are read. */
export const MODEL_ARGUMENT = "model file: tessera JSON, ONNX (.onnx) or TensorFlow.js (model.json with its weights)";

/** The format a file name asks for (.csv or .parquet), or null. */
export function tableFormatOf(path: string): TableFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".parquet")) return "parquet";
  return null;
}

/** The format of a table file option (.csv or .parquet), or a one-line error naming the option. */
export function tableFormat(path: string, option: string): TableFormat {
  const format = tableFormatOf(path);
  if (!format) throw new UserError(`${option} ${path}: the file name must end in .csv or .parquet`);
  return format;
}

/** Write a partition's per-cell table (loaded on demand: the Parquet writer is not needed otherwise). */
export async function writeCells(path: string, format: TableFormat, partition: Partition): Promise<void> {
  const [{ cellTable }, { tableBytes }, { writeFileAtomic }] = await Promise.all([import("../report/cell-table.ts"), import("../io/table-files.ts"), import("../io/files.ts")]);
  writeFileAtomic(path, tableBytes(cellTable(partition), format));
}

/** Write the cells of the first `count` data points (stats --cells), loaded on demand like writeCells. */
export async function writePointCells(path: string, format: TableFormat, compiled: Compiled, data: Float64Array, count: number, radius: number): Promise<void> {
  const [{ pointTable }, { tableBytes }, { writeFileAtomic }] = await Promise.all([import("../report/point-table.ts"), import("../io/table-files.ts"), import("../io/files.ts")]);
  writeFileAtomic(path, tableBytes(pointTable(compiled, data, count, radius), format));
}
