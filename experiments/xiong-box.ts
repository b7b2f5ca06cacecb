/**
 * Xiong et al. 2020, the average number of regions of a one-layer relu CNN, where it is a real
 * average: over the whole input space the exact count is the same for almost every draw of the
 * weights (experiments/xiong.ts), so here the regions that meet the box [-1, 1]^n are counted,
 * exactly, by the whole-domain engine, for many Gaussian draws (weights and biases N(0, 1)),
 * with shared weights (a convolution) and untied ones (every position its own filter and bias).
 */
import { box } from "../src/domain/domain.ts";
import type { Network } from "../src/model/layers.ts";
import { createRandom } from "../src/model/random.ts";
import { partitionAsync } from "../src/regions/partition-domain.ts";
import "../src/regions/whole.ts";
import { log, meanSe, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";

interface Setting {
  label: string;
  n: number;
  filters: number;
  f: number;
  /** Regions of the whole input space for generic weights (experiments/xiong.ts). */
  wholeSpace: { shared: number; untied: number };
  /** Share of the draws this setting gets (default all). */
  fraction?: number;
}

const SETTINGS: Setting[] = [
  { label: "3x3x1 input, 2 filters 2x2", n: 3, filters: 2, f: 2, wholeSpace: { shared: 255, untied: 256 } },
  // Up to 4,013 regions each: fewer draws (a fifth).
  { label: "3x3x1 input, 3 filters 2x2", n: 3, filters: 3, f: 2, wholeSpace: { shared: 3998, untied: 4013 }, fraction: 0.2 },
];

/** A one-layer conv (stride 1) + relu as dense rows, shared or untied, Gaussian weights and biases. */
function draw(s: Setting, untied: boolean, rng: ReturnType<typeof createRandom>): Network {
  const o = s.n - s.f + 1;
  const n0 = s.n * s.n;
  const m = s.filters * o * o;
  const normal = (k: number) => Float64Array.from({ length: k }, () => rng.normal());
  const filters = Array.from({ length: s.filters }, () => normal(s.f * s.f));
  const biases = normal(s.filters);
  const weight = new Float64Array(m * n0);
  const bias = new Float64Array(m);
  let u = 0;
  for (let c = 0; c < s.filters; c++)
    for (let y = 0; y < o; y++)
      for (let x = 0; x < o; x++, u++) {
        const w = untied ? normal(s.f * s.f) : filters[c];
        for (let ky = 0; ky < s.f; ky++) for (let kx = 0; kx < s.f; kx++) weight[u * n0 + (y + ky) * s.n + x + kx] = w[ky * s.f + kx];
        bias[u] = untied ? rng.normal() : biases[c];
      }
  return {
    inputSize: n0,
    layers: [
      { type: "dense", inSize: n0, outSize: m, weight, bias },
      { type: "relu" },
      { type: "dense", inSize: m, outSize: 1, weight: new Float64Array(m).fill(1), bias: new Float64Array(1) },
    ],
  };
}

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const draws = seedsOf(options, 200, 10);
  const rng = createRandom(2024);
  const rows: Record<string, unknown>[] = [];
  const counts: { setting: string; weights: string; regions: number }[] = [];
  for (const s of options.quick ? SETTINGS.slice(0, 1) : SETTINGS) {
    const n = Math.max(2, Math.round(draws * (s.fraction ?? 1)));
    for (const untied of [false, true]) {
      const weights = untied ? "untied" : "shared (convolution)";
      const mine: number[] = [];
      for (let d = 0; d < n; d++) {
        const p = await partitionAsync(draw(s, untied, rng), box(-1, 1, s.n * s.n));
        mine.push(p.activationRegions);
        counts.push({ setting: s.label, weights, regions: p.activationRegions });
      }
      const st = meanSe(mine);
      rows.push({
        setting: s.label,
        weights,
        draws: n,
        mean: st.mean,
        se: st.se,
        min: Math.min(...mine),
        max: Math.max(...mine),
        wholeSpace: untied ? s.wholeSpace.untied : s.wholeSpace.shared,
      });
      log(`xiong-box: ${s.label}, ${weights}: ${st.mean.toFixed(1)} ± ${st.se.toFixed(1)} regions in [-1, 1]^${s.n * s.n} (${since(t0)} s)`);
    }
  }
  await saveChart("xiong-box", {
    title: `One conv layer, Gaussian weights and biases: exact regions meeting [-1, 1]^9 (${draws} draws; a fifth for 3 filters)`,
    data: { values: counts },
    facet: { column: { field: "setting", type: "nominal", title: null } },
    spec: {
      width: 220,
      height: 200,
      mark: { type: "boxplot", extent: "min-max" },
      encoding: {
        x: { field: "weights", type: "nominal", title: null },
        y: { field: "regions", type: "quantitative", title: "regions in the box" },
        color: { field: "weights", type: "nominal", legend: null },
      },
    },
    resolve: { scale: { y: "independent" } },
  } as never);
  const results = { seconds: Number(since(t0)), draws, rows };
  saveResults("xiong-box", results);
  return results;
}
