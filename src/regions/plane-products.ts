/**
 * A piece's map after a piecewise step with fixed states (the plane engine's walk of a cut's
 * pieces, plane.ts advance): the product with the fused dense step in full (denseAfterStates),
 * and the rank-one update where one unit's state changes between neighbouring pieces (rankOne),
 * with its rounding.
 */
import { denseAfterElementwise, denseColumns3, transposedWeights } from "../model/dense-kernel.ts";
import { type AffineStep, type PiecewiseStep, unitCount } from "../model/steps.ts";
import { EPS as UNIT_ROUNDOFF } from "./map-error.ts";

// A module-local copy (some loaders, tsx, turn every read of an imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;

export class PieceProducts {
  private readonly largest = new Float64Array(3);
  private gather = { active: new Int32Array(256), x0: new Float64Array(256), x1: new Float64Array(256), x2: new Float64Array(256) };

  /**
   * maps[0 .. mapSize) = next(step(z) with fixed states): the step's non-zero outputs (relu off
   * units drop out) are gathered, then one register-blocked product (dense-kernel.ts; after an
   * elementwise step both run in WebAssembly where it is available).
   * Returns the largest |coefficient| per channel of the step's outputs (for error bounds).
   */
  denseAfterStates(step: PiecewiseStep, states: Uint8Array, z: Float64Array, next: AffineStep, maps: Float64Array): Float64Array {
    const largest = this.largest;
    if (step.kind === "elementwise") {
      const WT = transposedWeights(next);
      if (denseAfterElementwise(WT, next.outSize, next.bias, z, step.size, states, step.slopes, step.intercepts, maps, largest)) return largest;
    }
    const units = unitCount(step);
    if (this.gather.active.length < units) {
      this.gather = { active: new Int32Array(units), x0: new Float64Array(units), x1: new Float64Array(units), x2: new Float64Array(units) };
    }
    const { active, x0: g0, x1: g1, x2: g2 } = this.gather;
    // Every unit is written at `count`, which then moves past it unless its outputs are all
    // zero (relu off): no branch on the states, which would be mispredicted half the time.
    // A skipped unit's zeros leave the maxima as they are.
    let count = 0;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    for (let j = 0; j < units; j++) {
      let x0: number;
      let x1: number;
      let x2: number;
      if (step.kind === "elementwise") {
        const n = step.size;
        const st = states[j];
        const slope = step.slopes[st];
        x0 = slope * z[j] + step.intercepts[st];
        x1 = slope * z[n + j];
        x2 = slope * z[2 * n + j];
      } else {
        const n = step.inSize;
        const i = step.indices[step.offsets[j] + states[j]];
        x0 = z[i];
        x1 = z[n + i];
        x2 = z[2 * n + i];
      }
      l0 = Math.max(l0, Math.abs(x0));
      l1 = Math.max(l1, Math.abs(x1));
      l2 = Math.max(l2, Math.abs(x2));
      active[count] = j;
      g0[count] = x0;
      g1[count] = x1;
      g2[count] = x2;
      count += +(x0 !== 0) | +(x1 !== 0) | +(x2 !== 0);
    }
    largest[0] = l0;
    largest[1] = l1;
    largest[2] = l2;
    denseColumns3(transposedWeights(next), next.outSize, next.bias, active, count, g0, g1, g2, maps);
    return largest;
  }

  /**
   * map += W[:, j] * (output_j in state `to` - output_j in state `from`), and err (one bound per
   * channel) grows by the update's own rounding. colMax[j] = max_i |W[i, j]|.
   */
  rankOne(
    step: PiecewiseStep,
    WT: Float64Array,
    colMax: Float64Array,
    outSize: number,
    z: Float64Array,
    j: number,
    from: number,
    to: number,
    map: Float64Array,
    err: Float64Array,
  ): void {
    let d0: number;
    let d1: number;
    let d2: number;
    if (step.kind === "elementwise") {
      const n = step.size;
      const ds = step.slopes[to] - step.slopes[from];
      d0 = ds * z[j] + step.intercepts[to] - step.intercepts[from];
      d1 = ds * z[n + j];
      d2 = ds * z[2 * n + j];
    } else {
      const n = step.inSize;
      const a = step.indices[step.offsets[j] + to];
      const b = step.indices[step.offsets[j] + from];
      d0 = z[a] - z[b];
      d1 = z[n + a] - z[n + b];
      d2 = z[2 * n + a] - z[2 * n + b];
    }
    const col = j * outSize;
    let big0 = 0;
    let big1 = 0;
    let big2 = 0;
    for (let i = 0; i < outSize; i++) {
      const w = WT[col + i];
      const m0 = map[i] + w * d0;
      const m1 = map[outSize + i] + w * d1;
      const m2 = map[2 * outSize + i] + w * d2;
      map[i] = m0;
      map[outSize + i] = m1;
      map[2 * outSize + i] = m2;
      big0 = Math.max(big0, Math.abs(m0));
      big1 = Math.max(big1, Math.abs(m1));
      big2 = Math.max(big2, Math.abs(m2));
    }
    const wMax = colMax[j];
    // Local rounding of the update (the difference d and the product), accumulated along the walk.
    err[0] = err[0] + 4 * EPS * (big0 + wMax * Math.abs(d0));
    err[1] = err[1] + 4 * EPS * (big1 + wMax * Math.abs(d1));
    err[2] = err[2] + 4 * EPS * (big2 + wMax * Math.abs(d2));
  }
}
