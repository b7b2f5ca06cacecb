/** Timing helpers for benchmarks: medians of repeated runs, measured in one process. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Run fn `runs` times after one warm-up; seconds. */
export function time(fn: () => void, runs = 5): Timing {
  fn();
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    t.push((performance.now() - start) / 1000);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], min: t[0], max: t[t.length - 1], runs };
}

export const fmt = (x: number, digits = 3): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(digits));

/** A Markdown table from a header and rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}
