/**
 * The network's maps along a segment in double-double (each coefficient h + l, two doubles, about
 * 106 bits), with a proven bound on how far each is from the exact map's (exact-maps.ts): the
 * line engine's first, cheapest try where a decision needs the exact map only to well within
 * float64's reach (line-near.ts `measure`, `place`), before the rounded maps of
 * line-rounded.ts (BigInt, any precision) and the exact ones. Floating-point only: no BigInt but
 * to hand a line over.
 *
 * Every product of a weight (or slope) w by a coefficient h + l is w h = p + pe exactly (Dekker's
 * split: no rounding while |p| is within [2^-900, 2^900], else the map is given up) plus fl(w l);
 * the p are summed by TwoSum (exact), everything else in one low-order double. The roundings are
 * those of the low-order sums only, each at most u (2^-53) of its computed result (round to
 * nearest: |fl(x) - x| <= u |fl(x)|), plus 2^-1075 per product that underflows; `err` adds them up
 * (widened for its own sums) to what the input's bounds become through |A| (per coefficient, as
 * line-rounded.ts), so |h + l - exact| <= err. About 2^-104 of the values, times what the worst
 * case grows by through the layers: where that leaves a decision open, the callers go on to the
 * rounded maps.
 */
import { decompose } from "../geometry/exact.ts";
import { perObject } from "../model/per-object.ts";
import { type AffineStep, concatChannels, moveStack, type Step, stepInSize } from "../model/steps.ts";
import { type Dyadic, explicitWeight } from "./exact-maps.ts";
import { lineFromChannels, StepChain } from "./line-chain.ts";
import { EPS } from "./map-error.ts";

/** value i is h[i] + l[i], within err[i] of the exact one; 2 channels. */
export interface DoubleMap {
  h: Float64Array;
  l: Float64Array;
  err: Float64Array;
}

const SUBNORMAL = 2 ** -1074;
/** Products whose |p| is outside [LOW, HIGH] give the map up (Dekker's product is exact inside). */
const LOW = 2 ** -900;
const HIGH = 2 ** 900;
const SPLIT = 134217729;
const UP = 1 + 4 * EPS;
const up = (x: number): number => x * UP + 2 * SUBNORMAL;

/** A row-major explicit matrix of an affine step, split for Dekker's products (w = wh + wl, 26 bits each), and its |A|, once per step (line-triple.ts reads the same). */
export const matrices = perObject((step: AffineStep) => {
  const w = explicitWeight(step);
  const wh = w.map((x) => {
    const c = SPLIT * x;
    return c - (c - x);
  });
  return { w, wh, wl: w.map((x, i) => x - wh[i]), abs: Float64Array.from(w, Math.abs) };
});

/** Scratch for the exact sums and products (module-level: no allocation per product). */
let sumHi = 0;
let sumLo = 0;
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  sumLo = a - (s - bb) + (b - bb);
  sumHi = s;
}
let prodHi = 0;
let prodLo = 0;
/** a b = prodHi + prodLo exactly, where |a b| is within [LOW, HIGH] and |a|, |b| < 2^995. */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  prodLo = ah * bh - p + ah * bl + al * bh + al * bl;
  prodHi = p;
}

export class DoubleMaps extends StepChain<DoubleMap> {
  protected fresh(length: number): DoubleMap {
    return { h: new Float64Array(length), l: new Float64Array(length), err: new Float64Array(length) };
  }

  /** The segment's start map: from the exact one where the engine has it, else from its doubles. */
  protected first(local: Float64Array, exact: Dyadic | null): DoubleMap {
    return exact !== null ? fromDyadic(exact) : fromDoubles(local);
  }

  /**
   * y = A x + b (b in channel 0 only). The exact transformations written out (locals, not the
   * module's scratch: this loop is most of the maps' time): w h = p + pe (Dekker), hi + p = s + t
   * (TwoSum), as twoProduct and twoSum.
   */
  protected affine(k: number, step: AffineStep, x: DoubleMap): DoubleMap | null {
    const n = step.inSize;
    const m = step.outSize;
    const { w: W, wh: WH, wl: WL, abs: A } = matrices(step);
    const out = this.blank(k, m);
    const { h, l, err } = out;
    const widen = 1 + (4 * n + 16) * EPS;
    const floor = (2 * n + 2) * SUBNORMAL;
    const xh = x.h;
    const xl = x.l;
    const xe = x.err;
    // The inputs that are not 0 with a bound of 0 in both channels (an off relu's are: they add
    // nothing), and their high parts split once (Dekker), not once per output.
    if (this.active.length < n) {
      this.active = new Int32Array(n);
      this.split = new Float64Array(4 * n);
    }
    const act = this.active;
    const sp = this.split;
    let count = 0;
    for (let j = 0; j < n; j++) {
      if (xh[j] === 0 && xl[j] === 0 && xe[j] === 0 && xh[n + j] === 0 && xl[n + j] === 0 && xe[n + j] === 0) continue;
      act[count++] = j;
      for (let c = 0; c < 2; c++) {
        const a = xh[c * n + j];
        const t = SPLIT * a;
        const ah = t - (t - a);
        sp[4 * j + 2 * c] = ah;
        sp[4 * j + 2 * c + 1] = a - ah;
      }
    }
    for (let c = 0; c < 2; c++) {
      const o = c * n;
      for (let i = 0; i < m; i++) {
        let hi = c === 0 ? step.bias[i] : 0;
        let lo = 0;
        // Magnitudes of the low-order results (each rounded by at most u of itself) and the input bounds carried.
        let round = 0;
        let carried = 0;
        let range = true;
        const row = i * n;
        for (let t = 0; t < count; t++) {
          const j = act[t];
          const w = W[row + j];
          if (w === 0) continue;
          carried += A[row + j] * xe[o + j];
          const a = xh[o + j];
          const q = w * xl[o + j];
          let pe = 0;
          if (a !== 0) {
            // w a = p + pe exactly (Dekker, the splits kept), hi + p = sum + its error (TwoSum).
            const p = w * a;
            const ap = Math.abs(p);
            range = range && ap >= LOW && ap <= HIGH;
            const wh = WH[row + j];
            const wl = WL[row + j];
            const ah = sp[4 * j + 2 * c];
            const al = sp[4 * j + 2 * c + 1];
            const sum = hi + p;
            const bb = sum - hi;
            pe = wh * ah - p + wh * al + wl * ah + wl * al + (hi - (sum - bb) + (p - bb));
            hi = sum;
            round += Math.abs(pe);
          }
          const b = pe + q;
          lo += b;
          round += Math.abs(q) + Math.abs(b) + Math.abs(lo);
        }
        if (!range) return null;
        const sum = hi + lo;
        const bb = sum - hi;
        h[c * m + i] = sum;
        l[c * m + i] = hi - (sum - bb) + (lo - bb);
        // (2 n products, the w l and |A| err, each underflowing by 2^-1075 at most; the sums' roundings in the widening.)
        const bound = (carried + EPS * round + floor) * widen;
        // (A split past the range is NaN, and so is round then; the parts checked too.)
        if (!(bound < Number.POSITIVE_INFINITY && Math.abs(h[c * m + i]) + Math.abs(l[c * m + i]) < Number.POSITIVE_INFINITY)) return null;
        err[c * m + i] = up(bound);
      }
    }
    return out;
  }

  /** Scratch for affine: the inputs it reads, their splits. */
  private active = new Int32Array(0);
  private split = new Float64Array(0);

  /** A piecewise step with its states: slope times the coefficient (exactly split), plus the intercept in channel 0. */
  protected piecewise(s: number, z: DoubleMap, states: Uint8Array): DoubleMap | null {
    const step = this.steps[s];
    if (step.kind === "max") {
      const n = step.inSize;
      const m = step.outSize;
      const out = this.blank(s, m);
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + states[j]];
        for (let c = 0; c < 2; c++) {
          out.h[c * m + j] = z.h[c * n + i];
          out.l[c * m + j] = z.l[c * n + i];
          out.err[c * m + j] = z.err[c * n + i];
        }
      }
      return out;
    }
    if (step.kind !== "elementwise") throw new Error("a piecewise step");
    const n = step.size;
    const out = this.blank(s, n);
    for (let j = 0; j < n; j++) {
      const slope = step.slopes[states[j]];
      const intercept = step.intercepts[states[j]];
      for (let c = 0; c < 2; c++) {
        const k = c * n + j;
        const icpt = c === 0 ? intercept : 0;
        if (slope === 0) {
          out.h[k] = icpt;
          out.l[k] = 0;
          out.err[k] = 0;
          continue;
        }
        if (slope === 1 && icpt === 0) {
          out.h[k] = z.h[k];
          out.l[k] = z.l[k];
          out.err[k] = z.err[k];
          continue;
        }
        const xh = z.h[k];
        const xl = z.l[k];
        let hi = icpt;
        let pe = 0;
        if (xh !== 0) {
          twoProduct(slope, xh);
          const ap = Math.abs(prodHi);
          if (!(ap >= LOW && ap <= HIGH)) return null;
          twoSum(icpt, prodHi);
          hi = sumHi;
          pe = prodLo + sumLo;
        }
        const q = slope * xl;
        const lo = pe + q;
        twoSum(hi, lo);
        out.h[k] = sumHi;
        out.l[k] = sumLo;
        const bound = Math.abs(slope) * z.err[k] + EPS * (Math.abs(pe) + Math.abs(q) + Math.abs(lo)) + SUBNORMAL;
        if (!(bound < Number.POSITIVE_INFINITY)) return null;
        out.err[k] = up(bound * (1 + 8 * EPS));
      }
    }
    return out;
  }

  /** A stack step: maps moved, a residual sum added (its low-order sums' roundings in its bound). */
  protected stackStep(s: number, step: Step, z: DoubleMap, stack: DoubleMap[]): { z: DoubleMap | null; stack: DoubleMap[] } {
    const moved = moveStack(step, z, stack);
    if (moved !== null) return moved;
    const top = stack[stack.length - 1];
    const rest = stack.slice(0, -1);
    switch (step.kind) {
      case "add-saved": {
        const size = z.h.length;
        const out = this.blank(s, size / 2);
        for (let k = 0; k < size; k++) {
          twoSum(z.h[k], top.h[k]);
          const hi = sumHi;
          const a = z.l[k] + top.l[k];
          const lo = a + sumLo;
          twoSum(hi, lo);
          out.h[k] = sumHi;
          out.l[k] = sumLo;
          const bound = z.err[k] + top.err[k] + EPS * (Math.abs(a) + Math.abs(lo));
          if (!(bound < Number.POSITIVE_INFINITY)) return { z: null, stack: rest };
          out.err[k] = up(bound * (1 + 8 * EPS));
        }
        return { z: out, stack: rest };
      }
      case "concat-saved": {
        const a = step.savedSize;
        const b = step.size;
        const out = this.blank(s, a + b);
        concatChannels(out.h, top.h, z.h, a, b, 2);
        concatChannels(out.l, top.l, z.l, a, b, 2);
        concatChannels(out.err, top.err, z.err, a, b, 2);
        return { z: out, stack: rest };
      }
      default:
        throw new Error(`not a stack step: ${step.kind}`);
    }
  }

  /**
   * As RoundedMaps.line: the line of unit (minus unit2, minus shift) of step s's input, x0 + x1 t
   * times 2^e within (r0, r1) times 2^e of the exact one, as integers (out: x0, x1, r0, r1). False
   * where the map was given up.
   */
  line(s: number, unit: number, unit2: number, shift: number, out: bigint[]): boolean {
    const z = this.input(s);
    if (z === null) return false;
    return lineFromChannels([z.h, z.l], z.err, unit, unit2, shift, stepInSize(this.steps[s]), out);
  }
}

/**
 * A bound at least |z - (h + l)|, z a double: z - h = a + b exactly (TwoSum), then b - l and its
 * sum with a each rounded by at most u of the result.
 */
export function distanceToDouble(z: number, h: number, l: number): number {
  twoSum(z, -h);
  const a = sumHi;
  const c = sumLo - l;
  const d = a + c;
  return up((Math.abs(d) + EPS * (Math.abs(d) + Math.abs(c))) * (1 + 4 * EPS));
}

function fromDoubles(x: Float64Array): DoubleMap {
  return { h: Float64Array.from(x), l: new Float64Array(x.length), err: new Float64Array(x.length) };
}

/** A dyadic vector as double-doubles: h the nearest double, l the rest's, err what l misses (a few units of its last bit). */
function fromDyadic(d: Dyadic): DoubleMap {
  const size = d.v.length;
  const out: DoubleMap = { h: new Float64Array(size), l: new Float64Array(size), err: new Float64Array(size) };
  for (let i = 0; i < size; i++) {
    const h = toDouble(d.v[i], d.e);
    const dh = h === 0 ? null : decompose(h);
    const e = dh === null ? d.e : Math.min(d.e, dh.e);
    const rest = (d.v[i] << BigInt(d.e - e)) - (dh === null ? 0n : dh.m << BigInt(dh.e - e));
    const l = toDouble(rest, e);
    out.h[i] = h;
    out.l[i] = l;
    // Out of range: no bound (the first affine step gives the map up).
    out.err[i] = !(Number.isFinite(h) && Number.isFinite(l)) ? Number.POSITIVE_INFINITY : rest === 0n ? 0 : up(Math.abs(l) * 4 * EPS + 2 * SUBNORMAL);
  }
  return out;
}

/** v 2^e as a double: its leading 64 bits (truncated) rounded to nearest, then scaled: within 2^-52 of itself, or a few subnormals. */
/** v 2^e rounded to a double (toward zero past 64 bits, then scaled in steps that cannot overflow). */
export function toDouble(v: bigint, e: number): number {
  if (v === 0n) return 0;
  const bits = (v < 0n ? -v : v).toString(16).length * 4;
  let k = e;
  let r: number;
  if (bits > 64) {
    const drop = bits - 64;
    r = Number(v >> BigInt(drop));
    k += drop;
  } else r = Number(v);
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}
