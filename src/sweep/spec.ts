/**
 * A sweep's specification (JSON or YAML; docs/scale.md) and its expansion into jobs.
 *
 * A job is one network instance: a model (a file, or a builder with its parameters) with one
 * seed, optionally trained, measured at each checkpoint with every measurement. Its id is stable:
 * a readable prefix and a hash of everything that determines its rows (the model, its file's
 * bytes, the seed, the training settings and the measurements) and of the code that runs it
 * (code-id.ts: tessera's version and a hash of its code), so the same spec run again finds the jobs
 * it already finished, and a changed measurement, or a changed tessera, makes a new job.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { INITS } from "../model/build/mlp.ts";
import { codeId } from "./code-id.ts";

export interface BuildSpec {
  /** [inputs, hidden..., outputs]. */
  widths: number[];
  init?: (typeof INITS)[number];
  /** relu (default), leaky-relu, abs, hard-tanh, maxout. */
  activation?: "relu" | "leaky-relu" | "abs" | "hard-tanh" | "maxout";
  /** maxout: candidates per unit (default 2). */
  k?: number;
}

export interface ModelSpec {
  /** Name in job ids and rows (default: the widths, or the file's base name). */
  name?: string;
  /** A model file (tessera JSON, ONNX, TensorFlow.js), relative to the spec. */
  file?: string;
  /** Or a multilayer perceptron built from these parameters, initialised with the job's seed. */
  build?: BuildSpec;
}

export interface TrainSpec {
  /** A built-in data set (moons, circles, spirals, xor, blobs, checkerboard, sine, ...). */
  data: string;
  count?: number;
  noise?: number;
  /** Checkpoints: epochs after which every measurement is taken (0 = before training). */
  epochs: number[];
  optimizer?: "adam" | "sgd";
  learningRate?: number;
  batchSize?: number;
}

export type Box = [number, number];

/** One measurement, exactly one of its kinds. */
export interface MeasurementSpec {
  name: string;
  /** Exact count over a domain: a box [lo, hi]^n0 (n0 <= 8), a polyline, or a plane through 3 points. */
  count?: { box?: Box; line?: number[][]; plane?: number[][] };
  /** Pieces per random segment (seeded) between points of the box: mean per segment and per unit length. */
  lineDensity?: { segments: number; box: Box };
  /** Distance to the nearest region boundary from random points of the box: mean and median. */
  distance?: { points: number; box: Box };
  /** Units whose hyperplane comes within `radius` of random points of the box: the mean. */
  localComplexity?: { points: number; radius: number; box: Box };
  /** Every bound of `tessera bounds` that applies (one row per bound). */
  bounds?: Record<string, never>;
}

export interface SweepSpec {
  name?: string;
  models: ModelSpec[];
  /** Seeds (default [0]): a builder's initialisation and training's shuffles. */
  seeds?: number[];
  train?: TrainSpec;
  measurements: MeasurementSpec[];
}

export interface Job {
  id: string;
  /** The model's name in rows. */
  model: string;
  spec: ModelSpec;
  /** Absolute path of a model file. */
  file?: string;
  /** On a queue: the Redis key of the file's network, stored by the coordinator (model-store.ts). */
  modelKey?: string;
  /** On a worker: that network (tessera JSON), fetched by the key. */
  modelJson?: string;
  seed: number;
  train?: TrainSpec;
  measurements: MeasurementSpec[];
  /** The tessera that made the id (code-id.ts): a worker of another refuses the job. */
  code: string;
}

const MEASUREMENT_KINDS = ["count", "lineDensity", "distance", "localComplexity", "bounds"] as const;

/** Reads and checks a spec file (JSON or YAML by extension; YAML also reads JSON). */
export function readSpec(path: string): { spec: SweepSpec; base: string } {
  if (!existsSync(path)) throw new Error(`sweep spec ${path}: no such file`);
  const text = readFileSync(path, "utf8");
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`sweep spec ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  return { spec: checkSpec(raw, path), base: dirname(resolve(path)) };
}

export function checkSpec(raw: unknown, where = "sweep spec"): SweepSpec {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!isObject(raw)) return fail("expected an object with models and measurements");
  const spec = raw as unknown as SweepSpec;
  if (!Array.isArray(spec.models) || spec.models.length === 0) fail("models: a non-empty list");
  spec.models.forEach((m, i) => {
    if (!isObject(m)) fail(`models[${i}]: an object with file or build`);
    if ((m.file === undefined) === (m.build === undefined)) fail(`models[${i}]: exactly one of file and build`);
    if (m.file !== undefined && typeof m.file !== "string") fail(`models[${i}].file: a path`);
    if (m.build !== undefined) {
      const w = m.build.widths;
      if (!Array.isArray(w) || w.length < 2 || !w.every((x) => Number.isInteger(x) && x > 0)) fail(`models[${i}].build.widths: at least 2 positive integers`);
      if (m.build.init !== undefined && !INITS.includes(m.build.init)) fail(`models[${i}].build.init: one of ${INITS.join(", ")}`);
    }
  });
  if (spec.seeds !== undefined && (!Array.isArray(spec.seeds) || spec.seeds.length === 0 || !spec.seeds.every((s) => Number.isInteger(s) && s >= 0)))
    fail("seeds: a list of non-negative integers");
  if (spec.train !== undefined) {
    const t = spec.train;
    if (!isObject(t) || typeof t.data !== "string") fail("train.data: a built-in data set name");
    if (!Array.isArray(t.epochs) || t.epochs.length === 0 || !t.epochs.every((e) => Number.isInteger(e) && e >= 0))
      fail("train.epochs: a list of checkpoints (epochs, 0 = before training)");
  }
  if (!Array.isArray(spec.measurements) || spec.measurements.length === 0) fail("measurements: a non-empty list");
  const names = new Set<string>();
  spec.measurements.forEach((m, i) => {
    if (!isObject(m) || typeof m.name !== "string" || m.name === "") fail(`measurements[${i}]: needs a name`);
    if (names.has(m.name)) fail(`measurements[${i}]: the name ${m.name} is used twice`);
    names.add(m.name);
    const kinds = MEASUREMENT_KINDS.filter((k) => m[k] !== undefined);
    if (kinds.length !== 1) fail(`measurements[${i}] (${m.name}): exactly one of ${MEASUREMENT_KINDS.join(", ")}`);
    const box = (m.count?.box ?? m.lineDensity?.box ?? m.distance?.box ?? m.localComplexity?.box) as unknown;
    if (box !== undefined && !(Array.isArray(box) && box.length === 2 && box.every(Number.isFinite) && box[0] < box[1]))
      fail(`measurements[${i}] (${m.name}).box: [lo, hi] with lo < hi`);
    if (m.count && [m.count.box, m.count.line, m.count.plane].filter((x) => x !== undefined).length !== 1)
      fail(`measurements[${i}] (${m.name}).count: exactly one of box, line, plane`);
    for (const [k, field] of [
      ["lineDensity", "segments"],
      ["distance", "points"],
      ["localComplexity", "points"],
    ] as const) {
      const v = (m[k] as Record<string, unknown> | undefined)?.[field];
      if (m[k] && !(Number.isInteger(v) && (v as number) > 0)) fail(`measurements[${i}] (${m.name}).${k}.${field}: a positive integer`);
      if (m[k] && (m[k] as { box?: unknown }).box === undefined) fail(`measurements[${i}] (${m.name}).${k}.box: [lo, hi]`);
    }
  });
  return spec;
}

/** The jobs of a spec, in a stable order (models, then seeds); `code` is the running tessera's unless given (tests). */
export function expandJobs(spec: SweepSpec, base: string, code: string = codeId()): Job[] {
  const seeds = spec.seeds ?? [0];
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const m of spec.models) {
    const file = m.file === undefined ? undefined : resolve(base, m.file);
    const model = m.name ?? (m.build ? m.build.widths.join("-") : (m.file as string).replace(/^.*\//, "").replace(/\.[^.]*$/, ""));
    // A file without training does not depend on the seed: one job.
    const jobSeeds = m.file !== undefined && spec.train === undefined ? [seeds[0]] : seeds;
    const fileHash = file !== undefined && existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : (file ?? null);
    for (const seed of jobSeeds) {
      const key = JSON.stringify({ model: { ...m, file: fileHash }, seed, train: spec.train ?? null, measurements: spec.measurements, code });
      const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
      const id = `${model.replace(/[^A-Za-z0-9._-]/g, "_")}-s${seed}-${hash}`;
      if (seen.has(id)) continue;
      seen.add(id);
      jobs.push({ id, model, spec: m, ...(file ? { file } : {}), seed, ...(spec.train ? { train: spec.train } : {}), measurements: spec.measurements, code });
    }
  }
  return jobs;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
