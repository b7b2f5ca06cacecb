/**
 * Cut domains from the command line (`count`): a slice's points as data rows (`--slice "#0;#7;#42"
 * --data FILE|mnist`), and inequalities that cut a box or a slice: `--polytope FILE` (A and b in
 * JSON: input space with --box, slice coordinates with --slice), `--clip LO,HI` (a slice kept
 * inside the input box [LO,HI]^n0, e.g. the pixel box of slices through digits) and `--simplex`
 * (the convex hull of the slice's k+1 points instead of their parallelotope). The domain becomes
 * the library's polytope or cut slice (domain/domain.ts), which the space engine (up to 8
 * dimensions) or the whole-domain engine (any) partitions.
 */

import { type Domain, DomainError, polytope, slice, sliceThrough } from "../domain/domain.ts";
import { polytopeFromJson } from "../domain/polytope-json.ts";
import { clipRows } from "../domain/slice-clip.ts";
import { readBytes } from "../io/files.ts";
import { parseDataRows } from "./commands/stats.ts";
import { parseInteger, parseNumbers, UserError } from "./errors.ts";
import type { CliDomain, DomainJson } from "./region-domain.ts";
import { built, parseBox } from "./region-domain.ts";

export { clipRows };

export interface CutOptions {
  box?: string;
  slice?: string;
  /** An origin-and-directions slice (domain-slice.ts) is given: --data serves its "#I" vectors. */
  sliceSpec?: boolean;
  polytope?: string;
  clip?: string;
  simplex?: boolean;
  data?: string;
}

/** True when a cut is asked for (the domain is then a polytope or a cut slice). */
export function hasCuts(options: CutOptions): boolean {
  return options.polytope !== undefined || options.clip !== undefined || options.simplex === true;
}

/**
 * --slice's points when some are data rows ("#I": row I, from 0, of --data); null when they are
 * all numbers (region-domain.ts reads those).
 */
export async function slicePoints(options: CutOptions, inputSize: number): Promise<Float64Array[] | null> {
  const text = options.slice;
  if (text === undefined || !text.includes("#")) {
    if (options.data !== undefined && text === undefined && !options.sliceSpec)
      throw new UserError("--data gives the rows of #I points: use it with --slice, --slice-origin or --slice-directions");
    return null;
  }
  if (options.data === undefined) throw new UserError('--slice: "#I" points are rows of --data FILE (or --data mnist): give --data');
  const rows = await dataRows(options.data, inputSize);
  return text.split(";").map((part, i) => {
    const p = part.trim();
    if (!p.startsWith("#")) return Float64Array.from(parseNumbers(p, `--slice point ${i + 1}`));
    const row = parseInteger(p.slice(1), `--slice point ${i + 1} ("${p}")`);
    if (row >= rows.count) throw new UserError(`--slice point ${i + 1}: row ${row} of ${options.data}, which has ${rows.count} rows (from 0)`);
    return rows.data.slice(row * inputSize, (row + 1) * inputSize);
  });
}

/** The rows of --data FILE|mnist, each inputSize numbers. */
export async function dataRows(source: string, inputSize: number): Promise<{ data: Float64Array; count: number }> {
  if (source === "mnist") {
    const { mnistDigits, MNIST_PIXELS } = await import("../train/data/mnist.ts");
    if (inputSize !== MNIST_PIXELS) throw new UserError(`--data mnist: the digits have ${MNIST_PIXELS} pixels, the model has ${inputSize} inputs`);
    try {
      const { x, labels } = await mnistDigits();
      return { data: x, count: labels.length };
    } catch (e) {
      throw new UserError(`--data mnist: ${(e as Error).message}`);
    }
  }
  return parseDataRows(readBytes(source, "data file").toString("utf8"), source, inputSize);
}

/** A --polytope FILE: {"A": [[...], ...], "b": [...]} with `columns` numbers in each row of A. */
export function readPolytope(path: string, columns: number, what: string): { A: Float64Array; b: Float64Array } {
  const text = readBytes(path, "polytope file").toString("utf8");
  try {
    return polytopeFromJson(text, columns, what);
  } catch (e) {
    if (e instanceof DomainError) throw new UserError(`--polytope ${path}: ${e.message}`);
    throw e;
  }
}

/** True when --polytope FILE is the whole domain (no --box, --line, --plane or --slice to cut). */
export function polytopeAlone(options: CutOptions & { line?: string; plane?: string }): boolean {
  return (
    options.polytope !== undefined && options.box === undefined && options.slice === undefined && !options.sliceSpec && options.line === undefined && options.plane === undefined
  );
}

/**
 * --polytope FILE alone: the polytope {x : A x <= b} in input space, inside its bounding box,
 * found by LPs (domain/polytope-box.ts); an empty or unbounded polytope is refused in one line.
 */
export async function standalonePolytope(options: CutOptions, inputSize: number): Promise<CliDomain> {
  const path = options.polytope as string;
  if (options.clip !== undefined || options.simplex) throw new UserError("--clip and --simplex cut a --slice; --polytope FILE alone is a polytope of input space");
  const rows = readPolytope(path, inputSize, `the model's ${inputSize} inputs`);
  const [{ loadLp }, { boundedPolytope }] = await Promise.all([import("../geometry/lp.ts"), import("../domain/polytope-box.ts")]);
  const lp = await loadLp();
  const domain = built(`--polytope ${path}`, () => boundedPolytope(polytope(rows.A, rows.b, inputSize), lp));
  const cube = domain.box as [number, number];
  const [lo, hi] = cube.map((x) => Number(x.toPrecision(6)));
  const json: DomainJson = { kind: "polytope", lo: cube[0], hi: cube[1], inequalities: rows.b.length, boundingBox: true };
  return { domain, label: `polytope of ${rows.b.length} inequalities (${path}), in its bounding cube [${lo},${hi}]^${inputSize}`, labels: null, json };
}

/** The domain of `where` cut as the options ask (unchanged without cuts). */
export function withCuts(where: CliDomain, options: CutOptions, inputSize: number, points: Float64Array[] | null): CliDomain {
  if (!hasCuts(options)) return where;
  if (options.box !== undefined) {
    if (options.clip !== undefined || options.simplex) throw new UserError("--clip and --simplex cut a --slice; with --box, give the inequalities with --polytope FILE");
    const [lo, hi] = parseBox(options.box);
    const rows = readPolytope(options.polytope as string, inputSize, `the model's ${inputSize} inputs`);
    const domain: Domain = built("--polytope", () => polytope(rows.A, rows.b, inputSize, [lo, hi]));
    const json: DomainJson = { kind: "polytope", lo, hi, inequalities: rows.b.length };
    return { domain, label: `${where.label} cut by ${rows.b.length} inequalities (${options.polytope})`, labels: null, json };
  }
  if (options.slice === undefined && !options.sliceSpec) throw new UserError("--polytope, --clip and --simplex cut a --box or a --slice");
  const json0 = where.json;
  const through = points ?? ("points" in json0 ? json0.points.map((p) => Float64Array.from(p)) : null);
  // An origin-and-directions slice is cut as it is; k+1 points are the parallelotope they span.
  const given = where.domain.kind === "slice" && options.sliceSpec ? where.domain : null;
  if (!given && !through) throw new UserError("--polytope, --clip and --simplex cut a --box or a --slice");
  const base = given ?? built("--slice", () => sliceThrough(through as Float64Array[]));
  const range: [number, number] = [base.lo, base.hi];
  if (options.simplex && (range[0] !== 0 || range[1] !== 1))
    throw new UserError(`--simplex is the hull of the origin and origin + each direction (y in [0,1]^k): it does not go with --slice-range ${range.join(",")}`);
  const k = base.basis.length;
  const A: number[] = [];
  const b: number[] = [];
  const notes: string[] = [];
  if (options.simplex) {
    // y_c >= 0 is the box's face; sum y_c <= 1 cuts the parallelotope to the simplex.
    A.push(...new Array(k).fill(1));
    b.push(1);
    notes.push("the simplex of its points");
  }
  if (options.polytope !== undefined) {
    const rows = readPolytope(options.polytope, k, `the slice's ${k} coordinates`);
    A.push(...rows.A);
    b.push(...rows.b);
    notes.push(`${rows.b.length} inequalities (${options.polytope})`);
  }
  if (options.clip !== undefined) {
    const [lo, hi] = parseBox(options.clip, "--clip");
    const rows = clipRows(base.origin, base.basis, lo, hi, options.simplex === true, range);
    A.push(...rows.A);
    b.push(...rows.b);
    notes.push(`inside [${lo},${hi}]^${inputSize} (${rows.b.length} inequalities)`);
  }
  const domain = b.length > 0 ? built("--slice", () => slice(base.origin, base.basis, range[0], range[1], { A, b })) : base;
  const cut = { inequalities: b.length, ...(options.simplex ? { simplex: true } : {}), ...(options.clip ? { clip: options.clip } : {}) };
  // Data rows are named as given (#I), not as 784 numbers each.
  const json: DomainJson =
    given && (json0.kind === "slice" || json0.kind === "zonotope" || json0.kind === "frame")
      ? { ...json0, cut }
      : points
        ? { kind: "slice", rows: options.slice as string, data: options.data ?? "", cut }
        : { kind: "slice", points: (through as Float64Array[]).map((p) => Array.from(p)), cut };
  const name = given ? where.label : `${k}-dimensional slice`;
  return { domain, label: `${name}${notes.length > 0 ? `, ${notes.join(", ")}` : ""}`, labels: null, json };
}
