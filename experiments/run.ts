/**
 * `npm run experiments [-- NAME...] [-- --quick]`: run the experiments of docs/experiments.md,
 * writing pictures to docs/img/experiments/ and numbers to experiments/results/.
 */
import { log } from "./lib.ts";

const all: Record<string, () => Promise<{ run: (quick?: boolean) => Promise<unknown> }>> = {
  "hanin-rolnick": () => import("./hanin-rolnick.ts"),
  qi: () => import("./qi.ts"),
  balduzzi: () => import("./balduzzi.ts"),
};

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const names = args.filter((a) => !a.startsWith("--"));
for (const name of names) if (!(name in all)) throw new Error(`unknown experiment "${name}" (known: ${Object.keys(all).join(", ")})`);
for (const name of names.length ? names : Object.keys(all)) {
  const start = performance.now();
  const module = await all[name]();
  await module.run(quick);
  log(`${name}: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
