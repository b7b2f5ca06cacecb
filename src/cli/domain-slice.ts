/**
 * A slice given as an origin and directions (`count`), the library's `slice(origin, basis, lo,
 * hi)` on the command line, beside `--slice "P0;...;Pk"` (k+1 points):
 *
 *   --slice-origin P --slice-directions "D1;...;Dk" [--slice-range LO,HI]
 *       x = P + sum_c y_c D_c, y in [LO,HI]^k (default [0,1]^k); P and each D_c is a
 *       comma-separated vector of n0 numbers or "#I", row I of --data FILE|mnist (a direction
 *       "#I" is the row itself, e.g. a principal component stored as a row)
 *   --slice-file FILE
 *       the same as JSON, {"origin": [...], "basis": [[...], ...], "lo": 0, "hi": 1} (lo and hi
 *       optional, default 0 and 1; --slice-range overrides them)
 *
 *   --zonotope FILE
 *       {"center": [...], "generators": [[...], ...]}: center + sum_c t_c g_c, t in [-1,1]^m
 *   --frame FILE
 *       {"rotation": [[...], ...], "lo": -1, "hi": 1, "center": [...]}: the turned frame
 *       {lo <= R (x - center) <= hi} as center + R^T t, t in [lo,hi]^n (domain/zonotope-json.ts)
 *
 * Both are slices to every engine (a frame of 784 dense rows costs what the box costs; given as
 * --polytope rows it puts 1,568 rows into every LP).
 *
 * The cuts of domain-cuts.ts (--polytope in slice coordinates, --clip, --simplex) apply as to
 * --slice. Any k from 1 to n0: partition() takes the line engine for k = 1, the plane engine for
 * k = 2, the space engine up to 8 and the whole-domain engine beyond.
 */
import { DomainError, slice } from "../domain/domain.ts";
import { parallelotopeVolume } from "../domain/measure.ts";
import { type SliceJson, sliceFromJson } from "../domain/slice-json.ts";
import { frameFromJson, zonotopeFromJson } from "../domain/zonotope-json.ts";
import { readBytes } from "../io/files.ts";
import { dataRows } from "./domain-cuts.ts";
import { parseInteger, parseNumbers, UserError } from "./errors.ts";
import type { CliDomain, DomainJson } from "./region-domain.ts";
import { built, parseBox } from "./region-domain.ts";

export interface SliceSpecOptions {
  sliceOrigin?: string;
  sliceDirections?: string;
  sliceRange?: string;
  sliceFile?: string;
  zonotope?: string;
  frame?: string;
  data?: string;
}

/** True when the slice is given by its origin and directions (flags or a file). */
export function hasSliceSpec(options: SliceSpecOptions): boolean {
  return (
    options.sliceOrigin !== undefined || options.sliceDirections !== undefined || options.sliceFile !== undefined || options.zonotope !== undefined || options.frame !== undefined
  );
}

/** Whether a --slice-origin or --slice-directions text names data rows. */
export function sliceSpecUsesRows(options: SliceSpecOptions): boolean {
  return `${options.sliceOrigin ?? ""};${options.sliceDirections ?? ""}`.includes("#");
}

/** The slice of --slice-origin/--slice-directions or --slice-file, checked against the model's inputs. */
export async function sliceFromSpec(options: SliceSpecOptions, inputSize: number): Promise<CliDomain> {
  if (options.zonotope !== undefined || options.frame !== undefined) return zonotopeFromSpec(options, inputSize);
  if (options.sliceFile !== undefined && (options.sliceOrigin !== undefined || options.sliceDirections !== undefined))
    throw new UserError("give the slice either as --slice-file FILE or as --slice-origin with --slice-directions, not both");
  if (options.sliceFile !== undefined && options.data !== undefined)
    throw new UserError('--data gives the rows of "#I" vectors of --slice-origin/--slice-directions; --slice-file holds numbers');
  const range = options.sliceRange === undefined ? null : parseBox(options.sliceRange, "--slice-range");
  let origin: Float64Array;
  let basis: Float64Array[];
  let lo: number;
  let hi: number;
  let json: DomainJson;
  if (options.sliceFile !== undefined) {
    const file = readSliceFile(options.sliceFile, inputSize);
    ({ origin, basis } = file);
    [lo, hi] = range ?? [file.lo, file.hi];
    json = { kind: "slice", file: options.sliceFile, k: basis.length, lo, hi };
  } else {
    if (options.sliceOrigin === undefined) throw new UserError("--slice-directions needs --slice-origin P (the point where y = 0)");
    if (options.sliceDirections === undefined) throw new UserError('--slice-origin needs --slice-directions "D1;...;Dk" (the slice\'s k directions)');
    if (options.data !== undefined && !sliceSpecUsesRows(options))
      throw new UserError('--data gives the rows of "#I" vectors, and neither --slice-origin nor --slice-directions names one');
    const rows = sliceSpecUsesRows(options) ? await rowsOf(options.data, inputSize) : null;
    origin = vectorOf(options.sliceOrigin, "--slice-origin", inputSize, rows, options.data);
    basis = options.sliceDirections.split(";").map((d, c) => vectorOf(d, `--slice-directions: direction ${c + 1}`, inputSize, rows, options.data));
    [lo, hi] = range ?? [0, 1];
    json = {
      kind: "slice",
      origin: options.sliceOrigin,
      directions: options.sliceDirections,
      ...(rows ? { data: options.data as string } : {}),
      k: basis.length,
      lo,
      hi,
    };
  }
  const k = basis.length;
  if (k > inputSize) throw new UserError(`the slice has ${k} directions, more than the model's ${inputSize} inputs: they cannot be independent`);
  basis.forEach((d, c) => {
    if (d.every((x) => x === 0)) throw new UserError(`the slice's direction ${c + 1} is zero`);
  });
  // Relative test, as for --plane: the volume against the product of the lengths.
  const lengths = basis.reduce((p, d) => p * Math.hypot(...d), 1);
  if (!(parallelotopeVolume(basis) > 1e-12 * lengths)) throw new UserError(`the slice's ${k} directions are linearly dependent: they span fewer than ${k} dimensions`);
  const what = options.sliceFile !== undefined ? `--slice-file ${options.sliceFile}` : "--slice-origin/--slice-directions";
  const domain = built(what, () => slice(origin, basis, lo, hi));
  return { domain, label: `${k}-dimensional slice origin + sum y_c d_c, y in [${lo},${hi}]^${k}`, labels: k === 2 ? ["y1", "y2"] : null, json };
}

/** --zonotope FILE or --frame FILE: a slice of range [-1, 1] over the generators, or [lo, hi] over a rotation's rows. */
function zonotopeFromSpec(options: SliceSpecOptions, inputSize: number): CliDomain {
  const given = (["sliceOrigin", "sliceDirections", "sliceFile", "sliceRange", "data"] as const).find((name) => options[name] !== undefined);
  const flag = options.zonotope !== undefined ? "--zonotope" : "--frame";
  if (options.zonotope !== undefined && options.frame !== undefined) throw new UserError("give either --zonotope FILE or --frame FILE, not both");
  if (given !== undefined) throw new UserError(`${flag} FILE holds the whole domain: drop --${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  const path = (options.zonotope ?? options.frame) as string;
  const text = readBytes(path, options.zonotope !== undefined ? "zonotope file" : "frame file").toString("utf8");
  let z: SliceJson;
  try {
    z = options.zonotope !== undefined ? zonotopeFromJson(text, inputSize) : frameFromJson(text, inputSize);
  } catch (e) {
    if (e instanceof DomainError) throw new UserError(`${flag} ${path}: ${e.message}`);
    throw e;
  }
  const m = z.basis.length;
  const domain = built(`${flag} ${path}`, () => slice(z.origin, z.basis, z.lo, z.hi));
  const label =
    options.zonotope !== undefined
      ? `zonotope center + sum t_c g_c of ${m} generators, t in [-1,1]^${m}`
      : `turned frame center + R^T t of ${m} rotation rows, t in [${z.lo},${z.hi}]^${m}`;
  const json: DomainJson = { kind: options.zonotope !== undefined ? "zonotope" : "frame", file: path, k: m, lo: z.lo, hi: z.hi };
  return { domain, label, labels: m === 2 ? ["t1", "t2"] : null, json };
}

type Rows = { data: Float64Array; count: number };

async function rowsOf(data: string | undefined, inputSize: number): Promise<Rows> {
  if (data === undefined) throw new UserError('--slice-origin/--slice-directions: "#I" vectors are rows of --data FILE (or --data mnist): give --data');
  return dataRows(data, inputSize);
}

function vectorOf(text: string, what: string, inputSize: number, rows: Rows | null, source: string | undefined): Float64Array {
  const t = text.trim();
  if (t.startsWith("#") && rows) {
    const row = parseInteger(t.slice(1), `${what} ("${t}")`);
    if (row >= rows.count) throw new UserError(`${what}: row ${row} of ${source}, which has ${rows.count} rows (from 0)`);
    return rows.data.slice(row * inputSize, (row + 1) * inputSize);
  }
  const v = parseNumbers(t, what);
  if (v.length !== inputSize) throw new UserError(`${what} has ${v.length} coordinates, the model has ${inputSize} inputs`);
  return Float64Array.from(v);
}

/** A --slice-file: {"origin": [n0 numbers], "basis": [[n0 numbers], ...], "lo"?: number, "hi"?: number}. */
function readSliceFile(path: string, inputSize: number): SliceJson {
  const text = readBytes(path, "slice file").toString("utf8");
  try {
    return sliceFromJson(text, inputSize);
  } catch (e) {
    if (e instanceof DomainError) throw new UserError(`--slice-file ${path}: ${e.message}`);
    throw e;
  }
}
