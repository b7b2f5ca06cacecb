/**
 * Xiong et al. 2020, the average number of regions of a one-layer relu CNN (their Theorem 2,
 * second equation): when the weights and biases are drawn from any distribution with a density,
 * E[R] = sum over t in K of prod_p C(d1, t_p), the same sum as their maximal count
 * (bounds/xiong2020.ts, `xiongSingleCount`), over the whole input space R^n.
 *
 * Checked in that setting: for three distributions with a density (normal, uniform on [-1, 1],
 * exponential: not symmetric), many draws, shared weights (a convolution) and untied ones, every
 * draw counted by the whole-domain engine in a box that contains the nearest point of every
 * nonempty intersection flat of the layer's hyperplanes (`flatPoints`): a convex set that meets
 * every flat meets every region (Zaslavsky's theorem restricted to a convex set), so the box's
 * count is the count of R^n. The box is mapped exactly onto [-1, 1]^n (`onUnitBox`). Each count
 * is also made by Zaslavsky's theorem in BigInt arithmetic (the bounds tests' oracle), the exact
 * reference: draws are rounded to multiples of 2^-24 so both see the same numbers exactly.
 */
import { xiongSingleCount } from "../src/bounds/xiong2020.ts";
import { box } from "../src/domain/domain.ts";
import { createRandom, type Random } from "../src/model/random.ts";
import { partitionAsync } from "../src/regions/partition-domain.ts";
import "../src/regions/whole.ts";
import { regionsOfArrangement } from "../test/bounds/oracle.ts";
import { log, meanSe, type Options, saveChart, saveResults, seedsOf, since } from "./lib.ts";
import { flatPoints, ONE_LAYER, oneLayer, onUnitBox } from "./xiong-layer.ts";

const GRID = 2 ** 24;

const DISTRIBUTIONS: { name: string; draw: (rng: Random) => number }[] = [
  { name: "normal N(0, 1)", draw: (rng) => rng.normal() },
  { name: "uniform on [-1, 1]", draw: (rng) => rng.uniform(-1, 1) },
  { name: "exponential, mean 1", draw: (rng) => -Math.log(1 - rng.uniform(0, 1)) },
];

export async function run(options: Options): Promise<unknown> {
  const t0 = performance.now();
  const draws = seedsOf(options, 30, 2);
  const rng = createRandom(2006);
  const rows: Record<string, unknown>[] = [];
  const short: Record<string, unknown>[] = [];
  let largestBox = 0;
  for (const c of options.quick ? ONE_LAYER.slice(0, 1) : ONE_LAYER) {
    const setting = `${c.n}x${c.n}x${c.d0} input, ${c.d1} filter${c.d1 > 1 ? "s" : ""} ${c.f}x${c.f}, stride ${c.s}`;
    const formula = Number(xiongSingleCount({ n: c.n, d0: c.d0, f: c.f, s: c.s, filters: [c.d1] }).value);
    for (const untied of [false, true]) {
      for (const dist of DISTRIBUTIONS) {
        const draw = (): number => Math.round(dist.draw(rng) * GRID) / GRID;
        const counts: number[] = [];
        const engineCounts: number[] = [];
        for (let d = 0; d < draws; d++) {
          const { net, rows: normals, bias } = oneLayer(c, draw, untied);
          const points = flatPoints(normals, bias);
          for (const p of points) for (const x of p) largestBox = Math.max(largestBox, Math.abs(x));
          const mapped = onUnitBox(net, points, GRID);
          if (!mapped.exact) throw new Error(`xiong-average: ${setting}, draw ${d}: the map onto the unit box is not exact in float64`);
          const part = await partitionAsync(mapped.net, box(-1, 1, net.inputSize));
          const oracle = Number(regionsOfArrangement(normals.map((r, i) => [...Array.from(r, (x) => x * GRID), bias[i] * GRID])));
          const uncertain = part.kind === "whole" ? part.uncertain : 0;
          if (part.activationRegions !== oracle || uncertain) {
            short.push({ setting, weights: untied ? "untied" : "shared", distribution: dist.name, draw: d, engine: part.activationRegions, uncertain, exact: oracle });
            log(`xiong-average: ${setting}, draw ${d}: engine ${part.activationRegions} (uncertain ${uncertain}), Zaslavsky ${oracle}`);
          }
          counts.push(oracle);
          engineCounts.push(part.activationRegions);
        }
        const st = meanSe(counts);
        const en = meanSe(engineCounts);
        rows.push({
          setting,
          weights: untied ? "untied" : "shared (convolution)",
          distribution: dist.name,
          formula,
          draws,
          mean: st.mean,
          se: st.se,
          min: Math.min(...counts),
          max: Math.max(...counts),
          engineMean: en.mean,
          engineSe: en.se,
          engineAgrees: counts.filter((x, i) => engineCounts[i] === x).length,
        });
      }
    }
    const last = rows.slice(-6);
    log(`xiong-average: ${setting}: formula ${formula}, exact means ${last.map((r) => r.mean).join(", ")}, engine ${last.map((r) => r.engineMean).join(", ")} (${since(t0)} s)`);
  }
  await chart(rows);
  const results = { seconds: Number(since(t0)), drawsPerDistribution: draws, largestFlatPoint: largestBox, engineShort: short, rows };
  saveResults("xiong-average", results);
  return results;
}

/** The chart of docs/experiments.md: mean exact count over the formula, per setting, weights and distribution. */
export async function chart(rows: Record<string, unknown>[]): Promise<void> {
  await saveChart("xiong-average", {
    width: 380,
    height: 240,
    title: "Regions of R^n over random draws (mean) against Xiong et al.'s average formula",
    data: { values: rows.map((r) => ({ ...r, ratio: (r.mean as number) / (r.formula as number) })) },
    mark: { type: "point", size: 80 },
    encoding: {
      y: { field: "setting", type: "nominal", title: null, axis: { labelLimit: 400 } },
      x: { field: "ratio", type: "quantitative", title: "mean exact count / formula", scale: { domain: [0.994, 1.001] } },
      color: { field: "weights", type: "nominal", title: null, legend: { labelLimit: 300 } },
      shape: { field: "distribution", type: "nominal", title: null },
      yOffset: { field: "distribution", type: "nominal" },
    },
  } as never);
}
