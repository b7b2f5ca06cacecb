/**
 * The exact input map of a plane engine's piecewise step on the current cell, from the slice's
 * exact map (its doubles plus the rounding of its directions, PlaneSlice.rounding) through every
 * step with the cell's states: every weight, bias, slope and intercept is a dyadic rational, so
 * the map is too (BigInt, integers times one power of two). For the decisions float64 cannot
 * make at all: a unit whose computed map is within its bound of zero on a whole cell (the cell
 * along its line, as near as doubles go), where the line computed from the computed predecessor
 * is only that predecessor's rounding, not the unit's line (docs/numerics.md). Nothing here runs
 * otherwise.
 */
import type { Step } from "../model/steps.ts";
import { applyStackExact, type Dyadic, dyadicOf, explicitWeight, lift } from "./exact-maps.ts";

const C = 3;

/** The slice map (3 channels x n0: origin, e1, e2) plus its rounding (same layout, or null), exactly. */
export function exactSliceMap(map: Float64Array, low: Float64Array | null): Dyadic {
  if (low === null) return dyadicOf(map);
  const both = dyadicOf([...map, ...low]);
  const n = map.length;
  return { e: both.e, v: both.v.slice(0, n).map((x, i) => x + both.v[n + i]) };
}

/**
 * Step s's input on the cell whose states `stateOf(k, unit)` gives for every piecewise step k < s,
 * from the exact slice map `start`.
 */
export function exactPlaneInput(steps: readonly Step[], s: number, start: Dyadic, stateOf: (k: number, unit: number) => number): Dyadic {
  let z = start;
  let stack: Dyadic[] = [];
  for (let k = 0; k < s; k++) {
    const step = steps[k];
    if (step.kind === "affine") {
      const w = dyadicOf(explicitWeight(step));
      const b = dyadicOf(step.bias);
      const n = step.inSize;
      const m = step.outSize;
      const e = Math.min(z.e + w.e, b.e);
      const v: bigint[] = new Array(C * m).fill(0n);
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < m; i++) {
          let sum = 0n;
          for (let j = 0; j < n; j++) {
            const wij = w.v[i * n + j];
            if (wij !== 0n) sum += wij * z.v[c * n + j];
          }
          v[c * m + i] = lift(sum, z.e + w.e, e) + (c === 0 ? lift(b.v[i], b.e, e) : 0n);
        }
      }
      z = { e, v };
    } else if (step.kind === "max") {
      const n = step.inSize;
      const m = step.outSize;
      const v: bigint[] = new Array(C * m);
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + stateOf(k, j)];
        for (let c = 0; c < C; c++) v[c * m + j] = z.v[c * n + i];
      }
      z = { e: z.e, v };
    } else if (step.kind === "elementwise") {
      const slope = dyadicOf(step.slopes);
      const intercept = dyadicOf(step.intercepts);
      const n = step.size;
      const e = Math.min(z.e + slope.e, intercept.e);
      const v: bigint[] = new Array(C * n);
      for (let j = 0; j < n; j++) {
        const st = stateOf(k, j);
        const a = slope.v[st];
        v[j] = lift(a * z.v[j], z.e + slope.e, e) + lift(intercept.v[st], intercept.e, e);
        for (let c = 1; c < C; c++) v[c * n + j] = lift(a * z.v[c * n + j], z.e + slope.e, e);
      }
      z = { e, v };
    } else ({ z, stack } = applyStackExact(step, z, stack, C));
  }
  return z;
}
