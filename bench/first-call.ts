/**
 * The first call of a small plane count in a fresh process (bench/engines.bench.ts runs it):
 * prints one JSON line with milliseconds for importing the library (wall and CPU), building the
 * network, the first `partition(network, box)` call and its CPU milliseconds (all threads: V8
 * optimises on background threads, which on a loaded machine compete with the call itself), the
 * main thread's CPU and its time waiting for a core during the call (Linux), then the CPU
 * milliseconds of the next 11 calls (summed, and the largest): the calls V8 is still optimising.
 *
 *   node --import tsx bench/first-call.ts                        the sources, through tsx (as the tests run)
 *   node --import tsx bench/first-call.ts --lib dist/index.js    a built library, as users import it
 *                                                                 (tsx's hooks leave plain JavaScript as it is)
 *
 * Nothing runs at import but what the library runs itself. Not a benchmark on its own (not named *.bench.ts).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const at = process.argv.indexOf("--lib");
const lib = at > 0 ? pathToFileURL(process.argv[at + 1]).href : null;
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

/**
 * The main thread's CPU milliseconds and its milliseconds waiting for a core (Linux: /proc's
 * schedstat, in nanoseconds; NaN elsewhere). Process CPU also counts V8's background compiles
 * and collections, which on a loaded 2-core machine run beside the call rather than in it (and,
 * when they outnumber the free cores, take the main thread's core: its waiting time). The kernel
 * updates the CPU figure at scheduler ticks (4 ms here), so one run's main CPU is off by up to a
 * tick: read medians of many runs.
 */
const mainSched = (): number[] => {
  try {
    return readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8")
      .split(" ")
      .slice(0, 2)
      .map((ns) => Number(ns) / 1e6);
  } catch {
    return [Number.NaN, Number.NaN];
  }
};

mainSched(); // once before, so the call's figures do not include reading /proc for the first time

const importCpu = process.cpuUsage();
const t0 = performance.now();
const api =
  lib === null
    ? {
        ...(await import("../src/regions/partition-domain.ts")),
        ...(await import("../src/domain/domain.ts")),
        ...(await import("../src/model/build/mlp.ts")),
      }
    : ((await import(lib)) as typeof import("../src/index.ts"));
const t1 = performance.now();
const importCpuMs = cpuMs(importCpu);
const { partition, box, mlp } = api;
const network = mlp([2, 32, 32, 1], { init: "uniform", seed: 0 });
const t2 = performance.now();
const main = mainSched();
const cpu = process.cpuUsage();
const regions = partition(network, box(-1, 1, 2)).activationRegions;
const t3 = performance.now();
const firstCpuMs = cpuMs(cpu);
const mainAfter = mainSched();
const firstMainCpuMs = mainAfter[0] - main[0];
// Time the main thread was ready to run but another thread or process had the core.
const firstMainQueuedMs = mainAfter[1] - main[1];
const next: number[] = [];
for (let k = 0; k < 11; k++) {
  const c = process.cpuUsage();
  partition(network, box(-1, 1, 2));
  next.push(cpuMs(c));
}
process.stdout.write(
  `${JSON.stringify({ importMs: t1 - t0, importCpuMs, buildMs: t2 - t1, firstMs: t3 - t2, firstCpuMs, firstMainCpuMs, firstMainQueuedMs, nextCpuMs: next.reduce((a, b) => a + b, 0), nextMaxCpuMs: Math.max(...next), regions })}\n`,
);
