/**
 * Hanin & Rolnick 2019 ("Complexity of linear regions in deep networks", "Deep ReLU networks
 * have surprisingly few activation patterns") on MNIST:
 *
 * 1. The one-layer formula. For one hidden layer of n relu units with Gaussian weights and
 *    biases, unit i switches along the segment from a to b exactly when z_i(a) and z_i(b) have
 *    opposite signs (z_i is affine along the segment), which for a centred bivariate Gaussian
 *    with correlation rho happens with probability arccos(rho) / pi. So the expected number of
 *    regions along the segment is 1 + n arccos(rho) / pi. We count exactly with the line engine
 *    over many random networks and compare.
 * 2. Regions per unit length along segments between MNIST digits, and distance from digits to
 *    the nearest boundary, against the number of units, at initialisation and during training.
 *    They report density growing linearly in #units (so density / #units roughly constant),
 *    roughly constant during training, and distance scaling like 1 / #units.
 */

import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { createRandom } from "../src/model/random.ts";
import { linePartition } from "../src/regions/line.ts";
import { row } from "../src/train/data/dataset.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrackPlan, measure, type TrackRecord } from "../src/train/track.ts";
import { createTrainer } from "../src/train/trainer.ts";
import type { Options } from "./lib.ts";
import { log, meanSe, saveChart, saveResults, seedsOf, since } from "./lib.ts";

/** Expected regions along [a, b] for one layer of n units with weights N(0, sw2 I) and biases N(0, sb2). */
export function expectedOneLayer(a: Float64Array, b: Float64Array, n: number, sw2: number, sb2: number): { rho: number; expected: number } {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  const rho = (sw2 * ab + sb2) / Math.sqrt((sw2 * aa + sb2) * (sw2 * bb + sb2));
  return {
    rho,
    expected: 1 + (n * Math.acos(Math.min(1, Math.max(-1, rho)))) / Math.PI,
  };
}

function gaussianOneLayer(n0: number, n: number, sw2: number, sb2: number, seed: number): Network {
  const rng = createRandom(seed);
  const weight = Float64Array.from({ length: n * n0 }, () => rng.normal() * Math.sqrt(sw2));
  const bias = Float64Array.from({ length: n }, () => rng.normal() * Math.sqrt(sb2));
  return {
    inputSize: n0,
    layers: [
      { type: "dense", inSize: n0, outSize: n, weight, bias },
      { type: "relu" },
      {
        type: "dense",
        inSize: n,
        outSize: 1,
        weight: new Float64Array(n).fill(1),
        bias: new Float64Array(1),
      },
    ],
  };
}

export async function run(options: Options): Promise<Record<string, unknown>> {
  const quick = options.quick;
  const t0 = performance.now();
  const data = await mnist({ count: quick ? 2000 : 10000, seed: 1 });
  const n0 = data.inputSize;
  log(`hanin-rolnick: MNIST ${data.count} digits loaded (${since(t0)} s)`);

  // 1. One-layer formula, over segments between digit pairs.
  const formula: {
    width: number;
    segment: number;
    rho: number;
    expected: number;
    mean: number;
    stderr: number;
    networks: number;
    z: number;
  }[] = [];
  const networks = quick ? 100 : 200;
  const sw2 = 1 / n0;
  const sb2 = 0.5;
  const rng = createRandom(7);
  for (const width of [8, 32, 128]) {
    for (let s = 0; s < 3; s++) {
      const a = row(data, rng.int(data.count)).slice();
      const b = row(data, rng.int(data.count)).slice();
      const path = new Float64Array(2 * n0);
      path.set(a, 0);
      path.set(b, n0);
      const { rho, expected } = expectedOneLayer(a, b, width, sw2, sb2);
      const counts: number[] = [];
      for (let k = 0; k < networks; k++) counts.push(linePartition(prepare(gaussianOneLayer(n0, width, sw2, sb2, 1000 * width + 100 * s + k)), path).activationRegions);
      const mean = counts.reduce((x, y) => x + y, 0) / networks;
      const sd = Math.sqrt(counts.reduce((x, y) => x + (y - mean) ** 2, 0) / (networks - 1));
      const stderr = sd / Math.sqrt(networks);
      formula.push({
        width,
        segment: s,
        rho,
        expected,
        mean,
        stderr,
        networks,
        z: (mean - expected) / stderr,
      });
    }
  }
  log(`hanin-rolnick: one-layer formula checked on ${formula.length} (width, segment) pairs (${since(t0)} s)`);
  await saveChart("hr-formula", {
    width: 360,
    height: 260,
    title: "One layer, Gaussian weights: exact mean count vs 1 + n·arccos(ρ)/π",
    data: {
      values: formula.map((f) => ({
        ...f,
        lo: f.mean - 2 * f.stderr,
        hi: f.mean + 2 * f.stderr,
        n: `n = ${f.width}`,
      })),
    },
    layer: [
      {
        mark: { type: "line", color: "#999", strokeDash: [4, 3] },
        data: {
          values: [
            { x: 1, y: 1 },
            { x: 90, y: 90 },
          ],
        },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            scale: { type: "log" },
            title: "predicted regions 1 + n·arccos(ρ)/π",
          },
          y: {
            field: "y",
            type: "quantitative",
            scale: { type: "log" },
            title: "exact regions (mean over networks)",
          },
        },
      },
      {
        mark: { type: "rule" },
        encoding: {
          x: { field: "expected", type: "quantitative" },
          y: { field: "lo", type: "quantitative" },
          y2: { field: "hi" },
        },
      },
      {
        mark: { type: "point", filled: true, size: 50 },
        encoding: {
          x: { field: "expected", type: "quantitative" },
          y: { field: "mean", type: "quantitative" },
          color: { field: "n", type: "nominal", title: null },
        },
      },
    ],
  } as never);

  // 2. Density along lines and distance to the boundary vs #units, during training, over seeds
  //    (initialisation, shuffling and the sampled segments and points change with the seed).
  const widths = quick ? [16, 32] : [16, 32, 64, 128];
  const epochs = quick ? 2 : 4;
  const trackAt = new Set(quick ? [0, 1, 2] : [0, 1, 2, 4]);
  const seeds = seedsOf(options, 5, 1);
  const perSeed: Record<string, number>[] = [];
  for (const w of widths) {
    for (let seed = 0; seed < seeds; seed++) {
      const net = mlp([n0, w, w, w, 10], { init: "he", seed: 3 + 1000 * seed });
      const trainer = createTrainer(net, data, {
        optimizer: "adam",
        learningRate: 1e-3,
        batchSize: 128,
        seed: 3 + 1000 * seed,
      });
      const plan = createTrackPlan(data, {
        track: ["lines", "distance"],
        lines: quick ? 8 : 24,
        planes: 0,
        distancePoints: quick ? 50 : 100,
        patternPoints: 0,
        seed: 5 + 1000 * seed,
      });
      for (let e = 0; e <= epochs; e++) {
        let trainLoss: number | null = null;
        if (e > 0) trainLoss = trainer.runEpoch();
        if (!trackAt.has(e)) continue;
        const r = measure(net, data, plan, trainer.evaluate(), e, trainLoss, 0).record;
        perSeed.push({
          width: w,
          seed,
          units: r.units,
          epoch: r.epoch,
          accuracy: r.accuracy ?? 0,
          regionsPerLength: r.lines?.regions.count ? (r.lines as NonNullable<TrackRecord["lines"]>).perUnitLength.mean : 0,
          densityPerUnit: r.lines?.perUnitLengthPerUnit ?? 0,
          medianDistance: r.distance?.distance.median ?? 0,
          medianDistanceTimesUnits: r.distance?.timesUnits.median ?? 0,
        });
      }
      log(`hanin-rolnick: width ${w} (${3 * w} units), seed ${seed} trained ${epochs} epochs (${since(t0)} s)`);
    }
  }
  // Mean and standard error over the seeds of every quantity, per (width, epoch).
  const quantities = ["accuracy", "regionsPerLength", "densityPerUnit", "medianDistance", "medianDistanceTimesUnits"] as const;
  const rows = widths.flatMap((w) =>
    [...trackAt].map((epoch) => {
      const mine = perSeed.filter((r) => r.width === w && r.epoch === epoch);
      const row: Record<string, number> = { width: w, units: mine[0].units, epoch, seeds: mine.length };
      for (const q of quantities) {
        const { mean, se } = meanSe(mine.map((r) => r[q]));
        row[q] = mean;
        row[`${q}Se`] = se;
      }
      return row;
    }),
  );
  await saveChart(
    "hr-density",
    meansWithErrors(rows, "regionsPerLength", `Regions per unit length along segments between digits (${seeds} seeds, mean ± 2 s.e.)`, "regions per unit length", "linear"),
  );
  await saveChart(
    "hr-distance",
    meansWithErrors(rows, "medianDistance", `Median distance to the nearest boundary (${seeds} seeds, mean ± 2 s.e.)`, "median distance (log)", "log"),
  );
  const results = {
    seconds: Number(since(t0)),
    mnistDigits: data.count,
    formula,
    seeds,
    training: rows,
    trainingPerSeed: perSeed,
  };
  saveResults("hanin-rolnick", results);
  return results;
}

/** Means over seeds against the number of units, one line per epoch, with ± 2 s.e. bars. */
function meansWithErrors(rows: Record<string, number>[], field: string, title: string, yTitle: string, scale: "linear" | "log"): never {
  const values = rows.map((r) => ({ ...r, epoch: `epoch ${r.epoch}`, value: r[field], lo: r[field] - 2 * r[`${field}Se`], hi: r[field] + 2 * r[`${field}Se`] }));
  const x = { field: "units", type: "quantitative", scale: { type: scale }, title: "number of relu units (3 layers)" };
  return {
    width: 300,
    height: 240,
    title,
    data: { values },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { field: "value", type: "quantitative", scale: { type: scale }, title: yTitle }, color: { field: "epoch", type: "nominal", title: null } },
      },
      { mark: { type: "rule" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { field: "epoch", type: "nominal" } } },
    ],
  } as never;
}
