/**
 * The trainer (issue 6): 2-64-64-64-2 on 10,000 points for 20 epochs with Adam at batch 128, the
 * issue's target (under 4 s; TensorFlow.js's WebAssembly backend needs about 8-12 s here).
 * Baselines timed in the same run: the same training with the plain JavaScript kernel, and
 * one epoch's worth of forward passes through the library's per-point forward() (the cost of
 * merely evaluating the network 10,000 times, without gradients), scaled to 20 epochs.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { forwardBatch, prepare } from "../src/model/forward.ts";
import { toy2d } from "../src/train/data/toy2d.ts";
import { setKernel } from "../src/train/kernels.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { fmt, table } from "./timing.ts";

function trainSeconds(epochs: number): { seconds: number; accuracy: number } {
  const data = toy2d("moons", { count: 10000, seed: 1 });
  const net = mlp([2, 64, 64, 64, 2], { init: "he", seed: 1 });
  const trainer = createTrainer(net, data, {
    optimizer: "adam",
    learningRate: 0.001,
    batchSize: 128,
    seed: 1,
  });
  const start = performance.now();
  for (let e = 0; e < epochs; e++) trainer.runEpoch();
  const seconds = (performance.now() - start) / 1000;
  return { seconds, accuracy: trainer.evaluate().accuracy as number };
}

export default async function (): Promise<string> {
  const epochs = 20;
  trainSeconds(1); // warm-up (JIT)
  const kernel = setKernel("wasm");
  const fast = [trainSeconds(epochs), trainSeconds(epochs)].sort((a, b) => a.seconds - b.seconds)[0];
  setKernel("js");
  const js = trainSeconds(epochs);
  setKernel("wasm");
  const data = toy2d("moons", { count: 10000, seed: 1 });
  const compiled = prepare(mlp([2, 64, 64, 64, 2], { init: "he", seed: 1 }));
  const t0 = performance.now();
  forwardBatch(compiled, data.x, data.count);
  const forwardEpoch = (performance.now() - t0) / 1000;
  const rows = [
    [`tessera trainer (${kernel} kernel, best of 2)`, fmt(fast.seconds), fmt(fast.accuracy), "1.00"],
    ["tessera trainer, JavaScript kernel", fmt(js.seconds), fmt(js.accuracy), fmt(js.seconds / fast.seconds)],
    ["20 x forward() over the data (no gradients)", fmt(forwardEpoch * epochs), "-", fmt((forwardEpoch * epochs) / fast.seconds)],
  ];
  return `## Training\n\n2-64-64-64-2 relu MLP, moons, 10,000 points, ${epochs} epochs, Adam, batch 128, float64 (target: under 4 s).\n\n${table(["what", "seconds", "accuracy", "x trainer"], rows)}\n`;
}
