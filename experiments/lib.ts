/** Shared helpers of the experiment scripts: where pictures and results go, and a timer. */
import { writeFileAtomic } from "../src/io/files.ts";
import { svgToPng } from "../src/report/png.ts";
import { type VegaLiteSpec, vegaLiteToSvg } from "../src/report/vega-svg.ts";

export const IMG_DIR = new URL("../docs/img/experiments/", import.meta.url).pathname;
export const RESULTS_DIR = new URL("./results/", import.meta.url).pathname;

/** Write a picture as PNG (white background) under docs/img/experiments/. Returns its path. */
export function savePicture(name: string, svg: string): string {
  const path = `${IMG_DIR}${name}.png`;
  writeFileAtomic(path, svgToPng(svg, { background: "#ffffff" }));
  return path;
}

export async function saveChart(name: string, spec: VegaLiteSpec): Promise<string> {
  return savePicture(name, await vegaLiteToSvg(spec));
}

export function saveResults(name: string, results: unknown): void {
  writeFileAtomic(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
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
