/**
 * Deep networks in the line engine: `linePartition` on one segment each, source trees alternated
 * in one process (the machine is shared and noisy: read the ratios), CPU milliseconds per call.
 * The cost that bounds relative to the exact map add grows with depth (docs/numerics.md, "The
 * carried bound through the piece's states"); this is the benchmark for it.
 *
 *   npx tsx bench/line-deep-ab.ts ROUNDS CASES SRC [SRC...]
 *
 * CASES: a comma list of he8x120, depth10k, he32x12, he16x24, zb8x30, he4x200, he3x400, he8x700.
 * Each SRC is a tree's src/ (a base from `git archive`, with a package.json {"type":"module"}
 * beside it, or it runs as CommonJS, slower); the ratios are against the first.
 */
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const rounds = Number(process.argv[2]);
const cases = process.argv[3].split(",");
const trees = process.argv.slice(4).map((t) => resolve(t));
const nets: Record<string, { widths: number[]; init: string; seed: number; seg: number[] }> = {
  he8x120: { widths: [2, ...new Array(120).fill(8), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  depth10k: { widths: [2, ...new Array(10000).fill(2), 1], init: "he", seed: 1, seg: [-1, -1, 1, 1] },
  he32x12: { widths: [2, ...new Array(12).fill(32), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  he16x24: { widths: [2, ...new Array(24).fill(16), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  zb8x30: { widths: [2, ...new Array(30).fill(8), 1], init: "zero-bias", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  he4x200: { widths: [2, ...new Array(200).fill(4), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  he3x400: { widths: [2, ...new Array(400).fill(3), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
  he8x700: { widths: [2, ...new Array(700).fill(8), 1], init: "he", seed: 0, seg: [-1.3, 0.7, 1.1, -0.9] },
};
type LP = (c: unknown, p: Float64Array) => { activationRegions: number; uncertain?: number };
const loaded: { lp: LP; compiled: Record<string, unknown> }[] = [];
for (const src of trees) {
  const { mlp } = await import(pathToFileURL(`${src}/model/build/mlp.ts`).href);
  const { prepare } = await import(pathToFileURL(`${src}/model/forward.ts`).href);
  const { linePartition } = await import(pathToFileURL(`${src}/regions/line.ts`).href);
  const compiled: Record<string, unknown> = {};
  for (const c of cases) compiled[c] = prepare(mlp(nets[c].widths, { init: nets[c].init, seed: nets[c].seed }));
  loaded.push({ lp: linePartition, compiled });
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
for (const c of cases) {
  const path = Float64Array.from(nets[c].seg);
  const times = loaded.map((): number[] => []);
  const l0 = loadavg()[0];
  let regions: string[] = [];
  for (let r = 0; r < rounds; r++) {
    regions = [];
    for (let k = 0; k < loaded.length; k++) {
      const i = (k + r) % loaded.length;
      const t0 = process.cpuUsage();
      const p = loaded[i].lp(loaded[i].compiled[c], path);
      const d = process.cpuUsage(t0);
      times[i].push((d.user + d.system) / 1e3);
      regions[i] = `${p.activationRegions}${p.uncertain ? ` (${p.uncertain} uncertain)` : ""}`;
    }
  }
  console.log(`${c}: load ${l0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}, ${rounds} rounds`);
  for (const [i, t] of trees.entries()) {
    console.log(
      `  ${t}: CPU ms median ${median(times[i]).toFixed(1)} min ${Math.min(...times[i]).toFixed(1)}; regions ${regions[i]}; /first ${(median(times[i]) / median(times[0])).toFixed(3)}`,
    );
  }
}
