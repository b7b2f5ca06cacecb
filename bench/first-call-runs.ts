/**
 * Many first calls (bench/first-call-probe.mjs: import a built library, then the first
 * `partition(network, box)` on 2-32x2-1) in fresh processes, the trees and Node flags asked for
 * alternated round by round so that they share the machine's load, then per variant the median
 * [min-max] of each figure and how many first calls took under 5 ms (issue 17's target). A
 * Markdown table, with the load average before and after (os.loadavg: every figure on a shared
 * machine needs it beside it).
 *
 *   npx tsx bench/first-call-runs.ts --rounds 15 --tree main=/tmp/base --tree new=.
 *   npx tsx bench/first-call-runs.ts --rounds 15 --tree .=. --flags "" --flags "--liftoff-only"
 *   ... --through-tsx      each child through tsx's loader (`node --import tsx`), as before Dec 8
 *   ... --idle 0 --idle 20 also with 20 ms of waiting (timers run) between import and call
 *
 * A tree is a directory with a built library (DIR/dist/index.js: `npm run build` there first;
 * since Dec 8 that is the Node bundle, and DIR/dist/portable.js the one-module-per-source entry),
 * or a library's entry file itself (NAME=path/to/index.js: a bundle, a patched copy of dist/).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface Sample {
  importMs: number;
  importCpuMs: number;
  firstMs: number;
  firstCpuMs: number;
  firstMainCpuMs: number;
  firstMainQueuedMs: number;
  nextCpuMs: number;
  regions: number;
}

const FIGURES = ["firstMs", "firstMainCpuMs", "firstMainQueuedMs", "firstCpuMs", "importMs", "importCpuMs", "nextCpuMs"] as const;

const probe = fileURLToPath(new URL("first-call-probe.mjs", import.meta.url));
const args = process.argv.slice(2);
const valuesOf = (name: string): string[] => args.flatMap((a, i) => (a === name && i + 1 < args.length ? [args[i + 1]] : []));
const rounds = Number(valuesOf("--rounds")[0] ?? 15);
const throughTsx = args.includes("--through-tsx");
const trees = (valuesOf("--tree").length > 0 ? valuesOf("--tree") : [".=."]).map((t) => {
  const [name, dir] = t.includes("=") ? t.split("=", 2) : [t, t];
  const lib = dir.endsWith(".js") ? resolve(dir) : join(resolve(dir), "dist", "index.js");
  if (!existsSync(lib)) throw new Error(`${lib} missing: run npm run build in ${dir}`);
  return { name, lib };
});
const flagSets = valuesOf("--flags").length > 0 ? valuesOf("--flags") : [""];
const idles = valuesOf("--idle").length > 0 ? valuesOf("--idle").map(Number) : [0];
const variants = trees.flatMap((tree) =>
  flagSets.flatMap((flags) => idles.map((idle) => ({ ...tree, flags: flags.split(" ").filter((f) => f !== ""), idle, samples: [] as Sample[] }))),
);

const loadBefore = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    const child = spawnSync(process.execPath, [...v.flags, ...(throughTsx ? ["--import", "tsx"] : []), probe, "--lib", v.lib, "--idle", String(v.idle)], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`first-call-probe.mjs failed (${v.name}): ${child.stderr}`);
    v.samples.push(JSON.parse(child.stdout) as Sample);
  }
}
const loadAfter = loadavg()[0];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cell = (xs: number[]): string => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}]`;

const lines = [
  `${rounds} rounds, ${throughTsx ? "through tsx's loader" : "plain Node"}, load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; ms, median [min-max]`,
  "",
  `| tree | node flags | idle ms | runs under 5 ms | ${FIGURES.join(" | ")} |`,
  `| --- | --- | --- | --- | ${FIGURES.map(() => "---").join(" | ")} |`,
];
for (const v of variants) {
  const under = v.samples.filter((s) => s.firstMs < 5).length;
  const regions = new Set(v.samples.map((s) => s.regions));
  if (regions.size !== 1) throw new Error(`${v.name}: region counts differ between runs: ${[...regions].join(", ")}`);
  lines.push(
    `| ${v.name} | ${v.flags.join(" ") || "(none)"} | ${v.idle} | ${under} of ${v.samples.length} | ${FIGURES.map((f) => cell(v.samples.map((s) => s[f]))).join(" | ")} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
