/**
 * 1D regression targets on [-1, 1] (Qi et al. 2023 ask for the smallest network that expresses
 * each): sine, sawtooth, steps and a sum of sines. Inputs are an even grid (a regression target
 * is a function, so a grid shows it fully); `noise` adds Gaussian noise to the targets.
 */
import { createRandom } from "../../model/random.ts";
import { type Dataset, regressionSet } from "./dataset.ts";

export const TARGETS_1D = ["sine", "sawtooth", "steps", "sines"] as const;
export type Target1d = (typeof TARGETS_1D)[number];

export interface Target1dOptions {
  count?: number;
  noise?: number;
  seed?: number;
  /** Periods (sine, sawtooth teeth) or jumps (steps) across [-1, 1]. */
  frequency?: number;
}

/** The noiseless target function. */
export function target1d(kind: Target1d, frequency = 2): (x: number) => number {
  switch (kind) {
    case "sine":
      return (x) => Math.sin(Math.PI * frequency * x);
    case "sawtooth":
      // A triangle wave with `frequency` teeth on [-1, 1]: continuous and piecewise linear with
      // 2 * frequency pieces (2 * frequency - 1 kinks), so a one-hidden-layer relu network with
      // 2 * frequency units expresses it exactly (one unit per kink, one for the first slope).
      return (x) => {
        const s = (((x + 1) / 2) * frequency) % 1;
        return 2 * Math.abs(s - 0.5) - 0.5;
      };
    case "steps":
      // `frequency` + 1 flat levels between -1 and 1.
      return (x) => -1 + (2 * Math.min(frequency, Math.floor(((x + 1) / 2) * (frequency + 1)))) / frequency;
    case "sines":
      return (x) => 0.6 * Math.sin(Math.PI * x) + 0.3 * Math.sin(3 * Math.PI * frequency * x) + 0.15 * Math.sin(7 * Math.PI * x + 1);
  }
}

export function regression1d(kind: Target1d, options: Target1dOptions = {}): Dataset {
  const count = options.count ?? 256;
  const noise = options.noise ?? 0;
  if (!Number.isInteger(count) || count < 2) throw new Error(`${kind}: count must be an integer of at least 2, got ${count}`);
  const f = target1d(kind, options.frequency ?? 2);
  const rng = createRandom(options.seed ?? 0);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = -1 + (2 * i) / (count - 1);
    y[i] = f(x[i]) + (noise > 0 ? noise * rng.normal() : 0);
  }
  return regressionSet(kind, x, 1, y, 1);
}
