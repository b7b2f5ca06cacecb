/**
 * Xiong, Huang, Yu, Liu, Zhu & Shao 2020 ("On the number of linear regions of convolutional
 * neural networks"), checked with exact counts.
 *
 * 1. One conv layer (relu) on a small image, random weights and biases (Gaussian, scaled by 1,000
 *    and rounded to integers so the count is exact), many draws: the exact number of regions of
 *    the whole input space, by Zaslavsky's theorem over the layer's hyperplanes (the exact
 *    BigInt oracle of the bounds tests), against their formula (bounds/xiong2020.ts,
 *    `xiongSingleCount`). The first draw is also counted by the space engine, in a box that meets
 *    every intersection flat of the hyperplanes (so, by Zaslavsky's theorem restricted to a convex
 *    set, it meets every region); it takes about a minute in 9 dimensions, so only once. The same
 *    layer with untied weights (every position its own filter and bias, the setting the formula is
 *    derived for) is counted too.
 * 2. CNN against fully connected networks with the same number of parameters, counted exactly in
 *    the same planes through three random images.
 */
import { xiongSingleCount } from "../src/bounds/xiong2020.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { createRandom, type Random } from "../src/model/random.ts";
import { planePartition } from "../src/regions/plane.ts";
import { spacePartition } from "../src/regions/space.ts";
import { regionsOfArrangement } from "../test/bounds/oracle.ts";
import { log, meanSe, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";
import { flatRadius, ONE_LAYER, oneLayer } from "./xiong-layer.ts";

/** PyTorch-like biases U(+-1/sqrt(fan_in)) for every conv layer of a cnn(), whose biases start at 0. */
function convBiases(net: Network, rng: Random): Network {
  for (const l of net.layers) if (l.type === "conv2d") for (let i = 0; i < l.bias.length; i++) l.bias[i] = rng.uniform(-1, 1) / Math.sqrt(l.weight.length / l.outChannels);
  return net;
}

function parameters(net: Network): number {
  let p = 0;
  for (const l of net.layers) if (l.type === "dense" || l.type === "conv2d") p += l.weight.length + l.bias.length;
  return p;
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const draws = seedsOf(options, 200, 4);
  const rng = createRandom(2020);
  // Gaussian, scaled by 1,000 and rounded to integers (never 0), so the BigInt oracle takes them as they are.
  const draw = (): number => Math.round(rng.normal() * 1000) || 1;

  // 1. One layer: exact counts over random draws against the formula.
  const single: Record<string, unknown>[] = [];
  for (const c of options.quick ? ONE_LAYER.slice(0, 2) : ONE_LAYER) {
    const formula = Number(xiongSingleCount({ n: c.n, d0: c.d0, f: c.f, s: c.s, filters: [c.d1] }).value);
    for (const untied of [false, true]) {
      const counts: number[] = [];
      let engine: number | null = null;
      for (let d = 0; d < draws; d++) {
        const { net, rows, bias } = oneLayer(c, draw, untied);
        const count = Number(regionsOfArrangement(rows.map((r, i) => [...Array.from(r), bias[i]])));
        counts.push(count);
        if (d === 0 && !untied && !options.quick && c === ONE_LAYER[0]) {
          const L = 2 * flatRadius(rows, bias) + 1;
          engine = spacePartition(prepare(net), { box: [-L, L] }).activationRegions;
          if (engine !== count) throw new Error(`space engine ${engine} regions, Zaslavsky ${count}`);
        }
      }
      const stats = meanSe(counts);
      single.push({
        setting: `${c.n}x${c.n}x${c.d0} input, ${c.d1} filter${c.d1 > 1 ? "s" : ""} ${c.f}x${c.f}, stride ${c.s}`,
        note: c.note,
        weights: untied ? "untied (one filter per position)" : "shared (convolution)",
        formula,
        draws,
        mean: stats.mean,
        se: stats.se,
        min: Math.min(...counts),
        max: Math.max(...counts),
        spaceEngine: engine,
      });
    }
    log(
      `xiong: one layer ${c.n}x${c.n}x${c.d0}, ${c.d1} filters: formula ${formula}, shared ${single[single.length - 2].min}-${single[single.length - 2].max}, untied ${single[single.length - 1].min}-${single[single.length - 1].max} (${since(t0)} s)`,
    );
  }
  await saveChart("xiong-one-layer", {
    width: 380,
    height: 240,
    title: "One conv layer: exact regions of R^n (mean over draws) against Xiong et al.'s formula",
    data: { values: single.map((r) => ({ ...r, ratio: (r.mean as number) / (r.formula as number) })) },
    mark: { type: "point", filled: true, size: 70 },
    encoding: {
      y: { field: "setting", type: "nominal", title: null },
      x: { field: "ratio", type: "quantitative", title: "exact count / formula", scale: { domain: [0.9, 1.01] } },
      color: { field: "weights", type: "nominal", title: null },
      shape: { field: "weights", type: "nominal", title: null },
    },
  } as never);

  // 2. CNN against fully connected at equal parameters, in the same planes.
  const seeds = seedsOf(options, 5, 2);
  const planesPer = options.quick ? 2 : 4;
  const shape = [1, 10, 10];
  const n0 = 100;
  const sizes = options.quick ? [4] : [2, 4, 8];
  const compare: Record<string, unknown>[] = [];
  for (const c of sizes) {
    const spec = `conv:${c}:3,relu,conv:${c}:3,relu,dense:1`;
    for (let seed = 0; seed < seeds; seed++) {
      const { cnn } = await import("../src/train/cnn.ts");
      const convNet = convBiases(cnn(shape, spec, seed), createRandom(seed + 50));
      const p = parameters(convNet);
      // Two hidden layers of width h with about p parameters: 100 h + h + h^2 + h + h + 1 = p.
      const h = Math.max(1, Math.round((-(n0 + 3) + Math.sqrt((n0 + 3) ** 2 + 4 * (p - 1))) / 2));
      const denseNet = mlp([n0, h, h, 1], { init: "he", seed });
      const prng = createRandom(1000 + seed);
      for (let q = 0; q < planesPer; q++) {
        const pts = [0, 1, 2].map(() => Float64Array.from({ length: n0 }, () => prng.uniform(0, 1)));
        const e1 = pts[1].map((x, i) => x - pts[0][i]);
        const e2 = pts[2].map((x, i) => x - pts[0][i]);
        for (const [kind, net] of [
          ["CNN", convNet],
          ["fully connected", denseNet],
        ] as const) {
          const part = planePartition(prepare(net), { origin: pts[0], e1, e2 }, { domain: Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1) });
          const units = kind === "CNN" ? c * 64 + c * 36 : 2 * h;
          compare.push({ kind, channels: c, seed, plane: q, parameters: kind === "CNN" ? p : parameters(net), units, regions: part.activationRegions });
        }
      }
    }
    log(`xiong: CNN vs fully connected at ${c} channels done (${since(t0)} s)`);
  }
  const grouped = new Map<string, number[]>();
  for (const r of compare) {
    const key = `${r.kind}|${r.channels}`;
    grouped.set(key, [...(grouped.get(key) ?? []), r.regions as number]);
  }
  const summary = [...grouped].map(([key, values]) => {
    const [kind, channels] = key.split("|");
    const row = compare.find((r) => r.kind === kind && String(r.channels) === channels) as Record<string, unknown>;
    return { kind, channels: Number(channels), parameters: row.parameters, units: row.units, ...meanSe(values) };
  });
  await saveChart("xiong-cnn-vs-fc", {
    width: 340,
    height: 240,
    title: "Regions in planes through three random 10x10 images, equal parameters",
    data: { values: summary.map((s) => ({ ...s, lo: s.mean - 2 * s.se, hi: s.mean + 2 * s.se })) },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "parameters", type: "quantitative", scale: { type: "log" }, title: "parameters" },
          y: { field: "mean", type: "quantitative", scale: { type: "log" }, title: "regions in the plane (mean ± 2 s.e.)" },
          color: { field: "kind", type: "nominal", title: null },
        },
      },
      {
        mark: { type: "rule" },
        encoding: { x: { field: "parameters", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color: { field: "kind", type: "nominal" } },
      },
    ],
  } as never);
  const results = { seconds: Number(since(t0)), draws, single, seeds, planesPerSeed: planesPer, compare: summary, rows: compare };
  saveResults("xiong", results);
  return results;
}
