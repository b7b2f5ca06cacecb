/**
 * The bounds a piece's map carries from the layers above (docs/numerics.md, "Bounds relative to the
 * exact map"): per piecewise step s, its map's (after its fused dense step) local bound, its own
 * rounding and its rank-one updates', and its carried one, what its input's global bound becomes
 * through the dense step, per channel or per unit (carry, carryCrossing). The line engine (line.ts)
 * keeps one and reads its arrays; anchor there measures a carried bound again.
 */
import { transposedWeights } from "../model/dense-kernel.ts";
import { perObject } from "../model/per-object.ts";
import { type AffineStep, type PiecewiseStep, type Step, unitCount } from "../model/steps.ts";
import { largestSlope, normInfOf, SATURATED as SATURATED_BOUND, saturate as saturateBounds, EPS as UNIT_ROUNDOFF } from "./map-error.ts";

// Module-local copies of what the per-piece code reads from map-error.ts: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const EPS = UNIT_ROUNDOFF;
const SATURATED = SATURATED_BOUND;
const saturate = saturateBounds;

/**
 * When a step's carried bound is kept per unit (carry): where the state-blind one (|W|_inf times
 * the largest |slope| times the input's bound), times the state-blind factors of the fused steps
 * below (what it would grow to by the output), exceeds this many times the step's own rounding,
 * or wherever its input's is per unit or saturated. Elsewhere the per-unit product (one more
 * product of the map's shape, in JavaScript) would cost more than the decisions it could save: a
 * network of 4 layers of 128 never reaches it (1,000 segments), a He network of width 8 and
 * depth 120 from its first layers.
 */
const TRACK = 2 ** 20;
/** The smallest subnormal: what a product of non-negative doubles that underflows can lose. */
const SUBNORMAL = 2 ** -1074;

/** |W| of a dense step, transposed as the kernels keep W (column j at j m), computed once per step. */
const absoluteTransposed = perObject((step: AffineStep): Float64Array => Float64Array.from(transposedWeights(step), Math.abs));
/** |W| of a dense step, row-major as the step keeps W (output i's row at i n): carry reads it by rows. */
const absoluteRows = perObject((step: AffineStep): Float64Array => Float64Array.from(step.weight as Float64Array, Math.abs));

/** carryFlags' bits: the carried bound is kept per unit (carriedVec). */
export const PER_UNIT = 1;
/** Measured against the exact map since the map last changed (anchor: no second measure). */
export const ANCHORED = 2;
/** carriedVec measured (anchor), not carry's sum. */
export const MEASURED = 4;
/** The adjoint bound measured since the map last changed (anchor: the exact distance next). */
export const ADJOINT = 8;

/**
 * Per step s, the product of the state-blind carry factors (|W|_inf times the largest |slope|,
 * widened as carry's) of the piecewise steps after s fused with a dense step: how much a
 * state-blind carried bound would still grow by the output (TRACK). Once per network.
 */
const growthBelowOf = perObject((steps: Step[]): Float64Array => {
  const growth = new Float64Array(steps.length).fill(1);
  const factor = (s: number): number => {
    const step = steps[s];
    const dense = steps[s + 1];
    if ((step.kind !== "elementwise" && step.kind !== "max") || dense === undefined || dense.kind !== "affine" || dense.weight === null) return 1;
    return normInfOf(dense) * largestSlope(step) * (1 + (dense.inSize + 16) * EPS);
  };
  for (let s = steps.length - 2; s >= 0; s--) growth[s] = growth[s + 1] * factor(s + 1);
  return growth;
});

export class CarriedBounds {
  /**
   * Global bounds: a piecewise step s's map (after its fused dense step) is within errs[s] of the
   * EXACT map, the sum of its local bound localErr[2 s ..] (its own rounding and its rank-one
   * updates', relative to the computed input) and carriedErr[2 s ..], what its input's global
   * bound becomes through the dense step (|W|_inf times the step's largest |slope| times it).
   * Per-unit bounds (local) add the carried part.
   */
  readonly localErr: Float64Array;
  readonly carriedErr: Float64Array;
  /**
   * Per-unit carried bounds (carry): carriedVec[s][c m + i], output i of step s's fused dense step
   * (m outputs), channel c, where carryFlags[s] has PER_UNIT (else carriedErr's channel value
   * serves every unit); its channel's largest is carriedErr[2 s + c]. Made at a step's first use
   * (an engine per linePartition call: nothing more to allocate where no step keeps one).
   */
  private readonly carriedVec: (Float64Array | undefined)[] = [];
  /** Per step: |W| of its fused dense step, row-major (carry), looked up once. */
  private readonly absRows: (Float64Array | undefined)[] = [];
  /** carry's gathered units and their input bounds per channel, grown as needed. */
  private carryUnits = new Int32Array(0);
  private carryG0 = new Float64Array(0);
  private carryG1 = new Float64Array(0);
  /** Per step: PER_UNIT, ANCHORED, MEASURED, ADJOINT. */
  readonly carryFlags: Uint8Array;
  /** The piecewise step whose fused map is piecewise step s's input (-1: another source, its bound per channel). */
  readonly inputOf: Int32Array;
  /** |W|_inf times the largest |slope| of piecewise step s with its fused dense step, widened (carry). */
  private readonly carryFactors: number[];
  /** The product of carryFactors of the fused steps after s: how much a state-blind bound would still grow (TRACK). */
  private readonly growthBelow: Float64Array;

  /** `fused`: the dense step fused after each step (or null); `norms`: its |W|_inf; `slopeMaxima`: each piecewise step's largest |slope|. */
  constructor(
    steps: Step[],
    private readonly fused: (AffineStep | null)[],
    norms: number[],
    slopeMaxima: number[],
  ) {
    const count = steps.length;
    this.carryFactors = fused.map((d, s) => (d === null ? 0 : norms[s] * slopeMaxima[s] * (1 + (d.inSize + 16) * EPS)));
    this.growthBelow = growthBelowOf(steps);
    this.localErr = new Float64Array(2 * count);
    this.carriedErr = new Float64Array(2 * count);
    this.carryFlags = new Uint8Array(count);
    this.inputOf = new Int32Array(count).fill(-1);
  }
  /**
   * carriedErr of step s's map (and carriedVec, per unit, where kept): how far the exact map is
   * from the computed one's target through the step's input error (docs/numerics.md, "Bounds
   * relative to the exact map"). Both maps have the piece's states D: unit j's output is
   * s_j z_j + c_j in both (s_j, c_j its slope and intercept in its state; a max group's the chosen
   * input's), so the outputs differ by |s_j| times z_j's error, and the dense step's output i by
   * sum_j |W_ij| |s_j| E_j, E_j unit j's input bound: an off relu passes nothing. That sum per
   * unit where the input's is per unit, saturated or large (TRACK); else the state-blind
   * |W|_inf times the largest |slope| times the channel's bound, which is larger and costs nothing.
   */
  carry(s: number, step: PiecewiseStep, states: Uint8Array, zErr: Float64Array): void {
    const k = this.carryFactors[s];
    // A saturated input bound (map-error.ts SATURATED) saturates the output's where a unit passes it on.
    const open = !(zErr[0] < SATURATED && zErr[1] < SATURATED);
    const p = this.inputOf[s];
    const inputPerUnit = p >= 0 && (this.carryFlags[p] & PER_UNIT) !== 0;
    const g = k * this.growthBelow[s];
    if (!open && !inputPerUnit && !(g * zErr[0] > TRACK * this.localErr[2 * s] || g * zErr[1] > TRACK * this.localErr[2 * s + 1])) {
      this.carryFlags[s] = 0;
      this.carriedErr[2 * s] = k * zErr[0];
      this.carriedErr[2 * s + 1] = k * zErr[1];
      return;
    }
    this.carryFlags[s] = PER_UNIT;
    const dense = this.fused[s] as AffineStep;
    const vec = this.vecOf(s);
    let A = this.absRows[s];
    if (A === undefined) {
      A = absoluteRows(dense);
      this.absRows[s] = A;
    }
    const m = dense.outSize;
    const n = unitCount(step);
    // Unit j's input bound E_j: its own, (local + carried) of the map above rounded up, or the channel's.
    const pv = inputPerUnit ? this.vecOf(p) : null;
    const pm = pv === null ? 0 : pv.length / 2;
    const l0 = inputPerUnit ? this.localErr[2 * p] : 0;
    const l1 = inputPerUnit ? this.localErr[2 * p + 1] : 0;
    const up = 1 + 4 * EPS;
    // The units that pass something (|s_j| E_j not 0 in a channel), gathered in order: an off
    // relu's column is never read.
    if (this.carryUnits.length < n) {
      this.carryUnits = new Int32Array(n);
      this.carryG0 = new Float64Array(n);
      this.carryG1 = new Float64Array(n);
    }
    const units = this.carryUnits;
    const G0 = this.carryG0;
    const G1 = this.carryG1;
    let count = 0;
    const elementwise = step.kind === "elementwise";
    const slopes = elementwise ? step.slopes : null;
    const indices = elementwise ? null : step.indices;
    const offsets = elementwise ? null : step.offsets;
    const e0 = zErr[0];
    const e1 = zErr[1];
    for (let j = 0; j < n; j++) {
      let a: number;
      let x: number;
      if (slopes !== null) {
        a = Math.abs(slopes[states[j]]);
        if (a === 0) continue;
        x = j;
      } else {
        a = 1;
        x = (indices as Int32Array)[(offsets as Int32Array)[j] + states[j]];
      }
      const g0 = a * (pv === null ? e0 : (l0 + pv[x]) * up);
      const g1 = a * (pv === null ? e1 : (l1 + pv[pm + x]) * up);
      if (g0 === 0 && g1 === 0) continue;
      // A saturated input bound that this unit passes on (a weight of 0 times it would be NaN below).
      if (!(g0 < SATURATED && g1 < SATURATED)) {
        this.saturateCarried(s);
        return;
      }
      units[count] = j;
      G0[count] = g0;
      G1[count] = g1;
      count++;
    }
    // Output i's sums over the gathered units in increasing j, as a column-by-column sum would
    // add them (the same doubles), kept in registers. Sums of n non-negative products: each rounds
    // by at most (n + 1) roundoffs of the sum, or by 2^-1075 where it underflows; widened as the
    // state-blind factor is.
    const widen = 1 + (n + 16) * EPS;
    const floor = count > 0 ? (n + 2) * SUBNORMAL : 0;
    let big0 = 0;
    let big1 = 0;
    // Two outputs at a time (each unit's bounds read once for both); the last one alone where m is odd.
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const row = i * n;
      const row2 = row + n;
      let s0 = 0;
      let s1 = 0;
      let r0 = 0;
      let r1 = 0;
      for (let t = 0; t < count; t++) {
        const u = units[t];
        const g0 = G0[t];
        const g1 = G1[t];
        const w = A[row + u];
        const x = A[row2 + u];
        s0 += w * g0;
        s1 += w * g1;
        r0 += x * g0;
        r1 += x * g1;
      }
      const v0 = (s0 + floor) * widen;
      const v1 = (s1 + floor) * widen;
      const w0 = (r0 + floor) * widen;
      const w1 = (r1 + floor) * widen;
      vec[i] = v0;
      vec[m + i] = v1;
      vec[i + 1] = w0;
      vec[m + i + 1] = w1;
      if (!(v0 <= big0)) big0 = v0;
      if (!(v1 <= big1)) big1 = v1;
      if (!(w0 <= big0)) big0 = w0;
      if (!(w1 <= big1)) big1 = w1;
    }
    if (i < m) {
      const row = i * n;
      let s0 = 0;
      let s1 = 0;
      for (let t = 0; t < count; t++) {
        const w = A[row + units[t]];
        s0 += w * G0[t];
        s1 += w * G1[t];
      }
      const v0 = (s0 + floor) * widen;
      const v1 = (s1 + floor) * widen;
      vec[i] = v0;
      vec[m + i] = v1;
      if (!(v0 <= big0)) big0 = v0;
      if (!(v1 <= big1)) big1 = v1;
    }
    this.setCarried(s, big0, big1);
  }

  /** Step s's carried channel bounds, the largest of its per-unit ones; past the range (every term is finite here, so no NaN): saturated. */
  private setCarried(s: number, big0: number, big1: number): void {
    if (!(big0 < SATURATED && big1 < SATURATED)) {
      this.saturateCarried(s);
      return;
    }
    this.carriedErr[2 * s] = big0;
    this.carriedErr[2 * s + 1] = big1;
  }

  /** Step s's carried bound saturated (map-error.ts SATURATED): every unit's and the channels'. */
  private saturateCarried(s: number): void {
    this.vecOf(s).fill(SATURATED);
    this.carriedErr[2 * s] = SATURATED;
    this.carriedErr[2 * s + 1] = SATURATED;
  }

  /**
   * Unit j of step s crossed from state `from` to `to` (a rank-one update of the map): carriedVec
   * (per unit) then bounds the new states' sum. Where it is that sum (carry), unit j's term goes
   * from |s_from| E to |s_to| E: the new term is added where it grows (a max group: its new
   * input's), the old one not taken out (no subtraction to round). Where it was measured (anchor),
   * it has no terms: the map moved by column j of W times the unit's change, the exact one's by the
   * same with the exact input, so |W_:j| |s_to - s_from| E is added (a max group: both inputs' E).
   * Each addition rounded up.
   */
  carryCrossing(s: number, step: PiecewiseStep, zErr: Float64Array, j: number, from: number, to: number): void {
    this.carryFlags[s] &= ~(ANCHORED | ADJOINT);
    const vec = this.vecOf(s);
    if (vec[0] === SATURATED) return;
    const measured = (this.carryFlags[s] & MEASURED) !== 0;
    const up = 1 + 4 * EPS;
    let g0: number;
    let g1: number;
    if (step.kind === "elementwise") {
      const grows = Math.abs(step.slopes[to]) > Math.abs(step.slopes[from]);
      const a = measured ? Math.abs(step.slopes[to] - step.slopes[from]) * up : grows ? Math.abs(step.slopes[to]) : 0;
      if (a === 0) return;
      g0 = a * this.inputBound(s, zErr, j, 0);
      g1 = a * this.inputBound(s, zErr, j, 1);
    } else {
      const xt = step.indices[step.offsets[j] + to];
      const xf = step.indices[step.offsets[j] + from];
      g0 = measured ? (this.inputBound(s, zErr, xt, 0) + this.inputBound(s, zErr, xf, 0)) * up : this.inputBound(s, zErr, xt, 0);
      g1 = measured ? (this.inputBound(s, zErr, xt, 1) + this.inputBound(s, zErr, xf, 1)) * up : this.inputBound(s, zErr, xt, 1);
    }
    if (g0 === 0 && g1 === 0) return;
    if (!(g0 < SATURATED && g1 < SATURATED)) {
      this.saturateCarried(s);
      return;
    }
    const W = absoluteTransposed(this.fused[s] as AffineStep);
    const m = vec.length / 2;
    const col = j * m;
    let big0 = 0;
    let big1 = 0;
    for (let i = 0; i < m; i++) {
      const w = W[col + i];
      const v0 = (vec[i] + w * g0 + SUBNORMAL) * up;
      const v1 = (vec[m + i] + w * g1 + SUBNORMAL) * up;
      vec[i] = v0;
      vec[m + i] = v1;
      if (!(v0 <= big0)) big0 = v0;
      if (!(v1 <= big1)) big1 = v1;
    }
    this.setCarried(s, big0, big1);
  }

  /**
   * Channel c's bound of input unit x of piecewise step s: its own (the local part plus its carried
   * one of the map above, rounded up) where that map keeps it per unit, else the channel's, zErr.
   */
  private inputBound(s: number, zErr: Float64Array, x: number, c: number): number {
    const p = this.inputOf[s];
    if (p < 0 || (this.carryFlags[p] & PER_UNIT) === 0) return zErr[c];
    const pv = this.vecOf(p);
    return (this.localErr[2 * p + c] + pv[c * (pv.length / 2) + x]) * (1 + 4 * EPS);
  }

  /** Step s's per-unit carried bounds (2 x its fused dense step's outputs), made at first use. */
  vecOf(s: number): Float64Array {
    let vec = this.carriedVec[s];
    if (vec === undefined) {
      vec = new Float64Array(2 * (this.fused[s] as AffineStep).outSize);
      this.carriedVec[s] = vec;
    }
    return vec;
  }

  /** err = step s's local bound plus its carried one (a bound relative to the exact map), rounded up. */
  globalErr(s: number, err: Float64Array): void {
    const grow = 1 + 4 * EPS;
    err[0] = (this.localErr[2 * s] + this.carriedErr[2 * s]) * grow;
    err[1] = (this.localErr[2 * s + 1] + this.carriedErr[2 * s + 1]) * grow;
    if (!(err[0] < SATURATED && err[1] < SATURATED)) saturate(err, 2);
  }
}
