/**
 * The first call of a small plane count in a fresh process (bench/engines.bench.ts runs it):
 * `node --import tsx bench/first-call.ts` prints one JSON line with milliseconds for importing
 * the library's modules, building the network, and the first `partition(network, box)` call, and
 * the CPU milliseconds of that call (all threads: V8 optimises on background threads, which on a
 * loaded machine compete with the call itself).
 * Not a benchmark on its own (not named *.bench.ts).
 */
const t0 = performance.now();
const { partition } = await import("../src/regions/partition-domain.ts");
const { box } = await import("../src/domain/domain.ts");
const { mlp } = await import("../src/model/build/mlp.ts");
const t1 = performance.now();
const network = mlp([2, 32, 32, 1], { init: "uniform", seed: 0 });
const t2 = performance.now();
const cpu = process.cpuUsage();
const regions = partition(network, box(-1, 1, 2)).activationRegions;
const t3 = performance.now();
const { user, system } = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, buildMs: t2 - t1, firstMs: t3 - t2, firstCpuMs: (user + system) / 1000, regions })}\n`);

export {};
