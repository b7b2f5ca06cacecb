/**
 * The whole engine on 1 or 2 threads, as docs/scale.md measures it: a count over [0,1]^n0 of a
 * model file, timed alone (with a pool, after a small count has warmed its threads).
 *
 *   node --import tsx bench/whole-threads.ts MODEL.json 0   # one thread, no pool
 *   node --import tsx bench/whole-threads.ts MODEL.json 2   # a pool of 2: read the "timed part" line
 *
 * The trained 784-20-10 of docs/whole.md ("Threads") is `tessera train` on MNIST with widths
 * 784,20,10 (bench/whole.bench.ts builds the same). Run on a quiet machine: two threads need
 * both cores free, and alternate the two commands a few times.
 */
import { loadModel } from "../src/io/files.ts";
import { prepare } from "../src/model/forward.ts";
import { withPool } from "../src/parallel/pool.ts";
import { wholePartitionParallel } from "../src/parallel/whole.ts";
import { threadSchedule } from "../src/parallel/worker.ts";
import { wholePartition } from "../src/regions/whole.ts";

const path = process.argv[2];
if (!path) {
  console.error("usage: node --import tsx bench/whole-threads.ts MODEL.json [0|2]");
  process.exit(1);
}
const workers = Number(process.argv[3] ?? 1);
const compiled = prepare(loadModel(path));
const opts = { box: [0, 1] as [number, number], points: false };
const c0 = process.cpuUsage();
const s0 = threadSchedule();
const t0 = performance.now();
let part: ReturnType<typeof wholePartition>;
if (workers === 0) part = wholePartition(compiled, opts);
else
  part = await withPool(workers, async (pool) => {
    const w = prepare(loadModel(path));
    await wholePartitionParallel(pool, w, { ...opts, maxCells: 2000 });
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    const p = await wholePartitionParallel(pool, compiled, opts);
    const c = process.cpuUsage(c1);
    console.log("timed part wall", ((performance.now() - t1) / 1000).toFixed(2), "cpu", ((c.user + c.system) / 1e6).toFixed(2));
    return p;
  });
const c = process.cpuUsage(c0);
const s = threadSchedule();
console.log(
  JSON.stringify({
    workers,
    regions: part.activationRegions,
    facets: part.facetCount,
    wall: ((performance.now() - t0) / 1000).toFixed(2),
    cpu: ((c.user + c.system) / 1e6).toFixed(2),
    mainWait: (s.waiting - s0.waiting).toFixed(2),
    caller: part.stats.callerCpu,
    range: part.stats.rangeCpu,
    busiest: part.stats.busiestThreadCpu,
    rounds: part.stats.rounds,
    shared: part.stats.sharedRounds,
  }),
);
if (process.env.STATS) console.log(JSON.stringify(part.stats));
