/**
 * The whole-domain engine on networks with two hidden layers (docs/whole.md, "Cheaper proofs
 * that a row is not a facet", "Points and rejections without the box LP" and "Points from an
 * inner zonotope"): regions per CPU second of three engines, alternated in the same process:
 * every candidate's LP to its optimum (`lpShortcuts: false, stepPoints: false`, the engine of 225
 * regions per CPU s), the LP shortcuts alone (`stepPoints: false`), and with step points, the LP
 * in u alone and the LPs over the inner zonotope (the default). The partitions are compared: shortcuts against full LPs array for array, step points
 * against the shortcuts as sets by pattern (their points and numbering differ).
 *
 * Reproduce: `npm run bench -- whole-lp` (trained and random 784-6-6-10, complete; trained and
 * random 784-8-8-10 to their first 3,000 regions; `TESSERA_WHOLE_LP_CELLS=N` for N of them, 0 for
 * all). CPU seconds are the process's (the machine is shared: wall time is not reported).
 */
import { loadavg } from "node:os";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import type { WholePartition } from "../src/regions/partition.ts";
import { type WholeOptions, wholePartition } from "../src/regions/whole.ts";
import { fmt, table } from "./timing.ts";
import { trainedWhole, wholeTrainingSet } from "./whole-trained.ts";

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

/** The partition as sets by pattern: each region's facets (hyperplane, neighbour's pattern) and piece. */
function byPattern(p: WholePartition): string {
  const w = p.layout.words;
  const key = (i: number): string => Array.from(p.patterns.subarray(i * w, (i + 1) * w)).join(",");
  const pieces = new Map<number, string[]>();
  const regions: string[] = [];
  for (let i = 0; i < p.cellCount; i++) {
    pieces.set(p.pieceOf[i], [...(pieces.get(p.pieceOf[i]) ?? []), key(i)]);
    const facets: string[] = [];
    for (let f = p.facetStart[i]; f < p.facetStart[i + 1]; f++) facets.push(`${p.facetHyperplane[f]}>${key(p.facetNeighbour[f])}`);
    regions.push(`${key(i)}:${facets.sort().join(";")}`);
  }
  const pieceSets = [...pieces.values()].map((list) => list.sort().join("|")).sort();
  return `${regions.sort().join("\n")}\n${pieceSets.join("\n")}`;
}

export default async function (): Promise<string> {
  const loadBefore = loadavg()[0];
  const data = await wholeTrainingSet();
  const trainedOf = (w: number): Network => trainedWhole(w, data);
  const cells = Number(process.env.TESSERA_WHOLE_LP_CELLS ?? 3000);
  const first = cells ? `, first ${cells} regions` : "";
  // Full LPs on every network: the baseline of the 225 regions per CPU s (on the
  // 784-8-8-10s about 35 CPU s per run of 3,000 regions).
  const nets: [string, Network, number][] = [
    ["784-6-6-10 trained (2 epochs)", trainedOf(6), 0],
    ["784-6-6-10 random (He, seed 3)", mlp([784, 6, 6, 10], { init: "he", seed: 3 }), 0],
    [`784-8-8-10 trained (2 epochs)${first}`, trainedOf(8), cells],
    [`784-8-8-10 random (He, seed 2)${first}`, mlp([784, 8, 8, 10], { init: "he", seed: 2 }), cells],
  ];
  const engines: [string, WholeOptions][] = [
    ["full LPs", { lpShortcuts: false, stepPoints: false }],
    ["LP shortcuts", { stepPoints: false }],
    ["step points, LP in u, inner zonotope", {}],
  ];
  // Warm-up (JIT) on a small network, every engine.
  const warm = prepare(mlp([784, 5, 4, 1], { init: "he", seed: 3 }));
  for (const [, options] of engines) wholePartition(warm, { box: [0, 1], ...options });
  const rows: (string | number)[][] = [];
  for (const [name, net, maxCells] of nets) {
    const compiled = prepare(net);
    const run = (options: WholeOptions) => cpuOf(() => wholePartition(compiled, { box: [0, 1], ...options, ...(maxCells ? { maxCells } : {}) }));
    // Alternated twice (the load moves during a run).
    const runs = [...engines, ...engines].map(([, options]) => run(options));
    const cpu = engines.map((_, e) => (runs[e].cpu + runs[e + engines.length].cpu) / 2);
    const shortcuts = 1;
    const now = 2;
    if (!sameArrays(runs[0].part, runs[shortcuts].part)) throw new Error(`whole-lp bench: ${name}: the LP shortcuts changed the partition`);
    if (byPattern(runs[shortcuts].part) !== byPattern(runs[now].part)) throw new Error(`whole-lp bench: ${name}: step points changed the partition`);
    engines.forEach(([how], e) => {
      const part = runs[e].part;
      const s = part.stats;
      rows.push([
        name,
        how,
        `${part.activationRegions}${part.stopped === undefined ? "" : "+"}`,
        part.facetCount,
        s.lpSolves,
        s.lpIterations,
        s.lpStopped + s.certificateRejected,
        `${s.smallLpSolves} / ${s.smallLpIterations}`,
        s.smallLpRejected,
        s.stepRegions,
        `${s.innerLpSolves} / ${s.innerLpIterations}`,
        s.innerRegions + s.innerFacets,
        fmt(cpu[e]),
        fmt(part.activationRegions / cpu[e]),
        e === 0 ? "baseline" : `${fmt(cpu[0] / cpu[e])}x${e === now ? ", same partition by pattern" : ", same partition"}`,
      ]);
    });
  }
  const load = `Load average (1 min) ${fmt(loadBefore)} at the start, ${fmt(loadavg()[0])} at the end (2 cores).`;
  return `## Whole-domain engine: LP shortcuts, step points, the LP in u and the inner zonotope\n\n${load} CPU s: mean of two runs of each, alternated. "+" marks a run stopped at its cell limit. Reproduce: \`npm run bench -- whole-lp\`.\n\n${table(["network", "run", "regions", "facets", "box LPs", "pivots", "rows without a full LP (stopped, certificate)", "LPs in u / pivots", "rows rejected in u", "regions by a step", "LPs over the inner zonotope / pivots", "points and facets from them", "CPU s", "regions/CPU s", "vs the first run"], rows)}\n`;
}
