/**
 * Deep to shallow (issue 8): the cost of building the representation (one frozen pass with
 * 1 + n0 + N channels and an O(H^2) solve per region) against the baseline, the plane engine's
 * partition of the same network and box, timed in the same run.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { shallowRepresentation } from "../src/shallow/represent.ts";
import { residualMlp } from "../src/train/residual.ts";
import { fmt, table, time } from "./timing.ts";

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  const { slice, domain } = boxSlice(-1, 1);
  for (const [name, network] of [
    ["mlp 2-16-16-1", mlp([2, 16, 16, 1], { seed: 0, init: "he" })],
    ["mlp 2-32-32-1", mlp([2, 32, 32, 1], { seed: 0, init: "he" })],
    ["residual 2-16x4-1", residualMlp([2, 16, 16, 16, 16, 1], { seed: 0, init: "he" })],
  ] as const) {
    const compiled = prepare(network);
    const partition = planePartition(compiled, slice, { domain });
    const engine = time(() => planePartition(compiled, slice, { domain }), 3);
    const construction = time(() => shallowRepresentation(compiled, partition), 3);
    rows.push([name, compiled.layout.units, partition.activationRegions, fmt(engine.median), fmt(construction.median), fmt(construction.median / engine.median)]);
  }
  return `## Deep to shallow\n\nBox [-1,1]^2, He init, seed 0; medians of 3 runs.\n\n${table(["network", "units", "K", "plane engine s (baseline)", "representation s", "ratio"], rows)}\n`;
}
