/**
 * `count --lines FILE`: one segment per line, "A;B" with each point as in --line (comma-separated
 * coordinates). Blank lines and lines starting with # are skipped. A bad line stops everything
 * with one error naming the file and the line number.
 */
import { readBytes } from "../io/read.ts";
import { parsePoints, UserError } from "./errors.ts";

/** The segments as count x 2 points of `inputSize` coordinates, row-major (regions/line-segments.ts). */
export function readSegmentsFile(path: string, inputSize: number): Float64Array {
  return parseSegments(readBytes(path, "segments file").toString("utf8"), inputSize, path);
}

export function parseSegments(text: string, inputSize: number, name: string): Float64Array {
  const values: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `${name}:${i + 1}`;
    let points: Float64Array[];
    try {
      points = parsePoints(line, 2, inputSize, where);
    } catch (e) {
      if (e instanceof UserError && !e.message.includes("expected comma-separated")) throw e;
      throw new UserError(`${where}: expected "A;B", two points of ${inputSize} comma-separated numbers, got "${line.length > 60 ? `${line.slice(0, 57)}...` : line}"`);
    }
    if (points[0].every((x, d) => x === points[1][d])) throw new UserError(`${where}: the two ends are the same point, a segment needs two distinct ends`);
    for (const p of points) for (const x of p) values.push(x);
  });
  if (values.length === 0) throw new UserError(`${name}: no segments (expected one "A;B" per line)`);
  return Float64Array.from(values);
}
