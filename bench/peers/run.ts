/**
 * The peers benchmark (issue 17; not part of npm test or CI): tessera and other tools on the same
 * float64 weights, timed in one run on one machine, and the table of docs/performance.md.
 *
 *   npx tsx bench/peers/run.ts [WORKDIR] > table.md
 *
 * 1. Writes each workload's weights and domain to WORKDIR (default bench/peers/out) as JSON.
 * 2. Times tessera on each in a fresh Node process: the first call, then (after calls adding up to
 *    half a second) the median of 3 warm calls.
 * 3. Runs each peer script with PEERS_PYTHON (default python3) where it can run (see README.md:
 *    edge subdivision needs EDGE_SUBDIVISION_DIR, SplineCam SPLINECAM_DIR, Regioncam its Python
 *    module); a peer that cannot start is reported as not run, with its first line of stderr.
 * 4. Prints the Markdown table: seconds, regions, and peer / tessera (above 1: tessera is faster).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Init, mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { DenseLayer, Network } from "../../src/model/layers.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { spacePartition } from "../../src/regions/space.ts";

const here = dirname(fileURLToPath(import.meta.url));

interface Workload {
  name: string;
  widths: number[];
  init: Init;
  seed: number;
  domain: { kind: "box"; lo: number; hi: number } | { kind: "segments"; count: number };
  /** When given, only these peers run on it (the others take too long and are marked n/a). */
  runPeers?: string[];
}

const ALL_WORKLOADS: Workload[] = [
  { name: "2-32x2-1", widths: [2, 32, 32, 1], init: "uniform", seed: 0, domain: { kind: "box", lo: -1, hi: 1 } },
  // SplineCam takes minutes on these; it is timed on the smallest and on 2-128x4-1 only.
  { name: "2-64x4-1", widths: [2, 64, 64, 64, 64, 1], init: "uniform", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam", "edge subdivision"] },
  { name: "2-64x8-1", widths: [2, ...Array(8).fill(64), 1], init: "uniform", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam", "edge subdivision"] },
  {
    name: "2-128x4-1",
    widths: [2, 128, 128, 128, 128, 1],
    init: "uniform",
    seed: 0,
    domain: { kind: "box", lo: -1, hi: 1 },
    runPeers: ["Regioncam", "edge subdivision", "SplineCam"],
  },
  { name: "2-256x4-1 he", widths: [2, 256, 256, 256, 256, 1], init: "he", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam"] },
  { name: "1,000 segments, 2-128x4-1", widths: [2, 128, 128, 128, 128, 1], init: "uniform", seed: 0, domain: { kind: "segments", count: 1000 } },
  { name: "3-32x3-1", widths: [3, 32, 32, 32, 1], init: "uniform", seed: 1, domain: { kind: "box", lo: -1, hi: 1 } },
  // Deep and narrow, where every exactness bound is carried through many layers.
  { name: "2-8x24-1 he", widths: [2, ...Array(24).fill(8), 1], init: "he", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam", "edge subdivision"] },
  { name: "2-8x40-1 he", widths: [2, ...Array(40).fill(8), 1], init: "he", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam", "edge subdivision"] },
  { name: "2-16x12-1 he", widths: [2, ...Array(12).fill(16), 1], init: "he", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["Regioncam", "edge subdivision"] },
  { name: "3-8x24-1 he", widths: [3, ...Array(24).fill(8), 1], init: "he", seed: 0, domain: { kind: "box", lo: -1, hi: 1 }, runPeers: ["edge subdivision"] },
  { name: "100 segments, 2-16x24-1 he", widths: [2, ...Array(24).fill(16), 1], init: "he", seed: 0, domain: { kind: "segments", count: 100 } },
  { name: "100 segments, 2-8x120-1 he", widths: [2, ...Array(120).fill(8), 1], init: "he", seed: 0, domain: { kind: "segments", count: 100 } },
];

/** A workload's name as a file name and in PEERS_ONLY ("1,000 segments, 2-128x4-1": 1_000_segments_2-128x4-1). */
const fileName = (w: Workload): string => w.name.replaceAll(/[^\w-]+/g, "_");

/** PEERS_ONLY="2-32x2-1,1_000_segments_2-128x4-1" runs only those workloads (names or file names). */
const only = process.env.PEERS_ONLY?.split(",").map((s) => s.trim());
const WORKLOADS = only ? ALL_WORKLOADS.filter((w) => only.includes(w.name) || only.includes(fileName(w))) : ALL_WORKLOADS;
if (WORKLOADS.length === 0) {
  process.stderr.write(`peers: PEERS_ONLY names no workload; they are ${ALL_WORKLOADS.map(fileName).join(", ")}\n`);
  process.exit(2);
}

/** The benchmark's segments (bench/engines.bench.ts): endpoints uniform in [-1, 1]^2. */
function segments(count: number): Float64Array {
  let s = 1;
  const out = new Float64Array(4 * count);
  for (let i = 0; i < out.length; i++) {
    s = (s * 16807) % 2147483647;
    out[i] = (s / 2147483647) * 2 - 1;
  }
  return out;
}

const networkOf = (w: Workload): Network => mlp(w.widths, { init: w.init, seed: w.seed });

function exportWorkload(w: Workload, workdir: string): string {
  const net = networkOf(w);
  const layers = net.layers
    .filter((l): l is DenseLayer => l.type === "dense")
    .map((l) => ({
      weight: Array.from({ length: l.outSize }, (_, i) => Array.from(l.weight.subarray(i * l.inSize, (i + 1) * l.inSize))),
      bias: Array.from(l.bias),
    }));
  const file = fileName(w);
  let domain: object = w.domain;
  if (w.domain.kind === "segments") {
    const flat = segments(w.domain.count);
    domain = {
      kind: "segments",
      segments: Array.from({ length: w.domain.count }, (_, g) => [Array.from(flat.subarray(4 * g, 4 * g + 2)), Array.from(flat.subarray(4 * g + 2, 4 * g + 4))]),
    };
  }
  writeFileSync(
    join(workdir, `${file}.json`),
    JSON.stringify({ name: w.name, inputSize: w.widths[0], layers, domain, slowPeers: w.runPeers !== undefined, runPeers: w.runPeers ?? [] }),
  );
  return file;
}

interface Result {
  workload: string;
  tool: string;
  seconds?: number;
  first?: number;
  /** CPU seconds of the process (all threads), median of the same runs as seconds. */
  cpu?: number;
  runs?: number;
  regions?: number;
  vertices?: number;
  skipped?: string;
}

/** tessera on one workload, in this (fresh) process: the first call, then the median of 3 warm calls. */
function timeTessera(w: Workload): Result {
  const run = (): { regions: number; vertices?: number } => {
    const compiled = prepare(networkOf(w));
    if (w.domain.kind === "segments") return { regions: countSegments(compiled, segments(w.domain.count)).activationRegions };
    if (w.widths[0] === 2) {
      const { slice, domain } = boxSlice(w.domain.lo, w.domain.hi);
      return { regions: planePartition(compiled, slice, { domain }).activationRegions };
    }
    const p = spacePartition(compiled, { box: [w.domain.lo, w.domain.hi] });
    return { regions: p.activationRegions, vertices: p.vertexCount };
  };
  let t0 = performance.now();
  const counts = run();
  const first = (performance.now() - t0) / 1000;
  const cpuSeconds = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  // Warm: after calls adding up to half a second (the JIT settles; one call for the large ones).
  let warming = first;
  while (warming < 0.5) {
    t0 = performance.now();
    run();
    warming += (performance.now() - t0) / 1000;
  }
  const times: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    run();
    times.push((performance.now() - t0) / 1000);
    cpus.push(cpuSeconds(c0));
  }
  times.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return { workload: w.name, tool: "tessera", first, seconds: times[1], cpu: cpus[1], runs: 3, ...counts };
}

function runPeer(script: string, tool: string, workdir: string, env: Record<string, string | undefined>): Result[] {
  const python = process.env.PEERS_PYTHON ?? "python3";
  const child = spawnSync(python, [join(here, script), workdir], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 1000 * Number(process.env.PEERS_TIMEOUT ?? 3600),
    maxBuffer: 16 * 1024 * 1024,
  });
  const results = (child.stdout ?? "")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Result);
  if (child.status !== 0) {
    const why = (child.stderr ?? String(child.error ?? "")).trim().split("\n").pop() ?? "failed";
    process.stderr.write(`peers: ${tool} stopped: ${why}\n`);
    for (const w of WORKLOADS) if (!results.some((r) => r.workload === w.name)) results.push({ workload: w.name, tool, skipped: `not run: ${why}` });
  }
  return results;
}

const fmt = (s: number | undefined): string => (s === undefined ? "" : s >= 100 ? s.toFixed(0) : s.toPrecision(3));

function table(results: Result[]): string {
  const peers = ["Regioncam", "edge subdivision", "SplineCam"];
  const lines = [
    `| workload | tessera warm s | tessera first call s | regions (tessera) | ${peers.map((p) => `${p} s (regions)`).join(" | ")} | best peer / tessera warm | same, CPU time |`,
    `|${" --- |".repeat(6 + peers.length)}`,
  ];
  for (const w of WORKLOADS) {
    const t = results.find((r) => r.workload === w.name && r.tool === "tessera") as Result;
    const cells = peers.map((p) => {
      const r = results.find((x) => x.workload === w.name && x.tool === p);
      if (r === undefined) return "not run";
      if (r.skipped !== undefined) return r.skipped.startsWith("not run") ? "not run" : "n/a";
      const count = r.regions !== undefined ? `${r.regions}` : `${r.vertices} vertices`;
      return `${fmt(r.seconds)} (${count})`;
    });
    const timed = peers.map((p) => results.find((x) => x.workload === w.name && x.tool === p)).filter((r): r is Result => r?.seconds !== undefined);
    const best = timed.sort((a, b) => (a.seconds as number) - (b.seconds as number))[0];
    const ratio = best ? `${((best.seconds as number) / (t.seconds as number)).toFixed(2)} (${best.tool})` : "";
    // The same ratio in CPU seconds: less inflated than wall time when the machine is loaded.
    const cpuRatio = best?.cpu !== undefined && t.cpu !== undefined ? (best.cpu / t.cpu).toFixed(2) : "";
    const regions = t.vertices !== undefined ? `${t.regions} (${t.vertices} vertices)` : `${t.regions}`;
    lines.push(`| ${w.name} | ${fmt(t.seconds)} | ${fmt(t.first)} | ${regions} | ${cells.join(" | ")} | ${ratio} | ${cpuRatio} |`);
  }
  return lines.join("\n");
}

const args = process.argv.slice(2);
if (args[0] === "--tessera") {
  const w = WORKLOADS.find((x) => x.name === args[1]) as Workload;
  process.stdout.write(`${JSON.stringify(timeTessera(w))}\n`);
} else {
  const loadBefore = loadavg()[0];
  const workdir = resolve(args[0] ?? join(here, "out"));
  mkdirSync(workdir, { recursive: true });
  writeFileSync(join(workdir, "workloads.json"), JSON.stringify(WORKLOADS.map((w) => exportWorkload(w, workdir))));
  const results: Result[] = [];
  for (const w of WORKLOADS) {
    const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--tessera", w.name], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (child.status !== 0) throw new Error(`tessera failed on ${w.name}`);
    results.push(JSON.parse(child.stdout));
    process.stderr.write(`peers: tessera ${w.name}: ${fmt(results[results.length - 1].seconds)} s\n`);
  }
  results.push(...runPeer("regioncam_peer.py", "Regioncam", workdir, {}));
  const optional = (script: string, tool: string, dirVar: string): void => {
    if (process.env[dirVar] === undefined) {
      for (const w of WORKLOADS) results.push({ workload: w.name, tool, skipped: `not run: ${dirVar} not set` });
      return;
    }
    results.push(...runPeer(script, tool, workdir, {}));
  };
  optional("edge_subdivision.py", "edge subdivision", "EDGE_SUBDIVISION_DIR");
  optional("splinecam_peer.py", "SplineCam", "SPLINECAM_DIR");
  writeFileSync(join(workdir, "results.json"), JSON.stringify(results, null, 1));
  process.stdout.write(`${table(results)}\n`);
  const notRun = [...new Set(results.filter((r) => r.skipped?.startsWith("not run")).map((r) => `${r.tool} (${r.skipped})`))];
  if (notRun.length > 0) process.stdout.write(`\nNot run: ${notRun.join("; ")}.\n`);
  process.stdout.write(`\nLoad average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.\n`);
}
