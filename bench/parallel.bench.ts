/**
 * Every core (issue 16): the plane engine on 2-256x4-1 (He init, seed 0; 331,110 regions in
 * [-1,1]^2), the line engine on 1,000 random segments through 2-128x4-1 (the engines bench's
 * network) and on one segment through 2-512x4-1, and the space engine on 3-32x3-1 in [-1,1]^3,
 * on 1 thread and on 2 as `count --workers 2` runs them (the calling thread and a pool of 1),
 * alternated round by round in one process so both see the same machine load (reported). Each
 * engine's figure comes in wall time and in CPU seconds of each thread (schedstat: what other
 * programs do not inflate), with the seconds threads waited for a core. The pool is started once
 * before timing; its start-up is reported apart. Results are checked equal each round.
 * PARALLEL_ONLY=line,space (plane, line, space, cold) runs some sections; PARALLEL_ROUNDS=N.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringifyNetwork } from "../src/io/network-json.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { type LineThreadStats, linePartitionParallel, linePartitionsParallel } from "../src/parallel/line.ts";
import { type PlaneStats, planePartitionParallel } from "../src/parallel/plane.ts";
import { createPool, engineModules } from "../src/parallel/pool.ts";
import { type SpaceStats, spacePartitionParallel } from "../src/parallel/space.ts";
import { threadCpuSeconds, threadSchedule } from "../src/parallel/worker.ts";
import { linePartition } from "../src/regions/line.ts";
import type { SpacePartition } from "../src/regions/partition.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { spacePartition } from "../src/regions/space.ts";
import { benchSegmentList } from "./segments.ts";
import { fmt, table } from "./timing.ts";

const ROUNDS = Number(process.env.PARALLEL_ROUNDS ?? 3);
/** PARALLEL_ONLY=line,space runs those sections only (plane, line, space, cold). */
const ONLY = process.env.PARALLEL_ONLY?.split(",") ?? null;
const want = (section: string) => ONLY === null || ONLY.includes(section);
/** The line count is short (0.4 s): more rounds for steadier medians. */
const LINE_ROUNDS = Number(process.env.PARALLEL_LINE_ROUNDS ?? 3 * ROUNDS);
const seconds = async (fn: () => unknown) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};
/** CPU seconds of the whole process (user + system, every thread). */
const processCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function (): Promise<string> {
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const pool = createPool(1, { preload: engineModules() });
  // Start-up: the threads load the engine modules on their first task (here one that does nothing).
  await Promise.all([0].map(() => pool.run(new URL("../src/parallel/plane.ts", import.meta.url), "planePlaceTask", null).catch(() => undefined)));
  const startup = (performance.now() - t0) / 1000;
  const rows: (string | number)[][] = [];
  let cpuRow = "";
  let lineCpu = "";
  let spaceCpu = "";
  try {
    if (want("plane")) {
      const plane = prepare(mlp([2, 256, 256, 256, 256, 1], { init: "he", seed: 0 }));
      const { slice, domain } = boxSlice(-1, 1);
      const one: number[] = [];
      const two: number[] = [];
      const cpuOne: number[] = [];
      const cpuPath: number[] = [];
      const procOne: number[] = [];
      const procTwo: number[] = [];
      const tailWall: number[] = [];
      const tailCpu: number[] = [];
      const planeDetail: string[] = [];
      let regions = 0;
      for (let r = 0; r < ROUNDS; r++) {
        let a = 0;
        let b = 0;
        const cpu0 = threadCpuSeconds();
        let p0 = processCpu();
        one.push(
          await seconds(() => {
            a = planePartition(plane, slice, { domain }).activationRegions;
          }),
        );
        cpuOne.push(threadCpuSeconds() - cpu0);
        procOne.push(processCpu() - p0);
        p0 = processCpu();
        two.push(
          await seconds(async () => {
            const onStats = ({ shareCpuSeconds, placeCpuSeconds, joinCpuSeconds, joinSeconds }: PlaneStats) => {
              cpuPath.push(Math.max(...shareCpuSeconds) + Math.max(...placeCpuSeconds) + joinCpuSeconds);
              // The critical path's serial part: after the last share is back, until the partition is whole.
              tailWall.push(joinSeconds);
              tailCpu.push(Math.max(...placeCpuSeconds) + joinCpuSeconds);
              planeDetail.push(
                `shares ${shareCpuSeconds.map((x) => fmt(x)).join(" + ")} s, placing ${placeCpuSeconds.map((x) => fmt(x)).join(" + ")} s, join ${fmt(joinCpuSeconds)} s, tail ${fmt(joinSeconds)} s wall`,
              );
            };
            b = (await planePartitionParallel(pool, plane, slice, { domain, onStats, mainThread: true })).activationRegions;
          }),
        );
        procTwo.push(processCpu() - p0);
        if (a !== b) throw new Error(`plane: ${a} regions on 1 thread, ${b} on 2`);
        regions = a;
      }
      rows.push(["plane, 2-256x4-1 in [-1,1]^2", `${regions} regions`, fmt(median(one)), fmt(median(two)), `${fmt(median(one) / median(two))}x`]);
      cpuRow = `Plane engine in CPU seconds (each thread's own, so other programs' load does not count): 1 thread ${fmt(median(cpuOne))} s; with 2, the longer share, the longer placing and the calling thread's part of the join ${fmt(median(cpuPath))} s: ${fmt(median(cpuOne) / median(cpuPath))}x on an otherwise idle 2-core machine. Process CPU (every thread, GC included) per round: 1 thread ${fmt(median(procOne))} s, 2 threads ${fmt(median(procTwo))} s. After the last share is back (the serial tail: both threads place their shares, the calling thread joins): ${fmt(median(tailCpu))} s CPU on the longer thread, ${fmt(median(tailWall))} s wall. By round (calling thread first): ${planeDetail.join("; ")}.`;
    }
    if (want("line")) {
      const line = prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }));
      const segments = benchSegmentList();
      const lone: number[] = [];
      const ltwo: number[] = [];
      const lcpuOne: number[] = [];
      const lcpuPath: number[] = [];
      const lwaitOne: number[] = [];
      const lwaitTwo: number[] = [];
      const lprocOne: number[] = [];
      const lprocTwo: number[] = [];
      const lshares: string[] = [];
      let pieces = 0;
      for (let r = 0; r < LINE_ROUNDS; r++) {
        let a = 0;
        let b = 0;
        let t0 = threadSchedule();
        let p0 = processCpu();
        lone.push(
          await seconds(() => {
            a = 0;
            for (const seg of segments) a += linePartition(line, seg).cellCount;
          }),
        );
        let t1 = threadSchedule();
        lprocOne.push(processCpu() - p0);
        lcpuOne.push(t1.cpu - t0.cpu);
        lwaitOne.push(t1.waiting - t0.waiting);
        t0 = threadSchedule();
        p0 = processCpu();
        let stats: LineThreadStats[] = [];
        ltwo.push(
          await seconds(async () => {
            const parts = await linePartitionsParallel(pool, line, segments, undefined, undefined, (s) => (stats = s), true);
            b = parts.reduce((sum, p) => sum + p.cellCount, 0);
          }),
        );
        t1 = threadSchedule();
        lprocTwo.push(processCpu() - p0);
        const worker = stats.filter((s) => !s.main);
        // The calling thread's CPU over the whole call (its groups and the join) against the pool thread's.
        lcpuPath.push(Math.max(t1.cpu - t0.cpu, ...worker.map((s) => s.cpuSeconds)));
        lwaitTwo.push(Math.max(t1.waiting - t0.waiting, ...worker.map((s) => s.waitingSeconds)));
        lshares.push(stats.map((s) => `${s.paths}`).join("/"));
        if (a !== b) throw new Error(`line: ${a} pieces on 1 thread, ${b} on 2`);
        pieces = a;
      }
      rows.push(["line, 1,000 segments through 2-128x4-1", `${pieces} pieces`, fmt(median(lone)), fmt(median(ltwo)), `${fmt(median(lone) / median(ltwo))}x`]);
      lineCpu = [
        `Line engine in CPU seconds (medians of ${LINE_ROUNDS} alternated rounds): 1 thread ${fmt(median(lcpuOne))} s; with 2, the busier thread (the calling thread's whole call, or the pool thread's groups) ${fmt(median(lcpuPath))} s: **${fmt(median(lcpuOne) / median(lcpuPath))}x** on CPU, ${fmt(median(lone) / median(ltwo))}x on wall time.`,
        `Seconds waiting for a core (ready to run, another program or thread had it): 1 thread ${fmt(median(lwaitOne))} s, 2 threads (the more waiting one) ${fmt(median(lwaitTwo))} s; process CPU (every thread, GC and compiler threads included) 1 thread ${fmt(median(lprocOne))} s, 2 threads ${fmt(median(lprocTwo))} s. Paths per thread (calling/pool), by round: ${lshares.join(", ")}.`,
      ].join("\n");
      // One long segment, split by its first layer's breakpoints.
      const wide = prepare(mlp([2, 512, 512, 512, 512, 1], { init: "he", seed: 0 }));
      const segment = Float64Array.of(-1, -0.8, 1, 0.9);
      const sone: number[] = [];
      const stwo: number[] = [];
      const sprocOne: number[] = [];
      const sprocTwo: number[] = [];
      let segmentPieces = 0;
      for (let r = 0; r < ROUNDS; r++) {
        let a = 0;
        let b = 0;
        let p0 = processCpu();
        sone.push(await seconds(() => (a = linePartition(wide, segment).cellCount)));
        sprocOne.push(processCpu() - p0);
        p0 = processCpu();
        stwo.push(await seconds(async () => (b = (await linePartitionParallel(pool, wide, segment, undefined, true)).cellCount)));
        sprocTwo.push(processCpu() - p0);
        if (a !== b) throw new Error(`segment: ${a} pieces on 1 thread, ${b} on 2`);
        segmentPieces = a;
      }
      rows.push([
        "line, one segment through 2-512x4-1 (split at its first layer's breakpoints)",
        `${segmentPieces} pieces`,
        fmt(median(sone)),
        fmt(median(stwo)),
        `${fmt(median(sone) / median(stwo))}x`,
      ]);
      lineCpu += `\nOne segment through 2-512x4-1: process CPU 1 thread ${fmt(median(sprocOne))} s, 2 threads ${fmt(median(sprocTwo))} s (each thread walks the first layer's events; the rest is split).`;
    }
    if (want("space")) {
      const space = prepare(mlp([3, 32, 32, 32, 1], { init: "he", seed: 0 }));
      const one: number[] = [];
      const two: number[] = [];
      const cpuOne: number[] = [];
      const cpuPath: number[] = [];
      const procOne: number[] = [];
      const procTwo: number[] = [];
      const detail: string[] = [];
      let cells = 0;
      for (let r = 0; r < ROUNDS; r++) {
        let a: SpacePartition | null = null;
        let b: SpacePartition | null = null;
        const t0 = threadSchedule();
        let p0 = processCpu();
        one.push(await seconds(() => (a = spacePartition(space, { box: [-1, 1] }))));
        cpuOne.push(threadSchedule().cpu - t0.cpu);
        procOne.push(processCpu() - p0);
        p0 = processCpu();
        let stats: SpaceStats | null = null;
        two.push(await seconds(async () => (b = await spacePartitionParallel(pool, space, { box: [-1, 1] }, { mainThread: true, onStats: (s) => (stats = s) }))));
        procTwo.push(processCpu() - p0);
        const st = stats as unknown as SpaceStats;
        // The longer share, then the longer of the join (calling thread) and the complex's count (pool thread), which overlap.
        cpuPath.push(Math.max(...st.shares.map((x) => x.cpuSeconds)) + Math.max(st.joinCpuSeconds, st.complexCpuSeconds));
        detail.push(
          `shares ${st.shares.map((x) => `${fmt(x.cpuSeconds)} s (${x.cells} cells)`).join(" + ")}, join ${fmt(st.joinCpuSeconds)} s, complex ${fmt(st.complexCpuSeconds)} s`,
        );
        const [x, y] = [a as unknown as SpacePartition, b as unknown as SpacePartition];
        if (
          x.cellCount !== y.cellCount ||
          x.vertexCount !== y.vertexCount ||
          x.edgeCount !== y.edgeCount ||
          x.facetCount !== y.facetCount ||
          x.adjacency.length !== y.adjacency.length
        )
          throw new Error(`space: ${x.cellCount} cells on 1 thread, ${y.cellCount} on 2`);
        cells = x.cellCount;
      }
      rows.push(["space, 3-32x3-1 in [-1,1]^3", `${cells} regions`, fmt(median(one)), fmt(median(two)), `${fmt(median(one) / median(two))}x`]);
      spaceCpu = [
        `Space engine in CPU seconds: 1 thread ${fmt(median(cpuOne))} s; with 2, the longer share then the longer of the join and the complex's count (they overlap) ${fmt(median(cpuPath))} s: **${fmt(median(cpuOne) / median(cpuPath))}x** on CPU, ${fmt(median(one) / median(two))}x on wall time. Process CPU 1 thread ${fmt(median(procOne))} s, 2 threads ${fmt(median(procTwo))} s.`,
        `By round: ${detail.join("; ")}.`,
      ].join("\n");
    }
  } finally {
    await pool.close();
  }
  const cold = want("cold") ? coldCommand() : "";
  return [
    "## Every core (parallel/)",
    "",
    `1 thread against 2 (the calling thread and a pool of 1, as \`count --workers 2\`), alternated over ${ROUNDS} rounds in one process (medians); identical results checked each round.`,
    `Load average (1 min) at the start ${load0.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}, on ${availableParallelism()} cores. Pool start-up (a thread loading the engines): ${fmt(startup)} s, not in the times.`,
    "",
    table(["work", "size", "1 thread s", "2 threads s", "speed-up"], rows),
    "",
    cpuRow,
    lineCpu,
    spaceCpu,
    "",
    cold,
  ].join("\n");
}

/**
 * What a user sees: `tessera count` of 2-256x4-1 in [-1,1]^2 from a cold process (the built
 * command, dist/), --workers 1 and 2 alternated: wall seconds and the process's CPU seconds (every
 * thread, start-up, JIT and GC included). Skipped when the package is not built.
 */
function coldCommand(): string {
  const bin = fileURLToPath(new URL("../dist/cli/bin.js", import.meta.url));
  if (!existsSync(bin)) return "Cold command: skipped (no dist/: `npm run build`).";
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
  try {
    const model = join(dir, "m.json");
    writeFileSync(model, stringifyNetwork(mlp([2, 256, 256, 256, 256, 1], { init: "he", seed: 0 })));
    const report = "data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('cpu '+(u.user+u.system)/1e6+'\\n')})";
    const wall: Record<number, number[]> = { 1: [], 2: [] };
    const cpu: Record<number, number[]> = { 1: [], 2: [] };
    const load0 = loadavg()[0];
    for (let r = 0; r < ROUNDS; r++) {
      for (const w of [1, 2]) {
        const t0 = performance.now();
        const child = spawnSync(process.execPath, ["--import", report, bin, "count", model, "--box", "-1,1", "--workers", String(w), "--json"], { encoding: "utf8" });
        wall[w].push((performance.now() - t0) / 1000);
        if (child.status !== 0) throw new Error(`tessera count --workers ${w} failed: ${child.stderr}`);
        cpu[w].push(Number(/cpu ([\d.]+)/.exec(child.stderr)?.[1] ?? Number.NaN));
      }
    }
    return `Cold command, \`tessera count\` of 2-256x4-1 in [-1,1]^2 (built package, ${ROUNDS} alternated rounds, medians, load average ${load0.toFixed(1)} to ${loadavg()[0].toFixed(1)}): --workers 1 ${fmt(median(wall[1]))} s wall, ${fmt(median(cpu[1]))} s CPU; --workers 2 ${fmt(median(wall[2]))} s wall, ${fmt(median(cpu[2]))} s CPU: ${fmt(median(wall[1]) / median(wall[2]))}x wall.`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
