/**
 * Peak memory and CPU of one large plane count, the WebAssembly kernel (plane-cut.ts) against
 * plane.ts's JavaScript (kept out of the kernel by a budget), each count in a fresh process (peak
 * RSS is per process), alternated for several rounds: bench/memory.bench.ts's 2-512x3-1 over
 * [-3,3]^2 (903,000 cells) and 2-256x4-1 He over [-1,1]^2 (331,000). Not a benchmark run by
 * `npm run bench` (not named *.bench.ts): it takes about a minute per round.
 *
 *   npx tsx bench/plane-kernel-memory.ts [--rounds 3] [--src DIR]     the table, medians and ranges
 *   npx tsx bench/plane-kernel-memory.ts --one 512x3 kernel [--src DIR]  one count: one JSON line
 *
 * --src DIR counts with another source tree (e.g. `git archive BASE src | tar -x -C /tmp/base`).
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const src = resolve(flag("--src") ?? fileURLToPath(new URL("../src", import.meta.url)));
const NETWORKS = ["512x3", "256x4he"] as const;
const ENGINES = ["javascript", "kernel"] as const;

interface Row {
  net: string;
  engine: string;
  cells: number;
  peakMB: number;
  cpuS: number;
  kernelMemoryMB: number;
}

async function one(net: string, engine: string): Promise<Row> {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(`${src}/${path}`).href)) as T;
  const { mlp } = await load<typeof import("../src/model/build/mlp.ts")>("model/build/mlp.ts");
  const { prepare } = await load<typeof import("../src/model/forward.ts")>("model/forward.ts");
  const { boxSlice, planePartition } = await load<typeof import("../src/regions/plane.ts")>("regions/plane.ts");
  const { Budget } = await load<typeof import("../src/regions/limits.ts")>("regions/limits.ts");
  const { kernelRuns } = await load<{ kernelRuns: { made: number; memoryBytes?: number } }>("regions/plane-cut.ts");
  const wide = net === "512x3";
  const compiled = prepare(wide ? mlp([2, 512, 512, 512, 1], { init: "uniform", seed: 0 }) : mlp([2, 256, 256, 256, 256, 1], { init: "he", seed: 0 }));
  const { slice, domain } = wide ? boxSlice(-3, 3) : boxSlice(-1, 1);
  const made = kernelRuns.made;
  const started = process.cpuUsage();
  const p = planePartition(compiled, slice, engine === "kernel" ? { domain } : { domain, budget: new Budget({ maxCells: 1e9 }) });
  const cpu = process.cpuUsage(started);
  if (kernelRuns.made > made !== (engine === "kernel")) throw new Error(`${net}: the ${engine} engine did not make the cells`);
  return {
    net,
    engine,
    cells: p.cellCount,
    peakMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
    cpuS: (cpu.user + cpu.system) / 1e6,
    kernelMemoryMB: engine === "kernel" ? (kernelRuns.memoryBytes ?? 0) / 1e6 : 0,
  };
}

const at = args.indexOf("--one");
if (at >= 0) {
  console.log(JSON.stringify(await one(args[at + 1], args[at + 2])));
} else {
  const rounds = Number(flag("--rounds") ?? 3);
  const rows: Row[] = [];
  const load: string[] = [];
  const script = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    load.push(
      execFileSync("uptime", { encoding: "utf8" })
        .trim()
        .replace(/.*load average: /, ""),
    );
    for (const net of NETWORKS) {
      for (const engine of ENGINES) {
        const out = execFileSync(process.execPath, [...process.execArgv, script, "--one", net, engine, "--src", src], { encoding: "utf8" });
        rows.push(JSON.parse(out.trim().split("\n").at(-1) as string) as Row);
      }
    }
  }
  const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
  const cell = (x: number[], digits: number): string => `${median(x).toFixed(digits)} (${Math.min(...x).toFixed(digits)}-${Math.max(...x).toFixed(digits)})`;
  console.log(`${rounds} rounds, fresh processes alternated; load average at each round: ${load.join("; ")}\n`);
  console.log("| network | engine | cells | peak RSS MB, median (range) | CPU s, median (range) | kernel memory MB |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const net of NETWORKS) {
    for (const engine of ENGINES) {
      const mine = rows.filter((x) => x.net === net && x.engine === engine);
      const memory = engine === "kernel" ? median(mine.map((x) => x.kernelMemoryMB)).toFixed(1) : "";
      console.log(
        `| ${net} | ${engine} | ${mine[0].cells} | ${cell(
          mine.map((x) => x.peakMB),
          0,
        )} | ${cell(
          mine.map((x) => x.cpuS),
          2,
        )} | ${memory} |`,
      );
    }
  }
}
