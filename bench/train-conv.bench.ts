/**
 * The trainer on convolutions (issue 15): one epoch of the MNIST CNN of docs/training.md
 * (1x28x28 -> conv 8 5x5 stride 2 -> conv 16 3x3 stride 2 -> dense 64 -> 10, 146k multiply-adds
 * per digit) against an MLP with the same multiply-adds per digit (784-180-10, 143k), both on
 * 2,000 digits with Adam at batch 64, timed in the same process: the ratio says whether the
 * im2col + GEMM path is as fast per multiply-add as the dense path. The JavaScript kernel is the
 * second baseline.
 */
import { mlp } from "../src/model/build/mlp.ts";
import type { Network } from "../src/model/layers.ts";
import { cnn } from "../src/train/cnn.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { setKernel } from "../src/train/kernels.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { fmt, table } from "./timing.ts";

const CNN = "conv:8:5:2:2,relu,conv:16:3:2:1,relu,flatten,dense:64,relu,dense:10";
const CNN_MACS = 14 * 14 * 8 * 25 + 7 * 7 * 16 * 72 + 784 * 64 + 64 * 10;
const MLP_MACS = 784 * 180 + 180 * 10;

export default async function (): Promise<string> {
  const data = await mnist({ count: 2000, seed: 1 });
  const epochSeconds = (build: () => Network): number => {
    const trainer = createTrainer(build(), data, { learningRate: 0.001, batchSize: 64, seed: 1 });
    trainer.runEpoch(); // warm-up (JIT)
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      trainer.runEpoch();
      times.push((performance.now() - start) / 1000);
    }
    return times.sort((a, b) => a - b)[1];
  };
  const rows: string[][] = [];
  for (const kernel of ["wasm", "js"] as const) {
    const used = setKernel(kernel);
    const conv = epochSeconds(() => cnn([1, 28, 28], CNN, 1));
    const dense = epochSeconds(() => mlp([784, 180, 10], { init: "he", seed: 1 }));
    const perMac = (s: number, macs: number): number => (s / (macs * data.count)) * 1e9;
    rows.push(
      [`CNN (${used} kernel)`, fmt(conv), fmt(perMac(conv, CNN_MACS)), fmt(conv / CNN_MACS / (dense / MLP_MACS))],
      [`MLP 784-180-10 (${used} kernel)`, fmt(dense), fmt(perMac(dense, MLP_MACS)), "1.00"],
    );
  }
  setKernel("wasm");
  return `## Training convolutions\n\nOne epoch over 2,000 MNIST digits, Adam, batch 64, median of 3. The CNN (${CNN}) does ${CNN_MACS} multiply-adds per digit forward, the MLP ${MLP_MACS}.\n\n${table(["network", "seconds per epoch", "ns per multiply-add and digit", "time per multiply-add vs the MLP"], rows)}\n`;
}
