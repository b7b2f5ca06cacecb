/**
 * The trainer on convolutions (issue 15): one epoch of the MNIST CNN of docs/training.md
 * (1x28x28 -> conv 8 5x5 stride 2 -> conv 16 3x3 stride 2 -> dense 64 -> 10, 146k multiply-adds
 * per digit forward) against an MLP with the same forward multiply-adds (784-180-10, 143k), both
 * on 2,000 digits with Adam at batch 64, epochs interleaved in one process (so the machine's load
 * falls on both alike), timed by the wall clock and by the process's CPU time (which leaves out
 * the time other processes hold the cores).
 *
 * Two ratios per multiply-add: per forward multiply-add (what the networks compute), and per
 * multiply-add of a training step (forward, weight gradient, and input gradient where one is
 * computed: the CNN computes it for its second conv and its first dense layer, the MLP for none
 * of its layers but the last, so a step does 2.73 multiply-adds per forward one in the CNN and
 * 2.01 in the MLP). Then the product kernel alone (operands already in place) on every product
 * shape of the two networks: the kernel is not where the networks differ.
 */
import { mlp } from "../src/model/build/mlp.ts";
import type { Network } from "../src/model/layers.ts";
import { cnn } from "../src/train/cnn.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { setKernel } from "../src/train/kernels.ts";
import { createTrainer, type Trainer } from "../src/train/trainer.ts";
import { directConv } from "../src/train/wasm/direct-conv.ts";
import { wasmGemmStaged } from "../src/train/wasm/gemm.ts";
import { fmt, table } from "./timing.ts";

const CNN = "conv:8:5:2:2,relu,conv:16:3:2:1,relu,flatten,dense:64,relu,dense:10";
const CONV1 = 14 * 14 * 8 * 25;
const CONV2 = 7 * 7 * 16 * 72;
const CNN_MACS = CONV1 + CONV2 + 784 * 64 + 64 * 10;
const MLP_MACS = 784 * 180 + 180 * 10;
// Forward and weight gradient everywhere; the input gradient wherever a layer has one below it.
const CNN_STEP = 2 * CONV1 + 3 * CONV2 + 3 * 784 * 64 + 3 * 64 * 10;
const MLP_STEP = 2 * 784 * 180 + 3 * 180 * 10;
const ROUNDS = 5;

interface EpochTimes {
  wall: number;
  cpu: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Epochs of the trainers in turn (after one warm-up epoch each); median wall and CPU seconds. */
function interleaved(trainers: Trainer[]): EpochTimes[] {
  for (const t of trainers) t.runEpoch();
  const wall: number[][] = trainers.map(() => []);
  const cpu: number[][] = trainers.map(() => []);
  for (let r = 0; r < ROUNDS; r++)
    trainers.forEach((t, k) => {
      const c0 = process.cpuUsage();
      const start = performance.now();
      t.runEpoch();
      wall[k].push((performance.now() - start) / 1000);
      const c = process.cpuUsage(c0);
      cpu[k].push((c.user + c.system) / 1e6);
    });
  return trainers.map((_, k) => ({ wall: median(wall[k]), cpu: median(cpu[k]) }));
}

/** ns per multiply-add of the staged kernel alone (the operands left in place), best of 5. */
function kernelNs(rows: number, cols: number, k: number): number {
  const gemm = wasmGemmStaged;
  if (!gemm) return Number.NaN;
  const reps = Math.max(3, Math.round(1e8 / (rows * cols * k)));
  const none = (): void => {};
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < 5; t++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) gemm(rows, cols, k, none, none);
    const c = process.cpuUsage(c0);
    best = Math.min(best, ((c.user + c.system) * 1000) / (reps * rows * cols * k));
  }
  return best;
}

/**
 * ns per multiply-add of the direct conv kernel (wasm/direct-conv.ts) as the trainer calls it on a
 * batch of 64, its staging included (images in, output out; dZ laid out, masked and summed):
 * [forward, weight gradient], best of 5.
 */
function directNs(channels: number, size: number, cout: number, k: number, stride: number, pad: number): [number, number] {
  const out = Math.floor((size + 2 * pad - k) / stride) + 1;
  const batch = 64;
  const conv = directConv({
    channels,
    height: size,
    width: size,
    outHeight: out,
    outWidth: out,
    outChannels: cout,
    kernel: [k, k],
    stride: [stride, stride],
    dilation: [1, 1],
    padding: [pad, pad],
    maxBatch: batch,
  });
  if (!conv) return [Number.NaN, Number.NaN];
  const macs = batch * out * out * cout * channels * k * k;
  let seed = 1;
  const random = (): number => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * 2 - 1;
  };
  const x = Float64Array.from({ length: batch * channels * size * size }, random);
  const weight = Float64Array.from({ length: cout * channels * k * k }, random);
  const bias = new Float64Array(cout);
  const y = new Float64Array(batch * cout * out * out);
  const dy = Float64Array.from(y, random);
  const gw = new Float64Array(weight.length);
  const gb = new Float64Array(cout);
  const time = (f: () => void): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let t = 0; t < 5; t++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < 20; i++) f();
      const c = process.cpuUsage(c0);
      best = Math.min(best, ((c.user + c.system) * 1000) / (20 * macs));
    }
    return best;
  };
  return [time(() => conv.forward(x, batch, weight, bias, true, y)), time(() => conv.weightGrad(dy, batch, true, null, gw, gb))];
}

export default async function (): Promise<string> {
  const data = await mnist({ count: 2000, seed: 1 });
  const trainer = (net: Network): Trainer => createTrainer(net, data, { learningRate: 0.001, batchSize: 64, seed: 1 });
  const rows: string[][] = [];
  for (const kernel of ["wasm", "js"] as const) {
    const used = setKernel(kernel);
    const [conv, dense] = interleaved([trainer(cnn([1, 28, 28], CNN, 1)), trainer(mlp([784, 180, 10], { init: "he", seed: 1 }))]);
    const perMac = (s: number, macs: number): string => fmt((s / (macs * data.count)) * 1e9);
    const ratio = (c: number, d: number, cm: number, dm: number): string => fmt(c / cm / (d / dm));
    rows.push(
      [
        `CNN (${used} kernel)`,
        fmt(conv.wall),
        fmt(conv.cpu),
        perMac(conv.cpu, CNN_MACS),
        `${ratio(conv.wall, dense.wall, CNN_MACS, MLP_MACS)} / ${ratio(conv.cpu, dense.cpu, CNN_MACS, MLP_MACS)}`,
        `${ratio(conv.wall, dense.wall, CNN_STEP, MLP_STEP)} / ${ratio(conv.cpu, dense.cpu, CNN_STEP, MLP_STEP)}`,
      ],
      [`MLP 784-180-10 (${used} kernel)`, fmt(dense.wall), fmt(dense.cpu), perMac(dense.cpu, MLP_MACS), "1.00", "1.00"],
    );
  }
  setKernel("wasm");
  const shapes: [string, number, number, number][] = [
    ["conv 1 forward (8 x 12,544, k 26)", 8, 12544, 26],
    ["conv 1 weight gradient (8 x 26, k 12,544)", 8, 26, 12544],
    ["conv 2 forward (16 x 3,136, k 72)", 16, 3136, 72],
    ["conv 2 weight gradient (16 x 72, k 3,136)", 16, 72, 3136],
    ["conv 2 input gradient (3,136 x 72, k 16)", 3136, 72, 16],
    ["CNN dense 64 forward (64 x 64, k 784)", 64, 64, 784],
    ["MLP dense 180 forward (64 x 180, k 784)", 64, 180, 784],
    ["MLP dense 180 weight gradient (180 x 784, k 64)", 180, 784, 64],
  ];
  const kernelRows = shapes.map(([name, r, c, k]) => [name, fmt(kernelNs(r, c, k))]);
  const [conv1Forward, conv1Weights] = directNs(1, 28, 8, 5, 2, 2);
  const [conv2Forward, conv2Weights] = directNs(8, 14, 16, 3, 2, 1);
  const directRows = [
    ["conv 1 forward (8 channels, 25 taps, 12,544 positions)", fmt(conv1Forward)],
    ["conv 1 weight gradient", fmt(conv1Weights)],
    ["conv 2 forward (16 channels, 72 taps, 3,136 positions)", fmt(conv2Forward)],
    ["conv 2 weight gradient", fmt(conv2Weights)],
  ];
  return `## Training convolutions\n\nOne epoch over 2,000 MNIST digits, Adam, batch 64, epochs of the two networks interleaved, median of ${ROUNDS}. The CNN (${CNN}) does ${CNN_MACS} multiply-adds per digit forward and ${CNN_STEP} in a training step, the MLP ${MLP_MACS} and ${MLP_STEP}. Ratios: wall clock / CPU time.\n\n${table(
    [
      "network",
      "wall s per epoch",
      "CPU s per epoch",
      "CPU ns per forward multiply-add and digit",
      "time per forward multiply-add vs the MLP",
      "time per training multiply-add vs the MLP",
    ],
    rows,
  )}\n\nThe GEMM kernel alone (WebAssembly, operands in place), on the products of one batch of 64 (the trainer uses it for the dense layers and conv 2's input gradient; the conv forward and weight-gradient shapes are for comparison):\n\n${table(["product (rows x cols, inner k)", "CPU ns per multiply-add"], kernelRows)}\n\nThe direct conv kernel the trainer uses for the conv forward pass and weight gradient, on a batch of 64, with its staging (images in, output out, dZ laid out, relu-masked and summed for the bias):\n\n${table(["direct kernel", "CPU ns per multiply-add"], directRows)}\n`;
}
