/**
 * Delayed robustness (Humayun, Balestriero & Baraniuk 2024): is the network of the small
 * local-complexity runs (local-complexity.ts, LC_SETTING=small-...) more robust to adversarial
 * examples late in training, after the final descent of its local complexity? At chosen
 * checkpoints: the accuracy under an l-infinity PGD attack of radius eps, on the same digits with
 * the same random starts at every checkpoint, beside the local complexity measured there by
 * local-complexity-checkpoints.ts (experiments/results/local-complexity-checkpoints.json).
 *
 * PGD (Madry et al. 2018): a random start in the eps-box, then STEPS steps of size 2.5 eps /
 * STEPS along the sign of the gradient of the cross-entropy with respect to the input, each
 * projected back to the eps-box and to the pixel range [0, 1]. The gradients are the model's
 * exact float64 gradients (the trainer's backward pass). A digit counts as broken when any
 * iterate is misclassified. This is an attack, so robust accuracy is an upper bound: a stronger
 * attack could only lower it.
 *
 * `npm run experiments -- robustness-checkpoints` (reads only the checkpoints already written).
 */
import { existsSync, readFileSync } from "node:fs";
import { loadModel } from "../src/io/files.ts";
import { createRandom } from "../src/model/random.ts";
import { permutation } from "../src/train/data/toy2d.ts";
import { crossEntropy } from "../src/train/loss.ts";
import { trainable } from "../src/train/trainable.ts";
import { lcRuns } from "./lc-runs.ts";
import { log, meanSe, type Options, saveChart, saveResults, since } from "./lib.ts";

/** Checkpoints (epochs of 20 steps): the end of the first descent (5), before the final descent (178, 383), through it, the last. */
const EPOCHS = [1, 5, 22, 68, 178, 383, 681, 1212, 2154, 3162, 3831];
const EPSILONS = [0.02, 0.05, 0.1];
const STEPS = 20;
const POINTS = 200;

/** Per digit: 1 if correctly classified at every PGD iterate (clean when eps = 0), else 0. */
function robustCorrect(network: ReturnType<typeof loadModel>, x0: Float64Array, labels: Int32Array, starts: Float64Array, eps: number): Int8Array {
  const n = labels.length;
  const d = network.inputSize;
  const prog = trainable(network, n);
  const classes = prog.outputSize;
  const ok = new Int8Array(n).fill(1);
  const grad = new Float64Array(n * classes);
  const x = Float64Array.from(x0, (v, i) => Math.min(1, Math.max(0, v + eps * starts[i])));
  const alpha = (2.5 * eps) / STEPS;
  for (let step = 0; step <= (eps > 0 ? STEPS : 0); step++) {
    const out = prog.forward(x, n, false);
    for (let b = 0; b < n; b++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (out[b * classes + c] > out[b * classes + best]) best = c;
      if (best !== labels[b]) ok[b] = 0;
    }
    if (step === STEPS || eps === 0) break;
    crossEntropy(out, labels, n, classes, grad);
    const dx = prog.backward(grad, n, true) as Float64Array;
    for (let i = 0; i < n * d; i++) {
      const moved = x[i] + alpha * Math.sign(dx[i]);
      x[i] = Math.min(1, Math.max(0, Math.min(x0[i] + eps, Math.max(x0[i] - eps, moved))));
    }
  }
  return ok;
}

interface LcRow {
  setting: string;
  seed: number;
  epoch: number;
  step: number;
  lcTrain: number;
  lcTrainSe: number;
  lcTest: number;
  lcTestSe: number;
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  // --quick: 20 digits, seed 0 of each setting, 3 checkpoints (a smoke test of the whole path).
  const points = options.quick ? 20 : POINTS;
  const seeds = options.seeds ?? (options.quick ? 1 : 10);
  const epochs = options.quick ? [5, 178, 3162] : EPOCHS;
  const lcPath = new URL("results/local-complexity-checkpoints.json", import.meta.url);
  const lcRows: LcRow[] = existsSync(lcPath) ? JSON.parse(readFileSync(lcPath, "utf8")).rows : [];
  const rows: Record<string, unknown>[] = [];
  const paired: Record<string, unknown>[] = [];
  for await (const { setting: s, seed, dir, data, cut, holdout, stepsPerEpoch } of lcRuns(seeds)) {
    const rng = createRandom(9000 + seed);
    // The same digits and random starts at every checkpoint.
    const sets = (["train", "held-out"] as const).map((where) => {
      const offset = where === "train" ? 0 : cut;
      const rowsOf = Array.from(permutation(where === "train" ? cut : holdout, rng).slice(0, points), (r) => offset + r);
      const x = new Float64Array(rowsOf.length * data.inputSize);
      for (const [k, r] of rowsOf.entries()) x.set(data.x.subarray(r * data.inputSize, (r + 1) * data.inputSize), k * data.inputSize);
      const labels = Int32Array.from(rowsOf, (r) => (data.labels as Int32Array)[r]);
      const starts = Float64Array.from({ length: x.length }, () => rng.uniform(-1, 1));
      return { where, x, labels, starts };
    });
    const outcomes = new Map<string, Int8Array>();
    for (const epoch of epochs) {
      const path = `${dir}/checkpoints/epoch-${String(epoch).padStart(4, "0")}.json`;
      if (!existsSync(path)) continue;
      const network = loadModel(path);
      const lc = lcRows.find((r) => r.setting === s.label && r.seed === seed && r.epoch === epoch);
      const row: Record<string, unknown> = { setting: s.label, seed, epoch, step: epoch * stepsPerEpoch, lcTrain: lc?.lcTrain, lcTest: lc?.lcTest };
      for (const set of sets)
        for (const eps of [0, ...EPSILONS]) {
          const ok = robustCorrect(network, set.x, set.labels, set.starts, eps);
          outcomes.set(`${epoch} ${set.where} ${eps}`, ok);
          row[`${set.where} ${eps}`] = ok.reduce((a, v) => a + v, 0) / ok.length;
        }
      rows.push(row);
      log(
        `robustness-checkpoints ${s.name} seed ${seed}: epoch ${epoch} (step ${epoch * stepsPerEpoch}), held-out accuracy ${EPSILONS.reduce((t, e) => `${t}, eps ${e}: ${(row[`held-out ${e}`] as number).toFixed(3)}`, `clean ${(row["held-out 0"] as number).toFixed(3)}`)} (${since(t0)} s)`,
      );
    }
    // Point by point, from before the final descent (epoch 178, 3,560 steps) to the last checkpoint.
    const last = Math.max(...epochs.filter((e) => outcomes.has(`${e} held-out 0`)));
    for (const set of sets)
      for (const eps of [0, ...EPSILONS]) {
        const a = outcomes.get(`178 ${set.where} ${eps}`);
        const b = outcomes.get(`${last} ${set.where} ${eps}`);
        if (!a || !b || last <= 178) continue;
        const { mean, se } = meanSe(Array.from(b, (v, i) => v - a[i]));
        paired.push({ setting: s.label, seed, where: set.where, eps, fromStep: 178 * stepsPerEpoch, toStep: last * stepsPerEpoch, change: mean, changeSe: se });
      }
  }
  if (rows.length === 0) {
    log("robustness-checkpoints: no run directory of the small settings (LC_SETTING=small-wd0.1 npm run experiments -- local-complexity)");
    return { rows, paired };
  }
  const long = rows.flatMap((r) =>
    EPSILONS.map((eps) => ({ setting: r.setting, seed: r.seed, step: r.step, eps: `eps ${eps}`, accuracy: r[`held-out ${eps}`] })).concat([
      { setting: r.setting, seed: r.seed, step: r.step, eps: "clean", accuracy: r["held-out 0"] },
    ]),
  );
  const x = { field: "step", type: "quantitative", scale: { type: "log" }, title: "optimisation steps (log scale)" };
  await saveChart("robustness-mnist-small", {
    title: `Held-out accuracy under l-infinity PGD (${STEPS} steps), ${points} digits, at the checkpoints of the local-complexity runs`,
    data: { values: long },
    facet: { column: { field: "setting", type: "nominal", title: null } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x,
        y: { field: "accuracy", type: "quantitative", title: "accuracy", scale: { domain: [0, 1] } },
        color: { field: "eps", type: "nominal", title: null },
        detail: { field: "seed", type: "nominal" },
      },
    },
  } as never);
  const results = { seconds: Number(since(t0)), points, steps: STEPS, epsilons: EPSILONS, rows, paired };
  saveResults("robustness-checkpoints", results);
  return results;
}
