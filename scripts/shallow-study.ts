/**
 * The comparisons of An et al. (2017) on small networks, averaged over seeds (docs/shallow.md):
 * equal numbers of units at different depths, and residual networks against their plain twins.
 * Run: npx tsx scripts/shallow-study.ts [SEEDS] (default 5); prints Markdown tables.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import type { Network } from "../src/model/layers.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { checkShallow, deepToShallow, plainTwin, type ShallowSummary } from "../src/shallow/index.ts";
import { residualMlp } from "../src/train/residual.ts";

const seeds = Number(process.argv[2] ?? 5);
const { slice, domain } = boxSlice(-1, 1);

function study(make: (seed: number) => Network): { mean: (f: (s: ShallowSummary) => number) => number; worstError: number } {
  const summaries: ShallowSummary[] = [];
  let worstError = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const compiled = prepare(make(seed));
    const partition = planePartition(compiled, slice, { domain });
    const { representation, summary } = deepToShallow(compiled, partition);
    const check = checkShallow(compiled, representation, partition, { points: 500 });
    if (!check.ok) throw new Error(`check failed for seed ${seed}`);
    worstError = Math.max(worstError, check.maxRelativeError);
    summaries.push(summary);
  }
  return { mean: (f) => summaries.reduce((a, s) => a + f(s), 0) / summaries.length, worstError };
}

const header =
  "| network | depth | units | K (pieces) | hidden units per piece | hidden units in total | distinct hidden units | largest lambda | max \\|max g - f\\| |\n|---|---|---|---|---|---|---|---|---|";
function row(name: string, make: (seed: number) => Network): string {
  const s = study(make);
  const f = (x: number, d = 1): string => x.toFixed(d);
  return `| ${name} | ${f(
    s.mean((x) => x.depth),
    0,
  )} | ${f(
    s.mean((x) => x.units),
    0,
  )} | ${f(s.mean((x) => x.pieces))} | ${f(s.mean((x) => x.hiddenPerPiece.mean))} | ${f(s.mean((x) => x.hiddenTotal))} | ${f(s.mean((x) => x.distinctHidden))} | ${f(
    s.mean((x) => x.maxLambda),
    2,
  )} | ${s.worstError.toExponential(1)} |`;
}

const init = "he" as const;
console.log(`Box [-1,1]^2, He init, means over seeds 1..${seeds}.\n`);
console.log("### Same number of units (12), different depth\n");
console.log(header);
for (const widths of [
  [2, 12, 1],
  [2, 6, 6, 1],
  [2, 4, 4, 4, 1],
  [2, 3, 3, 3, 3, 1],
]) {
  console.log(row(widths.join("-"), (seed) => mlp(widths, { seed, init })));
}
console.log("\n### Residual against its plain twin (same weights, no skips)\n");
console.log(header);
for (const widths of [
  [2, 4, 4, 4, 1],
  [2, 3, 3, 3, 3, 1],
  [2, 6, 6, 6, 1],
]) {
  console.log(row(`residual ${widths.join("-")}`, (seed) => residualMlp(widths, { seed, init })));
  console.log(row(`plain twin ${widths.join("-")}`, (seed) => plainTwin(residualMlp(widths, { seed, init }))));
}
