/**
 * Hunt for plane counts that differ from the exact oracle (test/oracles/exact-partition.ts) on
 * degenerate deep networks: zero-bias deep narrow networks, integer-weight hard-tanh zero-bias
 * ones, duplicated units, in boxes and parallelograms through the origin (docs/numerics.md,
 * "Bounds relative to the exact map"). Not part of npm test.
 *
 *   npx tsx bench/plane-global-hunt.ts [--src DIR] [--no-wasm] [--family NAME] [--seeds N] [--timeout MS]
 *
 * Prints one line per miscount (family, seed, domain, engine's count, uncertain, exact count) and
 * a summary per family.
 */
import type { Network } from "../src/model/layers.ts";
import { patternsOf } from "../test/invariance/plane-global-cases.ts";
import { exactBoxRegions, exactParallelogramRegions } from "../test/oracles/exact-partition.ts";
import { duplicated, huntOptions, integerNet } from "./hunt-networks.ts";

const { flag, onlyFamily, seeds, first, load } = huntOptions(20);

type Net = Network;
const { mlp } = await load<{ mlp: (w: number[], o?: object) => Net }>("model/build/mlp.ts");
const { prepare } = await load<{ prepare: (n: Net) => unknown }>("model/forward.ts");
const { boxSlice, parallelogramSlice, planePartition } = await load<{
  boxSlice: (lo: number, hi: number) => { slice: unknown; domain: Float64Array };
  parallelogramSlice: (a: Float64Array, b: Float64Array, c: Float64Array) => { slice: unknown; domain: Float64Array };
  planePartition: (c: unknown, s: unknown, o: object) => Partition;
}>("regions/plane.ts");

interface Layout {
  words: number;
  stepBit: Int32Array;
  stepUnits: Int32Array;
}
interface Partition {
  activationRegions: number;
  uncertain?: number;
  cellCount: number;
  patterns: Uint32Array;
  layout: Layout;
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

interface Counted {
  regions: number;
  uncertain: number;
  patterns: string[];
}
interface Domain {
  name: string;
  count(net: Net): Counted;
  exact(net: Net): { regions: number; patterns: string[] };
}
const counted = (p: Partition): Counted => ({ regions: p.activationRegions, uncertain: p.uncertain ?? 0, patterns: patternsOf(p as unknown as Parameters<typeof patternsOf>[0]) });
const box = (lo: number, hi: number): Domain => ({
  name: `box[${lo},${hi}]`,
  count: (net) => {
    const { slice, domain } = boxSlice(lo, hi);
    return counted(planePartition(prepare(net), slice, { domain }));
  },
  exact: (net) => exactBoxRegions(net as never, lo, hi),
});
const par = (p1: number[], p2: number[], p3: number[]): Domain => ({
  name: `par(${p1};${p2};${p3})`,
  count: (net) => {
    const { slice, domain } = parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3));
    return counted(planePartition(prepare(net), slice, { domain }));
  },
  exact: (net) => exactParallelogramRegions(net as never, p1, p2, p3),
});

// Boxes (the slice's constant is 0: every zero-bias line through the origin exactly) and
// parallelograms about the origin from a P1 that is not it (constants that round).
const domains: Domain[] = [
  box(-1, 1),
  box(0, 1),
  par([-0.7, -0.3], [0.9, -0.2], [-0.4, 1.1]),
  par([0, 0], [1.3, -0.1], [0.2, 0.9]),
  par([-0.3, -0.4], [0.6, 0.8], [-0.5, 0.3]),
  par([-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]),
  par([-1 / 3, -0.2], [2 / 3, -0.2], [-1 / 3, 0.8]),
];

const families: Record<string, (seed: number) => Net> = {
  "zero-bias-4x20": (seed) => mlp([2, ...Array(20).fill(4), 1], { init: "zero-bias", seed }),
  "zero-bias-3x24": (seed) => mlp([2, ...Array(24).fill(3), 1], { init: "zero-bias", seed }),
  "zero-bias-5x12": (seed) => mlp([2, ...Array(12).fill(5), 1], { init: "zero-bias", seed }),
  "zero-bias-4x20-dup": (seed) => duplicated(mlp([2, ...Array(20).fill(4), 1], { init: "zero-bias", seed }), seed),
  "zero-bias-leaky-4x16": (seed) => mlp([2, ...Array(16).fill(4), 1], { init: "zero-bias", seed, activation: { type: "leaky-relu", slope: 0.25 } }),
  "zero-bias-abs-3x10": (seed) => mlp([2, ...Array(10).fill(3), 1], { init: "zero-bias", seed, activation: { type: "abs" } }),
  "integer-hardtanh-4x10": (seed) => integerNet([2, ...Array(10).fill(4), 1], seed, { type: "hard-tanh", lo: -1, hi: 1 }),
  "integer-hardtanh-5x8": (seed) => integerNet([2, ...Array(8).fill(5), 1], seed, { type: "hard-tanh", lo: -1, hi: 1 }),
  "integer-relu-4x10-dup": (seed) => duplicated(integerNet([2, ...Array(10).fill(4), 1], seed, { type: "relu" }), seed),
};

const timeout = Number(flag("--timeout") ?? 20000);
for (const [family, make] of Object.entries(families)) {
  if (onlyFamily && family !== onlyFamily) continue;
  let cases = 0;
  let wrong = 0;
  let silent = 0;
  let skipped = 0;
  let engineMs = 0;
  for (let seed = first; seed < first + seeds; seed++) {
    const net = make(seed);
    for (const d of domains) {
      const t0 = performance.now();
      let got: Counted;
      try {
        got = d.count(net);
      } catch (e) {
        console.log(`${family} seed ${seed} ${d.name}: engine threw ${(e as Error).message}`);
        continue;
      }
      engineMs += performance.now() - t0;
      const o0 = performance.now();
      const oracle = d.exact(net);
      const exact = oracle.regions;
      if (performance.now() - o0 > timeout) skipped++;
      cases++;
      // The cells' patterns too (sorted, with repeats: a cell cut in two by a line that does not
      // exist repeats its pattern; a state decided wrongly on a whole cell changes it).
      const patternsRight = same(got.patterns, oracle.patterns.slice().sort());
      if (got.regions !== exact || !patternsRight) {
        wrong++;
        if (got.uncertain === 0) silent++;
        console.log(`${family} seed ${seed} ${d.name}: ${got.regions} (uncertain ${got.uncertain}), exact ${exact}${patternsRight ? "" : ", patterns differ"}`);
      } else console.log(`${family} seed ${seed} ${d.name}: right (${exact})${got.uncertain > 0 ? ` with uncertain ${got.uncertain}` : ""}`);
    }
  }
  console.log(`# ${family}: ${cases} cases, ${wrong} miscounted (${silent} silently); engine ${engineMs.toFixed(0)} ms; slow oracle ${skipped}`);
}
