/**
 * Balduzzi et al. 2017 ("The shattered gradients problem"):
 *
 * 1. The looks-linear init: mirrored weights make the network exactly affine at initialisation
 *    (one linear piece) although its units switch (many activation regions). We count both
 *    exactly on the input box of spirals during training, against the he init.
 * 2. Shattering with depth: on 1D inputs x in [-2, 2] (256 grid points), the correlation of the
 *    input gradient df/dx between neighbouring inputs (lag 1; white noise gives 0, a smooth
 *    function 1) and the exact number of linear pieces along [-2, 2], for plain networks,
 *    residual networks and looks-linear networks of depth 2..32, at initialisation and after
 *    training on a 1D target.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { forward, prepare } from "../src/model/forward.ts";
import type { Layer, Network } from "../src/model/layers.ts";
import { linePartition } from "../src/regions/line.ts";
import { partition } from "../src/regions/partition-domain.ts";
import type { LinePartition } from "../src/regions/partition.ts";
import { classColor } from "../src/report/colors.ts";
import { regionMapSvg } from "../src/report/region-map.ts";
import { regressionSet } from "../src/train/data/dataset.ts";
import { target1d } from "../src/train/data/regression1d.ts";
import { toy2d } from "../src/train/data/toy2d.ts";
import { residualMlp } from "../src/train/residual.ts";
import { inputPlane } from "../src/train/track.ts";
import { trainable } from "../src/train/trainable.ts";
import { createTrainer } from "../src/train/trainer.ts";
import type { Options } from "./lib.ts";
import { correlation, log, meanSe, saveChart, savePicture, saveResults, seedsOf, since } from "./lib.ts";
import { sideBySide } from "./svg-grid.ts";

const GRID = 256;

/** df/dx at the grid points of [-2, 2] (output 0 of a 1-input network). */
export function inputGradients(net: Network): Float64Array {
  const prog = trainable(net, GRID);
  const x = Float64Array.from({ length: GRID }, (_, i) => -2 + (4 * i) / (GRID - 1));
  prog.forward(x, GRID);
  const ones = new Float64Array(GRID * prog.outputSize);
  for (let i = 0; i < GRID; i++) ones[i * prog.outputSize] = 1;
  return (prog.backward(ones, GRID, true) as Float64Array).slice(0, GRID);
}

/**
 * The line engine's partition of [-2, 2], or null when its output maps do not reproduce the
 * network's forward() at the middle of every piece (a self-check: the engine loses pieces on
 * some networks deeper than ~12 layers, see the report of issue 6).
 */
function checkedLine(net: Network): LinePartition | null {
  const compiled = prepare(net);
  const p = linePartition(compiled, Float64Array.of(-2, 2));
  for (let i = 0; i < p.cellCount; i++) {
    const t = (p.tStart[i] + p.tEnd[i]) / 2;
    const y = forward(compiled, [-2 + 4 * t]).output[0];
    const predicted = p.outputMaps[2 * p.outputSize * i] + t * p.outputMaps[2 * p.outputSize * i + 1];
    if (Math.abs(y - predicted) > 1e-6 * (1 + Math.abs(y))) return null;
  }
  return p;
}

/** Residual branches scaled by 1/sqrt(depth) so the output variance stays bounded with depth. */
function scaledResidual(widths: number[], seed: number): Network {
  const net = residualMlp(widths, { init: "he", seed });
  const depth = widths.length - 2;
  for (const layer of net.layers) {
    if (layer.type !== "residual") continue;
    for (const inner of layer.layers) if (inner.type === "dense") for (let i = 0; i < inner.weight.length; i++) inner.weight[i] /= Math.sqrt(depth);
  }
  return net;
}

export async function run(options: Options): Promise<Record<string, unknown>> {
  const quick = options.quick;
  const t0 = performance.now();
  // 1. Looks-linear on spirals.
  const data = toy2d("spirals", { count: 1000, seed: 4 });
  const epochs = quick ? 30 : 150;
  const at = quick ? [0, 2, 10, 30] : [0, 2, 5, 10, 25, 50, 100, 150];
  const ll: {
    init: string;
    epoch: number;
    activationRegions: number;
    linearPieces: number;
    accuracy: number;
  }[] = [];
  const maps: string[] = [];
  for (const init of ["looks-linear", "he"] as const) {
    const net = mlp([2, 32, 32, 32, 2], { init, seed: 4 });
    const trainer = createTrainer(net, data, {
      optimizer: "adam",
      learningRate: 0.005,
      batchSize: 64,
      seed: 4,
    });
    for (let e = 0; e <= epochs; e++) {
      if (e > 0) trainer.runEpoch();
      if (!at.includes(e)) continue;
      const p = inputPlane(prepare(net), data.box);
      const accuracy = trainer.evaluate().accuracy as number;
      ll.push({
        init,
        epoch: e,
        activationRegions: p.activationRegions,
        linearPieces: p.linearPieces,
        accuracy,
      });
      if (init === "looks-linear" && (e === 0 || e === at[2] || e === epochs)) {
        const points = Array.from({ length: 300 }, (_, k) => ({
          u: data.x[2 * k],
          v: data.x[2 * k + 1],
          color: classColor((data.labels as Int32Array)[k]),
          radius: 1.5,
        }));
        maps.push(
          regionMapSvg(p, {
            size: 260,
            boundary: true,
            points,
            title: `epoch ${e}: ${p.activationRegions} regions, ${p.linearPieces} piece${p.linearPieces === 1 ? "" : "s"}`,
            labels: ["x1", "x2"],
          }),
        );
      }
    }
    log(`balduzzi: spirals with ${init} init trained ${epochs} epochs (${since(t0)} s)`);
  }
  savePicture("balduzzi-looks-linear-maps", sideBySide(maps));
  await saveChart("balduzzi-looks-linear", {
    width: 340,
    height: 240,
    title: "Exact linear pieces of the spirals box, 2-32-32-32-2",
    data: { values: ll },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" },
      y: {
        field: "linearPieces",
        type: "quantitative",
        scale: { type: "symlog" },
        title: "linear pieces (symlog)",
      },
      color: { field: "init", type: "nominal", title: "init" },
    },
  } as never);

  // 2. Shattering with depth.
  const depths = quick ? [2, 8, 16] : [2, 4, 8, 16, 32];
  const width = 32;
  const seeds = seedsOf(options, 3, 2);
  const trainEpochs = quick ? 20 : 60;
  const f = target1d("sines", 2);
  const xs = Float64Array.from({ length: 256 }, (_, i) => -1 + (2 * i) / 255);
  const target = regressionSet("sines", xs, 1, xs.map(f), 1);
  const rows: {
    order: number;
    kind: string;
    depth: number;
    phase: string;
    gradientCorrelation: number;
    linearPieces: number | null;
    activationRegions: number | null;
    mse: number | null;
  }[] = [];
  const build: Record<string, (widths: number[], seed: number) => Network> = {
    plain: (w, seed) => mlp(w, { init: "he", seed }),
    residual: scaledResidual,
    "looks-linear": (w, seed) => mlp(w, { init: "looks-linear", seed }),
  };
  for (const kind of Object.keys(build)) {
    for (const depth of depths) {
      const widths = [1, ...Array(depth).fill(width), 1];
      const acc = { init: [0, 0, 0], trained: [0, 0, 0], mse: 0 };
      for (let seed = 0; seed < seeds; seed++) {
        const net = build[kind](widths, seed);
        const measureInto = (slot: number[]): void => {
          const g = inputGradients(net);
          const corr = correlation(g.subarray(0, GRID - 1), g.subarray(1));
          const p = checkedLine(net);
          slot[0] += Number.isFinite(corr) ? corr : 1;
          // NaN (shown as missing) when the engine failed its self-check.
          slot[1] += p ? p.linearPieces : Number.NaN;
          slot[2] += p ? p.activationRegions : Number.NaN;
        };
        measureInto(acc.init);
        const trainer = createTrainer(net, target, {
          optimizer: "adam",
          learningRate: 1e-3,
          batchSize: 32,
          seed,
        });
        for (let e = 0; e < trainEpochs; e++) trainer.runEpoch();
        acc.mse += trainer.evaluate().loss;
        measureInto(acc.trained);
      }
      for (const [phase, slot] of [
        ["initialisation", acc.init],
        [`after ${trainEpochs} epochs`, acc.trained],
      ] as const) {
        rows.push({
          order: phase === "initialisation" ? 0 : 1,
          kind,
          depth,
          phase,
          gradientCorrelation: slot[0] / seeds,
          linearPieces: Number.isNaN(slot[1]) ? null : slot[1] / seeds,
          activationRegions: Number.isNaN(slot[2]) ? null : slot[2] / seeds,
          mse: phase === "initialisation" ? null : acc.mse / seeds,
        });
      }
    }
    log(`balduzzi: ${kind} networks of depth ${depths.join(", ")} (${since(t0)} s)`);
  }
  await saveChart("balduzzi-shattering", {
    width: 300,
    height: 220,
    title: "Correlation of df/dx between neighbouring inputs",
    data: { values: rows },
    facet: {
      column: {
        field: "phase",
        type: "nominal",
        title: null,
        sort: { field: "order" },
      },
    },
    spec: {
      width: 260,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "depth",
          type: "quantitative",
          scale: { type: "log", base: 2 },
          title: "hidden layers",
        },
        y: {
          field: "gradientCorrelation",
          type: "quantitative",
          title: "lag-1 gradient correlation",
        },
        color: { field: "kind", type: "nominal", title: null },
      },
    },
  } as never);
  await saveChart("balduzzi-pieces", {
    data: { values: rows },
    facet: {
      column: {
        field: "phase",
        type: "nominal",
        title: null,
        sort: { field: "order" },
      },
    },
    spec: {
      width: 260,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "depth",
          type: "quantitative",
          scale: { type: "log", base: 2 },
          title: "hidden layers",
        },
        y: {
          field: "linearPieces",
          type: "quantitative",
          scale: { type: "symlog" },
          title: "exact linear pieces on [-2, 2]",
        },
        color: { field: "kind", type: "nominal", title: null },
      },
    },
  } as never);
  // The first two parts' numbers are saved before the slow third part.
  saveResults("balduzzi", { seconds: Number(since(t0)), looksLinear: ll, shattering: rows, batchNorm: null });
  const batchNorm = await batchNormShattering(options, t0);
  const results = {
    seconds: Number(since(t0)),
    looksLinear: ll,
    shattering: rows,
    batchNorm,
  };
  saveResults("balduzzi", results);
  return results;
}

/**
 * The paper's setting (their figures 1-3): batch-normalised rectifier networks of width 128,
 * depth 2 to 50, one input in [-2, 2] (256 points) and one output. Batch norm follows every
 * dense layer (before the relu); its statistics are those of the 256 inputs (set layer by layer,
 * so the network in its inference form is exactly the batch-normalised network on that batch,
 * a fixed piecewise-linear function whose pieces the line engine counts). Plain: he weights;
 * residual: blocks y = x + relu(BN(W x + b)); looks-linear: mirrored he weights, which batch norm
 * keeps mirrored (an odd function's batch mean and variance are mirrored too), so the network
 * stays affine.
 */
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
      const pieces: number[] = [];
      const regions: number[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const net = bnNet(kind, depth, width, seed);
        calibrate(net.layers, xs.slice(), GRID);
        const g = inputGradients(net);
        corr.push(correlation(g.subarray(0, GRID - 1), g.subarray(1)));
        // Plain batch-normalised nets shatter: their pieces grow so fast with depth that a count
        // is capped (200,000 pieces or 60 s); a capped count is a lower bound and says so.
        const p = partition(prepare(net), { kind: "polyline", points: [Float64Array.of(-2), Float64Array.of(2)] }, { maxCells: 200_000, timeout: 60 });
        if (p.stopped) stopped = true;
        pieces.push(p.linearPieces);
        regions.push(p.activationRegions);
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
      });
      log(`balduzzi: batch-normalised ${kind} depth ${depth}: correlation ${c.mean.toFixed(3)}, pieces ${k.mean.toFixed(0)}${stopped ? " (capped)" : ""} (${since(t0)} s)`);
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

function identityBatchNorm(size: number): Layer {
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

function bnNet(kind: "plain" | "residual" | "looks-linear", depth: number, width: number, seed: number): Network {
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
function calibrate(layers: Layer[], x: Float64Array, batch: number): Float64Array {
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
