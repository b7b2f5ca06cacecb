/**
 * The trained networks of the whole-domain benchmarks (bench/whole-lp.bench.ts,
 * bench/split-queue.ts, bench/split-spread.ts): a 784-W-W-10 (He init, seed 1) after two epochs
 * on 10,000 MNIST digits (seed 1), so that every script measures the same weights.
 */
import { mlp } from "../src/model/build/mlp.ts";
import type { Network } from "../src/model/layers.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrainer } from "../src/train/trainer.ts";

/** The training set: load it once for several widths (bench/whole-lp.bench.ts). */
export function wholeTrainingSet(): ReturnType<typeof mnist> {
  return mnist({ count: 10000, seed: 1 });
}

/** The 784-width-width-10 trained two epochs on `data` (wholeTrainingSet()). */
export function trainedWhole(width: number, data: Awaited<ReturnType<typeof mnist>>): Network {
  const net = mlp([784, width, width, 10], { init: "he", seed: 1 });
  const trainer = createTrainer(net, data, { seed: 1 });
  for (let e = 0; e < 2; e++) trainer.runEpoch();
  return net;
}
