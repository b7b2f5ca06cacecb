/**
 * The space engine on the networks (PyTorch-default init) over [-1, 1]^n0: regions,
 * vertices, edges, facets, seconds, memory per region. Baseline timed in the same run: a forward
 * pass of 100,000 random points (a sampled pattern count), so ratios carry across machines; the
 * published edge-subdivision times (Berzins 2023, on this machine per the issue) are the target.
 */

import { boxSamples, distinctPatterns } from "../src/metrics/patterns.ts";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { createRandom } from "../src/model/random.ts";
import { bytesPerCell, spacePartition } from "../src/regions/space.ts";

function best<T>(runs: number, f: () => T): { value: T; seconds: number } {
  let value = f(); // warm-up (JIT)
  let seconds = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    value = f();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { value, seconds };
}

export default async function (): Promise<string> {
  const cases = [
    { widths: [3, 32, 32, 32, 1], target: 0.57, targetVertices: 23067 },
    { widths: [4, 16, 16, 16, 1], target: 0.21, targetVertices: 18999 },
  ];
  const lines = [
    "| network | regions | vertices | edges | facets | s (all counts) | s (regions only) | bytes/region | baseline s (1e5 forward) | ratio all/baseline | target s (edge subdivision, vertices only) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { widths, target, targetVertices } of cases) {
    const compiled = prepare(mlp(widths, { init: "uniform", seed: 1 }));
    const full = best(3, () => spacePartition(compiled, { box: [-1, 1] }));
    const regionsOnly = best(3, () => spacePartition(compiled, { box: [-1, 1], complex: false }));
    const n0 = widths[0];
    const points = boxSamples(n0, 100_000, -1, 1, createRandom(2));
    const base = best(1, () => distinctPatterns(compiled, points, 100_000));
    const p = full.value;
    lines.push(
      `| ${widths.join("-")} | ${p.activationRegions} | ${p.vertexCount} | ${p.edgeCount} | ${p.facetCount} | ${full.seconds.toFixed(3)} | ${regionsOnly.seconds.toFixed(3)} | ${bytesPerCell(p).toFixed(0)} | ${base.seconds.toFixed(3)} | ${(full.seconds / base.seconds).toFixed(2)} | ${target} (${targetVertices} vertices, another seed) |`,
    );
  }
  return `## Space engine\n\nBest of 3 warm runs, seed 1, box [-1,1]^n0. Reproduce: \`npm run bench -- space\`.\n\n${lines.join("\n")}\n`;
}
