/**
 * Which plane of input space the map shows. A 2-input model shows its inputs themselves over a
 * square [lo, hi]^2 (the same domain as `tessera count --box LO,HI`); a model with more inputs
 * shows a plane through three data points (the parallelogram P1 + s (P2 - P1) + t (P3 - P1), as
 * `tessera count --plane`) or through a centre along two random orthonormal directions.
 */
import { createRandom } from "../model/random.ts";
import { boxSlice, type PlaneSlice, parallelogramSlice } from "../regions/plane.ts";
import type { Dataset } from "../train/data/dataset.ts";
import type { Settings } from "./settings.ts";

export interface ViewPlane {
  slice: PlaneSlice;
  /** Domain polygon in (u, v), counter-clockwise. */
  domain: Float64Array;
  labels: [string, string];
  /** The square of a 2-input model (null for other planes). */
  box: [number, number] | null;
  describe: string;
}

/** A square around a data set's bounding box, rounded outward to one decimal. */
export function dataSquare(data: Dataset | null): [number, number] {
  if (data?.inputSize !== 2) return [-2, 2];
  const lo = Math.min(data.box[0], data.box[2]);
  const hi = Math.max(data.box[1], data.box[3]);
  return [Math.floor(lo * 10) / 10, Math.ceil(hi * 10) / 10];
}

/** Two orthonormal directions in R^n from a seed (Gaussian vectors, Gram-Schmidt). */
export function randomDirections(n: number, seed: number): [Float64Array, Float64Array] {
  const rng = createRandom(seed);
  const gauss = (): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  for (;;) {
    const a = gauss();
    const b = gauss();
    const na = norm(a);
    if (!(na > 0)) continue;
    for (let i = 0; i < n; i++) a[i] /= na;
    const dot = b.reduce((s, x, i) => s + x * a[i], 0);
    for (let i = 0; i < n; i++) b[i] -= dot * a[i];
    const nb = norm(b);
    if (!(nb > 1e-9)) continue;
    for (let i = 0; i < n; i++) b[i] /= nb;
    return [a, b];
  }
}

function mean(data: Dataset | null, n: number): Float64Array {
  const m = new Float64Array(n);
  if (!data || data.inputSize !== n || data.count === 0) return m;
  for (let r = 0; r < data.count; r++) for (let i = 0; i < n; i++) m[i] += data.x[r * n + i];
  for (let i = 0; i < n; i++) m[i] /= data.count;
  return m;
}

export class PlaneError extends Error {
  override name = "PlaneError";
}

export function viewPlane(inputSize: number, settings: Settings, data: Dataset | null): ViewPlane {
  if (inputSize < 2)
    throw new PlaneError(`the model has ${inputSize} input; the explorer maps planes, so it needs at least 2 inputs (use \`tessera count --box\` for a 1-input model)`);
  if (inputSize === 2) {
    const box = settings.view ?? dataSquare(data);
    const { slice, domain } = boxSlice(box[0], box[1]);
    return {
      slice,
      domain,
      labels: ["x0", "x1"],
      box,
      describe: `square [${box[0]}, ${box[1]}]^2`,
    };
  }
  const plane = settings.plane;
  if (plane.kind === "points") {
    if (!data || data.inputSize !== inputSize) throw new PlaneError("a plane through data points needs a data set with the model's inputs; choose random directions");
    for (const i of plane.indices) if (i >= data.count) throw new PlaneError(`data point ${i} does not exist (the data set has ${data.count})`);
    const row = (i: number): Float64Array => data.x.slice(i * inputSize, (i + 1) * inputSize);
    const [i, j, k] = plane.indices;
    const { slice, domain } = parallelogramSlice(row(i), row(j), row(k));
    return {
      slice,
      domain,
      labels: ["s", "t"],
      box: null,
      describe: `plane through data points ${i}, ${j}, ${k}`,
    };
  }
  const [e1, e2] = randomDirections(inputSize, plane.seed);
  const r = plane.radius;
  const origin = mean(data, inputSize);
  return {
    slice: { origin, e1, e2 },
    domain: Float64Array.of(-r, -r, r, -r, r, r, -r, r),
    labels: ["u", "v"],
    box: null,
    describe: `random plane (seed ${plane.seed}) through the ${data ? "data mean" : "origin"}, [-${r}, ${r}]^2`,
  };
}

/** A point of the plane in input space. */
export function planePoint(plane: ViewPlane, u: number, v: number): Float64Array {
  const { origin, e1, e2 } = plane.slice;
  return origin.map((o, i) => o + u * e1[i] + v * e2[i]);
}
