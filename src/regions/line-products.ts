/**
 * A piece's map after a piecewise step with fixed states (line.ts stateMap): the product with the
 * fused dense step where the line kernel does not make it (denseAfterStates), and the rank-one
 * update where one unit's state changes between sub-pieces (rankOne), with its rounding.
 */
import { denseAfterElementwise2, denseColumns2, transposedWeights } from "../model/dense-kernel.ts";
import { type AffineStep, type PiecewiseStep, unitCount } from "../model/steps.ts";
import type { LineKernel } from "./line-kernel.ts";
import { columnMaxima, SATURATED as SATURATED_BOUND, saturate as saturateBounds, EPS as UNIT_ROUNDOFF } from "./map-error.ts";

// Module-local copies (some loaders, tsx, turn every read of an imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;
const SATURATED = SATURATED_BOUND;
const saturate = saturateBounds;

export class PieceProducts {
  /** Of the last rank-one update (rankOne): its unit's change d0, d1 and the rounding it added to the map's bound. */
  lastD0 = 0;
  lastD1 = 0;
  lastR0 = 0;
  lastR1 = 0;
  /** Per step: the largest |W_ij| of each column j of its fused dense step. */
  private readonly columnMaxima: Float64Array[];

  /** `localErr`: the engine's local bounds (line-carry.ts), which a rank-one update's rounding adds to. */
  constructor(
    fused: (AffineStep | null)[],
    private readonly kernel: LineKernel,
    private readonly localErr: Float64Array,
  ) {
    this.columnMaxima = fused.map((d) => (d === null ? new Float64Array(0) : columnMaxima(d)));
  }

  private readonly largest = new Float64Array(2);
  private gather = { active: new Int32Array(256), x0: new Float64Array(256), x1: new Float64Array(256) };

  /**
   * out = next(step(z) with fixed states): non-zero outputs gathered, then one register-blocked
   * product (dense-kernel.ts). Returns the largest |output| per channel of the step.
   * After an elementwise step, gather and product run in WebAssembly where it is available.
   */
  denseAfterStates(step: PiecewiseStep, states: Uint8Array, z: Float64Array, next: AffineStep, out: Float64Array): Float64Array {
    const largest = this.largest;
    const WT = transposedWeights(next);
    if (step.kind === "elementwise" && denseAfterElementwise2(WT, next.outSize, next.bias, z, step.size, states, step.slopes, step.intercepts, out, largest)) return largest;
    largest.fill(0);
    const units = unitCount(step);
    if (this.gather.active.length < units) this.gather = { active: new Int32Array(units), x0: new Float64Array(units), x1: new Float64Array(units) };
    const { active, x0: g0, x1: g1 } = this.gather;
    let count = 0;
    for (let j = 0; j < units; j++) {
      const o = this.unitOutput(step, z, j, states[j]);
      const x0 = o[0];
      const x1 = o[1];
      if (x0 === 0 && x1 === 0) continue;
      largest[0] = Math.max(largest[0], Math.abs(x0));
      largest[1] = Math.max(largest[1], Math.abs(x1));
      active[count] = j;
      g0[count] = x0;
      g1[count] = x1;
      count++;
    }
    denseColumns2(WT, next.outSize, next.bias, active, count, g0, g1, out);
    return largest;
  }

  /** map(s) += W[:, j] (output_j in state `to` - in state `from`); err grows by the update's error. */
  rankOne(s: number, step: PiecewiseStep, next: AffineStep, z: Float64Array, j: number, from: number, to: number, err: Float64Array): void {
    // unitOutput fills one shared pair: read it before the next call.
    let o = this.unitOutput(step, z, j, to);
    const a0 = o[0];
    const a1 = o[1];
    o = this.unitOutput(step, z, j, from);
    const d0 = a0 - o[0];
    const d1 = a1 - o[1];
    const big = this.kernel.rankOne(s, next, j, d0, d1);
    const wMax = this.columnMaxima[s][j];
    // Local rounding of the update, accumulated along the segment.
    const r0 = 4 * EPS * (big[0] + wMax * Math.abs(d0));
    const r1 = 4 * EPS * (big[1] + wMax * Math.abs(d1));
    err[0] += r0;
    err[1] += r1;
    this.localErr[2 * s] += r0;
    this.localErr[2 * s + 1] += r1;
    if (!(err[0] < SATURATED && err[1] < SATURATED)) saturate(err, 2);
    this.lastD0 = d0;
    this.lastD1 = d1;
    this.lastR0 = r0;
    this.lastR1 = r1;
  }

  private readonly pair: [number, number] = [0, 0];

  /** Output map (value, slope) of unit j of a piecewise step in a given state. */
  private unitOutput(step: PiecewiseStep, z: Float64Array, j: number, state: number): [number, number] {
    if (step.kind === "elementwise") {
      const n = step.size;
      const slope = step.slopes[state];
      this.pair[0] = slope * z[j] + step.intercepts[state];
      this.pair[1] = slope * z[n + j];
    } else {
      const n = step.inSize;
      const i = step.indices[step.offsets[j] + state];
      this.pair[0] = z[i];
      this.pair[1] = z[n + i];
    }
    return this.pair;
  }
}

/** The largest |slope| of an elementwise step's units in their states on the piece (max groups: 1). */
export function slopeOnPiece(step: PiecewiseStep, states: Uint8Array): number {
  if (step.kind !== "elementwise") return 1;
  let m = 0;
  for (let j = 0; j < step.size; j++) m = Math.max(m, Math.abs(step.slopes[states[j]]));
  return m;
}
