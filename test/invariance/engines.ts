/**
 * Every exact engine as the invariance tests see it: the partition counts of a box [lo, hi]^n0
 * for the input size it serves. A new engine joins every invariance test with one line here.
 */
import type { Compiled } from "../../src/model/forward.ts";
import { linePartition } from "../../src/regions/line.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { wholePartition } from "../../src/regions/whole.ts";

export interface Counts {
  activationRegions: number;
  linearPieces: number;
}

export interface BoxEngine {
  name: string;
  /** The input size of the networks it is tested on. */
  inputSize: number;
  /** How many random networks each property tries (the slower engines fewer). */
  runs: number;
  count(compiled: Compiled, lo: number, hi: number): Counts;
  /** Properties known to fail, with why (run as `todo`: reported, not failing the suite). */
  knownFailures?: Partial<Record<Property, string>>;
}

export type Property = "unit scaling" | "domain scaling";

export const engines: readonly BoxEngine[] = [
  {
    name: "line",
    inputSize: 1,
    runs: 100,
    count: (c, lo, hi) => linePartition(c, Float64Array.of(lo, hi)),
  },
  {
    name: "plane",
    inputSize: 2,
    runs: 80,
    count: (c, lo, hi) => {
      const { slice, domain } = boxSlice(lo, hi);
      return planePartition(c, slice, { domain });
    },
  },
  { name: "space", inputSize: 3, runs: 50, count: (c, lo, hi) => spacePartition(c, { box: [lo, hi], complex: false }) },
  {
    name: "whole",
    inputSize: 4,
    runs: 20,
    count: (c, lo, hi) => wholePartition(c, { box: [lo, hi], points: false }),
  },
];

/** Only what the properties compare. */
export function counts(engine: BoxEngine, compiled: Compiled, lo: number, hi: number): Counts {
  const { activationRegions, linearPieces } = engine.count(compiled, lo, hi);
  return { activationRegions, linearPieces };
}
