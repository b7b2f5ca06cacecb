/**
 * A/B of the space engine's count of 3-32x3-1 in [-1,1]^3 (issue 17's workload: seed 1, every
 * count) between source trees, in one process: each tree's call in turn (the order rotated every
 * round), 3 warm calls each first, the calling thread's CPU time per call (Linux schedstat, so the
 * collector's helper threads are not counted; process CPU beside it), the counts checked equal.
 * Prints per tree the min and median CPU s and the median of its per-round ratios to the first.
 *
 *   git archive main src | tar -x -C /tmp/base   (and a package.json {"type":"module"} beside src)
 *   npx tsx bench/space-ab.ts 30 /tmp/base/src src [WIDTHS, e.g. 3,32,32,32,1]
 *
 * A tree may also be an ES module bundle (.mjs) exporting mlp, prepare and spacePartition (the
 * code as the built library runs it, without tsx's module wrappers), e.g.
 *   esbuild ENTRY.ts --bundle --format=esm --platform=node --external:highs --outfile=/tmp/new.mjs
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface Counts {
  activationRegions: number;
  vertexCount?: number;
  edgeCount?: number;
  facetCount?: number;
}
const rounds = Number(process.argv[2] ?? 30);
const args = process.argv.slice(3);
const widthsArg = args.find((a) => /^\d+(,\d+)+$/.test(a));
const widths = (widthsArg ?? "3,32,32,32,1").split(",").map(Number);
const trees = args.filter((a) => a !== widthsArg).map((t) => resolve(t));
if (trees.length === 0) throw new Error("usage: space-ab.ts ROUNDS SRC [SRC...] [WIDTHS]");

async function load(src: string): Promise<() => Counts> {
  // A bundle (.mjs exporting the three) or a source tree.
  const bundle = src.endsWith(".mjs") ? await import(pathToFileURL(src).href) : null;
  const { mlp } = bundle ?? (await import(pathToFileURL(`${src}/model/build/mlp.ts`).href));
  const { prepare } = bundle ?? (await import(pathToFileURL(`${src}/model/forward.ts`).href));
  const { spacePartition } = bundle ?? (await import(pathToFileURL(`${src}/regions/space.ts`).href));
  const compiled = prepare(mlp(widths, { init: "uniform", seed: 1 }));
  return () => spacePartition(compiled, { box: [-1, 1] }) as Counts;
}

/** The calling thread's CPU time in seconds (schedstat: ns on the CPU). */
const threadCpu = (): number => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e9;

const loaded: (() => Counts)[] = [];
for (const t of trees) loaded.push(await load(t));
for (let w = 0; w < 3; w++) for (const f of loaded) f();
const times = loaded.map((): number[] => []);
const process_ = loaded.map((): number[] => []);
const ratios = loaded.map((): number[] => []);
const key = (c: Counts): string => `${c.activationRegions} ${c.vertexCount} ${c.edgeCount} ${c.facetCount}`;
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  const got: number[] = [];
  let reference: string | null = null;
  for (let k = 0; k < loaded.length; k++) {
    const i = (k + r) % loaded.length;
    const p0 = process.cpuUsage();
    const t0 = threadCpu();
    const counts = loaded[i]();
    got[i] = threadCpu() - t0;
    const dp = process.cpuUsage(p0);
    process_[i].push((dp.user + dp.system) / 1e6);
    const k2 = key(counts);
    if (reference === null) reference = k2;
    else if (k2 !== reference) throw new Error(`counts differ: ${k2} against ${reference}`);
  }
  loaded.forEach((_, i) => {
    times[i].push(got[i]);
    ratios[i].push(got[i] / got[0]);
  });
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`${widths.join("-")}: load average (1 min) ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; ${rounds} rounds`);
trees.forEach((t, i) => {
  const min = Math.min(...times[i]);
  console.log(
    `${t}: thread CPU s min ${min.toFixed(4)} median ${median(times[i]).toFixed(4)}; / first: median ${median(ratios[i]).toFixed(3)}, min/min ${(min / Math.min(...times[0])).toFixed(3)}; process CPU median ${median(process_[i]).toFixed(4)}`,
  );
});
