/**
 * `npm run bench [-- NAME ...]`: runs every bench/NAME.bench.ts (or the named ones), each in a
 * fresh Node process (so one benchmark's JIT state, heap and peak memory never leak into the
 * next), and prints each one's Markdown section. Each benchmark reports ratios against a
 * baseline timed in the same run, because machines here are shared and noisy.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);

if (args[0] === "--one") {
  // Child: run one benchmark file and print its section.
  const mod = (await import(pathToFileURL(join(here, args[1])).href)) as { default: () => Promise<string> };
  process.stdout.write(`${(await mod.default()).trim()}\n`);
} else {
  const available = readdirSync(here).filter((f) => f.endsWith(".bench.ts"));
  const files = available.filter((f) => args.length === 0 || args.includes(f.replace(/\.bench\.ts$/, ""))).sort();
  if (files.length === 0) {
    process.stderr.write(`bench: no benchmark named ${args.join(", ")} (have: ${available.map((f) => f.replace(/\.bench\.ts$/, "")).join(", ")})\n`);
    process.exit(1);
  }
  for (const file of files) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--one", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) {
      process.stderr.write(`bench: ${file} failed (exit ${child.status})\n`);
      process.exitCode = 1;
      continue;
    }
    process.stdout.write(`${child.stdout.trim()}\n\n_(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)_\n\n`);
  }
}
