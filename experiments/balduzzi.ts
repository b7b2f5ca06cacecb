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
import type { Network } from "../src/model/layers.ts";
import { linePartition } from "../src/regions/line.ts";
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
import { correlation, log, saveChart, savePicture, saveResults, seedsOf, since } from "./lib.ts";
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
export function scaledResidual(widths: number[], seed: number): Network {
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
    ...byPhaseAndDepth(rows, { field: "gradientCorrelation", type: "quantitative", title: "lag-1 gradient correlation" }),
  } as never);
  await saveChart(
    "balduzzi-pieces",
    byPhaseAndDepth(rows, { field: "linearPieces", type: "quantitative", scale: { type: "symlog" }, title: "exact linear pieces on [-2, 2]" }) as never,
  );
  // The paper's batch-normalised setting is experiments/balduzzi-bn.ts.
  const results = {
    seconds: Number(since(t0)),
    looksLinear: ll,
    shattering: rows,
  };
  saveResults("balduzzi", results);
  return results;
}

/** A chart of one measure against depth (log 2), a line per kind, a column per phase. */
function byPhaseAndDepth(rows: object[], y: object): object {
  return {
    data: { values: rows },
    facet: { column: { field: "phase", type: "nominal", title: null, sort: { field: "order" } } },
    spec: {
      width: 260,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "depth", type: "quantitative", scale: { type: "log", base: 2 }, title: "hidden layers" },
        y,
        color: { field: "kind", type: "nominal", title: null },
      },
    },
  };
}
