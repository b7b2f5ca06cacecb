/**
 * Hunt for space counts that differ from the exact oracle (test/oracles/exact-space.ts) on
 * degenerate deep networks, as bench/plane-global-hunt.ts does for the plane engine: zero-bias
 * deep narrow networks, integer-weight hard-tanh zero-bias ones, duplicated units, in boxes about
 * and at the origin. Compares every cell's pattern, not only the count. Not part of npm test.
 *
 *   npx tsx bench/space-global-hunt.ts [--src DIR] [--no-wasm] [--family NAME] [--seeds N] [--first K]
 *
 * Prints one line per case (family, seed, box, engine's count, exact count) and a summary per family.
 */
import type { Network } from "../src/model/layers.ts";
import { patternsOf } from "../test/invariance/plane-global-cases.ts";
import { exactSpaceBoxRegions } from "../test/oracles/exact-space.ts";
import { duplicated, huntOptions, integerNet } from "./hunt-networks.ts";

const { onlyFamily, seeds, first, load } = huntOptions(10);

type Net = Network;
interface Layout {
  words: number;
  stepBit: Int32Array;
  stepUnits: Int32Array;
}
interface Partition {
  activationRegions: number;
  cellCount: number;
  uncertain?: number;
  patterns: Uint32Array;
  layout: Layout;
}
const { mlp } = await load<{ mlp: (w: number[], o?: object) => Net }>("model/build/mlp.ts");
const { prepare } = await load<{ prepare: (n: Net) => unknown }>("model/forward.ts");
const { spacePartition } = await load<{ spacePartition: (c: unknown, o: object) => Partition }>("regions/space.ts");

const boxes: [number, number][] = [
  [-1, 1],
  [0, 1],
  [-0.3, 0.7],
];
const families: Record<string, (seed: number) => Net> = {
  "zero-bias-4x8": (seed) => mlp([3, ...Array(8).fill(4), 1], { init: "zero-bias", seed }),
  "zero-bias-3x12": (seed) => mlp([3, ...Array(12).fill(3), 1], { init: "zero-bias", seed }),
  "zero-bias-4x8-dup": (seed) => duplicated(mlp([3, ...Array(8).fill(4), 1], { init: "zero-bias", seed }), seed),
  "zero-bias-leaky-3x6": (seed) => mlp([3, ...Array(6).fill(3), 1], { init: "zero-bias", seed, activation: { type: "leaky-relu", slope: 0.25 } }),
  "integer-hardtanh-4x6": (seed) => integerNet([3, ...Array(6).fill(4), 1], seed, { type: "hard-tanh", lo: -1, hi: 1 }),
  "integer-relu-4x6-dup": (seed) => duplicated(integerNet([3, ...Array(6).fill(4), 1], seed, { type: "relu" }), seed),
};

for (const [family, make] of Object.entries(families)) {
  if (onlyFamily && family !== onlyFamily) continue;
  let cases = 0;
  let wrong = 0;
  let silent = 0;
  let engineMs = 0;
  let oracleMs = 0;
  for (let seed = first; seed < first + seeds; seed++) {
    const net = make(seed);
    for (const [lo, hi] of boxes) {
      const name = `box[${lo},${hi}]`;
      const t0 = performance.now();
      let got: Partition;
      try {
        got = spacePartition(prepare(net), { box: [lo, hi] });
      } catch (e) {
        console.log(`${family} seed ${seed} ${name}: engine threw ${(e as Error).message}`);
        continue;
      }
      engineMs += performance.now() - t0;
      const o0 = performance.now();
      const oracle = exactSpaceBoxRegions(net as never, lo, hi);
      oracleMs += performance.now() - o0;
      cases++;
      const patternsRight = JSON.stringify(patternsOf(got as unknown as Parameters<typeof patternsOf>[0])) === JSON.stringify(oracle.patterns.slice().sort());
      const uncertain = got.uncertain ?? 0;
      if (got.cellCount !== oracle.regions || !patternsRight) {
        wrong++;
        if (uncertain === 0) silent++;
        console.log(`${family} seed ${seed} ${name}: ${got.cellCount} (uncertain ${uncertain}), exact ${oracle.regions}${patternsRight ? "" : ", patterns differ"}`);
      }
    }
  }
  console.log(`# ${family}: ${cases} cases, ${wrong} miscounted (${silent} silently); engine ${engineMs.toFixed(0)} ms, oracle ${oracleMs.toFixed(0)} ms`);
}
