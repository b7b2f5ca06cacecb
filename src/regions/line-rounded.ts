/**
 * The network's maps along a segment to a few hundred bits, with a proven bound on how far each
 * coefficient is from the exact map's (exact-maps.ts): the line engine's cheap stand-in for the
 * exact maps where a decision needs the exact map only to well within float64's reach, not to the
 * bit (line.ts `anchor`, which measures a computed map's distance to the exact one, and
 * `position`, which rounds a root of the exact line to the nearest double).
 *
 * The exact maps' integers grow by a weight's bits every layer (about 60: 4,800 bits on average
 * for a He 2-8x120's anchors at layer 76, 37,000 at layer 700), and their products were most of a
 * deep segment's time. Here every affine step's exact result (ExactSteps: the product of an exact
 * input by the exact weights, nothing rounded) is cut to `precision` bits of its largest
 * coefficient, towards -infinity: each coefficient moves by less than one unit of the last bit
 * kept, 2^e. Per coefficient, `err` bounds its distance to the exact map's:
 *   affine:      err'_i = sum_j |A_ij| err_j (rounded up as line-carry.ts carry's sum) + 2^e
 *   elementwise: err'_j = |s_j| err_j (the unit's slope in its state; the intercept is exact)
 *   max group:   its chosen input's err;  a residual sum: the two errs added (rounded up).
 * A bound that is not finite, or too large for what it is asked, sends the caller to the exact
 * maps, which decide every case as before. The inputs are kept per step with the states they were
 * computed under, as exact-maps.ts keeps them, and computed again from the deepest one still valid.
 */
import { decompose } from "../geometry/exact.ts";
import { perObject } from "../model/per-object.ts";
import { type AffineStep, concatChannels, moveStack, type Step, stepInSize } from "../model/steps.ts";
import { applyStackExact, type Dyadic, dyadicOf, ExactSteps, explicitWeight } from "./exact-maps.ts";
import { EPS, largestSlope, normInfOf } from "./map-error.ts";

/** A map to `precision` bits: value i is v[i] 2^e, within err[i] of the exact one. */
export interface RoundedMap {
  e: number;
  v: bigint[];
  err: Float64Array;
}

interface Entry {
  z: RoundedMap;
  stack: RoundedMap[];
}

/** The smallest subnormal: what a product of non-negative doubles that underflows can lose. */
const SUBNORMAL = 2 ** -1074;
const UP = 1 + 4 * EPS;
/** x (a sum or product of non-negative doubles, rounded to nearest once) rounded up: at least the exact one, subnormal or not. */
const up = (x: number): number => x * UP + 2 * SUBNORMAL;

/** |A| of an affine step, row-major (a convolution's columns made explicit), once per step. */
const absoluteWeight = perObject((step: AffineStep): Float64Array => Float64Array.from(explicitWeight(step), Math.abs));

/**
 * 128 bits beyond what the worst case of the bounds can grow by through the network (the
 * state-blind factors |A|_inf of its affine steps and the largest |slope| of its piecewise ones,
 * where above 1): with it a bound stays about 2^-128 of the values' scale where the float64 maps'
 * is 2^-53 of it. More than most decisions need (the bounds through the states grow less); what
 * line.ts asks for where it has no better guess. Once per network.
 */
export const precisionOf = perObject((steps: Step[]): number => {
  let bits = 0;
  for (const step of steps) {
    let factor = 1;
    if (step.kind === "affine") factor = normInfOf(step);
    else if (step.kind === "elementwise" || step.kind === "max") factor = largestSlope(step);
    if (factor > 1) bits += Math.log2(factor);
  }
  return 128 + Math.ceil(bits);
});

export class RoundedMaps {
  private readonly entries: (Entry | undefined)[] = [];
  private local: Float64Array = new Float64Array(0);
  private start: (() => Dyadic) | null = null;
  private readonly exact: ExactSteps;
  /** The bits each coefficient keeps: only raised (`input`), so the inputs kept were all cut alike. */
  precision = 96;
  /** Maps computed (tests, benchmarks). */
  computed = 0;

  constructor(
    private readonly steps: Step[],
    private readonly statesOf: (s: number) => Uint8Array,
  ) {
    this.exact = new ExactSteps(steps);
  }

  /**
   * The states of piecewise step q are about to change (the engine's piece there, or a crossing):
   * the inputs kept of the steps after it are no longer the piece's. Every change of the states
   * the maps are read under goes through here (line.ts piecewise, crossEvents), so a kept input is
   * the current piece's without comparing states.
   */
  invalidate(q: number): void {
    if (this.entries.length > q + 1) this.entries.length = q + 1;
  }

  /** A new segment, walked from the local map; `exact` gives that map exactly when the doubles are not (as ExactMaps.segment). */
  segment(local: Float64Array, exact: (() => Dyadic) | null = null): void {
    this.local = local;
    this.start = exact;
    this.entries.length = 0;
  }

  /**
   * The input of piecewise step s on the current piece (2 channels), from the deepest kept entry,
   * to at least `bits` bits (more where an earlier request asked for more; fewer bits than kept
   * make every map again).
   */
  input(s: number, bits = this.precision): RoundedMap {
    if (bits > this.precision) {
      this.precision = bits;
      this.entries.length = 0;
    }
    let from = 0;
    for (let k = Math.min(s, this.entries.length - 1); k > 0 && from === 0; k--) if (this.entries[k] !== undefined) from = k;
    let entry = this.entries[from];
    if (from === 0 && entry === undefined) {
      const z = this.start !== null ? this.start() : dyadicOf(this.local);
      entry = { z: { e: z.e, v: z.v, err: new Float64Array(z.v.length) }, stack: [] };
      this.entries[0] = entry;
    }
    this.computed++;
    let z = (entry as Entry).z;
    let stack = (entry as Entry).stack;
    for (let k = from; k < s; k++) {
      const step = this.steps[k];
      if (step.kind === "elementwise" || step.kind === "max") {
        z = this.piecewise(k, z, this.statesOf(k));
      } else if (step.kind === "affine") z = this.affine(step, z);
      else ({ z, stack } = this.stackStep(step, z, stack));
      const next = this.steps[k + 1];
      if (next !== undefined && (next.kind === "elementwise" || next.kind === "max")) this.entries[k + 1] = { z, stack };
    }
    return z;
  }

  /**
   * Affine step s: the exact product of the kept coefficients, its bound carried through |A|, then
   * cut to `precision` bits. The two channels go through it as one integer each, x0 + x1 2^K
   * (every product and sum is linear, and K leaves the constant channel's sums room, signed: it is
   * the low K bits read as signed, asIntN), so each weight multiplies once, not twice.
   */
  private affine(step: AffineStep, x: RoundedMap): RoundedMap {
    const W = exactWeights(step);
    const n = step.inSize;
    const m = step.outSize;
    // The products' exponent, and the output's (the bias's where smaller): both shifts are >= 0.
    const pe = x.e + W.ew;
    const e = Math.min(pe, W.eb);
    const lift = pe - e;
    const liftB = W.eb - e;
    const K = Math.max(bitLength(largest(x.v)) + W.wbits + bitLength(BigInt(n)) + lift, W.bbits + liftB) + 3;
    const Kb = BigInt(K);
    const packed: bigint[] = new Array(n);
    for (let j = 0; j < n; j++) packed[j] = x.v[j] + (x.v[n + j] << Kb);
    const liftN = BigInt(lift);
    const liftBN = BigInt(liftB);
    const v: bigint[] = new Array(2 * m);
    for (let i = 0; i < m; i++) {
      let y = 0n;
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const w = W.w[row + j];
        const a = packed[j];
        if (w !== 0n && a !== 0n) y += w * a;
      }
      if (lift > 0 && y !== 0n) y <<= liftN;
      const b = W.b[i];
      if (b !== 0n) y += liftB > 0 ? b << liftBN : b;
      const y0 = BigInt.asIntN(K, y);
      v[i] = y0;
      v[m + i] = (y - y0) >> Kb;
    }
    const A = absoluteWeight(step);
    const err = new Float64Array(2 * m);
    const widen = 1 + (n + 16) * EPS;
    const floor = (n + 2) * SUBNORMAL;
    for (let c = 0; c < 2; c++) {
      let any = false;
      for (let j = 0; j < n && !any; j++) any = x.err[c * n + j] !== 0;
      // Exact coefficients stay exact (an exact input, a box's first layer).
      if (!any) continue;
      for (let i = 0; i < m; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += A[i * n + j] * x.err[c * n + j];
        // n non-negative products: the sum rounds by at most (n + 1) roundoffs of itself, and by 2^-1075 per product that underflows.
        err[c * m + i] = (sum + floor) * widen;
      }
    }
    return this.cut({ e, v, err });
  }

  /** Every coefficient to `precision` bits of the largest one (floor: each moves by less than 2^e, e the new exponent). */
  private cut(z: RoundedMap): RoundedMap {
    const big = largest(z.v);
    if (big === 0n) return z;
    const drop = bitLength(big) - this.precision;
    if (drop <= 0) return z;
    const shift = BigInt(drop);
    const e = z.e + drop;
    // What each coefficient loses, under 2^e (2^e under the smallest subnormal: that one).
    const unit = e < -1074 ? SUBNORMAL : 2 ** e;
    for (let i = 0; i < z.v.length; i++) {
      z.v[i] >>= shift;
      z.err[i] = up(z.err[i] + unit);
    }
    z.e = e;
    return z;
  }

  /** Piecewise step s with its states: exact on the coefficients; each bound times the unit's |slope| (a max group's: its chosen input's). */
  private piecewise(s: number, z: RoundedMap, states: Uint8Array): RoundedMap {
    const step = this.steps[s];
    if (step.kind === "elementwise" && passes(step, states)) {
      // Every unit in a state of slope 0 or 1 and intercept 0 (relu): its coefficients or zeros, no product.
      const n = step.size;
      const v: bigint[] = new Array(2 * n);
      const err = new Float64Array(2 * n);
      for (let j = 0; j < n; j++) {
        const on = step.slopes[states[j]] === 1;
        v[j] = on ? z.v[j] : 0n;
        v[n + j] = on ? z.v[n + j] : 0n;
        err[j] = on ? z.err[j] : 0;
        err[n + j] = on ? z.err[n + j] : 0;
      }
      return { e: z.e, v, err };
    }
    const y = this.exact.piecewise(s, { e: z.e, v: z.v }, states, 2);
    const m = y.v.length / 2;
    const err = new Float64Array(2 * m);
    if (step.kind === "max") {
      const n = step.inSize;
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + states[j]];
        err[j] = z.err[i];
        err[m + j] = z.err[n + i];
      }
    } else if (step.kind === "elementwise") {
      for (let j = 0; j < m; j++) {
        const a = Math.abs(step.slopes[states[j]]);
        err[j] = a === 0 || z.err[j] === 0 ? 0 : up(a * z.err[j]);
        err[m + j] = a === 0 || z.err[m + j] === 0 ? 0 : up(a * z.err[m + j]);
      }
    }
    return { e: y.e, v: y.v, err };
  }

  /** A stack step: the exact one on the coefficients; the bounds go along, a sum's added. */
  private stackStep(step: Step, z: RoundedMap, stack: RoundedMap[]): { z: RoundedMap; stack: RoundedMap[] } {
    const moved = moveStack(step, z, stack);
    if (moved !== null) return moved;
    const top = stack[stack.length - 1];
    const rest = stack.slice(0, -1);
    let err: Float64Array;
    let out: RoundedMap[];
    switch (step.kind) {
      case "add-saved":
        err = z.err.map((x, i) => up(x + top.err[i]));
        out = rest;
        break;
      case "concat-saved": {
        const a = step.savedSize;
        const b = step.size;
        err = new Float64Array(2 * (a + b));
        concatChannels(err, top.err, z.err, a, b, 2);
        out = rest;
        break;
      }
      default:
        throw new Error(`not a stack step: ${step.kind}`);
    }
    const exact = applyStackExact(step, { e: z.e, v: z.v }, [{ e: top.e, v: top.v }], 2);
    return { z: { e: exact.z.e, v: exact.z.v, err }, stack: out };
  }

  /**
   * The line of unit (minus unit2, minus shift) of piecewise step s's input on the piece: x0 + x1 t
   * times 2^e, within (r0, r1) times 2^e of the exact one (out: x0, x1, r0, r1, integers, the
   * bounds rounded up), as ExactMaps.line gives it exactly, to at least `bits` bits. False where a
   * bound is not finite.
   */
  line(s: number, unit: number, unit2: number, shift: number, out: bigint[], bits = this.precision): boolean {
    const z = this.input(s, bits);
    const size = stepInSize(this.steps[s]);
    let x0 = z.v[unit];
    let x1 = z.v[size + unit];
    let b0 = z.err[unit];
    let b1 = z.err[size + unit];
    if (unit2 >= 0) {
      x0 -= z.v[unit2];
      x1 -= z.v[size + unit2];
      b0 = up(b0 + z.err[unit2]);
      b1 = up(b1 + z.err[size + unit2]);
    }
    if (!(b0 < Number.POSITIVE_INFINITY && b1 < Number.POSITIVE_INFINITY)) return false;
    let e = z.e;
    if (shift !== 0) {
      const d = decompose(shift);
      const to = Math.min(e, d.e);
      x0 = (x0 << BigInt(e - to)) - (d.m << BigInt(d.e - to));
      x1 <<= BigInt(e - to);
      e = to;
    }
    out[0] = x0;
    out[1] = x1;
    out[2] = unitsUp(b0, e);
    out[3] = unitsUp(b1, e);
    return true;
  }
}

/** An affine step's weights and bias as integers times a power of two each, and their largest sizes in bits, once per step. */
const exactWeights = perObject((step: AffineStep) => {
  const w = dyadicOf(explicitWeight(step));
  const b = dyadicOf(step.bias);
  return { w: w.v, ew: w.e, b: b.v, eb: b.e, wbits: bitLength(largest(w.v)), bbits: bitLength(largest(b.v)) };
});

/** The largest |x|. */
function largest(xs: bigint[]): bigint {
  let big = 0n;
  for (const x of xs) {
    const a = x < 0n ? -x : x;
    if (a > big) big = a;
  }
  return big;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : (x < 0n ? -x : x).toString(16).length * 4;
}

/** Whether every unit of an elementwise step is, in its state, of slope 0 or 1 and intercept 0. */
function passes(step: Extract<Step, { kind: "elementwise" }>, states: Uint8Array): boolean {
  for (let j = 0; j < step.size; j++) {
    const k = states[j];
    const a = step.slopes[k];
    if ((a !== 0 && a !== 1) || step.intercepts[k] !== 0) return false;
  }
  return true;
}

/** The least integer k with k 2^e >= x (x a non-negative double). */
export function unitsUp(x: number, e: number): bigint {
  if (x === 0) return 0n;
  const d = decompose(x);
  if (d.e >= e) return d.m << BigInt(d.e - e);
  const drop = BigInt(e - d.e);
  return (d.m + (1n << drop) - 1n) >> drop;
}
