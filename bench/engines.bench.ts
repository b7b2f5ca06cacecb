/**
 * Line and plane engines on MLPs with PyTorch's default init over [-1, 1]^2 (issue 2):
 * regions, seconds, regions per second, and the ratio to the floor, a batched float64 forward
 * pass at one point per region found (timed in the same run).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { box } from "../src/domain/domain.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { forwardBatch, prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { countSegments } from "../src/regions/line-segments.ts";
import { partition } from "../src/regions/partition-domain.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { benchSegmentList, benchSegments } from "./segments.ts";
import { fmt, table, time } from "./timing.ts";

function floorPoints(count: number, n0: number): Float64Array {
  const xs = new Float64Array(count * n0);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.sin(i * 12.9898) * 0.999;
  return xs;
}

/** Bytes held by a partition's typed arrays, per cell. */
function bytesPerCell(p: object & { cellCount: number }): number {
  let bytes = 0;
  for (const v of Object.values(p)) if (ArrayBuffer.isView(v)) bytes += v.byteLength;
  return bytes / p.cellCount;
}

interface FirstCall {
  importMs: number;
  firstMs: number;
  firstCpuMs: number;
  nextCpuMs: number;
  regions: number;
}

/**
 * Median of the first-call figures of `runs` fresh processes (bench/first-call.ts): the sources
 * through tsx, or with `lib` a built library (dist/index.js, built first when stale), which
 * first-call.ts times in a child of plain Node, as users import it (tsx's loader would triple the
 * import).
 */
function firstCalls(runs: number, lib: string | null = null): FirstCall {
  const script = fileURLToPath(new URL("first-call.ts", import.meta.url));
  const samples: FirstCall[] = [];
  for (let r = 0; r < runs; r++) {
    const child = spawnSync(process.execPath, ["--import", "tsx", script, ...(lib ? ["--lib", lib] : [])], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`first-call.ts failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout));
  }
  const median = (key: "importMs" | "firstMs" | "firstCpuMs" | "nextCpuMs"): number => samples.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { importMs: median("importMs"), firstMs: median("firstMs"), firstCpuMs: median("firstCpuMs"), nextCpuMs: median("nextCpuMs"), regions: samples[0].regions };
}

/** dist/index.js, built first when stale (scripts/build.mjs --if-stale), or null when the build fails. */
function builtLibrary(): string | null {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const built = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--if-stale"], { encoding: "utf8" });
  return built.status === 0 ? join(root, "dist", "index.js") : null;
}

/** Warm calls of partition(network, box) on a small network: median and min of `runs` after 50 warm-up calls, ms. */
function smallWarm(runs: number): { median: number; min: number; regions: number } {
  const network = mlp([2, 32, 32, 1], { init: "uniform", seed: 0 });
  const domain = box(-1, 1, 2);
  let regions = 0;
  for (let i = 0; i < 50; i++) regions = partition(network, domain).activationRegions;
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    partition(network, domain);
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(runs / 2)], min: t[0], regions };
}

export default async function (): Promise<string> {
  const load = loadavg()[0];
  const small = smallWarm(200);
  const first = firstCalls(5);
  const dist = builtLibrary();
  const firstBuilt = dist === null ? null : firstCalls(5, dist);
  const rows: (string | number)[][] = [];
  for (const [name, widths] of [
    ["2-64x4-1", [2, 64, 64, 64, 64, 1]],
    ["2-128x4-1", [2, 128, 128, 128, 128, 1]],
    ["2-256x2-1", [2, 256, 256, 1]],
  ] as const) {
    const compiled = prepare(mlp(widths, { init: "uniform", seed: 0 }));
    const { slice, domain } = boxSlice(-1, 1);
    let regions = 0;
    let perCell = 0;
    const engine = time(() => {
      const p = planePartition(compiled, slice, { domain });
      regions = p.activationRegions;
      perCell = bytesPerCell(p);
    }, 3);
    const xs = floorPoints(regions, 2);
    const floor = time(() => forwardBatch(compiled, xs, regions), 3);
    rows.push([
      name,
      regions,
      fmt(engine.median),
      `${fmt(engine.min)}-${fmt(engine.max)}`,
      fmt(regions / engine.median, 4),
      fmt(floor.median),
      fmt(engine.median / floor.median),
      fmt(perCell),
    ]);
  }
  // Line engine: 1,000 random segments in [-1, 1]^2 through 2-128x4-1.
  const compiled = prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }));
  const segments = benchSegmentList();
  // The segments counted as `tessera count --lines` does (Hanin & Rolnick's protocol), first:
  // after 3,000 partitions kept alive the same calls take about 1.4x longer (the heap they leave
  // behind), which a `count --lines` process never has.
  const flat = benchSegments();
  let regions = 0;
  const counted = time(() => {
    regions = countSegments(compiled, flat).activationRegions;
  }, 5);
  let pieces = 0;
  const line = time(() => {
    pieces = 0;
    for (const seg of segments) pieces += linePartition(compiled, seg).cellCount;
  }, 3);
  const xs = floorPoints(pieces, 2);
  const lineFloor = time(() => forwardBatch(compiled, xs, pieces), 3);
  return [
    "## Line and plane engines",
    "",
    `Load average (1 min) at the start: ${load.toFixed(2)} on the machine's cores; at the end: ${loadavg()[0].toFixed(2)}.`,
    "",
    "Plane engine over [-1,1]^2, PyTorch-default init (uniform +-1/sqrt(fan_in)), seed 0. Seconds are medians of 3 runs (min-max beside).",
    "Floor: one batched float64 forward pass at one point per region found, same run. Ratio = engine / floor.",
    "",
    table(["network", "regions", "engine s", "range s", "regions/s", "floor s", "ratio", "result bytes/cell"], rows),
    "",
    `Small network, 2-32x2-1 in [-1,1]^2 through partition(network, box(-1, 1, 2)) (${small.regions} regions): warm ${fmt(small.median)} ms median of 200 calls after 50 (min ${fmt(small.min)} ms); first call in a fresh process ${fmt(first.firstMs)} ms (${fmt(first.firstCpuMs)} CPU ms, all threads; median of 5 processes, the sources through tsx; importing the modules before it: ${fmt(first.importMs)} ms, not included; the next 11 calls ${fmt(first.nextCpuMs)} CPU ms in all). Ratio first / warm: ${fmt(first.firstMs / small.median)}.`,
    firstBuilt === null
      ? "The built library (dist/) could not be built: no first call measured through it."
      : `The same through the built library (dist/index.js in plain Node, as users import it): first call ${fmt(firstBuilt.firstMs)} ms (${fmt(firstBuilt.firstCpuMs)} CPU ms; import ${fmt(firstBuilt.importMs)} ms, not included; the next 11 calls ${fmt(firstBuilt.nextCpuMs)} CPU ms in all).`,
    "",
    `Line engine: 1,000 random segments in [-1,1]^2 through 2-128x4-1: ${pieces} pieces in ${fmt(line.median)} s as 1,000 partitions (floor ${fmt(lineFloor.median)} s, ratio ${fmt(line.median / lineFloor.median)}); counted per segment (countSegments, count --lines): ${regions} activation regions in ${fmt(counted.median)} s (min ${fmt(counted.min)}, ratio to floor ${fmt(counted.median / lineFloor.median)}).`,
  ].join("\n");
}
