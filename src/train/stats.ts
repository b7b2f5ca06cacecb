/** Summary statistics for tracked quantities (mean and spread over lines, planes, points). */

export interface Summary {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  median: number;
  q10: number;
  q90: number;
}

/** Mean, standard deviation (population) and quantiles of the finite values. */
export function summarize(values: ArrayLike<number>): Summary {
  const v = Array.from(values)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  const n = v.length;
  if (n === 0)
    return {
      count: 0,
      mean: Number.NaN,
      std: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      median: Number.NaN,
      q10: Number.NaN,
      q90: Number.NaN,
    };
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  return {
    count: n,
    mean,
    std: Math.sqrt(variance),
    min: v[0],
    max: v[n - 1],
    median: quantile(v, 0.5),
    q10: quantile(v, 0.1),
    q90: quantile(v, 0.9),
  };
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
