/**
 * A/B of the plane engine's count (`planePartition` over [-1, 1]^2) between source trees, in one
 * process: MLPs with PyTorch's default init (issue 17's 2-64x8-1 and 2-128x4-1) and deep He ones
 * (2-16x12-1, 2-8x24-1), each tree's call in turn (the order rotated every round), 2 warm calls each first,
 * CPU time per call, the region counts checked equal. Prints per network and tree the min and
 * median CPU s and the median of its per-round ratios to the first tree.
 *
 *   git archive main src | tar -x -C /tmp/base   (and a package.json {"type":"module"} beside src)
 *   npx tsx bench/plane-ab.ts 9 /tmp/base/src src [--no-wasm] [--only 2-16x12-1-he]
 *   npx tsx bench/plane-ab.ts 3 /tmp/base/src src --only 2-256x4-1-he   (issue 17's large one, not by default)
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
if (args.includes("--no-wasm")) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const positional = args.filter((a, i) => !a.startsWith("--") && (onlyAt < 0 || i !== onlyAt + 1));
const rounds = Number(positional[0] ?? 9);
const trees = positional.slice(1).map((t) => resolve(t));
if (trees.length === 0) throw new Error("usage: plane-ab.ts ROUNDS SRC [SRC...] [--no-wasm] [--only NAME]");

const networks: { name: string; widths: number[]; init: string }[] = [
  { name: "2-64x8-1", widths: [2, ...Array(8).fill(64), 1], init: "uniform" },
  { name: "2-128x4-1", widths: [2, ...Array(4).fill(128), 1], init: "uniform" },
  // Deep: He, whose regions do not die out with depth as the default init's do (264 regions).
  { name: "2-16x12-1-he", widths: [2, ...Array(12).fill(16), 1], init: "he" },
  { name: "2-8x24-1-he", widths: [2, ...Array(24).fill(8), 1], init: "he" },
  // Issue 17's large one (331,110 regions, seconds a call): only when asked by --only.
  { name: "2-256x4-1-he", widths: [2, ...Array(4).fill(256), 1], init: "he" },
].filter((n) => (only === undefined ? n.name !== "2-256x4-1-he" : n.name === only));

type Count = () => number;
async function load(src: string, widths: number[], init: string): Promise<Count> {
  const { mlp } = await import(pathToFileURL(`${src}/model/build/mlp.ts`).href);
  const { prepare } = await import(pathToFileURL(`${src}/model/forward.ts`).href);
  const { boxSlice, planePartition } = await import(pathToFileURL(`${src}/regions/plane.ts`).href);
  const compiled = prepare(mlp(widths, { init, seed: 0 }));
  const { slice, domain } = boxSlice(-1, 1);
  return () => planePartition(compiled, slice, { domain }).activationRegions;
}

const cpu = (f: () => number): [number, number] => {
  const start = process.cpuUsage();
  const result = f();
  const d = process.cpuUsage(start);
  return [(d.user + d.system) / 1e6, result];
};
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
for (const { name, widths, init } of networks) {
  const loaded: Count[] = [];
  for (const t of trees) loaded.push(await load(t, widths, init));
  for (let w = 0; w < 2; w++) for (const count of loaded) count();
  const times = loaded.map((): number[] => []);
  const ratios = loaded.map((): number[] => []);
  const load0 = loadavg()[0];
  let regions = 0;
  for (let r = 0; r < rounds; r++) {
    const got: number[] = [];
    for (let k = 0; k < loaded.length; k++) {
      const i = (k + r) % loaded.length;
      const [seconds, n] = cpu(loaded[i]);
      got[i] = seconds;
      if (regions === 0) regions = n;
      else if (n !== regions) throw new Error(`${name}: ${n} regions against ${regions}`);
    }
    loaded.forEach((_, i) => {
      times[i].push(got[i]);
      ratios[i].push(got[i] / got[0]);
    });
  }
  console.log(`${name} (${regions} regions): load average (1 min) ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end; ${rounds} rounds`);
  trees.forEach((t, i) => {
    const min = Math.min(...times[i]);
    console.log(
      `  ${t}: CPU s min ${min.toFixed(4)} median ${median(times[i]).toFixed(4)}; / first: median ${median(ratios[i]).toFixed(3)}, min/min ${(min / Math.min(...times[0])).toFixed(3)}`,
    );
  });
}
