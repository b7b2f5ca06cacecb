/**
 * Runs one sweep job: makes the network (built with the job's seed, or loaded), trains it if the
 * spec says so, and takes every measurement at every checkpoint. Returns the job's rows; a job
 * that cannot run throws a `JobError` (the job's own fault: bad model, bad domain), which is
 * recorded and never retried.
 */
import { performance } from "node:perf_hooks";
import { architectureOf } from "../bounds/architecture.ts";
import { allBounds } from "../bounds/index.ts";
import { loadModel } from "../io/files.ts";
import { parseNetwork } from "../io/network-json.ts";
import { boundaryDistances } from "../metrics/batch-distance.ts";
import { localComplexity } from "../metrics/distance.ts";
import { type Activation, mlp } from "../model/build/mlp.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { createRandom, type Random } from "../model/random.ts";
import { linePartition } from "../regions/line.ts";
import type { Partition } from "../regions/partition.ts";
import { boxSlice, parallelogramSlice, planePartition } from "../regions/plane.ts";
import { spacePartition } from "../regions/space.ts";
import { builtinDataset } from "../train/data/index.ts";
import { createTrainer } from "../train/trainer.ts";
import type { Box, Job, MeasurementSpec } from "./spec.ts";

/** One measured value: a job's row in the results. */
export interface Row {
  job: string;
  model: string;
  seed: number;
  /** Checkpoint (epochs trained; 0 without training). */
  epoch: number;
  /** The measurement's name, with the quantity after a dot when it has several (box.activationRegions). */
  measurement: string;
  value: number;
  /** The exact value as a decimal string where a double cannot hold it (bounds); else null. */
  exact: string | null;
  /** Seconds the measurement took. */
  seconds: number;
}

/** A failure caused by the job itself (its model, its measurements): fails once, never retried. */
export class JobError extends Error {
  override name = "JobError";
}

/** One sweep job's rows (throws JobError for the job's own faults). */
export async function runJob(job: Job): Promise<Row[]> {
  const network = makeNetwork(job);
  const rows: Row[] = [];
  const checkpoints = job.train ? [...new Set(job.train.epochs)].sort((a, b) => a - b) : [0];
  const measureAll = (epoch: number) => {
    const compiled = prepare(network);
    for (const m of job.measurements) {
      const t0 = performance.now();
      let values: [string, number, string | null][];
      try {
        values = measure(compiled, network, m, job.seed);
      } catch (e) {
        throw new JobError(`measurement ${m.name}: ${(e as Error).message}`);
      }
      const seconds = (performance.now() - t0) / 1000;
      for (const [quantity, value, exact] of values) {
        rows.push({ job: job.id, model: job.model, seed: job.seed, epoch, measurement: quantity === "" ? m.name : `${m.name}.${quantity}`, value, exact, seconds });
      }
    }
  };
  if (!job.train) {
    measureAll(0);
    return rows;
  }
  const t = job.train;
  let data: Awaited<ReturnType<typeof builtinDataset>>;
  try {
    data = await builtinDataset({ source: t.data, count: t.count, noise: t.noise, seed: job.seed });
  } catch (e) {
    throw new JobError(`train.data ${t.data}: ${(e as Error).message}`);
  }
  if (data.inputSize !== network.inputSize) throw new JobError(`train.data ${t.data} has ${data.inputSize} inputs, the model ${network.inputSize}`);
  const trainer = createTrainer(network, data, { optimizer: t.optimizer, learningRate: t.learningRate, batchSize: t.batchSize, seed: job.seed });
  for (const epoch of checkpoints) {
    while (trainer.epoch < epoch) trainer.runEpoch();
    measureAll(epoch);
  }
  return rows;
}

function makeNetwork(job: Job): Network {
  const m = job.spec;
  try {
    // The network the coordinator shipped (model-store.ts), else the file at its path.
    if (job.modelJson !== undefined) return parseNetwork(job.modelJson, job.file ?? job.model);
    if (job.file !== undefined) return loadModel(job.file);
    const b = m.build;
    if (!b) throw new Error("no file and no build");
    const kind = b.activation ?? "relu";
    const activation: Activation =
      kind === "maxout"
        ? { type: "maxout", k: b.k ?? 2 }
        : kind === "leaky-relu"
          ? { type: "leaky-relu", slope: 0.01 }
          : kind === "hard-tanh"
            ? { type: "hard-tanh", lo: -1, hi: 1 }
            : { type: kind };
    return mlp(b.widths, { init: b.init, seed: job.seed, activation });
  } catch (e) {
    throw new JobError(`model ${job.model}: ${(e as Error).message}`);
  }
}

/** A measurement's quantities: [name ("" for a single one), value, exact text or null]. */
function measure(compiled: Compiled, network: Network, m: MeasurementSpec, seed: number): [string, number, string | null][] {
  const n0 = compiled.inputSize;
  if (m.count) {
    const p = countPartition(compiled, m.count);
    return [
      ["activationRegions", p.activationRegions, null],
      ["linearPieces", p.linearPieces, null],
    ];
  }
  // Random points of a measurement come from the job's seed and the measurement's name, so
  // adding a measurement does not change the others.
  const rng = createRandom(seed * 7919 + hashName(m.name));
  if (m.lineDensity) {
    const { segments, box } = m.lineDensity;
    let pieces = 0;
    let length = 0;
    for (let s = 0; s < segments; s++) {
      const path = randomPoints(rng, 2, n0, box);
      const p = linePartition(compiled, path);
      pieces += p.cellCount;
      length += Math.hypot(...Array.from({ length: n0 }, (_, i) => path[n0 + i] - path[i]));
    }
    return [
      ["perSegment", pieces / segments, null],
      ["perUnitLength", pieces / length, null],
    ];
  }
  if (m.distance) {
    const { points, box } = m.distance;
    const d = Array.from(boundaryDistances(compiled, randomPoints(rng, points, n0, box), points)).sort((a, b) => a - b);
    const mean = d.reduce((s, x) => s + x, 0) / points;
    const median = points % 2 ? d[(points - 1) / 2] : (d[points / 2 - 1] + d[points / 2]) / 2;
    return [
      ["mean", mean, null],
      ["median", median, null],
    ];
  }
  if (m.localComplexity) {
    const { points, radius, box } = m.localComplexity;
    const xs = randomPoints(rng, points, n0, box);
    let sum = 0;
    for (let i = 0; i < points; i++) sum += localComplexity(compiled, xs.subarray(i * n0, (i + 1) * n0), radius);
    return [["mean", sum / points, null]];
  }
  if (m.bounds) {
    return allBounds(architectureOf(network))
      .filter((b) => b.applies && b.value !== null)
      .map((b) => [b.id, b.value?.toNumber() ?? Number.NaN, b.value?.toDecimal(12) ?? null]);
  }
  throw new Error("unknown measurement kind");
}

function countPartition(compiled: Compiled, count: NonNullable<MeasurementSpec["count"]>): Partition {
  const n0 = compiled.inputSize;
  if (count.box) {
    const [lo, hi] = count.box;
    if (n0 === 1) return linePartition(compiled, Float64Array.of(lo, hi));
    if (n0 === 2) {
      const { slice, domain } = boxSlice(lo, hi);
      return planePartition(compiled, slice, { domain });
    }
    if (n0 <= 8) return spacePartition(compiled, { box: [lo, hi] });
    throw new Error(`a box count needs at most 8 inputs (the model has ${n0}); count along lines or planes`);
  }
  const points = (count.line ?? count.plane) as number[][];
  for (const p of points) if (!Array.isArray(p) || p.length !== n0 || !p.every(Number.isFinite)) throw new Error(`every point needs ${n0} coordinates`);
  if (count.line) {
    if (points.length < 2) throw new Error("a line needs at least 2 points");
    return linePartition(compiled, Float64Array.from(points.flat()));
  }
  if (points.length !== 3) throw new Error("a plane needs 3 points");
  const [p1, p2, p3] = points.map((p) => Float64Array.from(p));
  const { slice, domain } = parallelogramSlice(p1, p2, p3);
  return planePartition(compiled, slice, { domain });
}

/** `count` points uniform in the box [lo, hi]^n0, row-major. */
function randomPoints(rng: Random, count: number, n0: number, [lo, hi]: Box): Float64Array {
  const xs = new Float64Array(count * n0);
  for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform(lo, hi);
  return xs;
}

function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h % 100003;
}

/** What a job's run gives back across threads and machines (an error's class does not travel). */
export type JobOutcome = { ok: true; rows: Row[] } | { ok: false; error: string; jobFault: boolean };

/** Pool task (parallel/pool.ts) and queue processor body: a job's rows, or why it failed. */
export async function runJobTask(job: Job): Promise<JobOutcome> {
  try {
    return { ok: true, rows: await runJob(job) };
  } catch (e) {
    return { ok: false, error: (e as Error).message, jobFault: e instanceof JobError };
  }
}
