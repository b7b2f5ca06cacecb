/**
 * The user's own data as CSV: one row per point, numeric columns, one of them the target
 * (the last column unless named). An optional header row names the columns. A target column
 * whose values are all integers is taken as class labels (classification), otherwise as a
 * regression target; `task` overrides the guess. Problems are reported as one line naming the
 * source, row and column.
 */
import { FormatError } from "../../io/network-json.ts";
import { classificationSet, type Dataset, regressionSet } from "./dataset.ts";

export interface CsvOptions {
  /** Target column: a header name or a 0-based index (default: the last column). */
  target?: string | number;
  task?: "classification" | "regression";
  name?: string;
}

export function parseCsvDataset(text: string, source: string, options: CsvOptions = {}): Dataset {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new FormatError(`${source}: the CSV file has no rows`);
  const split = (l: string): string[] => l.split(",").map((c) => c.trim());
  const first = split(lines[0]);
  const hasHeader = first.some((c) => c === "" || !Number.isFinite(Number(c)));
  const header = hasHeader ? first : first.map((_, i) => `column ${i}`);
  const rows = hasHeader ? lines.slice(1) : lines;
  const columns = header.length;
  if (columns < 2) throw new FormatError(`${source}: needs at least 2 columns (inputs and a target), got ${columns}`);
  if (rows.length === 0) throw new FormatError(`${source}: the CSV file has a header but no data rows`);
  let target = columns - 1;
  if (typeof options.target === "number") target = options.target;
  else if (typeof options.target === "string") {
    target = /^\d+$/.test(options.target) ? Number(options.target) : header.indexOf(options.target);
    if (target < 0) throw new FormatError(`${source}: no column named "${options.target}" (columns: ${header.join(", ")})`);
  }
  if (!Number.isInteger(target) || target < 0 || target >= columns) throw new FormatError(`${source}: target column ${options.target} is out of range (0..${columns - 1})`);
  const d = columns - 1;
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length);
  rows.forEach((line, r) => {
    const cells = split(line);
    const lineNo = r + (hasHeader ? 2 : 1);
    if (cells.length !== columns) throw new FormatError(`${source}:${lineNo}: expected ${columns} columns, got ${cells.length}`);
    let k = 0;
    cells.forEach((cell, c) => {
      const v = Number(cell);
      if (cell === "" || !Number.isFinite(v)) throw new FormatError(`${source}:${lineNo}: column "${header[c]}" is not a number: "${cell.slice(0, 20)}"`);
      if (c === target) y[r] = v;
      else x[r * d + k++] = v;
    });
  });
  const integral = y.every((v) => Number.isInteger(v));
  const task = options.task ?? (integral ? "classification" : "regression");
  const name = options.name ?? source.replace(/^.*[\\/]/, "");
  if (task === "regression") return regressionSet(name, x, d, y, 1);
  if (!integral) throw new FormatError(`${source}: classification needs integer class labels in column "${header[target]}"`);
  // Map the distinct label values, in increasing order, to 0..classes-1.
  const values = [...new Set(y)].sort((a, b) => a - b);
  if (values.length < 2) throw new FormatError(`${source}: classification needs at least 2 classes in column "${header[target]}", got ${values.length}`);
  const index = new Map(values.map((v, i) => [v, i]));
  const labels = Int32Array.from(y, (v) => index.get(v) as number);
  return classificationSet(name, x, d, labels, values.length);
}
