/**
 * Many segments through deep networks: 100 random segments (ends uniform in [-1.5, 1.5]^2, seed
 * 1) through `countSegments` (the WebAssembly walk first, the engine for what it gives up) and
 * through `linePartition` (one call per segment), source trees alternated in one process, CPU
 * milliseconds per round of the 100 (the machine is shared and noisy: read the ratios).
 *
 *   npx tsx bench/line-deep-many.ts ROUNDS CASES SRC [SRC...]
 *
 * CASES: a comma list of he8x120, he16x24 (He-initialised 2-8x120-1, 2-16x24-1, seed 0, as
 * bench/line-deep-ab.ts). Each SRC is a tree's src/ (a base from `git archive`, with a
 * package.json {"type":"module"} beside it); the ratios are against the first.
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2]);
const cases = process.argv[3].split(",");
const trees = process.argv.slice(4).map((t) => resolve(t));
const nets: Record<string, number[]> = {
  he8x120: [2, ...new Array(120).fill(8), 1],
  he16x24: [2, ...new Array(24).fill(16), 1],
};
const COUNT = 100;
type Counter = (c: unknown, s: Float64Array) => { activationRegions: number };
type Partitioner = (c: unknown, p: Float64Array) => { activationRegions: number };
const loaded: { count: Counter; partition: Partitioner; compiled: Record<string, unknown>; segments: Float64Array }[] = [];
for (const src of trees) {
  const { mlp } = await import(pathToFileURL(`${src}/model/build/mlp.ts`).href);
  const { prepare } = await import(pathToFileURL(`${src}/model/forward.ts`).href);
  const { linePartition } = await import(pathToFileURL(`${src}/regions/line.ts`).href);
  const { countSegments } = await import(pathToFileURL(`${src}/regions/line-segments.ts`).href);
  const { createRandom } = await import(pathToFileURL(`${src}/model/random.ts`).href);
  const compiled: Record<string, unknown> = {};
  for (const c of cases) compiled[c] = prepare(mlp(nets[c], { init: "he", seed: 0 }));
  const rng = createRandom(1);
  const segments = Float64Array.from({ length: 4 * COUNT }, () => -1.5 + 3 * rng.next());
  loaded.push({ count: countSegments, partition: linePartition, compiled, segments });
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
const cpu = (f: () => void): number => {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1e3;
};
for (const c of cases) {
  for (const mode of ["countSegments", "linePartition"] as const) {
    const times = loaded.map((): number[] => []);
    const regions: number[] = [];
    const l0 = loadavg()[0];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < loaded.length; k++) {
        const i = (k + r) % loaded.length;
        const { count, partition, compiled, segments } = loaded[i];
        let total = 0;
        times[i].push(
          cpu(() => {
            if (mode === "countSegments") total = count(compiled[c], segments).activationRegions;
            else for (let g = 0; g < COUNT; g++) total += partition(compiled[c], segments.subarray(4 * g, 4 * g + 4)).activationRegions;
          }),
        );
        regions[i] = total;
      }
    }
    console.log(`${c} ${mode}, ${COUNT} segments: load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}, ${rounds} rounds`);
    for (const [i, t] of trees.entries()) {
      console.log(
        `  ${t}: CPU ms median ${median(times[i]).toFixed(1)} min ${Math.min(...times[i]).toFixed(1)}; regions ${regions[i]}; /first ${(median(times[i]) / median(times[0])).toFixed(3)}`,
      );
    }
  }
}
