/**
 * Qi & Wei 2023: "for the same network, intricate inputs hinder its capacity to express linear
 * regions". Tested on two families of 2D data ordered by intricacy by construction: spirals with
 * more turns per arm, and checkerboards with more squares per side. The same network (2-32-32-2,
 * He init, the same seeds) is trained on each; its exact activation regions are counted in the
 * same square [-1.2, 1.2]^2 (plane engine) at initialisation and after training, with the pieces
 * of the decision boundary and the accuracy. Several seeds (network and data), means with
 * standard errors.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { decisionBoundary } from "../src/report/decision-boundary.ts";
import { toy2d } from "../src/train/data/toy2d.ts";
import { inputPlane } from "../src/train/track.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { log, meanSe, type Options, pm, saveChart, saveResults, seedsOf, since } from "./lib.ts";

const BOX = Float64Array.of(-1.2, 1.2, -1.2, 1.2);

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const quick = options.quick;
  const seeds = seedsOf(options, 5, 2);
  const epochs = quick ? 20 : 200;
  const families = [
    { family: "spirals", knob: "turns per arm", levels: quick ? [0.5, 2] : [0.5, 1, 1.5, 2, 2.5] },
    { family: "checkerboard", knob: "squares per side", levels: quick ? [2, 5] : [2, 3, 4, 5, 6] },
  ] as const;
  type Run = { family: string; level: number; seed: number; regionsInit: number; regions: number; boundaryPieces: number; accuracy: number };
  const runs: Run[] = [];
  for (const { family, levels } of families) {
    for (const level of levels) {
      for (let seed = 0; seed < seeds; seed++) {
        const data = toy2d(family, { count: 1000, seed: 10 + seed, ...(family === "spirals" ? { turns: level } : { cells: level }) });
        const net = mlp([2, 32, 32, 2], { init: "he", seed });
        const regionsInit = inputPlane(prepare(net), BOX).activationRegions;
        const trainer = createTrainer(net, data, { optimizer: "adam", learningRate: 0.005, batchSize: 64, seed });
        for (let e = 0; e < epochs; e++) trainer.runEpoch();
        const p = inputPlane(prepare(net), BOX);
        runs.push({
          family,
          level,
          seed,
          regionsInit,
          regions: p.activationRegions,
          boundaryPieces: decisionBoundary(p).length / 4,
          accuracy: trainer.evaluate().accuracy as number,
        });
      }
      const mine = runs.filter((r) => r.family === family && r.level === level);
      log(
        `qi-intricacy: ${family} ${level}: regions ${pm(
          mine.map((r) => r.regions),
          1,
        )}, accuracy ${pm(
          mine.map((r) => r.accuracy),
          3,
        )} (${since(t0)} s)`,
      );
    }
  }
  const table = families.flatMap(({ family, knob, levels }) =>
    levels.map((level) => {
      const mine = runs.filter((r) => r.family === family && r.level === level);
      const stat = (f: (r: (typeof runs)[number]) => number) => meanSe(mine.map(f));
      // Paired by seed (the same initial network at every level): what training added, and the
      // difference from the least intricate level.
      const lowest = runs.filter((r) => r.family === family && r.level === levels[0]);
      const paired = (f: (r: Run, base: Run) => number) => meanSe(mine.map((r) => f(r, lowest.find((b) => b.seed === r.seed) as Run)));
      return {
        family,
        knob,
        level,
        regionsInit: stat((r) => r.regionsInit),
        regions: stat((r) => r.regions),
        gain: stat((r) => r.regions - r.regionsInit),
        versusLowest: paired((r, b) => r.regions - b.regions),
        boundaryPieces: stat((r) => r.boundaryPieces),
        accuracy: stat((r) => r.accuracy),
      };
    }),
  );
  const rows = (pick: (t: (typeof table)[number]) => { mean: number; se: number }, extra: (t: (typeof table)[number]) => object = () => ({})) =>
    table.map((t) => ({ family: t.family, level: t.level, mean: pick(t).mean, lo: pick(t).mean - pick(t).se, hi: pick(t).mean + pick(t).se, ...extra(t) }));
  await facetedMeans(
    "qi-intricacy",
    `Exact regions in [-1.2, 1.2]^2 after ${epochs} epochs (2-32-32-2, ${seeds} seeds, mean ± s.e.)`,
    rows(
      (t) => t.regions,
      (t) => ({ init: t.regionsInit.mean }),
    ),
    { title: "activation regions", scale: { zero: false } },
    { mark: { type: "line", strokeDash: [4, 3], color: "#888" }, encoding: { x: { field: "level", type: "quantitative" }, y: { field: "init", type: "quantitative" } } },
  );
  await facetedMeans(
    "qi-intricacy-paired",
    "The same, paired by seed: regions minus those at the least intricate level (mean ± s.e.)",
    rows((t) => t.versusLowest),
    { title: "regions, difference" },
    { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#888" }, encoding: { y: { field: "y", type: "quantitative" } } },
  );
  const results = { seconds: Number(since(t0)), seeds, epochs, box: Array.from(BOX), table, runs };
  saveResults("qi-intricacy", results);
  return results;
}

/** One panel per data-set family: means against intricacy with standard-error bars, and one more layer. */
function facetedMeans(name: string, title: string, values: object[], y: object, layer: object): Promise<unknown> {
  return saveChart(name, {
    title,
    data: { values },
    facet: { column: { field: "family", type: "nominal", title: null } },
    spec: {
      width: 220,
      height: 200,
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: { x: { field: "level", type: "quantitative", title: "intricacy (turns / squares per side)" }, y: { field: "mean", type: "quantitative", ...y } },
        },
        { mark: { type: "errorbar" }, encoding: { x: { field: "level", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
        layer,
      ],
    },
    resolve: { scale: { x: "independent" } },
  } as never);
}
