/**
 * The explorer's whole-domain count (docs/whole.md): every activation region of the session's
 * model over a box [lo, hi]^n0, a slice through chosen points (data rows "#I", e.g. MNIST
 * thumbnails, or typed points; optionally their simplex and clipped to a box), the slice of the
 * map's current plane, or a polytope A x <= b, by the whole-domain engine, in the engine worker,
 * with a size guard (the number of regions can grow as 2^units: the count is offered up to
 * WHOLE_MAX_UNITS piecewise units and stops at WHOLE_MAX_CELLS regions, reported as incomplete),
 * progress lines, and the page's Cancel (the worker is replaced, worker.ts).
 *
 * The map's plane can also be swept along a third direction into a 3-D slice (towards a data row,
 * along typed numbers, or along the normal of a 3-input model's plane), and a polytope or a slice
 * can come from a file (the JSON of the CLI's --polytope and --slice-file, with the CLI's lines
 * about what is wrong in it, after the file's name).
 *
 * The explorer has no LP solver (vite.config.ts): a polytope without a box is bounded by its rows
 * (propagation and the parallelotope of its two-sided rows, domain/polytope-box.ts), which is
 * exact for a box given as rows or a turned frame; when they leave a coordinate unbounded, the
 * page asks for a box.
 */
import { type Domain, DomainError, polytope, slice, sliceThrough } from "../domain/domain.ts";
import { parallelotopeVolume } from "../domain/measure.ts";
import { inCube, rowBounds } from "../domain/polytope-box.ts";
import { polytopeFromJson } from "../domain/polytope-json.ts";
import { clipRows } from "../domain/slice-clip.ts";
import { sliceFromJson } from "../domain/slice-json.ts";
import { prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { wholePartition } from "../regions/whole.ts";
import { wholeArguments } from "../regions/whole-domain.ts";
import type { Dataset } from "../train/data/dataset.ts";
import type { ViewPlane } from "./view-plane.ts";

/** Most piecewise units the explorer counts a whole domain for. */
export const WHOLE_MAX_UNITS = 32;
/** Regions after which the count stops (a lower bound, said so). */
export const WHOLE_MAX_CELLS = 200_000;

/** Where to count, as the page asks for it. */
export type WholeDomainRequest =
  | { kind: "box"; lo: number; hi: number }
  /** k+1 points separated by ";", each "#I" (row I of the session's data) or n0 numbers. */
  | { kind: "slice"; points: string; simplex: boolean; clip: [number, number] | null }
  /** The plane the map shows, as a 2-D slice (its count is the map's). */
  | { kind: "view" }
  /**
   * The map's plane swept along a third direction: "#I" (towards data row I: the plane's
   * rectangle and the point's offset from the plane), n0 comma-separated numbers, or "normal"
   * (3-input models: both sides of the plane, as far as its longer side).
   */
  | { kind: "view3"; third: string }
  /** {"A": [[...]], "b": [...]} in input space, inside `box` or, without one, its rows' bounds; `file`: the name it came from. */
  | { kind: "polytope"; text: string; box: [number, number] | null; file?: string | null }
  /** {"origin": [...], "basis": [[...]], "lo"?, "hi"?} as `count --slice-file`, clipped to `clip` (--clip) or not. */
  | { kind: "slice-file"; text: string; clip: [number, number] | null; file?: string | null };

export interface WholeCountResult {
  /** What was counted ("[0,1]^784", "3-D simplex through #0;#1;#2;#3", ...). */
  describe: string;
  inputSize: number;
  /** The domain's own dimension (n0 for a box or polytope, k for a slice). */
  dimension: number;
  regions: number;
  pieces: number;
  facets: number;
  uncertain: number;
  reducedDimension: number;
  seconds: number;
  /** False when WHOLE_MAX_CELLS stopped it: the counts are lower bounds. */
  complete: boolean;
}

/** Why the model is too large for a whole count here, or null. */
export function wholeRefusal(units: number): string | null {
  if (units > WHOLE_MAX_UNITS) return `this model has ${units} piecewise units: the explorer counts a whole domain up to ${WHOLE_MAX_UNITS} (use tessera count MODEL --box LO,HI)`;
  return null;
}

/** The domain of a request for a model of `inputSize` inputs; throws one line when it cannot be built. */
export function wholeDomain(request: WholeDomainRequest, inputSize: number, data: Dataset | null, plane: ViewPlane | null): { domain: Domain; describe: string } {
  switch (request.kind) {
    case "box": {
      const { lo, hi } = request;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`the box needs LO < HI, got ${lo}, ${hi}`);
      return { domain: { kind: "box", lo: new Float64Array(inputSize).fill(lo), hi: new Float64Array(inputSize).fill(hi) }, describe: `[${lo},${hi}]^${inputSize}` };
    }
    case "view": {
      const { corner, sides } = viewRectangle(plane);
      return { domain: slice(corner, sides, 0, 1), describe: `the map's plane (${plane?.describe})` };
    }
    case "view3": {
      const { corner, sides } = viewRectangle(plane);
      const { origin, direction, describe } = thirdDirection(request.third.trim(), corner, sides, inputSize, data);
      return { domain: slice(origin, [...sides, direction], 0, 1), describe: `3-D slice: the map's plane (${plane?.describe}) ${describe}` };
    }
    case "slice-file": {
      const { origin, basis, lo, hi } = fromFile(request.file, () => sliceFromJson(request.text, inputSize));
      const k = basis.length;
      if (k > inputSize) throw new Error(`the slice has ${k} directions, more than the model's ${inputSize} inputs: they cannot be independent`);
      const lengths = basis.reduce((p, d) => p * Math.hypot(...d), 1);
      if (!(parallelotopeVolume(basis) > 1e-12 * lengths)) throw new Error(`the slice's ${k} directions are linearly dependent: they span fewer than ${k} dimensions`);
      // --clip in slice coordinates: the rows of x(y) in the box, for y in [lo, hi]^k.
      const rows = request.clip ? clipRows(origin, basis, request.clip[0], request.clip[1], false, [lo, hi]) : null;
      const domain = rows && rows.b.length > 0 ? slice(origin, basis, lo, hi, rows) : slice(origin, basis, lo, hi);
      const clip = request.clip ? `, inside [${request.clip[0]},${request.clip[1]}]^${inputSize}` : "";
      return { domain, describe: `${k}-D slice of ${request.file ?? "the pasted JSON"}, y in [${lo},${hi}]^${k}${clip}` };
    }
    case "slice": {
      const texts = request.points.split(";").map((t) => t.trim());
      if (texts.length < 2) throw new Error(`a slice needs at least 2 points separated by ";", got ${texts.length}`);
      const points = texts.map((t, i) => pointOf(t, i, inputSize, data));
      const base = sliceThrough(points);
      const k = base.basis.length;
      if (k > inputSize) throw new Error(`${texts.length} points span at most ${inputSize} dimensions (the model's inputs)`);
      const lengths = base.basis.reduce((p, d) => p * Math.hypot(...d), 1);
      if (!(parallelotopeVolume(base.basis) > 1e-12 * lengths)) throw new Error(`the ${texts.length} points are affinely dependent: they span fewer than ${k} dimensions`);
      const A: number[] = request.simplex ? new Array(k).fill(1) : [];
      const b: number[] = request.simplex ? [1] : [];
      if (request.clip) {
        const rows = clipRows(base.origin, base.basis, request.clip[0], request.clip[1], request.simplex);
        A.push(...rows.A);
        b.push(...rows.b);
      }
      const domain = b.length > 0 ? slice(base.origin, base.basis, 0, 1, { A, b }) : base;
      const shape = request.simplex ? "simplex" : "parallelotope";
      const clip = request.clip ? `, inside [${request.clip[0]},${request.clip[1]}]^${inputSize}` : "";
      return { domain, describe: `${k}-D ${shape} through ${texts.join(";")}${clip}` };
    }
    case "polytope": {
      const { A, b } = fromFile(request.file, () => polytopeFromJson(request.text, inputSize, `the model's ${inputSize} inputs`));
      let box = request.box;
      if (!box) {
        const { lo, hi } = rowBounds(A, b, inputSize);
        const cube: [number, number] = [Math.min(...lo), Math.max(...hi)];
        if (!(Number.isFinite(cube[0]) && Number.isFinite(cube[1])))
          throw new Error(
            "the polytope's rows do not bound every coordinate by themselves (the explorer has no LP solver): give a box, or use tessera count MODEL --polytope FILE",
          );
        box = cube[0] < cube[1] ? cube : [cube[0] - 1, cube[1] + 1];
      }
      const where = request.box
        ? `inside [${box[0]},${box[1]}]^${inputSize}`
        : `bounded by its rows in [${Number(box[0].toPrecision(6))},${Number(box[1].toPrecision(6))}]^${inputSize}`;
      // Rows the cube implies (a pixel box given as rows) would only slow every LP down.
      return { domain: inCube(polytope(A, b, inputSize), box), describe: `polytope of ${b.length} inequalities, ${where}` };
    }
  }
}

/** The map's rectangle in input space: a corner and its two sides (the polygon is axis-aligned in (u, v)). */
function viewRectangle(plane: ViewPlane | null): { corner: Float64Array; sides: Float64Array[] } {
  if (!plane) throw new Error("no plane on the map yet");
  const us = plane.domain.filter((_, i) => i % 2 === 0);
  const vs = plane.domain.filter((_, i) => i % 2 === 1);
  const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
  const { origin, e1, e2 } = plane.slice;
  const corner = origin.map((o, i) => o + u0 * e1[i] + v0 * e2[i]);
  return { corner, sides: [e1.map((x) => x * (u1 - u0)), e2.map((x) => x * (v1 - v0))] };
}

/**
 * The third side of a 3-D slice from the map's rectangle (corner, sides), and where the slice
 * starts: towards a data row (its offset from the plane, so the prism reaches the point's height),
 * along typed numbers, or along the normal of a 3-input model's plane (centred on the plane).
 */
function thirdDirection(
  text: string,
  corner: Float64Array,
  sides: Float64Array[],
  inputSize: number,
  data: Dataset | null,
): { origin: Float64Array; direction: Float64Array; describe: string } {
  if (inputSize < 3) throw new Error(`a 3-D slice needs a model of at least 3 inputs, this one has ${inputSize}`);
  const [u, v] = sides;
  const dot = (p: ArrayLike<number>, q: ArrayLike<number>) => {
    let t = 0;
    for (let i = 0; i < inputSize; i++) t += p[i] * q[i];
    return t;
  };
  let origin = corner;
  let direction: Float64Array;
  let describe: string;
  if (text === "normal") {
    if (inputSize !== 3) throw new Error(`"normal": the plane has one normal only in 3 dimensions, this model has ${inputSize} inputs (give "#I" or ${inputSize} numbers)`);
    const n = Float64Array.of(u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]);
    const scale = Math.max(Math.hypot(...u), Math.hypot(...v)) / Math.hypot(...n);
    direction = n.map((x) => x * scale);
    origin = corner.map((c, i) => c - direction[i] / 2);
    describe = "along its normal, both sides";
  } else if (text.startsWith("#")) {
    const point = pointOf(text, 0, inputSize, data);
    // The point's offset from the plane: minus its least-squares projection onto the sides.
    const d = point.map((p, i) => p - corner[i]);
    const [uu, uv, vv, du, dv] = [dot(u, u), dot(u, v), dot(v, v), dot(d, u), dot(d, v)];
    const det = uu * vv - uv * uv;
    const [a, b] = [(du * vv - dv * uv) / det, (dv * uu - du * uv) / det];
    direction = d.map((x, i) => x - a * u[i] - b * v[i]);
    // An offset at the level of rounding (the point is in the plane) has no direction of its own.
    if (!(Math.hypot(...direction) > 1e-9 * Math.hypot(...d))) throw new Error(`the third direction (${text}) lies in the map's plane: choose another`);
    describe = `towards ${text}`;
  } else {
    direction = pointOf(text, 0, inputSize, data);
    describe = `along (${text.length > 30 ? `${text.slice(0, 30)}…` : text})`;
  }
  const lengths = Math.hypot(...u) * Math.hypot(...v) * Math.hypot(...direction);
  if (!(parallelotopeVolume([u, v, direction]) > 1e-9 * lengths)) throw new Error(`the third direction (${text.slice(0, 30)}) lies in the map's plane: choose another`);
  return { origin, direction, describe };
}

/** `parse()`, with its one line after the name of the file the text came from (as the CLI puts the path). */
function fromFile<T>(file: string | null | undefined, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (file && e instanceof DomainError) throw new DomainError(`${file}: ${e.message}`);
    throw e;
  }
}

function pointOf(text: string, i: number, inputSize: number, data: Dataset | null): Float64Array {
  if (text.startsWith("#")) {
    const row = Number(text.slice(1));
    if (!data || data.inputSize !== inputSize) throw new Error(`point ${i + 1} ("${text}"): there are no data rows with the model's ${inputSize} inputs`);
    if (!Number.isInteger(row) || row < 0 || row >= data.count) throw new Error(`point ${i + 1} ("${text}"): the data has rows #0 to #${data.count - 1}`);
    return data.x.slice(row * inputSize, (row + 1) * inputSize);
  }
  const values = text.split(",").map((t) => Number(t.trim()));
  if (values.length !== inputSize || !values.every(Number.isFinite))
    throw new Error(`point ${i + 1}: expected "#I" (a data row) or ${inputSize} comma-separated numbers, got "${text.slice(0, 40)}"`);
  return Float64Array.from(values);
}

/** Every region of `domain` (a box, polytope or slice of the network's inputs), by the whole-domain engine. */
export function wholeCount(network: Network, domain: Domain, describe: string, progress: (text: string) => void): WholeCountResult {
  const compiled = prepare(network);
  const refusal = wholeRefusal(compiled.layout.units);
  if (refusal) throw new Error(refusal);
  const args = wholeArguments(domain);
  if (typeof args === "string") throw new Error(args);
  const t0 = performance.now();
  const part = wholePartition(compiled, {
    ...args,
    points: false,
    maxCells: WHOLE_MAX_CELLS,
    onProgress: ({ cells, seconds }) => progress(`whole domain: ${cells} regions processed, ${seconds.toFixed(1)} s`),
    progressEvery: 0.25,
  });
  return {
    describe,
    inputSize: compiled.inputSize,
    dimension: domain.kind === "slice" ? domain.basis.length : compiled.inputSize,
    regions: part.activationRegions,
    pieces: part.linearPieces,
    facets: part.facetCount,
    uncertain: part.uncertain,
    reducedDimension: part.dim,
    seconds: (performance.now() - t0) / 1000,
    complete: part.stopped === undefined,
  };
}
