/**
 * The hinges of a network: one per (unit, breakpoint) of its elementwise piecewise-linear steps.
 *
 * A continuous scalar piecewise-linear function phi with breakpoints t_0 < ... < t_{m-1} and
 * slopes p_0, ..., p_m, frozen to its piece s (the affine extension phi_s of the piece between
 * t_{s-1} and t_s), differs from itself by a sum of rectified affine terms:
 *
 *   phi(z) - phi_s(z) = sum_k (p_{k+1} - p_k) * relu(-sigma_k (z - t_k)),
 *   sigma_k = +1 when breakpoint k lies below the piece (s > k), else -1.
 *
 * For relu (one breakpoint at 0, kink 1) this is relu(-sigma z) with sigma = 2s - 1, the form
 * of An et al.'s construction; leaky relu, abs, prelu and hard-tanh come for free. Max steps
 * (maxout, max-pool, max over branches) have no such decomposition and are rejected.
 */
import type { Compiled } from "../model/forward.ts";

/** The network has a step the deep-to-shallow construction does not cover. */
export class UnsupportedNetworkError extends Error {
  override name = "UnsupportedNetworkError";
}

export interface Hinges {
  /** Number of hinges H. */
  count: number;
  /** Number of elementwise units U (a unit has one hinge per breakpoint). */
  units: number;
  /** Per compiled step: flat index of its first elementwise unit, -1 for other steps. */
  stepFirstUnit: Int32Array;
  /** Per hinge: its unit's flat index (units in step order, which is topological order). */
  unit: Int32Array;
  /** Per hinge: which breakpoint of its unit (0-based), its position t and its kink p_{k+1} - p_k. */
  breakpoint: Int32Array;
  position: Float64Array;
  kink: Float64Array;
}

export function hingesOf(compiled: Compiled): Hinges {
  const stepFirstUnit = new Int32Array(compiled.steps.length).fill(-1);
  const unit: number[] = [];
  const breakpoint: number[] = [];
  const position: number[] = [];
  const kink: number[] = [];
  let units = 0;
  compiled.steps.forEach((step, s) => {
    if (step.kind === "max") {
      throw new UnsupportedNetworkError(
        `step "${step.label}" takes a maximum (maxout, max-pool or max over branches); the deep-to-shallow construction covers elementwise units (relu, leaky-relu, prelu, abs, hard-tanh)`,
      );
    }
    if (step.kind !== "elementwise") return;
    assertContinuous(step.label, step.breakpoints, step.slopes, step.intercepts);
    stepFirstUnit[s] = units;
    for (let j = 0; j < step.size; j++) {
      for (let k = 0; k < step.breakpoints.length; k++) {
        unit.push(units + j);
        breakpoint.push(k);
        position.push(step.breakpoints[k]);
        kink.push(step.slopes[k + 1] - step.slopes[k]);
      }
    }
    units += step.size;
  });
  return {
    count: unit.length,
    units,
    stepFirstUnit,
    unit: Int32Array.from(unit),
    breakpoint: Int32Array.from(breakpoint),
    position: Float64Array.from(position),
    kink: Float64Array.from(kink),
  };
}

/** The decomposition needs phi continuous: neighbouring pieces meet at each breakpoint. */
function assertContinuous(label: string, t: Float64Array, slopes: Float64Array, intercepts: Float64Array): void {
  for (let k = 0; k < t.length; k++) {
    const left = slopes[k] * t[k] + intercepts[k];
    const right = slopes[k + 1] * t[k] + intercepts[k + 1];
    if (Math.abs(left - right) > 1e-12 * Math.max(1, Math.abs(left), Math.abs(right))) {
      throw new UnsupportedNetworkError(`step "${label}" jumps at its breakpoint ${t[k]}; the construction needs continuous units`);
    }
  }
}
