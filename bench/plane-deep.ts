/**
 * The plane count of deep narrow He networks, 2-W x D-1 over [-1, 1]^2: REPS calls (default 3) of
 * `partition`, milliseconds each, with the regions and uncertain decisions. The deep networks'
 * exactness costs (docs/performance-history.md, "Plane engine on deep networks"). Not part of npm test.
 *
 *   npx tsx bench/plane-deep.ts WIDTH DEPTH [SRC_DIR]     (SRC_DIR: a tree's src, default this one's)
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [width, depth] = process.argv.slice(2, 4).map(Number);
if (!(width > 0 && depth > 0)) {
  process.stderr.write("usage: npx tsx bench/plane-deep.ts WIDTH DEPTH [SRC_DIR]\n");
  process.exit(2);
}
const src = resolve(process.argv[4] ?? new URL("../src", import.meta.url).pathname);
const lib = await import(pathToFileURL(`${src}/index.ts`).href);
const net = lib.mlp([2, ...new Array(depth).fill(width), 1], { init: "he", seed: 0 });
const reps = Number(process.env.REPS ?? 3);
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const p = lib.partition(net, lib.box(-1, 1, 2));
  console.log(`2-${width}x${depth}-1 He: ${p.activationRegions} regions, uncertain ${p.uncertain ?? 0}, ${(performance.now() - t0).toFixed(1)} ms`);
}
