/**
 * Hanin & Rolnick 2019 with several seeds ("Complexity of linear regions in deep networks",
 * ICML 2019; "Deep ReLU networks have surprisingly few activation patterns", NeurIPS 2019):
 *
 * 1. Early training on a fine schedule: MLPs 784-w-w-w-10 (w = 16, 64; he init) on the 10,000
 *    MNIST digits, Adam (lr 1e-3, batch 128: 79 steps per epoch), measured at steps 0, 5, 10,
 *    20, 40, 79 (end of epoch 1) and 158 (end of epoch 2): regions per unit length along 24
 *    segments between digits and the exact distance from 100 digits to the nearest boundary,
 *    per seed; means with standard errors over the seeds. Their figure: the density stays of the
 *    same order during training (their Figure 3 / 5).
 * 2. The histogram of distance x #units at initialisation and after 2 epochs (their Figure 4:
 *    distance to the nearest boundary scales like 1/#units).
 * 3. Regions along segments at a fixed total of 96 units and depth 1 to 12 (at initialisation):
 *    their theorem makes the expected density depend on the total number of units, not depth.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { row } from "../src/train/data/dataset.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrackPlan, measure } from "../src/train/track.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { log, meanSe, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const quick = options.quick;
  const seeds = seedsOf(options, 5, 2);
  const data = await mnist({ count: quick ? 2000 : 10000, seed: 1 });
  const n0 = data.inputSize;
  const steps = new Set(quick ? [0, 5, 16] : [0, 5, 10, 20, 40, 79, 158]);
  const widths = quick ? [16] : [16, 64];
  const early: { width: number; units: number; seed: number; step: number; density: number; perUnit: number; medianDistanceTimesUnits: number; accuracy: number }[] = [];
  const histogram: { width: number; when: string; timesUnits: number }[] = [];
  for (const w of widths) {
    for (let seed = 0; seed < seeds; seed++) {
      const net = mlp([n0, w, w, w, 10], { init: "he", seed: 100 + seed });
      const trainer = createTrainer(net, data, { optimizer: "adam", learningRate: 1e-3, batchSize: 128, seed: 100 + seed });
      const plan = createTrackPlan(data, { track: ["lines", "distance"], lines: quick ? 8 : 24, planes: 0, distancePoints: quick ? 40 : 100, patternPoints: 0, seed: 200 + seed });
      const take = (step: number): void => {
        const { record, detail } = measure(net, data, plan, { loss: 0, accuracy: null }, step, null, 0);
        const units = record.units;
        early.push({
          width: w,
          units,
          seed,
          step,
          density: record.lines?.perUnitLength.mean ?? 0,
          perUnit: record.lines?.perUnitLengthPerUnit ?? 0,
          medianDistanceTimesUnits: record.distance?.timesUnits.median ?? 0,
          accuracy: 0,
        });
        if (step === 0 || step === Math.max(...steps))
          for (const d of detail.distances) histogram.push({ width: w, when: step === 0 ? "initialisation" : `after ${step} steps`, timesUnits: d * units });
      };
      take(0);
      const epochs = Math.ceil(Math.max(...steps) / Math.ceil(data.count / 128));
      let done = 0;
      for (let e = 0; e < epochs; e++) {
        trainer.runEpoch(() => {
          done++;
          if (steps.has(done)) take(done);
        });
      }
      log(`hanin-rolnick-seeds: width ${w} seed ${seed} (${since(t0)} s)`);
    }
  }
  const bySetting = new Map<string, typeof early>();
  for (const r of early) bySetting.set(`${r.width}|${r.step}`, [...(bySetting.get(`${r.width}|${r.step}`) ?? []), r]);
  const schedule = [...bySetting].map(([, rs]) => {
    const d = meanSe(rs.map((r) => r.perUnit));
    const t = meanSe(rs.map((r) => r.medianDistanceTimesUnits));
    return { width: rs[0].width, units: rs[0].units, step: rs[0].step, seeds: rs.length, perUnit: d.mean, perUnitSe: d.se, distanceTimesUnits: t.mean, distanceTimesUnitsSe: t.se };
  });
  const band = (field: string): Record<string, unknown>[] => [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "step", type: "quantitative", scale: { type: "symlog" }, title: "optimisation steps (79 per epoch, symlog)" },
        y: { field, type: "quantitative", scale: { zero: false } },
        color: { field: "units", type: "nominal", title: "units" },
      },
    },
    {
      mark: { type: "rule" },
      encoding: { x: { field: "step", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { field: "units", type: "nominal" } },
    },
  ];
  await saveChart("hr-early", {
    hconcat: [
      {
        width: 260,
        height: 200,
        title: "Regions per unit length per unit (± 2 s.e.)",
        data: { values: schedule.map((r) => ({ ...r, lo: r.perUnit - 2 * r.perUnitSe, hi: r.perUnit + 2 * r.perUnitSe })) },
        layer: band("perUnit"),
      },
      {
        width: 260,
        height: 200,
        title: "Median distance to the boundary × units (± 2 s.e.)",
        data: { values: schedule.map((r) => ({ ...r, lo: r.distanceTimesUnits - 2 * r.distanceTimesUnitsSe, hi: r.distanceTimesUnits + 2 * r.distanceTimesUnitsSe })) },
        layer: band("distanceTimesUnits"),
      },
    ],
  } as never);
  await saveChart("hr-distance-histogram", {
    width: 300,
    height: 180,
    title: `Distance to the nearest boundary × units (${seeds} seeds pooled)`,
    data: { values: histogram },
    facet: { row: { field: "width", type: "nominal", title: "width" } },
    spec: {
      width: 300,
      height: 140,
      mark: { type: "bar", opacity: 0.6 },
      encoding: {
        x: { field: "timesUnits", type: "quantitative", bin: { maxbins: 40 }, title: "distance × #units" },
        y: { aggregate: "count", type: "quantitative", stack: null },
        color: { field: "when", type: "nominal", title: null },
      },
    },
  } as never);
  log(`hanin-rolnick-seeds: early training done (${since(t0)} s)`);

  // 3. Fixed total units, varying depth, at initialisation.
  const total = 96;
  const depths = quick ? [1, 3, 12] : [1, 2, 3, 4, 6, 8, 12];
  const segments = quick ? 8 : 24;
  const depthRows: { depth: number; width: number; regions: number; regionsSe: number; perLength: number; perLengthSe: number }[] = [];
  const rngPairs = Array.from({ length: segments }, (_, s) => [(37 * s + 11) % data.count, (91 * s + 5003) % data.count]);
  for (const depth of depths) {
    const width = total / depth;
    const perSeed: number[] = [];
    const perSeedDensity: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const compiled = prepare(mlp([n0, ...Array(depth).fill(width), 10], { init: "he", seed: 300 + seed }));
      let regions = 0;
      let density = 0;
      for (const [a, b] of rngPairs) {
        const path = new Float64Array(2 * n0);
        path.set(row(data, a), 0);
        path.set(row(data, b), n0);
        const r = linePartition(compiled, path).activationRegions;
        let len = 0;
        for (let i = 0; i < n0; i++) len += (path[i] - path[n0 + i]) ** 2;
        regions += r;
        density += r / Math.sqrt(len);
      }
      perSeed.push(regions / segments);
      perSeedDensity.push(density / segments);
    }
    const r = meanSe(perSeed);
    const d = meanSe(perSeedDensity);
    depthRows.push({ depth, width, regions: r.mean, regionsSe: r.se, perLength: d.mean, perLengthSe: d.se });
  }
  await saveChart("hr-depth", {
    width: 320,
    height: 220,
    title: `${total} relu units in 1 to 12 layers: regions per unit length (± 2 s.e.)`,
    data: { values: depthRows.map((r) => ({ ...r, lo: r.perLength - 2 * r.perLengthSe, hi: r.perLength + 2 * r.perLengthSe })) },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "depth", type: "quantitative", title: "hidden layers" },
          y: { field: "perLength", type: "quantitative", title: "regions per unit length", scale: { zero: true } },
        },
      },
      { mark: { type: "rule" }, encoding: { x: { field: "depth", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
    ],
  } as never);
  const results = { seconds: Number(since(t0)), seeds, schedule, depth: depthRows, histogramPoints: histogram.length };
  saveResults("hanin-rolnick-seeds", results);
  return results;
}
