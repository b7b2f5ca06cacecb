/**
 * `npm run bench [-- NAME ...]`: runs every bench/NAME.bench.ts (or the named ones) in this
 * process, one after the other, and prints each one's Markdown section. Each benchmark reports
 * ratios against a baseline timed in the same run, because machines here are shared and noisy.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, "")))
  .sort();
if (files.length === 0) {
  process.stderr.write(`bench: no benchmark named ${wanted.join(", ")} (have: ${readdirSync(here).filter((f) => f.endsWith(".bench.ts")).join(", ")})\n`);
  process.exit(1);
}
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<string> };
  const started = performance.now();
  const section = await mod.default();
  process.stdout.write(`${section.trim()}\n\n_(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)_\n\n`);
}
