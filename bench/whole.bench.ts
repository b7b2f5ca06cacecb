/**
 * The whole-domain engine on 784-input networks over [0, 1]^784: regions per second, random
 * (He init) and trained on the MNIST digits, on 1 and 2 worker threads. Baselines in the same run:
 * the brute-force oracle of the tests (one HiGHS LP per node of the pattern tree, in input space)
 * and the engine with its LP-free paths off (`star: false`: every new region from an LP, the
 * traversal as it was before them), on networks small enough for them to finish.
 *
 * Reproduce: `npm run bench -- whole` (quick: a few minutes; networks trained for one epoch, the
 * LP-bound random 784-16-16-10 stopped at 100 regions); `TESSERA_WHOLE_BENCH_FULL=1` runs the
 * full set (three epochs, 3,000 regions, about half an hour on the shared machine) and adds the
 * complete count of a trained 784-20-10 (2^20 regions, about 20 CPU s and 0.7 GB per run). CPU
 * seconds are the process's (all threads) beside wall seconds (the machine is shared).
 */
import { loadavg } from "node:os";
import { loadLp } from "../src/geometry/lp.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { withPool } from "../src/parallel/pool.ts";
import { wholePartitionParallel } from "../src/parallel/whole.ts";
import type { WholePartition } from "../src/regions/partition.ts";
import { type WholeOptions, wholePartition } from "../src/regions/whole.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { bruteForceCount } from "../test/whole/oracle.ts";
import { fmt, table } from "./timing.ts";

interface Timed {
  part: WholePartition;
  wall: number;
  cpu: number;
}

async function timed(f: () => WholePartition | Promise<WholePartition>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const part = await f();
  const cpu = process.cpuUsage(c0);
  return { part, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

const options: WholeOptions = { box: [0, 1], points: false, timeout: 900 };
const full = Boolean(process.env.TESSERA_WHOLE_BENCH_FULL);
/** Training epochs of the trained networks, and the cell limit of the LP-bound random ones. */
const epochs = full ? 3 : 1;
const firstCells = full ? 3000 : 100;

function trained(widths: number[], data: Awaited<ReturnType<typeof mnist>>): [string, Network] {
  const net = mlp(widths, { init: "he", seed: 1 });
  const trainer = createTrainer(net, data, { seed: 1 });
  for (let e = 0; e < epochs; e++) trainer.runEpoch();
  return [`${widths.join("-")} trained (${epochs} epochs, accuracy ${fmt(trainer.evaluate().accuracy ?? Number.NaN)})`, net];
}

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  const line = (name: string, how: string, t: Timed, note: string): (string | number)[] => {
    const part = t.part;
    return [
      name,
      how,
      `${part.activationRegions}${part.stopped === undefined ? "" : "+"}`,
      part.facetCount,
      part.stats.lpSolves,
      part.stats.starRegions ?? 0,
      fmt(t.wall),
      fmt(t.cpu),
      fmt(part.activationRegions / t.cpu),
      note,
    ];
  };
  const loadBefore = loadavg()[0];
  const data = await mnist({ count: 10000, seed: 1 });
  const lp = await loadLp();
  await withPool(2, async (pool) => {
    // Warm-up (JIT, the threads' modules).
    const warm = prepare(mlp([784, 6, 1], { init: "he", seed: 9 }));
    wholePartition(warm, options);
    await wholePartitionParallel(pool, warm, { ...options, rangeMin: 4 });

    // Baseline 1: the brute-force oracle.
    const small = prepare(mlp([784, 6, 4, 1], { init: "he", seed: 3 }));
    const engine = await timed(() => wholePartition(small, options));
    const c0 = process.cpuUsage();
    const brute = bruteForceCount(lp, small, 0, 1);
    const used = process.cpuUsage(c0);
    const bruteCpu = (used.user + used.system) / 1e6;
    if (brute !== engine.part.activationRegions) throw new Error(`whole bench: the oracle counts ${brute}, the engine ${engine.part.activationRegions}`);
    rows.push(line("784-6-4-1 random", "1 thread", engine, `brute force ${fmt(bruteCpu)} CPU s: ${fmt(bruteCpu / engine.cpu)}x the engine's`));

    // Baseline 2: the engine without its LP-free paths, on networks it finishes.
    const compared: [string, Network][] = full ? [trained([784, 12, 10], data), trained([784, 6, 6, 10], data)] : [trained([784, 12, 10], data)];
    for (const [name, net] of compared) {
      const compiled = prepare(net);
      const slow = await timed(() => wholePartition(compiled, { ...options, star: false }));
      const fast = await timed(() => wholePartition(compiled, options));
      rows.push(line(name, "1 thread, every region from an LP", slow, "baseline"));
      rows.push(line(name, "1 thread", fast, `${fmt(slow.cpu / fast.cpu)}x faster than the baseline`));
    }

    // Larger networks, on 1 and 2 threads.
    const first = `first ${firstCells.toLocaleString("en-US")} regions`;
    const nets: [string, Network][] = [
      trained([784, 16, 10], data),
      // (the full run's baseline above has it already)
      ...(full ? [] : [trained([784, 6, 6, 10], data)]),
      [`784-16-10 random (${first})`, mlp([784, 16, 10], { init: "he", seed: 1 })],
      [`784-16-16-10 random (${first})`, mlp([784, 16, 16, 10], { init: "he", seed: 1 })],
    ];
    if (full) nets.push(trained([784, 20, 10], data));
    for (const [name, net] of nets) {
      const compiled = prepare(net);
      const opts = name.includes(first) ? { ...options, maxCells: firstCells } : options;
      const one = await timed(() => wholePartition(compiled, opts));
      const two = await timed(() => wholePartitionParallel(pool, compiled, opts));
      rows.push(line(name, "1 thread", one, ""));
      const st = two.part.stats;
      rows.push(line(name, "2 threads", two, `wall ${fmt(one.wall / two.wall)}x 1 thread's; calling thread ${fmt(st.callerCpu)} CPU s, ranges ${fmt(st.rangeCpu)} CPU s`));
    }
  });
  const load = `Load average (1 min) ${fmt(loadBefore)} at the start, ${fmt(loadavg()[0])} at the end (2 cores).`;
  return `## Whole-domain engine\n\n${load} Regions of 784-input networks in [0,1]^784. Baselines in the same run: the brute-force oracle, and the engine with every new region from an LP (\`star: false\`). "+" marks a run stopped at its cell limit. CPU s: all threads of the process. ${full ? "Full run" : "Quick run (networks trained for one epoch)"}; reproduce: \`npm run bench -- whole\` (\`TESSERA_WHOLE_BENCH_FULL=1\`: three epochs, 3,000 regions of the random networks, and the complete trained 784-20-10).\n\n${table(["network", "run", "regions", "facets", "LPs", "regions without an LP", "wall s", "CPU s", "regions/CPU s", "note"], rows)}\n`;
}
