/**
 * Balduzzi et al. 2017 in their own setting: batch-normalised rectifier networks.
 *
 * 1. Shattering at initialisation (their figures 1-3): width-128 networks of 2 to 50 dense ->
 *    batch norm -> relu layers on one input in [-2, 2] (256 points): the lag-1 correlation of
 *    df/dx against depth (log scale) for plain, residual and looks-linear networks, with the
 *    exact linear pieces of the same networks on [-2, 2] beside it. Batch norm uses the
 *    statistics of the 256 inputs (set layer by layer, so the network in its inference form is
 *    exactly the batch-normalised network on that batch: a fixed piecewise-linear function).
 * 2. A deep plain network trained from the looks-linear init (their section 5 trains 200-layer
 *    plain networks on CIFAR-10): 30 hidden layers of 64 relu units, no skip connections, on the
 *    MNIST digits, against the same network from the he init and a residual twin; accuracy, and
 *    along segments between held-out digits the exact regions (line engine) and the gradient
 *    correlation, during training.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Layer, Network } from "../src/model/layers.ts";
import { NumericalRefusal } from "../src/model/numerical-refusal.ts";
import { linePartition } from "../src/regions/line.ts";
import { partition } from "../src/regions/partition-domain.ts";
import { row, subset } from "../src/train/data/dataset.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { trainable } from "../src/train/trainable.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { inputGradients, scaledResidual } from "./balduzzi.ts";
import { correlation, log, meanSe, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";

const GRID = 256;
export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const shattering = await batchNormShattering(options, t0);
  saveResults("balduzzi-bn", { seconds: Number(since(t0)), shattering, deepTraining: null });
  const deepTraining = await deepPlainTraining(options, t0);
  const results = { seconds: Number(since(t0)), shattering, deepTraining };
  saveResults("balduzzi-bn", results);
  return results;
}

async function batchNormShattering(options: Options, t0: number): Promise<Record<string, unknown>[]> {
  const depths = options.quick ? [2, 10] : [2, 5, 10, 20, 50];
  const width = 128;
  const seeds = seedsOf(options, 2, 1);
  const xs = Float64Array.from({ length: GRID }, (_, i) => -2 + (4 * i) / (GRID - 1));
  const out: Record<string, unknown>[] = [];
  for (const kind of ["plain", "residual", "looks-linear"] as const) {
    for (const depth of depths) {
      const corr: number[] = [];
      let stopped = false;
      let spread = 0;
      const refusals: string[] = [];
      const pieces: number[] = [];
      const regions: number[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const net = bnNet(kind, depth, width, seed);
        calibrate(net.layers, xs.slice(), GRID);
        const g = inputGradients(net);
        corr.push(correlation(g.subarray(0, GRID - 1), g.subarray(1)));
        // Plain batch-normalised nets shatter: their pieces grow so fast with depth that a count
        // is capped (200,000 pieces or 60 s); a capped count is a lower bound and says so.
        let p: ReturnType<typeof partition>;
        try {
          p = partition(prepare(net), { kind: "polyline", points: [Float64Array.of(-2), Float64Array.of(2)] }, { maxCells: 200_000, timeout: 60 });
        } catch (e) {
          // The engine says when it cannot count exactly; the row says so too.
          if (!(e instanceof NumericalRefusal)) throw e;
          refusals.push(`seed ${seed}: ${e.message}`);
          continue;
        }
        if (p.stopped) stopped = true;
        pieces.push(p.linearPieces);
        regions.push(p.activationRegions);
        // How far the pieces' slopes are apart, relative to their size: a looks-linear net is
        // affine in exact arithmetic, and its pieces differ only by rounding.
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < p.cellCount; i++) {
          const slope = p.outputMaps[2 * p.outputSize * i + 1];
          lo = Math.min(lo, slope);
          hi = Math.max(hi, slope);
        }
        spread = Math.max(spread, (hi - lo) / Math.max(Math.abs(lo), Math.abs(hi)));
      }
      const c = meanSe(corr);
      const k = meanSe(pieces);
      out.push({
        kind,
        depth,
        width,
        seeds,
        gradientCorrelation: c.mean,
        gradientCorrelationSe: c.se,
        linearPieces: k.mean,
        linearPiecesSe: k.se,
        activationRegions: meanSe(regions).mean,
        capped: stopped,
        slopeSpread: spread,
        countedSeeds: pieces.length,
        refusals,
      });
      log(
        `balduzzi: batch-normalised ${kind} depth ${depth}: correlation ${c.mean.toFixed(3)}, pieces ${k.mean.toFixed(0)}${stopped ? " (capped)" : ""}${refusals.length ? `, ${refusals.length} seed(s) refused by the engine` : ""} (${since(t0)} s)`,
      );
    }
    log(`balduzzi: batch-normalised ${kind} networks of depth ${depths.join(", ")} (${since(t0)} s)`);
  }
  const values = out.map((r) => ({
    ...r,
    lo: (r.gradientCorrelation as number) - 2 * (r.gradientCorrelationSe as number),
    hi: (r.gradientCorrelation as number) + 2 * (r.gradientCorrelationSe as number),
  }));
  await saveChart("balduzzi-bn", {
    hconcat: [
      {
        width: 280,
        height: 220,
        title: "Gradient correlation, batch-normalised, width 128",
        data: { values },
        layer: [
          {
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "depth", type: "quantitative", scale: { type: "log" }, title: "hidden layers (log)" },
              y: { field: "gradientCorrelation", type: "quantitative", title: "lag-1 correlation of df/dx" },
              color: { field: "kind", type: "nominal", title: null },
            },
          },
          {
            mark: { type: "rule" },
            encoding: { x: { field: "depth", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { field: "kind", type: "nominal" } },
          },
        ],
      },
      {
        width: 280,
        height: 220,
        title: "Exact linear pieces on [-2, 2]",
        data: { values },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "depth", type: "quantitative", scale: { type: "log" }, title: "hidden layers (log)" },
          y: { field: "linearPieces", type: "quantitative", scale: { type: "symlog" }, title: "linear pieces (symlog)" },
          color: { field: "kind", type: "nominal", title: null },
        },
      },
    ],
  } as never);
  return out;
}

export function identityBatchNorm(size: number): Layer {
  return {
    type: "batch-norm",
    size,
    gamma: new Float64Array(size).fill(1),
    beta: new Float64Array(size),
    mean: new Float64Array(size),
    variance: new Float64Array(size).fill(1),
    epsilon: 1e-5,
  };
}

export function bnNet(kind: "plain" | "residual" | "looks-linear", depth: number, width: number, seed: number): Network {
  const base = mlp([1, ...Array(depth).fill(width), 1], { init: kind === "looks-linear" ? "looks-linear" : "he", seed });
  const layers: Layer[] = [];
  const src = base.layers;
  for (let i = 0; i < src.length; i++) {
    const layer = src[i];
    const next = src[i + 1];
    if (layer.type === "dense" && next?.type === "relu") {
      const block: Layer[] = [layer, identityBatchNorm(layer.outSize), next];
      if (kind === "residual" && layer.inSize === layer.outSize) layers.push({ type: "residual", layers: block });
      else layers.push(...block);
      i++;
    } else layers.push(layer);
  }
  return { inputSize: 1, layers };
}

/** Set every batch norm's statistics to those of its input on the batch x (biased variance). */
export function calibrate(layers: Layer[], x: Float64Array, batch: number): Float64Array {
  let cur = x;
  for (const layer of layers) {
    if (layer.type === "residual") {
      const inner = calibrate(layer.layers, cur.slice(), batch);
      cur = cur.map((v, i) => v + inner[i]);
      continue;
    }
    if (layer.type === "batch-norm") {
      const n = layer.size;
      for (let u = 0; u < n; u++) {
        let m = 0;
        for (let b = 0; b < batch; b++) m += cur[b * n + u];
        m /= batch;
        let v = 0;
        for (let b = 0; b < batch; b++) v += (cur[b * n + u] - m) ** 2;
        layer.mean[u] = m;
        layer.variance[u] = v / batch;
      }
    }
    const size = cur.length / batch;
    cur = trainable({ inputSize: size, layers: [layer] }, batch)
      .forward(cur, batch)
      .slice();
  }
  return cur;
}

type DeepKind = "plain, he" | "plain, looks-linear" | "residual, he";

function deepNet(kind: DeepKind, widths: number[], seed: number): Network {
  if (kind === "residual, he") return scaledResidual(widths, seed);
  return mlp(widths, { init: kind === "plain, he" ? "he" : "looks-linear", seed });
}

/**
 * Directional derivatives of output `c` along the segment a -> b at GRID evenly spaced points,
 * from the trainer's backward pass (the gradient of a piecewise-linear function, exact inside
 * each piece).
 */
function segmentGradients(net: Network, a: Float64Array, b: Float64Array, c: number): Float64Array {
  const n = a.length;
  const prog = trainable(net, GRID);
  const x = new Float64Array(GRID * n);
  for (let i = 0; i < GRID; i++) {
    const t = i / (GRID - 1);
    for (let d = 0; d < n; d++) x[i * n + d] = a[d] + t * (b[d] - a[d]);
  }
  prog.forward(x, GRID);
  const seed = new Float64Array(GRID * prog.outputSize);
  for (let i = 0; i < GRID; i++) seed[i * prog.outputSize + c] = 1;
  const g = prog.backward(seed, GRID, true) as Float64Array;
  return Float64Array.from({ length: GRID }, (_, i) => {
    let s = 0;
    for (let d = 0; d < n; d++) s += g[i * n + d] * (b[d] - a[d]);
    return s;
  });
}

/**
 * Balduzzi et al.'s claim that the looks-linear init lets plain (skip-free) networks of great
 * depth train, here at 30 hidden layers of 64 units on the MNIST digits (8,000 to train, 2,000
 * held out), against the he init and a residual twin (branches scaled by 1/sqrt(depth)).
 */
async function deepPlainTraining(options: Options, t0: number): Promise<Record<string, unknown>[]> {
  const quick = options.quick;
  const depth = quick ? 10 : 30;
  const width = 64;
  const epochs = quick ? 1 : 3;
  const seeds = seedsOf(options, 2, 1);
  const segmentsPerRun = quick ? 3 : 6;
  const all = await mnist({ count: quick ? 2500 : 10000, seed: 1 });
  const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const trainCount = quick ? 2000 : 8000;
  const train = subset(all, range(0, trainCount));
  const test = subset(all, range(trainCount, all.count), "mnist-test");
  const labels = test.labels as Int32Array;
  const widths = [784, ...Array(depth).fill(width), 10];
  const rows: Record<string, unknown>[] = [];
  for (const kind of ["plain, he", "plain, looks-linear", "residual, he"] as const) {
    for (let seed = 0; seed < seeds; seed++) {
      const net = deepNet(kind, widths, seed);
      const trainer = createTrainer(net, train, { optimizer: "adam", learningRate: 1e-3, batchSize: 128, seed });
      for (let epoch = 0; epoch <= epochs; epoch++) {
        if (epoch > 0) trainer.runEpoch();
        const compiled = prepare(net);
        const regions: number[] = [];
        const pieces: number[] = [];
        const corr: number[] = [];
        for (let s = 0; s < segmentsPerRun; s++) {
          const a = row(test, 2 * s);
          const b = row(test, 2 * s + 1);
          const ends = new Float64Array(2 * 784);
          ends.set(a, 0);
          ends.set(b, 784);
          const p = linePartition(compiled, ends);
          regions.push(p.activationRegions);
          pieces.push(p.linearPieces);
          const g = segmentGradients(net, a, b, labels[2 * s]);
          corr.push(correlation(g.subarray(0, GRID - 1), g.subarray(1)));
        }
        const accuracy = trainer.evaluate(test).accuracy as number;
        rows.push({ kind, seed, epoch, depth, width, accuracy, regions: meanSe(regions).mean, linearPieces: meanSe(pieces).mean, gradientCorrelation: meanSe(corr).mean });
        log(
          `balduzzi-bn: ${kind}, ${depth} x ${width}, seed ${seed}, epoch ${epoch}: held-out accuracy ${accuracy.toFixed(3)}, regions per segment ${meanSe(regions).mean.toFixed(1)}, pieces ${meanSe(pieces).mean.toFixed(1)}, correlation ${meanSe(corr).mean.toFixed(3)} (${since(t0)} s)`,
        );
      }
    }
  }
  const summary = (["plain, he", "plain, looks-linear", "residual, he"] as const).flatMap((kind) =>
    Array.from({ length: epochs + 1 }, (_, epoch) => {
      const mine = rows.filter((r) => r.kind === kind && r.epoch === epoch);
      const stat = (f: string) => meanSe(mine.map((r) => r[f] as number));
      return { kind, epoch, accuracy: stat("accuracy"), regions: stat("regions"), linearPieces: stat("linearPieces"), gradientCorrelation: stat("gradientCorrelation") };
    }),
  );
  const values = summary.map((r) => ({ kind: r.kind, epoch: r.epoch, accuracy: r.accuracy.mean, pieces: r.linearPieces.mean, correlation: r.gradientCorrelation.mean }));
  const panel = (field: string, title: string, log?: boolean) => ({
    width: 200,
    height: 180,
    title,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "ordinal" },
      y: { field, type: "quantitative", title: null, ...(log ? { scale: { type: "symlog" } } : {}) },
      color: { field: "kind", type: "nominal", title: null },
    },
  });
  await saveChart("balduzzi-deep-training", {
    data: { values },
    title: `${depth} hidden layers of ${width} relu units on MNIST, no batch norm (${seeds} seed${seeds > 1 ? "s" : ""}, means)`,
    hconcat: [
      panel("accuracy", "held-out accuracy"),
      panel("pieces", "exact linear pieces per segment (symlog)", true),
      panel("correlation", "gradient correlation along segments"),
    ],
  } as never);
  return [{ depth, width, epochs, seeds, trainCount, heldOut: test.count, segmentsPerRun, summary, rows }];
}
