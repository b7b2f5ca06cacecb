/**
 * The whole-domain engine on 784-input networks over [0, 1]^784: regions per second, random
 * (He init) and trained on the MNIST digits. Baseline in the same run: the brute-force oracle of
 * the tests (one HiGHS LP per node of the pattern tree, in input space) on a network small
 * enough for it; its ratio to the engine carries across machines. Networks with more regions than
 * a run should take are capped (`maxCells`): the rate is that of the first regions found.
 *
 * Reproduce: `npm run bench -- whole`. CPU seconds beside wall seconds (the machine is shared).
 */
import { loadLp } from "../src/geometry/lp.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { wholePartition } from "../src/regions/whole.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { bruteForceCount } from "../test/whole/oracle.ts";
import { fmt, table } from "./timing.ts";

function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const cpu = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function run(compiled: Compiled, maxCells: number) {
  return timed(() => wholePartition(compiled, { box: [0, 1], points: false, maxCells, timeout: 300 }));
}

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  // Baseline: the brute-force oracle and the engine on the same network.
  const lp = await loadLp();
  const small = prepare(mlp([784, 6, 4, 1], { init: "he", seed: 3 }));
  run(small, 10); // warm-up (JIT)
  const engine = run(small, Number.POSITIVE_INFINITY);
  const brute = timed(() => bruteForceCount(lp, small, 0, 1));
  if (brute.value !== engine.value.activationRegions) throw new Error(`whole bench: the oracle counts ${brute.value}, the engine ${engine.value.activationRegions}`);
  const line = (name: string, p: ReturnType<typeof run>, note: string): (string | number)[] => {
    const part = p.value;
    const complete = part.stopped === undefined;
    return [
      name,
      `${part.activationRegions}${complete ? "" : "+"}`,
      part.facetCount,
      part.stats.lpSolves,
      fmt(part.stats.lpIterations / Math.max(1, part.stats.lpSolves)),
      fmt(p.wall),
      fmt(p.cpu),
      fmt(part.activationRegions / p.cpu),
      note,
    ];
  };
  rows.push(line("784-6-4-1 random", engine, `brute force ${fmt(brute.cpu)} s CPU: ${fmt(brute.cpu / engine.cpu)}x the engine`));
  const nets: [string, Network][] = [
    ["784-16-10 random", mlp([784, 16, 10], { init: "he", seed: 1 })],
    ["784-24-10 random", mlp([784, 24, 10], { init: "he", seed: 1 })],
    ["784-32-10 random", mlp([784, 32, 10], { init: "he", seed: 1 })],
    ["784-16-16-10 random", mlp([784, 16, 16, 10], { init: "he", seed: 1 })],
  ];
  const data = await mnist({ count: 10000, seed: 1 });
  for (const widths of [
    [784, 20, 10],
    [784, 16, 16, 10],
  ]) {
    const net = mlp(widths, { init: "he", seed: 1 });
    const trainer = createTrainer(net, data, { seed: 1 });
    for (let e = 0; e < 3; e++) trainer.runEpoch();
    nets.push([`${widths.join("-")} trained (3 epochs, accuracy ${fmt(trainer.evaluate().accuracy ?? Number.NaN)})`, net]);
  }
  const cap = Number(process.env.TESSERA_WHOLE_BENCH_CELLS ?? 2000);
  for (const [name, net] of nets) rows.push(line(name, run(prepare(net), cap), cap < Number.POSITIVE_INFINITY ? `first ${cap} regions` : ""));
  return `## Whole-domain engine\n\nRegions of 784-input networks in [0,1]^784, one worker. "+" marks a run capped at the first regions (\`TESSERA_WHOLE_BENCH_CELLS\`, default 2000). Reproduce: \`npm run bench -- whole\`.\n\n${table(["network", "regions", "facets", "LPs", "pivots/LP", "wall s", "CPU s", "regions/CPU s", "note"], rows)}\n`;
}
