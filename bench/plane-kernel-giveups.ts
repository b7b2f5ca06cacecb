/**
 * Whether the plane engine's WebAssembly kernel (plane-cut.as) counts deep narrow He networks
 * itself or gives up to plane.ts: 2-W x D-1 over [-1, 1]^2, one `partition` call per depth, with
 * the regions, the kernel's runs that made the cells and that gave up, and the call's time
 * (docs/performance-history.md, "Plane engine on deep networks: the kernel's own bounds"). Not part of npm test.
 *
 *   npx tsx bench/plane-kernel-giveups.ts SRC_DIR WIDTH D1 [D2 ...]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const src = resolve(process.argv[2] ?? "src");
const width = Number(process.argv[3]);
const depths = process.argv.slice(4).map(Number);
if (!(width > 0) || depths.length === 0) {
  process.stderr.write("usage: npx tsx bench/plane-kernel-giveups.ts SRC_DIR WIDTH D1 [D2 ...]\n");
  process.exit(2);
}
const lib = await import(pathToFileURL(`${src}/index.ts`).href);
const { kernelRuns } = await import(pathToFileURL(`${src}/regions/plane-cut.ts`).href);
for (const depth of depths) {
  const net = lib.mlp([2, ...new Array(depth).fill(width), 1], { init: "he", seed: 0 });
  const made = kernelRuns.made;
  const gaveUp = kernelRuns.gaveUp;
  const t0 = performance.now();
  const p = lib.partition(net, lib.box(-1, 1, 2));
  const ms = performance.now() - t0;
  console.log(
    `2-${width}x${depth}-1 He: ${p.activationRegions} regions, uncertain ${p.uncertain ?? 0}, kernel made ${kernelRuns.made - made}, gave up ${kernelRuns.gaveUp - gaveUp}${
      kernelRuns.gaveUp > gaveUp && kernelRuns.lastGiveUp
        ? ` (why ${kernelRuns.lastGiveUp.reason}, cut of kernel step ${kernelRuns.lastGiveUp.step}, after ${kernelRuns.lastGiveUp.cells} cells)`
        : ""
    }, ${ms.toFixed(1)} ms`,
  );
}
