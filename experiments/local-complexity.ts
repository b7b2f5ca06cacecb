/**
 * Local complexity over long training on MNIST (Humayun, Balestriero & Baraniuk 2024, "Deep
 * Networks Always Grok and Here is Why"; their MNIST setting follows Liu et al. 2022: an MLP of
 * width 200 on 1,000 training digits, AdamW with weight decay, optionally a large-norm init).
 * They report three phases of the local complexity around data points: a descent after
 * initialisation, an ascent, and a final descent ("region migration": regions leave the data for
 * the decision boundary), with grokking after the transition.
 *
 * Here the local complexity of a point is exact (metrics/local-complexity.ts): the number of
 * activation regions in a square of radius r around it, spanned by two random orthonormal
 * directions, counted by the plane engine, averaged over 100 training and 100 held-out digits.
 * Each setting is a resumable run directory under experiments/output/runs/ (kill and rerun to
 * continue).
 */
import { existsSync } from "node:fs";
import type { RunConfig } from "../src/train/config.ts";
import { resumeRun, startRun } from "../src/train/node/run.ts";
import type { TrackRecord } from "../src/train/track.ts";
import { log, type Options, RUNS_DIR, saveChart, saveResults, since } from "./lib.ts";

interface Setting {
  name: string;
  label: string;
  initScale: number;
  loss: "cross-entropy" | "mse";
  /** The 784-200-200-200-10 net, batch 200, weight decay 0.01 and radius 0.2 unless said. */
  widths?: number[];
  batchSize?: number;
  weightDecay?: number;
  radius?: number;
  /** Only when asked by LC_SETTING (the long runs of the small net). */
  onRequest?: boolean;
}

/**
 * The small settings: AdamW shrinks the weights by lr x weight decay per step, so the slow phase
 * of training driven by the decay has a time scale of 1 / (lr wd) steps: 10^5 in the paper's
 * setting (1e-3 x 0.01), 10^4 with weight decay 0.1, reachable here with a 784-64-64-64-10 net
 * at batch 50 (about 6 ms a step); the same net without weight decay is the control.
 */
const SMALL = { widths: [784, 64, 64, 64, 10], batchSize: 50, radius: 0.5, onRequest: true };

/**
 * The paper's MNIST setting as far as it could be read (width 200, depth 4, 1,000 digits, Adam
 * 1e-3, weight decay 0.01, batch 200; docs/experiments.md section 2): four hidden layers of 200,
 * which the "standard" setting (three hidden layers) is not. Tracked from step 0 on the log
 * schedule (12 per decade: every epoch of 5 steps early), so the rise at 10^2-10^4 steps is seen
 * if it comes; resumable to 10^5 steps (LC_EPOCHS=20000).
 */
const PAPER = { widths: [784, 200, 200, 200, 200, 10], onRequest: true };

const SETTINGS: Setting[] = [
  { name: "standard", label: "He init, cross-entropy", initScale: 1, loss: "cross-entropy" },
  { name: "init8-mse", label: "He init x 8, MSE (Liu et al.)", initScale: 8, loss: "mse" },
  { name: "small-wd0.1", label: "784-64-64-64-10, weight decay 0.1", initScale: 1, loss: "cross-entropy", weightDecay: 0.1, ...SMALL },
  { name: "small-wd0", label: "784-64-64-64-10, no weight decay", initScale: 1, loss: "cross-entropy", weightDecay: 0, ...SMALL },
  { name: "paper-w200d4", label: "784-200x4-10, weight decay 0.01 (the paper's setting)", initScale: 1, loss: "cross-entropy", ...PAPER },
];

/** Optimisation steps per epoch: 1,000 training digits in batches. */
const stepsPerEpoch = (s: Setting): number => Math.ceil(1000 / (s.batchSize ?? 200));

/** 0, 1, 2, 3, 5, 8, ... (about 12 per decade) up to `epochs`. */
export function logEpochs(epochs: number, perDecade = 12): number[] {
  const set = new Set<number>([0, epochs]);
  for (let k = 0; ; k++) {
    const e = Math.round(10 ** (k / perDecade));
    if (e > epochs) break;
    set.add(e);
  }
  return [...set].sort((a, b) => a - b);
}

function config(s: Setting, epochs: number, quick: boolean, seed: number): RunConfig {
  return {
    format: "tessera.run",
    version: 1,
    data: { source: "mnist", count: 2000, seed: 2, holdout: 1000 },
    model: { widths: s.widths ?? [784, 200, 200, 200, 10], activation: { type: "relu" }, init: "he", seed, residual: false, initScale: s.initScale },
    train: { optimizer: "adam", learningRate: 1e-3, momentum: 0, weightDecay: s.weightDecay ?? 0.01, batchSize: s.batchSize ?? 200, loss: s.loss, seed },
    epochs,
    trackEpochs: logEpochs(epochs, quick ? 6 : 12),
    track: {
      track: ["local"],
      lines: 1,
      planes: 1,
      distancePoints: 1,
      patternPoints: null,
      localPoints: quick ? 20 : 100,
      localRadius: s.radius ?? 0.2,
      localDimension: 2,
      seed,
    },
  };
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  // 600 epochs (3,000 steps) is what this shared machine afforded; LC_EPOCHS=N extends the runs.
  const epochs = options.quick ? 8 : Number(process.env.LC_EPOCHS ?? 600);
  // LC_SETTING=NAME runs one setting (two processes can then share the cores).
  // LC_SETTING=NAME[,NAME...] runs (or charts) those settings only.
  const only = process.env.LC_SETTING?.split(",");
  const settings = options.quick ? SETTINGS.slice(0, 1) : SETTINGS.filter((s) => (only ? only.includes(s.name) : !s.onRequest));
  const seeds = options.seeds ?? 1;
  const rows: Record<string, unknown>[] = [];
  for (const s of settings) {
    // LC_SEED=k runs (or charts) seed k alone, so the seeds of a long setting can run side by side.
    const seedList = process.env.LC_SEED ? [Number(process.env.LC_SEED)] : Array.from({ length: seeds }, (_, k) => k);
    for (const seed of seedList) {
      const dir = `${RUNS_DIR}lc-${s.name}-seed${seed}${options.quick ? "-quick" : ""}`;
      const onEpoch = (epoch: number, total: number, record: TrackRecord | null): void => {
        if (record)
          log(
            `local-complexity ${s.name} seed ${seed}: epoch ${epoch}/${total}, LC train ${record.local?.regions.mean.toFixed(2)}, test ${record.local?.test?.mean.toFixed(2)}, accuracy ${record.accuracy?.toFixed(3)} / ${record.test?.accuracy?.toFixed(3)} (${since(t0)} s)`,
          );
      };
      // LC_REPORT_ONLY=1: chart what the run directories hold (runs stopped before their last epoch; seeds without one are left out).
      const reportOnly = process.env.LC_REPORT_ONLY === "1";
      if (reportOnly && !existsSync(`${dir}/config.json`)) continue;
      if (!reportOnly) {
        if (existsSync(`${dir}/config.json`)) await resumeRun(dir, { onEpoch }, epochs);
        else await startRun(dir, config(s, epochs, options.quick, seed), { onEpoch });
      }
      const { readMetrics } = await import("../src/train/node/run-dir.ts");
      for (const r of readMetrics(dir) as TrackRecord[]) {
        rows.push({
          setting: s.label,
          seed,
          epoch: r.epoch,
          step: r.epoch * stepsPerEpoch(s),
          trainAccuracy: r.accuracy,
          testAccuracy: r.test?.accuracy ?? null,
          lcTrain: r.local?.regions.mean ?? null,
          lcTrainSe: r.local ? r.local.regions.std / Math.sqrt(Math.max(1, r.local.regions.count - 1)) : null,
          lcTest: r.local?.test?.mean ?? null,
          loss: r.loss,
        });
      }
    }
  }
  const long = rows.flatMap((r) => [
    { ...r, quantity: "local complexity", where: "train digits", value: r.lcTrain },
    { ...r, quantity: "local complexity", where: "held-out digits", value: r.lcTest },
    { ...r, quantity: "accuracy", where: "train digits", value: r.trainAccuracy },
    { ...r, quantity: "accuracy", where: "held-out digits", value: r.testAccuracy },
  ]);
  // Log steps from the first epoch on (the initial values, about 30-50 regions, are in the tables).
  const step = { field: "step", type: "quantitative", scale: { type: "log" }, title: "optimisation steps (log scale)" };
  const reached = Math.max(0, ...rows.map((r) => r.epoch as number));
  const reachedStep = Math.max(0, ...rows.map((r) => r.step as number));
  // The 600-epoch runs keep their names; longer ones (LC_EPOCHS) get their own files beside them.
  const small = settings.every((s) => s.onRequest);
  const smallName = settings.length === 1 ? settings[0].name : "small";
  const suffix = small ? `-${smallName}${process.env.LC_SEED ? `-seed${process.env.LC_SEED}` : ""}` : epochs === 600 || options.quick ? "" : `-${epochs}`;
  await saveChart(`lc-mnist${suffix}`, {
    title: `Local complexity (exact regions in a square of radius ${settings[0].radius ?? 0.2} around a digit) over training, to step ${reachedStep}`,
    data: { values: long },
    facet: { column: { field: "setting", type: "nominal", title: null } },
    spec: {
      vconcat: [
        {
          width: 300,
          height: 200,
          transform: [{ filter: "datum.quantity === 'local complexity' && datum.step > 0" }],
          mark: { type: "line", point: true },
          encoding: {
            x: step,
            y: { field: "value", type: "quantitative", title: "regions in the square (mean)", scale: { zero: false } },
            color: { field: "where", type: "nominal", title: null },
            detail: { field: "seed", type: "nominal" },
          },
        },
        {
          width: 300,
          height: 120,
          transform: [{ filter: "datum.quantity === 'accuracy' && datum.step > 0" }],
          mark: { type: "line" },
          encoding: {
            x: step,
            y: { field: "value", type: "quantitative", title: "accuracy", scale: { domain: [0, 1] } },
            color: { field: "where", type: "nominal", title: null },
            detail: { field: "seed", type: "nominal" },
          },
        },
      ],
    },
  } as never);
  const results = { seconds: Number(since(t0)), epochs, reached, seeds, rows };
  saveResults(`local-complexity${suffix}`, results);
  return results;
}
