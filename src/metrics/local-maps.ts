/**
 * The affine maps of every unit's breakpoint functions in the region of one point: value and
 * gradient (with respect to the input) of each breakpoint function z_i(x) - t or z_p(x) - z_q(x).
 * Inside the point's activation region these are exact, and the region is the polytope where
 * each keeps its sign, so they give the exact distance to the region's boundary.
 *
 * Cost: one forward pass of n0 + 1 channels (the point and the n0 input directions).
 */
import { applyStates, type Compiled, pushAffine, unitState } from "../model/forward.ts";
import { applyStack, unitCount } from "../model/steps.ts";

export interface LocalBreakpoints {
  /** Number of breakpoint functions (one per unit and breakpoint, or per competing pair). */
  count: number;
  /** Value of each at the point. */
  values: Float64Array;
  /** Euclidean norm of each gradient. */
  gradNorms: Float64Array;
  /** Gradients, count x n0 row-major. */
  gradients: Float64Array;
  /** Which unit (global index, in pattern order) each comes from. */
  unitOf: Int32Array;
  /** Number of piecewise-linear units. */
  units: number;
}

export function localBreakpoints(compiled: Compiled, x: ArrayLike<number>): LocalBreakpoints {
  const n0 = compiled.inputSize;
  if (x.length !== n0) throw new Error(`point has ${x.length} numbers, the network expects ${n0}`);
  const C = n0 + 1;
  let map: Float64Array = new Float64Array(C * n0);
  for (let d = 0; d < n0; d++) {
    map[d] = x[d];
    map[(d + 1) * n0 + d] = 1;
  }
  const values: number[] = [];
  const grads: number[] = [];
  const unitOf: number[] = [];
  const stack: Float64Array[] = [];
  let unitBase = 0;
  const record = (unit: number, v: number, grad: (d: number) => number): void => {
    values.push(v);
    for (let d = 0; d < n0; d++) grads.push(grad(d));
    unitOf.push(unit);
  };
  for (const step of compiled.steps) {
    if (step.kind === "affine") {
      const next = new Float64Array(C * step.outSize);
      pushAffine(step, map, next, C);
      map = next;
    } else if (step.kind === "elementwise" || step.kind === "max") {
      const units = unitCount(step);
      const n = step.kind === "elementwise" ? step.size : step.inSize;
      const states = new Uint8Array(units);
      for (let j = 0; j < units; j++) {
        states[j] = unitState(step, map, 0, j);
        if (step.kind === "elementwise") {
          for (const t of step.breakpoints) record(unitBase + j, map[j] - t, (d) => map[(d + 1) * n + j]);
        } else {
          const start = step.offsets[j];
          const ip = step.indices[start + states[j]];
          for (let q = start; q < step.offsets[j + 1]; q++) {
            const iq = step.indices[q];
            if (iq !== ip) record(unitBase + j, map[ip] - map[iq], (d) => map[(d + 1) * n + ip] - map[(d + 1) * n + iq]);
          }
        }
      }
      const next = new Float64Array(C * units);
      applyStates(step, states, map, next, C);
      map = next;
      unitBase += units;
    } else {
      map = applyStack(step, map, stack, C);
    }
  }
  const count = values.length;
  const gradients = Float64Array.from(grads);
  const gradNorms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let d = 0; d < n0; d++) s += gradients[i * n0 + d] ** 2;
    gradNorms[i] = Math.sqrt(s);
  }
  return {
    count,
    values: Float64Array.from(values),
    gradNorms,
    gradients,
    unitOf: Int32Array.from(unitOf),
    units: unitBase,
  };
}
