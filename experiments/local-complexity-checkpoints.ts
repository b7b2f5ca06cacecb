/**
 * The local-complexity runs of the small settings (local-complexity.ts, LC_SETTING=small-...)
 * measured again afterwards, from their checkpoints, around more points and paired: the same
 * 300 training and 300 held-out digits, with the same two random directions each, at every
 * chosen epoch, so a change between two epochs is measured point by point (the mean of the
 * differences and its standard error), not as the difference of two noisy means (LANDMARKS).
 *
 * `npm run experiments -- local-complexity-checkpoints` (after or during those runs: it reads
 * only the checkpoints already written; nothing is trained).
 */
import { readdirSync } from "node:fs";
import { loadModel } from "../src/io/files.ts";
import { localRegions, randomFrame } from "../src/metrics/local-complexity.ts";
import { prepare } from "../src/model/forward.ts";
import { createRandom } from "../src/model/random.ts";
import { type Dataset, row } from "../src/train/data/dataset.ts";
import { permutation } from "../src/train/data/toy2d.ts";
import { lcRuns, PAPER_SETTING } from "./lc-runs.ts";
import { log, type Options, regionsBandBySetting, saveChart, saveResults, since } from "./lib.ts";

const POINTS = 300;
/**
 * Epochs compared point by point: epoch 5 (100 steps, training accuracy about 95%, the end of
 * the first descent) and epoch 178 (3,560 steps, a third of the decay's time scale of 10^4
 * steps), then the last checkpoint. Chosen after seeing the curves tracked during the runs (100
 * digits each); the points and directions here are drawn anew, so their noise is not the noise
 * the choice saw.
 */
const LANDMARKS = [5, 178];
/**
 * The paper's setting (LC_SETTING=paper-w200d4: 5 steps per epoch): epoch 7 (35 steps, where the
 * first descent of the three-layer run of width 200 ended) and epoch 100 (500 steps, inside the
 * 10^2-10^4 steps of the paper's rise). Chosen while the run was training, after its tracked
 * 100-digit curve to about step 1,000 had been seen (its highest point was at epoch 100), so the
 * choice is not blind; the digits and directions here are drawn anew.
 */
const PAPER_LANDMARKS = [7, 100];

interface Probe {
  rows: number[];
  frames: Float64Array[];
}

function probe(data: Dataset, count: number, seed: number): Probe {
  const rng = createRandom(seed);
  const rows = Array.from(permutation(data.count, rng).slice(0, Math.min(count, data.count)));
  return { rows, frames: rows.map(() => randomFrame(data.inputSize, 2, rng)) };
}

const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
const se = (a: number[]): number => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1) / a.length);
};

/** About `perDecade` checkpoints per decade of epochs, always the first and the last. */
function chooseEpochs(available: number[], perDecade: number): number[] {
  const chosen = new Set<number>([available[0], available[available.length - 1]]);
  let last = Number.NEGATIVE_INFINITY;
  for (const e of available) {
    const position = Math.log10(Math.max(e, 1)) * perDecade;
    if (position - last >= 1) {
      chosen.add(e);
      last = position;
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const points = options.quick ? 20 : POINTS;
  const rows: Record<string, unknown>[] = [];
  const paired: Record<string, unknown>[] = [];
  const paper = process.env.LC_SETTING === PAPER_SETTING.name;
  const landmarks = paper ? PAPER_LANDMARKS : LANDMARKS;
  let radius = 0.5;
  for await (const { setting: s, seed, dir, config, data, cut, holdout, stepsPerEpoch } of lcRuns(10, paper ? [PAPER_SETTING] : undefined)) {
    const trainRows = { ...data, count: cut };
    const testRows = Array.from({ length: holdout }, (_, i) => cut + i);
    radius = config.track.localRadius ?? 0.1;
    const trainProbe = probe(trainRows, points, 7000 + seed);
    const testProbe = probe({ ...data, count: holdout }, points, 8000 + seed);
    const available = readdirSync(`${dir}/checkpoints`)
      .map((f) => Number(/epoch-(\d+)\.json/.exec(f)?.[1]))
      .filter((e) => Number.isFinite(e) && e >= 1)
      .sort((a, b) => a - b);
    const epochs = [...new Set([...chooseEpochs(available, options.quick ? 2 : 5), ...landmarks.filter((e) => available.includes(e))])].sort((a, b) => a - b);
    const counts = new Map<number, { train: number[]; test: number[] }>();
    for (const epoch of epochs) {
      const compiled = prepare(loadModel(`${dir}/checkpoints/epoch-${String(epoch).padStart(4, "0")}.json`));
      const train = trainProbe.rows.map((r, i) => localRegions(compiled, row(data, r), trainProbe.frames[i], radius));
      const test = testProbe.rows.map((r, i) => localRegions(compiled, row(data, testRows[r]), testProbe.frames[i], radius));
      counts.set(epoch, { train, test });
      rows.push({ setting: s.label, seed, epoch, step: epoch * stepsPerEpoch, lcTrain: mean(train), lcTrainSe: se(train), lcTest: mean(test), lcTestSe: se(test) });
      log(
        `local-complexity-checkpoints ${s.name} seed ${seed}: epoch ${epoch}, LC train ${mean(train).toFixed(2)} ± ${se(train).toFixed(2)}, test ${mean(test).toFixed(2)} (${since(t0)} s)`,
      );
    }
    // Point by point: from the end of the first descent to the middle (the ascent, if any), and from there to the last checkpoint.
    const last = epochs[epochs.length - 1];
    const spans = [
      [landmarks[0], landmarks[1]],
      [landmarks[1], last],
    ].filter(([a, b]) => counts.has(a) && counts.has(b) && b > a);
    for (const [from, to] of spans)
      for (const where of ["train", "test"] as const) {
        const a = (counts.get(from) as Record<string, number[]>)[where];
        const b = (counts.get(to) as Record<string, number[]>)[where];
        const diff = b.map((v, i) => v - a[i]);
        paired.push({
          setting: s.label,
          seed,
          where,
          fromEpoch: from,
          fromStep: from * stepsPerEpoch,
          toEpoch: to,
          toStep: to * stepsPerEpoch,
          from: mean(a),
          to: mean(b),
          change: mean(diff),
          changeSe: se(diff),
        });
      }
  }
  if (rows.length === 0) {
    log("local-complexity-checkpoints: no run directory of the small settings yet (LC_SETTING=small-wd0.1 npm run experiments -- local-complexity)");
    return { rows, paired };
  }
  const long = rows.flatMap((r) => [
    { ...r, where: "train digits", value: r.lcTrain, low: (r.lcTrain as number) - (r.lcTrainSe as number), high: (r.lcTrain as number) + (r.lcTrainSe as number) },
    { ...r, where: "held-out digits", value: r.lcTest, low: (r.lcTest as number) - (r.lcTestSe as number), high: (r.lcTest as number) + (r.lcTestSe as number) },
  ]);
  const name = paper ? `local-complexity-checkpoints-${PAPER_SETTING.name}` : "local-complexity-checkpoints";
  await saveChart(
    paper ? `lc-mnist-${PAPER_SETTING.name}-checkpoints` : "lc-mnist-small-checkpoints",
    regionsBandBySetting(`Local complexity from the checkpoints: exact regions in a square of radius ${radius} around ${points} digits (mean ± s.e.)`, long, true),
  );
  const results = { seconds: Number(since(t0)), points, rows, paired };
  saveResults(name, results);
  return results;
}
