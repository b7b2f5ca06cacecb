/**
 * The measurement behind bench/first-call.ts, in plain JavaScript so that a built library can be
 * timed by plain Node, as users import it: tsx's loader (`node --import tsx`) runs a resolve and
 * a load hook for each of the library's 160-odd modules, which tripled the import's time (about
 * 120 -> 350-400 CPU ms, docs/performance.md, "Issue 17, first call, Dec 8 round") though it
 * leaves the JavaScript as it is.
 *
 *   node bench/first-call-probe.mjs --lib dist/index.js     a built library, plain Node
 *   node --import tsx bench/first-call-probe.mjs            the sources, through tsx (as the tests run)
 *   ... --idle 20                                            call warmUpWhenIdle(), then wait 20 ms (timers run) between building the
 *                                                            network and the call: a program that reads its
 *                                                            model or data first
 *
 * Prints one JSON line: milliseconds for importing the library (wall and process CPU), building
 * the network, the first `partition(network, box)` call on 2-32x2-1 and its CPU milliseconds
 * (all threads: V8 compiles on background threads, which on a loaded machine compete with the
 * call itself), the main thread's CPU and its time waiting for a core during the call (Linux),
 * then the CPU milliseconds of the next 11 calls (summed, and the largest). Nothing runs at
 * import but what the library runs itself.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const at = process.argv.indexOf("--lib");
const lib = at > 0 ? pathToFileURL(process.argv[at + 1]).href : null;
const idleAt = process.argv.indexOf("--idle");
const idleMs = idleAt > 0 ? Number(process.argv[idleAt + 1]) : 0;
/** @param {NodeJS.CpuUsage} since */
const cpuMs = (since) => {
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
 * @returns {number[]}
 */
const mainSched = () => {
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
    : await import(lib);
const t1 = performance.now();
const importCpuMs = cpuMs(importCpu);
const { partition, box, mlp, warmUpWhenIdle } = api;
const network = mlp([2, 32, 32, 1], { init: "uniform", seed: 0 });
// With --idle, the program asks for the opt-in warm-up (older trees without it: none) and idles.
if (idleMs > 0) {
  warmUpWhenIdle?.();
  await new Promise((resolve) => setTimeout(resolve, idleMs));
}
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
const next = [];
for (let k = 0; k < 11; k++) {
  const c = process.cpuUsage();
  partition(network, box(-1, 1, 2));
  next.push(cpuMs(c));
}
process.stdout.write(
  `${JSON.stringify({ importMs: t1 - t0, importCpuMs, buildMs: t2 - t1 - idleMs, firstMs: t3 - t2, firstCpuMs, firstMainCpuMs, firstMainQueuedMs, nextCpuMs: next.reduce((a, b) => a + b, 0), nextMaxCpuMs: Math.max(...next), regions })}\n`,
);
