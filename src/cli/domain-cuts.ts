/**
 * Cut domains from the command line (`count`): a slice's points as data rows (`--slice "#0;#7;#42"
 * --data FILE|mnist`), and inequalities that cut a box or a slice: `--polytope FILE` (A and b in
 * JSON: input space with --box, slice coordinates with --slice), `--clip LO,HI` (a slice kept
 * inside the input box [LO,HI]^n0, e.g. the pixel box of slices through digits) and `--simplex`
 * (the convex hull of the slice's k+1 points instead of their parallelotope). The domain becomes
 * the library's polytope or cut slice (domain/domain.ts), which the space engine (up to 8
 * dimensions) or the whole-domain engine (any) partitions.
 */

import { type Domain, polytope, slice, sliceThrough } from "../domain/domain.ts";
import { readBytes } from "../io/files.ts";
import { parseDataRows } from "./commands/stats.ts";
import { parseInteger, parseNumbers, UserError } from "./errors.ts";
import type { CliDomain, DomainJson } from "./region-domain.ts";
import { built, parseBox } from "./region-domain.ts";

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
  let doc: unknown;
  try {
    doc = JSON.parse(readBytes(path, "polytope file").toString("utf8"));
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserError(`--polytope ${path}: not valid JSON (${e.message})`);
    throw e;
  }
  const { A, b } = (doc ?? {}) as { A?: unknown; b?: unknown };
  if (!Array.isArray(A) || !Array.isArray(b)) throw new UserError(`--polytope ${path}: expected {"A": [[...], ...], "b": [...]} (A x <= b)`);
  if (A.length !== b.length) throw new UserError(`--polytope ${path}: A has ${A.length} rows, b has ${b.length} numbers`);
  if (A.length === 0) throw new UserError(`--polytope ${path}: no inequalities`);
  const flat = new Float64Array(A.length * columns);
  A.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns)
      throw new UserError(`--polytope ${path}: row ${i + 1} of A has ${Array.isArray(row) ? row.length : "no"} numbers, expected ${columns} (${what})`);
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new UserError(`--polytope ${path}: A[${i + 1}][${j + 1}] is not a finite number`);
      flat[i * columns + j] = v;
    });
  });
  b.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new UserError(`--polytope ${path}: b[${i + 1}] is not a finite number`);
  });
  return { A: flat, b: Float64Array.from(b as number[]) };
}

/**
 * Rows in slice coordinates y keeping origin + sum_c y_c basis_c inside [lo, hi]^n0. Rows that
 * hold on all of the slice's domain, the cube `range`^k of y (default [0, 1]^k) or the simplex
 * (y >= 0, sum y <= 1: the extremes are at its vertices 0 and e_c), are left out.
 */
export function clipRows(
  origin: Float64Array,
  basis: readonly Float64Array[],
  lo: number,
  hi: number,
  simplex: boolean,
  range: readonly [number, number] = [0, 1],
): { A: number[]; b: number[] } {
  const [y0, y1] = range;
  const k = basis.length;
  const A: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < origin.length; i++) {
    let min = origin[i];
    let max = origin[i];
    let mag = Math.abs(origin[i]);
    for (let c = 0; c < k; c++) {
      const g = basis[c][i];
      if (simplex) {
        min = Math.min(min, origin[i] + g);
        max = Math.max(max, origin[i] + g);
      } else {
        min += Math.min(g * y0, g * y1);
        max += Math.max(g * y0, g * y1);
      }
      mag += Math.abs(g) * Math.max(Math.abs(y0), Math.abs(y1));
    }
    if (mag === Math.abs(origin[i])) {
      // No gradient: the coordinate is the origin's on the whole slice (outside: nothing is left).
      if (!(origin[i] >= lo && origin[i] <= hi)) {
        A.push(...new Array(k).fill(0));
        b.push(-1);
      }
      continue;
    }
    // Rows that hold up to rounding at every vertex are left out: what they could cut is a
    // sliver about 1e-12 thick, far below the engines' thinness threshold.
    const slack = 1e-12 * (mag + Math.abs(lo) + Math.abs(hi));
    if (max > hi + slack) {
      for (let c = 0; c < k; c++) A.push(basis[c][i]);
      b.push(hi - origin[i]);
    }
    if (min < lo - slack) {
      for (let c = 0; c < k; c++) A.push(-basis[c][i]);
      b.push(origin[i] - lo);
    }
  }
  return { A, b };
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
    given && json0.kind === "slice"
      ? { ...json0, cut }
      : points
        ? { kind: "slice", rows: options.slice as string, data: options.data ?? "", cut }
        : { kind: "slice", points: (through as Float64Array[]).map((p) => Array.from(p)), cut };
  const name = given ? where.label : `${k}-dimensional slice`;
  return { domain, label: `${name}${notes.length > 0 ? `, ${notes.join(", ")}` : ""}`, labels: null, json };
}
