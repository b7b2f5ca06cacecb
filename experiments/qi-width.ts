/**
 * Qi & Wei 2023, the 1D claim ("for any one-dimensional input, there exists a minimum threshold
 * for the number of neurons required to express it"), made exact for one hidden layer:
 * src/model/build/pwl1d.ts states and proves the minimum (k kinks: k units when a subset of the
 * slope changes sums to minus the first slope, else k + 1) and builds that network. Here, for
 * sawtooth targets and random integer targets on [-1, 1]:
 *  - the theorem's width, and the exact linear pieces of the constructed network (line engine);
 *  - whether gradient descent finds an expressing network at that width and a few above it
 *    (Adam from He init, several seeds): "expresses" = MSE below 1e-6 of the target's variance
 *    on 128 grid points, with the exact pieces of the best network.
 */

import { mlp } from "../src/model/build/mlp.ts";
import { minimalShallow1d } from "../src/model/build/pwl1d.ts";
import { forward, prepare } from "../src/model/forward.ts";
import { createRandom } from "../src/model/random.ts";
import { linePartition } from "../src/regions/line.ts";
import { regressionSet } from "../src/train/data/dataset.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { log, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";

type Found = Record<number, { expressed: number; best: number; bestPieces: number }>;

interface Target {
  name: string;
  knots: number[];
  values: number[];
}

/** teeth = 1, 2, 4, ...: knots at multiples of 1/teeth, exact in binary. */
function sawtooth(teeth: number): Target {
  const knots = Array.from({ length: 2 * teeth + 1 }, (_, i) => -1 + i / teeth);
  return { name: `sawtooth, ${teeth} teeth`, knots, values: knots.map((_, i) => i % 2) };
}

/** Knots at multiples of 1/4 (exact in binary, so slopes are exactly what they look like). */
function randomTarget(seed: number): Target {
  const rng = createRandom(seed);
  const knots = Array.from({ length: 9 }, (_, i) => -1 + i / 4);
  return { name: `random integer values, seed ${seed}`, knots, values: knots.map(() => rng.int(5) - 2) };
}

/** Linear interpolation through the knots. */
function evaluate(t: Target, x: number): number {
  let i = 0;
  while (i + 2 < t.knots.length && x > t.knots[i + 1]) i++;
  const u = (x - t.knots[i]) / (t.knots[i + 1] - t.knots[i]);
  return t.values[i] + u * (t.values[i + 1] - t.values[i]);
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const quick = options.quick;
  const seeds = seedsOf(options, 5, 2);
  const epochs = quick ? 300 : 1500;
  const extra = quick ? [0, 1] : [0, 1, 2, 4];
  const targets = quick ? [sawtooth(1), sawtooth(2)] : [sawtooth(1), sawtooth(2), sawtooth(4), randomTarget(1), randomTarget(2), randomTarget(5)];
  const rows: Record<string, unknown>[] = [];
  const training: { target: string; width: number; above: number; seed: number; relativeMse: number; pieces: number }[] = [];
  for (const t of targets) {
    const built = minimalShallow1d(t.knots, t.values);
    const net = prepare(built.network);
    const pieces = linePartition(net, Float64Array.of(-1, 1)).linearPieces;
    const worst = Math.max(...t.knots.map((x, i) => Math.abs(forward(net, [x]).output[0] - t.values[i])));
    const grid = Float64Array.from({ length: 128 }, (_, i) => -1 + (2 * i) / 127);
    const y = grid.map((x) => evaluate(t, x));
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const variance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length;
    const data = regressionSet(t.name, grid, 1, y, 1);
    const found: Found = {};
    for (const above of extra) {
      const width = built.width + above;
      let expressed = 0;
      let best = Number.POSITIVE_INFINITY;
      let bestPieces = 0;
      for (let seed = 0; seed < seeds; seed++) {
        const trained = mlp([1, width, 1], { init: "he", seed: 1000 * width + seed });
        const trainer = createTrainer(trained, data, { optimizer: "adam", learningRate: 0.01, batchSize: 32, seed });
        for (let e = 0; e < epochs; e++) trainer.runEpoch();
        const relativeMse = trainer.evaluate().loss / variance;
        const p = linePartition(prepare(trained), Float64Array.of(-1, 1)).linearPieces;
        training.push({ target: t.name, width, above, seed, relativeMse, pieces: p });
        if (relativeMse < 1e-6) expressed++;
        if (relativeMse < best) {
          best = relativeMse;
          bestPieces = p;
        }
      }
      found[above] = { expressed, best, bestPieces };
    }
    rows.push({
      target: t.name,
      knots: t.knots,
      values: t.values,
      kinks: built.kinks.length,
      kinksSuffice: built.kinksSuffice,
      minimalWidth: built.width,
      constructedPieces: pieces,
      constructedWorstError: worst,
      training: found,
    });
    log(
      `qi-width: ${t.name}: ${built.kinks.length} kinks, minimal width ${built.width}, constructed ${pieces} pieces; trained: ${extra.map((a) => `width ${built.width + a}: ${found[a].expressed}/${seeds}`).join(", ")} (${since(t0)} s)`,
    );
  }
  await saveChart("qi-width", {
    width: 380,
    height: 240,
    title: `Seeds (of ${seeds}) whose training expresses the target, against width above the theorem's minimum`,
    data: { values: rows.flatMap((r) => extra.map((a) => ({ target: r.target, above: a, expressed: (r.training as Found)[a].expressed }))) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "above", type: "ordinal", title: "hidden units above the minimum (0 = the theorem's width)" },
      y: { field: "expressed", type: "quantitative", title: `seeds reaching MSE < 1e-6 variance`, scale: { domain: [0, seeds] } },
      color: { field: "target", type: "nominal", title: null },
    },
  } as never);
  const results = { seconds: Number(since(t0)), seeds, epochs, rows, training };
  saveResults("qi-width", results);
  return results;
}
