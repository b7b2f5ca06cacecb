/**
 * Where to look: the domain options shared by `count` and `map` (--box, --line, --plane), parsed
 * into one value, and the exact engine that partitions it. One place decides which engine runs,
 * so `count`, `map` and `demo` cannot disagree.
 */
import type { Compiled } from "../model/forward.ts";
import { linePartition } from "../regions/line.ts";
import type { Partition } from "../regions/partition.ts";
import { boxSlice, type PlaneSlice, parallelogramSlice, planePartition } from "../regions/plane.ts";
import { SpaceLimitError, type SpaceSlice, sliceThroughPoints, spacePartition } from "../regions/space.ts";
import { parseNumbers, parsePoints, UserError } from "./errors.ts";

export type RegionDomain =
  /** A segment or polyline: (points) x inputSize vertices, row-major. */
  | { kind: "line"; path: Float64Array; points: Float64Array[]; label: string }
  /** A convex polygon in a 2D slice; `labels` name the slice's axes. */
  | { kind: "plane"; slice: PlaneSlice; domain: Float64Array; points: Float64Array[] | null; box: [number, number] | null; labels: [string, string]; label: string }
  /**
   * The space engine's job: the box [lo, hi]^n0 for n0 >= 3, or (with `slice`) the k-dimensional
   * parallelotope through k+1 points, P0 + sum y_c (P_c - P0), y in [0, 1]^k.
   */
  | { kind: "space"; lo: number; hi: number; inputSize: number; label: string; slice?: SpaceSlice; points?: Float64Array[] };

export interface DomainOptions {
  box?: string;
  line?: string;
  plane?: string;
  slice?: string;
}

/** Parse "LO,HI" with LO < HI. */
export function parseBox(text: string): [number, number] {
  const values = parseNumbers(text, "--box");
  if (values.length !== 2) throw new UserError(`--box: expected LO,HI (two numbers), got "${text}"`);
  const [lo, hi] = values;
  if (!(lo < hi)) throw new UserError(`--box: LO must be less than HI, got ${lo},${hi}`);
  return [lo, hi];
}

function formatPoint(p: ArrayLike<number>): string {
  return `(${Array.from(p).join(",")})`;
}

/** Exactly one of --box, --line, --plane (the `allowed` ones), checked against the model's input size. */
export function parseDomain(options: DomainOptions, inputSize: number, allowed: readonly ("box" | "line" | "plane" | "slice")[]): RegionDomain {
  const given = allowed.filter((name) => options[name] !== undefined);
  const names = allowed.map((n) => `--${n}`).join(", ");
  if (given.length === 0) throw new UserError(`say where to look: one of ${names}`);
  if (given.length > 1) throw new UserError(`give only one of ${names} (got ${given.map((n) => `--${n}`).join(" and ")})`);
  const which = given[0];
  if (which === "box") {
    const [lo, hi] = parseBox(options.box as string);
    const range = `[${lo},${hi}]`;
    if (inputSize === 1) {
      const points = [Float64Array.of(lo), Float64Array.of(hi)];
      return { kind: "line", path: Float64Array.of(lo, hi), points, label: `interval ${range}` };
    }
    if (inputSize === 2) {
      const { slice, domain } = boxSlice(lo, hi);
      return { kind: "plane", slice, domain, points: null, box: [lo, hi], labels: ["x0", "x1"], label: `box ${range}^2` };
    }
    return { kind: "space", lo, hi, inputSize, label: `box ${range}^${inputSize}` };
  }
  if (which === "slice") {
    // k+1 points: a segment (k = 1) and a parallelogram (k = 2) go to their own engines.
    const points = parsePoints(options.slice as string, null, inputSize, "--slice");
    if (points.length < 2) throw new UserError(`--slice: expected at least 2 points separated by ";", got ${points.length}`);
    if (points.length - 1 > inputSize) throw new UserError(`--slice: ${points.length} points span at most ${inputSize} dimensions (the model's inputs)`);
    const text = points.map(formatPoint).join(";");
    if (points.length === 2) return parseDomain({ line: options.slice }, inputSize, ["line"]);
    if (points.length === 3) return parseDomain({ plane: options.slice }, inputSize, ["plane"]);
    const { slice } = sliceThroughPoints(points);
    if (!(parallelotopeVolume(slice.basis) > 0))
      throw new UserError(`--slice: the ${points.length} points are affinely dependent, they span fewer than ${points.length - 1} dimensions`);
    return { kind: "space", lo: 0, hi: 1, inputSize: points.length - 1, label: `${points.length - 1}-dimensional slice through ${text}`, slice, points };
  }
  if (which === "line") {
    const points = parsePoints(options.line as string, null, inputSize, "--line");
    if (points.length < 2) throw new UserError(`--line: expected at least 2 points separated by ";", got ${points.length}`);
    points.forEach((p, i) => {
      if (i > 0 && p.every((x, d) => x === points[i - 1][d])) throw new UserError(`--line: points ${i} and ${i + 1} are the same, a segment needs two distinct ends`);
    });
    const path = new Float64Array(points.length * inputSize);
    points.forEach((p, i) => {
      path.set(p, i * inputSize);
    });
    const label = points.length === 2 ? `segment ${formatPoint(points[0])} -> ${formatPoint(points[1])}` : `polyline of ${points.length - 1} segments`;
    return { kind: "line", path, points, label };
  }
  const points = parsePoints(options.plane as string, 3, inputSize, "--plane");
  const { slice, domain } = parallelogramSlice(points[0], points[1], points[2]);
  // Relative test: the sine of the angle between the two sides is (numerically) zero.
  if (parallelogramArea(slice) <= 1e-12 * norm2(slice.e1) * norm2(slice.e2)) {
    throw new UserError("--plane: the three points lie on one line, they span no plane");
  }
  return {
    kind: "plane",
    slice,
    domain,
    points,
    box: null,
    labels: ["s (toward P2)", "t (toward P3)"],
    label: `parallelogram ${formatPoint(points[0])} + s*(P2-P1) + t*(P3-P1)`,
  };
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** k-volume of the parallelotope spanned by the basis vectors: sqrt(det Gram), by elimination. */
export function parallelotopeVolume(basis: readonly Float64Array[]): number {
  const k = basis.length;
  const g = basis.map((a) => basis.map((b) => a.reduce((s, x, i) => s + x * b[i], 0)));
  let det = 1;
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(g[r][c]) > Math.abs(g[piv][c])) piv = r;
    if (g[piv][c] === 0) return 0;
    [g[c], g[piv]] = [g[piv], g[c]];
    if (piv !== c) det = -det;
    det *= g[c][c];
    for (let r = c + 1; r < k; r++) {
      const f = g[r][c] / g[c][c];
      for (let q = c; q < k; q++) g[r][q] -= f * g[c][q];
    }
  }
  return Math.sqrt(Math.max(0, det));
}

/** Area of the parallelogram spanned by e1, e2 in input space (Gram determinant). */
export function parallelogramArea(slice: PlaneSlice): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < slice.e1.length; i++) {
    aa += slice.e1[i] * slice.e1[i];
    bb += slice.e2[i] * slice.e2[i];
    ab += slice.e1[i] * slice.e2[i];
  }
  return Math.sqrt(Math.max(0, aa * bb - ab * ab));
}

/** Length (line), area (plane) or volume (space) of the domain in input-space units. */
export function domainMeasure(domain: RegionDomain): number {
  if (domain.kind === "space") return domain.slice ? parallelotopeVolume(domain.slice.basis) : (domain.hi - domain.lo) ** domain.inputSize;
  if (domain.kind === "line") {
    let total = 0;
    for (let i = 1; i < domain.points.length; i++) {
      let s = 0;
      for (let d = 0; d < domain.points[i].length; d++) s += (domain.points[i][d] - domain.points[i - 1][d]) ** 2;
      total += Math.sqrt(s);
    }
    return total;
  }
  // Shoelace area of the domain polygon in (u, v), times the slice's area scale.
  const dom = domain.domain;
  let twice = 0;
  for (let j = 0; j < dom.length; j += 2) {
    const k = (j + 2) % dom.length;
    twice += dom[j] * dom[k + 1] - dom[k] * dom[j + 1];
  }
  return (Math.abs(twice) / 2) * parallelogramArea(domain.slice);
}

/**
 * The exact partition of a domain. Line and plane domains run their engines; a box in three or
 * more dimensions needs the space engine.
 */
export function partitionDomain(compiled: Compiled, domain: RegionDomain): Partition {
  switch (domain.kind) {
    case "line":
      return linePartition(compiled, domain.path);
    case "plane":
      return planePartition(compiled, domain.slice, { domain: domain.domain });
    case "space":
      try {
        // Vertices, edges and facets are counted in up to 4 dimensions (the engine's default).
        return spacePartition(compiled, { box: [domain.lo, domain.hi], slice: domain.slice });
      } catch (e) {
        // Too many regions for memory is the user's to fix (a smaller box), not a bug.
        if (e instanceof SpaceLimitError) throw new UserError(e.message);
        throw e;
      }
  }
}
