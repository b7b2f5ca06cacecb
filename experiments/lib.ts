/**
 * Shared helpers of the experiment scripts: options, where pictures and results go, seeds'
 * statistics, and a timer. By default everything goes to experiments/output/ (untracked);
 * with --update-docs, pictures go to docs/img/experiments/ and numbers to experiments/results/,
 * the files docs/experiments.md shows.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../src/io/files.ts";
import { svgToPng } from "../src/report/png.ts";
import { type VegaLiteSpec, vegaLiteToSvg } from "../src/report/vega-svg.ts";

export interface Options {
  /** Smaller settings, for a smoke test. */
  quick: boolean;
  /** Independent seeds per setting (each experiment has its own default when null). */
  seeds: number | null;
  /** Write into the docs' folders instead of experiments/output/. */
  updateDocs: boolean;
}

const OUTPUT = new URL("./output/", import.meta.url).pathname;
let imgDir = `${OUTPUT}img/`;
let resultsDir = `${OUTPUT}results/`;

/** Where this invocation writes (call once, before any experiment runs). */
export function configure(options: Options): void {
  if (options.updateDocs) {
    imgDir = new URL("../docs/img/experiments/", import.meta.url).pathname;
    resultsDir = new URL("./results/", import.meta.url).pathname;
  }
  // A fresh clone has no experiments/output/ (it is untracked).
  for (const dir of [imgDir, resultsDir, RUNS_DIR]) mkdirSync(dir, { recursive: true });
}

/** Run directories of long trainings (resumable; always under experiments/output/). */
export const RUNS_DIR = `${OUTPUT}runs/`;

/** Seeds to use: the option, or the experiment's default (smaller when quick). */
export function seedsOf(options: Options, full: number, quick: number): number {
  return options.seeds ?? (options.quick ? quick : full);
}

/** Write a picture as PNG (white background). Returns its path. */
export function savePicture(name: string, svg: string): string {
  const path = `${imgDir}${name}.png`;
  writeFileAtomic(path, svgToPng(svg, { background: "#ffffff" }));
  return path;
}

export async function saveChart(name: string, spec: VegaLiteSpec): Promise<string> {
  return savePicture(name, await vegaLiteToSvg(spec));
}

/**
 * Exact regions in a square around points against optimisation steps (log scale): a band of
 * mean ± s.e. and a line for each `where`, a column for each `setting`; with `perSeed` each seed
 * drawn apart. `values`: { setting, step, where, value, low, high[, seed] }.
 */
export function regionsBandBySetting(title: string, values: object[], perSeed: boolean): VegaLiteSpec {
  const x = { field: "step", type: "quantitative", scale: { type: "log" }, title: "optimisation steps (log scale)" };
  const color = { field: "where", type: "nominal", title: null };
  const seed = perSeed ? { detail: { field: "seed", type: "nominal" } } : {};
  return {
    title,
    data: { values },
    facet: { column: { field: "setting", type: "nominal", title: null } },
    spec: {
      width: 320,
      height: 220,
      layer: [
        {
          mark: { type: "errorband", opacity: 0.25 },
          encoding: { x, y: { field: "low", type: "quantitative", title: "regions in the square", scale: { zero: false } }, y2: { field: "high" }, color, ...seed },
        },
        { mark: { type: "line", point: true }, encoding: { x, y: { field: "value", type: "quantitative" }, color, ...seed } },
      ],
    },
  } as never;
}

/** The results this invocation would write under `name` (see configure), or null when there are none yet. */
export function loadResults(name: string): unknown {
  const path = `${resultsDir}${name}.json`;
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
}

export function saveResults(name: string, results: unknown): void {
  writeFileAtomic(`${resultsDir}${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
}

export function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** Seconds since `start` (performance.now()). */
export const since = (start: number): string => ((performance.now() - start) / 1000).toFixed(1);

/**
 * Pearson correlation of two equal-length sequences. A sequence that is constant up to rounding
 * (relative spread below 1e-9: the gradient of an affine function) counts as perfectly
 * correlated, 1, instead of the correlation of its rounding noise.
 */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  const flat = (ss: number, m: number): boolean => Math.sqrt(ss / n) <= 1e-9 * Math.abs(m);
  if (flat(saa, ma) || flat(sbb, mb)) return 1;
  return sab / Math.sqrt(saa * sbb);
}

/** Mean and standard error of the mean (sample standard deviation / sqrt(n); 0 for one value). */
export function meanSe(values: readonly number[]): { mean: number; se: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, se: 0, n };
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, se: sd / Math.sqrt(n), n };
}

/** "12.3 ± 0.4" (mean ± standard error), with `digits` decimals. */
export function pm(values: readonly number[], digits = 2): string {
  const { mean, se, n } = meanSe(values);
  return n > 1 ? `${mean.toFixed(digits)} ± ${se.toFixed(digits)}` : mean.toFixed(digits);
}
