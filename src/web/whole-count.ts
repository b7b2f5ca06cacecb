/**
 * The explorer's whole-domain count (docs/whole.md): every activation region of the session's
 * model over a box [lo, hi]^n0, a slice through chosen points (data rows "#I", e.g. MNIST
 * thumbnails, or typed points; optionally their simplex and clipped to a box), the slice of the
 * map's current plane, or a polytope A x <= b, by the whole-domain engine, in the engine worker,
 * with a size guard (the number of regions can grow as 2^units: the count is offered up to
 * WHOLE_MAX_UNITS piecewise units and stops at WHOLE_MAX_CELLS regions, reported as incomplete),
 * progress lines, and the page's Cancel (the worker is replaced, worker.ts).
 *
 * The explorer has no LP solver (vite.config.ts): a polytope without a box is bounded by
 * propagation through its rows (domain/polytope-box.ts), which is exact enough for any polytope
 * whose rows bound every coordinate; otherwise the page asks for a box.
 */
import { type Domain, polytope, slice, sliceThrough } from "../domain/domain.ts";
import { parallelotopeVolume } from "../domain/measure.ts";
import { inCube, propagatedBounds } from "../domain/polytope-box.ts";
import { polytopeFromJson } from "../domain/polytope-json.ts";
import { clipRows } from "../domain/slice-clip.ts";
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
  /** {"A": [[...]], "b": [...]} in input space, inside `box` or, without one, its propagated bounds. */
  | { kind: "polytope"; text: string; box: [number, number] | null };

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
      if (!plane) throw new Error("no plane on the map yet");
      // The map's polygon is an axis-aligned rectangle of (u, v): its corner and two sides.
      const us = plane.domain.filter((_, i) => i % 2 === 0);
      const vs = plane.domain.filter((_, i) => i % 2 === 1);
      const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
      const { origin, e1, e2 } = plane.slice;
      const corner = origin.map((o, i) => o + u0 * e1[i] + v0 * e2[i]);
      const domain = slice(corner, [e1.map((x) => x * (u1 - u0)), e2.map((x) => x * (v1 - v0))], 0, 1);
      return { domain, describe: `the map's plane (${plane.describe})` };
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
      const { A, b } = polytopeFromJson(request.text, inputSize, `the model's ${inputSize} inputs`);
      let box = request.box;
      if (!box) {
        const { lo, hi } = propagatedBounds(A, b, inputSize);
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
