/**
 * How even the jobs of a split whole-domain count are (docs/scale.md, "Balance"): for 4, 8, 16
 * and 32 jobs, each job's regions and CPU seconds on this thread, and the busier of 2 workers
 * taking the jobs in order (as the queue hands them out) against half of all the jobs' CPU.
 *
 *   node --import tsx bench/split-spread.ts [MODEL.json|trained] [K=2,3,4,5]
 *
 * `trained`: the trained 784-6-6-10 of bench/whole-lp.bench.ts (as bench/split-queue.ts).
 */
import { loadavg } from "node:os";
import { loadModel } from "../src/io/files.ts";
import { prepare } from "../src/model/forward.ts";
import { wholePartition } from "../src/regions/whole.ts";
import { splitHyperplanes, wholeShare } from "../src/sweep/whole-split.ts";
import { trainedWhole, wholeTrainingSet } from "./whole-trained.ts";

const [path = "trained", ksText = "2,3,4,5"] = process.argv.slice(2);
const net = prepare(path === "trained" ? trainedWhole(6, await wholeTrainingSet()) : loadModel(path));
const domain = { box: [0, 1] as [number, number], points: false };
const cpu = <T>(f: () => T): [T, number] => {
  const c0 = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(c0);
  return [r, (u.user + u.system) / 1e6];
};
/** The busier of `workers` taking the jobs in order, each the next when free. */
const makespan = (times: number[], workers: number): number => {
  const free = new Array<number>(workers).fill(0);
  for (const t of times) free[free.indexOf(Math.min(...free))] += t;
  return Math.max(...free);
};
// The one-engine count first (it also warms the code up).
const [one, oneCpu] = cpu(() => wholePartition(net, domain));
console.log(`load ${loadavg()[0].toFixed(1)}; one engine: ${one.activationRegions} regions, ${oneCpu.toFixed(2)} CPU s\n`);
console.log("| jobs | prefix units | regions per job | max / mean | jobs' CPU s in all | 2 workers in order: busier / half of all |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const k of ksText.split(",").map(Number)) {
  const hp = splitHyperplanes(net, 0, 1, k);
  const regions: number[] = [];
  const times: number[] = [];
  for (let j = 0; j < 2 ** hp.units.length; j++) {
    const [share, t] = cpu(() => wholeShare(net, domain, hp, j));
    regions.push(share.count);
    times.push(t);
  }
  const total = times.reduce((a, b) => a + b, 0);
  const mean = regions.reduce((a, b) => a + b, 0) / regions.length;
  const busier = makespan(times, 2);
  console.log(
    `| ${regions.length} | ${[...hp.units].join(", ")} | ${regions.join(", ")} | ${(Math.max(...regions) / mean).toFixed(2)} | ${total.toFixed(2)} | ${busier.toFixed(2)} / ${(total / 2).toFixed(2)} = ${(busier / (total / 2)).toFixed(2)} |`,
  );
}
console.log(`\nload ${loadavg()[0].toFixed(1)} at the end`);
