/**
 * A/B of the line engine's count of 1,000 segments (issue 17's workload: the engines bench's
 * segments through 2-128x4-1, `countSegments`) between source trees, in one process: each tree's
 * call in turn (the order rotated every round), 3 warm calls each first, CPU time per call, the
 * per-segment counts checked equal. Prints per tree the min and median CPU s and the median of
 * its per-round ratios to the first tree.
 *
 *   git archive main src | tar -x -C /tmp/base   (and a package.json {"type":"module"} beside src)
 *   npx tsx bench/line-ab.ts 20 /tmp/base/src src
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { benchSegments } from "./segments.ts";

type Count = (compiled: unknown, segments: Float64Array) => { perSegment: Uint32Array };
const rounds = Number(process.argv[2] ?? 20);
const trees = process.argv.slice(3).map((t) => resolve(t));
if (trees.length === 0) throw new Error("usage: line-ab.ts ROUNDS SRC [SRC...]");

async function load(src: string): Promise<{ compiled: unknown; count: Count }> {
  const { mlp } = await import(pathToFileURL(`${src}/model/build/mlp.ts`).href);
  const { prepare } = await import(pathToFileURL(`${src}/model/forward.ts`).href);
  const { countSegments } = await import(pathToFileURL(`${src}/regions/line-segments.ts`).href);
  return { compiled: prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 })), count: countSegments };
}

const flat = benchSegments();

const loaded: { compiled: unknown; count: Count }[] = [];
for (const t of trees) loaded.push(await load(t));
const cpu = (f: () => Uint32Array): [number, Uint32Array] => {
  const start = process.cpuUsage();
  const result = f();
  const d = process.cpuUsage(start);
  return [(d.user + d.system) / 1e6, result];
};
for (let w = 0; w < 3; w++) for (const t of loaded) t.count(t.compiled, flat);
const times = loaded.map((): number[] => []);
const ratios = loaded.map((): number[] => []);
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  const got: number[] = [];
  let reference: Uint32Array | null = null;
  for (let k = 0; k < loaded.length; k++) {
    const i = (k + r) % loaded.length;
    const [seconds, per] = cpu(() => loaded[i].count(loaded[i].compiled, flat).perSegment);
    got[i] = seconds;
    if (reference === null) reference = per;
    else for (let g = 0; g < per.length; g++) if (per[g] !== reference[g]) throw new Error(`segment ${g}: ${per[g]} regions against ${reference[g]}`);
  }
  loaded.forEach((_, i) => {
    times[i].push(got[i]);
    ratios[i].push(got[i] / got[0]);
  });
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`load average (1 min) ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; ${rounds} rounds`);
trees.forEach((t, i) => {
  const min = Math.min(...times[i]);
  console.log(
    `${t}: CPU s min ${min.toFixed(4)} median ${median(times[i]).toFixed(4)}; / first: median ${median(ratios[i]).toFixed(3)}, min/min ${(min / Math.min(...times[0])).toFixed(3)}`,
  );
});
