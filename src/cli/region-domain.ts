/**
 * Where to look, from the command line: `--box`, `--line`, `--plane` and `--slice` parsed into the
 * library's `Domain` (domain/domain.ts), with what the CLI prints about it (a label, the plane's
 * axis names, the `domain` field of `--json`). The engine is chosen by `partition()`.
 */
import { box, type Domain, DomainError, parallelogram, polyline, sliceThrough } from "../domain/domain.ts";
import { parallelogramArea, parallelotopeVolume } from "../domain/measure.ts";
import { parseNumbers, parsePoints, UserError } from "./errors.ts";

/** The `domain` field of `count --json` and `map --json`. */
export type DomainJson =
  | { kind: "box"; lo: number; hi: number }
  | { kind: "line"; points: number[][] }
  | { kind: "plane"; points: number[][] }
  | { kind: "slice"; points: number[][]; cut?: SliceCut }
  | { kind: "slice"; rows: string; data: string; cut?: SliceCut }
  | { kind: "slice"; origin: string; directions: string; data?: string; k: number; lo: number; hi: number; cut?: SliceCut }
  | { kind: "slice"; file: string; k: number; lo: number; hi: number; cut?: SliceCut }
  | { kind: "zonotope" | "frame"; file: string; k: number; lo: number; hi: number; cut?: SliceCut }
  | { kind: "polytope"; lo: number; hi: number; inequalities: number; boundingBox?: true };

// A polytope's lo, hi: its --box, or (boundingBox: true) the cube around it found by LPs (--polytope alone).

/** How a slice was cut (domain-cuts.ts): the number of inequalities, and which options made them. */
export interface SliceCut {
  inequalities: number;
  simplex?: boolean;
  clip?: string;
}

/** A domain given on the command line. */
export interface CliDomain {
  domain: Domain;
  /** What the human output calls it ("box [-1,1]^2", "segment (0,0) -> (1,1)", ...). */
  label: string;
  /** Names of the plane's axes for pictures (2-D domains), else null. */
  labels: [string, string] | null;
  json: DomainJson;
}

export interface DomainOptions {
  box?: string;
  line?: string;
  plane?: string;
  slice?: string;
  /** --slice's points when they were read elsewhere (data rows, domain-cuts.ts), and where from. */
  slicePoints?: Float64Array[];
  data?: string;
}

/** Parse "LO,HI" with LO < HI. */
export function parseBox(text: string, what = "--box"): [number, number] {
  const values = parseNumbers(text, what);
  if (values.length !== 2) throw new UserError(`${what}: expected LO,HI (two numbers), got "${text}"`);
  const [lo, hi] = values;
  if (!(lo < hi)) throw new UserError(`${what}: LO must be less than HI, got ${lo},${hi}`);
  return [lo, hi];
}

function formatPoint(p: ArrayLike<number>): string {
  return `(${Array.from(p).join(",")})`;
}

const asJson = (points: readonly Float64Array[]): number[][] => points.map((p) => Array.from(p));

/** A library DomainError as the user error of an option. */
export function built<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof DomainError) throw new UserError(`${what}: ${e.message}`);
    throw e;
  }
}

/** Exactly one of --box, --line, --plane, --slice (the `allowed` ones), checked against the model's input size. */
export function parseDomain(options: DomainOptions, inputSize: number, allowed: readonly ("box" | "line" | "plane" | "slice")[]): CliDomain {
  const given = allowed.filter((name) => options[name] !== undefined);
  const names = allowed.map((n) => `--${n}`).join(", ");
  if (given.length === 0) throw new UserError(`say where to look: one of ${names}`);
  if (given.length > 1) throw new UserError(`give only one of ${names} (got ${given.map((n) => `--${n}`).join(" and ")})`);
  const which = given[0];
  if (which === "box") {
    const [lo, hi] = parseBox(options.box as string);
    const range = `[${lo},${hi}]`;
    const domain = built("--box", () => box(lo, hi, inputSize));
    const json: DomainJson = { kind: "box", lo, hi };
    if (inputSize === 1) return { domain, label: `interval ${range}`, labels: null, json };
    return { domain, label: `box ${range}^${inputSize}`, labels: inputSize === 2 ? ["x0", "x1"] : null, json };
  }
  if (which === "slice") {
    // k+1 points: a segment (k = 1) and a parallelogram (k = 2) are read as --line and --plane.
    const points = options.slicePoints ?? parsePoints(options.slice as string, null, inputSize, "--slice");
    if (points.length < 2) throw new UserError(`--slice: expected at least 2 points separated by ";", got ${points.length}`);
    points.forEach((p, i) => {
      if (p.length !== inputSize) throw new UserError(`--slice: point ${i + 1} has ${p.length} coordinates, the model has ${inputSize} inputs`);
    });
    if (points.length - 1 > inputSize) throw new UserError(`--slice: ${points.length} points span at most ${inputSize} dimensions (the model's inputs)`);
    if (points.length === 2) return lineDomain(points, "--slice");
    if (points.length === 3) return planeDomain(points, "--slice");
    const domain = built("--slice", () => sliceThrough(points));
    if (!(parallelotopeVolume(domain.basis) > 0))
      throw new UserError(`--slice: the ${points.length} points are affinely dependent, they span fewer than ${points.length - 1} dimensions`);
    // Data rows are named as given (#I), not as 784 numbers each.
    const text = options.slicePoints ? (options.slice as string) : points.map(formatPoint).join(";");
    const json: DomainJson = options.slicePoints ? { kind: "slice", rows: options.slice as string, data: options.data ?? "" } : { kind: "slice", points: asJson(points) };
    return { domain, label: `${points.length - 1}-dimensional slice through ${text}`, labels: null, json };
  }
  if (which === "line") return lineDomain(parsePoints(options.line as string, null, inputSize, "--line"), "--line");
  return planeDomain(parsePoints(options.plane as string, 3, inputSize, "--plane"), "--plane");
}

function lineDomain(points: Float64Array[], what: string): CliDomain {
  if (points.length < 2) throw new UserError(`${what}: expected at least 2 points separated by ";", got ${points.length}`);
  const domain = built(what, () => polyline(points));
  const label = points.length === 2 ? `segment ${formatPoint(points[0])} -> ${formatPoint(points[1])}` : `polyline of ${points.length - 1} segments`;
  return { domain, label, labels: null, json: { kind: "line", points: asJson(points) } };
}

function planeDomain(points: Float64Array[], what: string): CliDomain {
  const domain = built(what, () => parallelogram(points[0], points[1], points[2]));
  const { e1, e2 } = domain.plane;
  // Relative test: the sine of the angle between the two sides is (numerically) zero.
  if (parallelogramArea(domain.plane) <= 1e-12 * Math.hypot(...e1) * Math.hypot(...e2)) {
    throw new UserError(`${what}: the three points lie on one line, they span no plane`);
  }
  return {
    domain,
    label: `parallelogram ${formatPoint(points[0])} + s*(P2-P1) + t*(P3-P1)`,
    labels: ["s (toward P2)", "t (toward P3)"],
    json: { kind: "plane", points: asJson(points) },
  };
}
