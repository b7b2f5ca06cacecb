/**
 * The whole-domain engine's LP shortcuts on networks with two hidden layers (docs/whole.md,
 * "Cheaper proofs that a row is not a facet"): regions per CPU second with `lpShortcuts` off
 * (every candidate's LP to its optimum, the engine before) and on, alternated in the same
 * process, and the partitions compared array for array (points and margins included).
 *
 * Reproduce: `npm run bench -- whole-lp` (a trained 784-6-6-10, two epochs, complete, and a
 * random 784-8-8-10 to its first 1,000 regions; `TESSERA_WHOLE_LP_CELLS=N` for N regions of it, 0 for all).
 * CPU seconds are the process's (the machine is shared: wall time is not reported).
 */
import { loadavg } from "node:os";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import type { WholePartition } from "../src/regions/partition.ts";
import { wholePartition } from "../src/regions/whole.ts";
import { mnist } from "../src/train/data/mnist.ts";
import { createTrainer } from "../src/train/trainer.ts";
import { fmt, table } from "./timing.ts";

const KEYS = ["patterns", "facetStart", "facetHyperplane", "facetNeighbour", "adjacency", "pieceOf", "centres", "radii", "points"] as const;

function cpuOf(f: () => WholePartition): { part: WholePartition; cpu: number } {
  const c0 = process.cpuUsage();
  const part = f();
  const c = process.cpuUsage(c0);
  return { part, cpu: (c.user + c.system) / 1e6 };
}

function sameArrays(a: WholePartition, b: WholePartition): boolean {
  return KEYS.every((k) => a[k].length === b[k].length && a[k].every((v, i) => Object.is(v, b[k][i])));
}

export default async function (): Promise<string> {
  const loadBefore = loadavg()[0];
  const data = await mnist({ count: 10000, seed: 1 });
  const trained = mlp([784, 6, 6, 10], { init: "he", seed: 1 });
  const trainer = createTrainer(trained, data, { seed: 1 });
  for (let e = 0; e < 2; e++) trainer.runEpoch();
  const cells = Number(process.env.TESSERA_WHOLE_LP_CELLS ?? 1000);
  const nets: [string, Network, number][] = [
    ["784-6-6-10 trained (2 epochs)", trained, 0],
    [`784-8-8-10 random (He, seed 2)${cells ? `, first ${cells} regions` : ""}`, mlp([784, 8, 8, 10], { init: "he", seed: 2 }), cells],
  ];
  // Warm-up (JIT) on a small network, both paths.
  const warm = prepare(mlp([784, 5, 4, 1], { init: "he", seed: 3 }));
  for (const lpShortcuts of [false, true]) wholePartition(warm, { box: [0, 1], lpShortcuts });
  const rows: (string | number)[][] = [];
  for (const [name, net, maxCells] of nets) {
    const compiled = prepare(net);
    const run = (lpShortcuts: boolean) => cpuOf(() => wholePartition(compiled, { box: [0, 1], lpShortcuts, ...(maxCells ? { maxCells } : {}) }));
    // Alternated twice: off, on, off, on (the load moves during a run).
    const runs = [run(false), run(true), run(false), run(true)];
    const off = runs[0].cpu + runs[2].cpu;
    const on = runs[1].cpu + runs[3].cpu;
    if (!sameArrays(runs[0].part, runs[1].part)) throw new Error(`whole-lp bench: ${name}: the partitions differ`);
    for (const [how, r, cpu] of [
      ["full LPs (before)", runs[0], off / 2],
      ["LP shortcuts", runs[1], on / 2],
    ] as const) {
      const s = r.part.stats;
      rows.push([
        name,
        how,
        `${r.part.activationRegions}${r.part.stopped === undefined ? "" : "+"}`,
        r.part.facetCount,
        s.lpSolves,
        s.lpIterations,
        s.lpStopped,
        s.certificateRejected,
        fmt(cpu),
        fmt(r.part.activationRegions / cpu),
        how === "LP shortcuts" ? `${fmt(off / on)}x, same partition` : "baseline",
      ]);
    }
  }
  const load = `Load average (1 min) ${fmt(loadBefore)} at the start, ${fmt(loadavg()[0])} at the end (2 cores).`;
  return `## Whole-domain engine: LP shortcuts\n\n${load} CPU s: mean of two runs of each, alternated. "+" marks a run stopped at its cell limit. Reproduce: \`npm run bench -- whole-lp\`.\n\n${table(["network", "run", "regions", "facets", "LPs", "pivots", "LPs stopped", "rows by a certificate", "CPU s", "regions/CPU s", "note"], rows)}\n`;
}
