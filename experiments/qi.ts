/**
 * Qi & Wei 2023 ("The Evolution of the Interplay Between Input Distributions and Linear Regions in Networks", arXiv 2310.18725):
 *
 * 1. 1D targets: the smallest one-hidden-layer relu network that expresses each target, found by
 *    training widths 1, 2, ... (several seeds) until the mean squared error falls below 1% of
 *    the target's variance, with the exact number of linear pieces of the best network on
 *    [-1, 1] (line engine). For the sawtooth (a continuous piecewise-linear target with 2f pieces)
 *    2f units suffice (one per kink and one for the first slope) and are needed for f = 2; smooth targets need as many pieces as the tolerance demands.
 * 2. 2D data of increasing complexity (moons, circles, spirals, checkerboard): exact regions of
 *    the input box and the decision boundary during training, with region maps.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { classColor } from "../src/report/colors.ts";
import { regionMapSvg } from "../src/report/region-map.ts";
import { regression1d, TARGETS_1D } from "../src/train/data/regression1d.ts";
import { toy2d } from "../src/train/data/toy2d.ts";
import { inputPlane } from "../src/train/track.ts";
import { createTrainer } from "../src/train/trainer.ts";
import type { Options } from "./lib.ts";
import { log, saveChart, savePicture, saveResults, since } from "./lib.ts";
import { sideBySide } from "./svg-grid.ts";

export async function run(options: Options): Promise<Record<string, unknown>> {
  const quick = options.quick;
  if (options.seeds !== null) log("qi: one seed per setting (3 per width in the 1D search); --seeds is not used here yet");
  const t0 = performance.now();
  // 1. Smallest width per 1D target.
  const seeds = quick ? 2 : 3;
  const epochs = quick ? 300 : 1000;
  const maxWidth = quick ? 8 : 12;
  const targets: Record<string, unknown>[] = [];
  const curves: { target: string; width: number; mse: number }[] = [];
  for (const kind of TARGETS_1D) {
    const data = regression1d(kind, { count: 128, frequency: 2 });
    const y = data.targets as Float64Array;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
    const tolerance = 1e-2 * variance;
    let smallest: number | null = null;
    let pieces: number | null = null;
    for (let width = 1; width <= maxWidth; width++) {
      let best = Number.POSITIVE_INFINITY;
      let bestPieces = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const net = mlp([1, width, 1], {
          init: "he",
          seed: 100 * width + seed,
        });
        const trainer = createTrainer(net, data, {
          optimizer: "adam",
          learningRate: 0.01,
          batchSize: 32,
          seed,
        });
        for (let e = 0; e < epochs; e++) trainer.runEpoch();
        const mse = trainer.evaluate().loss;
        if (mse < best) {
          best = mse;
          bestPieces = linePartition(prepare(net), Float64Array.of(-1, 1)).linearPieces;
        }
      }
      curves.push({ target: kind, width, mse: best / variance });
      if (smallest === null && best < tolerance) {
        smallest = width;
        pieces = bestPieces;
      }
    }
    targets.push({
      target: kind,
      variance,
      tolerance,
      smallestWidth: smallest,
      linearPiecesOfThatNetwork: pieces,
    });
    log(`qi: ${kind}: smallest width ${smallest ?? `> ${maxWidth}`} (${since(t0)} s)`);
  }
  await saveChart("qi-1d", {
    width: 360,
    height: 240,
    title: "Best relative MSE of one hidden layer vs width",
    data: { values: curves },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "width", type: "quantitative", title: "hidden units" },
          y: {
            field: "mse",
            type: "quantitative",
            scale: { type: "log" },
            title: "MSE / variance (log)",
          },
          color: { field: "target", type: "nominal", title: null },
        },
      },
      {
        data: { values: [{ y: 1e-2 }] },
        mark: { type: "rule", strokeDash: [5, 4], color: "#555" },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
    ],
  } as never);

  // 2. 2D data of increasing complexity.
  const sets = ["moons", "circles", "spirals", "checkerboard"] as const;
  const epochs2d = quick ? 40 : 200;
  const snapshotsAt = quick ? [0, 10, 40] : [0, 5, 20, 50, 100, 200];
  const mapsAt = [0, snapshotsAt[Math.floor(snapshotsAt.length / 2)], epochs2d];
  const series: {
    data: string;
    epoch: number;
    regions: number;
    accuracy: number;
  }[] = [];
  for (const name of sets) {
    const data = toy2d(name, { count: 1000, seed: 2 });
    const net = mlp([2, 32, 32, 2], { init: "he", seed: 2 });
    const trainer = createTrainer(net, data, {
      optimizer: "adam",
      learningRate: 0.005,
      batchSize: 64,
      seed: 2,
    });
    const points = Array.from({ length: 300 }, (_, k) => {
      const i = Math.floor((k * data.count) / 300);
      return {
        u: data.x[2 * i],
        v: data.x[2 * i + 1],
        color: classColor((data.labels as Int32Array)[i]),
        radius: 1.6,
      };
    });
    const maps: string[] = [];
    for (let e = 0; e <= epochs2d; e++) {
      if (e > 0) trainer.runEpoch();
      if (!snapshotsAt.includes(e) && !mapsAt.includes(e)) continue;
      const p = inputPlane(prepare(net), data.box);
      const accuracy = trainer.evaluate().accuracy as number;
      series.push({
        data: name,
        epoch: e,
        regions: p.activationRegions,
        accuracy,
      });
      if (mapsAt.includes(e))
        maps.push(
          regionMapSvg(p, {
            size: 260,
            boundary: true,
            points,
            title: `epoch ${e}: ${p.activationRegions} regions, acc ${accuracy.toFixed(2)}`,
            labels: ["x1", "x2"],
          }),
        );
    }
    savePicture(`qi-maps-${name}`, sideBySide(maps));
    log(`qi: ${name} trained ${epochs2d} epochs (${since(t0)} s)`);
  }
  await saveChart("qi-2d-regions", {
    width: 360,
    height: 240,
    title: "Exact regions of the data box during training (2-32-32-2)",
    data: { values: series },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" },
      y: {
        field: "regions",
        type: "quantitative",
        title: "activation regions",
      },
      color: { field: "data", type: "nominal", title: null },
    },
  } as never);
  const results = { seconds: Number(since(t0)), targets, curves, series };
  saveResults("qi", results);
  return results;
}
