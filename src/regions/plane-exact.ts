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

/** Steps' weights and biases as dyadic vectors, made once per step. */
const denseOf = new WeakMap<Step, { w: Dyadic; b: Dyadic }>();

/** A step's exact input kept with the states of the piecewise steps before it. */
interface Entry {
  z: Dyadic;
  stack: Dyadic[];
  states: (Uint8Array | undefined)[];
}

/**
 * Steps' exact inputs on the engine's current cell, kept per step and computed again only from
 * the deepest one whose earlier states are still the cell's (cells come depth-first, so
 * neighbours share most of them): the plane engine's exact tests run on many thin cells of one
 * network, and each would otherwise walk every step in BigInt.
 */
export class ExactPlaneMaps {
  private readonly entries: (Entry | undefined)[] = [];

  constructor(
    private readonly steps: readonly Step[],
    private readonly start: () => Dyadic,
    private readonly stateOf: (k: number, unit: number) => number,
    private readonly unitsOf: (k: number) => number,
  ) {}

  /** Step s's input on the current cell. */
  input(s: number): Dyadic {
    let from = 0;
    for (let k = s; k > 0 && from === 0; k--) {
      const entry = this.entries[k];
      if (entry !== undefined && this.valid(entry, k)) from = k;
    }
    let entry = this.entries[from];
    if (entry === undefined) {
      entry = { z: this.start(), stack: [], states: [] };
      this.entries[0] = entry;
    }
    let { z, stack, states } = entry;
    for (let k = from; k < s; k++) {
      const step = this.steps[k];
      if (step.kind === "elementwise" || step.kind === "max") {
        const now = new Uint8Array(this.unitsOf(k));
        for (let j = 0; j < now.length; j++) now[j] = this.stateOf(k, j);
        states = states.slice();
        states[k] = now;
      }
      const next = exactStep(step, k, z, stack, this.stateOf);
      z = next.z;
      stack = next.stack;
      this.entries[k + 1] = { z, stack, states };
    }
    return z;
  }

  private valid(entry: Entry, k: number): boolean {
    for (let q = 0; q < k; q++) {
      const kept = entry.states[q];
      if (kept === undefined) continue;
      for (let j = 0; j < kept.length; j++) if (kept[j] !== this.stateOf(q, j)) return false;
    }
    return true;
  }
}

/** One step on an exact map (3 channels), with the states of step k when it is piecewise. */
function exactStep(step: Step, k: number, z: Dyadic, stack: Dyadic[], stateOf: (k: number, unit: number) => number): { z: Dyadic; stack: Dyadic[] } {
  if (step.kind === "affine") {
    let d = denseOf.get(step);
    if (d === undefined) {
      d = { w: dyadicOf(explicitWeight(step)), b: dyadicOf(step.bias) };
      denseOf.set(step, d);
    }
    const { w, b } = d;
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
    return { z: { e, v }, stack };
  } else if (step.kind === "max") {
    const n = step.inSize;
    const m = step.outSize;
    const v: bigint[] = new Array(C * m);
    for (let j = 0; j < m; j++) {
      const i = step.indices[step.offsets[j] + stateOf(k, j)];
      for (let c = 0; c < C; c++) v[c * m + j] = z.v[c * n + i];
    }
    return { z: { e: z.e, v }, stack };
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
    return { z: { e, v }, stack };
  }
  return applyStackExact(step, z, stack, C);
}
