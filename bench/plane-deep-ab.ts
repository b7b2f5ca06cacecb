/**
 * A/B of the plane count of a deep narrow He network, 2-W x D-1 over [-1, 1]^2, between source
 * trees in one process: ROUNDS calls of each tree in turn (the order rotated every round), CPU time
 * per call, the median and min of the calls after the first 3, the regions checked equal
 * (docs/performance-history.md, "Plane engine on deep networks: the kernel's own bounds"). Not part of npm test.
 *
 *   npx tsx bench/plane-deep-ab.ts WIDTH DEPTH ROUNDS SRC [SRC ...]
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [width, depth, rounds] = process.argv.slice(2, 5).map(Number);
const trees = process.argv.slice(5).map((t) => resolve(t));
if (!(width > 0 && depth > 0 && rounds > 3) || trees.length === 0) {
  process.stderr.write("usage: npx tsx bench/plane-deep-ab.ts WIDTH DEPTH ROUNDS SRC [SRC ...]\n");
  process.exit(2);
}
const libs = await Promise.all(trees.map((t) => import(pathToFileURL(`${t}/index.ts`).href)));
const nets = libs.map((lib) => lib.mlp([2, ...new Array(depth).fill(width), 1], { init: "he", seed: 0 }));
const times: number[][] = trees.map(() => []);
let regions = -1;
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < trees.length; i++) {
    const k = (i + r) % trees.length;
    const c0 = process.cpuUsage();
    const p = libs[k].partition(nets[k], libs[k].box(-1, 1, 2));
    const c = process.cpuUsage(c0);
    if (regions < 0) regions = p.activationRegions;
    if (p.activationRegions !== regions) throw new Error(`${trees[k]}: ${p.activationRegions} regions, not ${regions}`);
    if (r >= 3) times[k].push((c.user + c.system) / 1000);
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`2-${width}x${depth}-1 He (${regions} regions): load average (1 min) ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; ${rounds} rounds`);
trees.forEach((t, i) => {
  const m = median(times[i]);
  console.log(`  ${t}: CPU ms median ${m.toFixed(2)} min ${Math.min(...times[i]).toFixed(2)}; / first: ${(m / median(times[0])).toFixed(3)}`);
});
