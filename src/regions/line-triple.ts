/**
 * The network's maps along a segment in triple-double (each coefficient h + m + l, three doubles,
 * about 159 bits), with a proven bound on how far each is from the exact map's: the line engine's
 * second try (line-near.ts `measure`, `place`), where the double-double maps'
 * (line-double.ts) bounds have grown too large through the layers (a He 2-8x120's anchors near
 * layer 76, where the worst case has grown by about 2^53) and before the rounded BigInt maps
 * (line-rounded.ts), which cost a few times more per layer.
 *
 * As line-double.ts, one level more kept exact: a weight w times a coefficient h + m + l is
 * w h = p1 + e1 and w m = p2 + e2 exactly (Dekker's split, no rounding while |p1|, |p2| are within
 * [2^-900, 2^900], else the map is given up) plus fl(w l); the p1 are summed by TwoSum into the high
 * part, the sums' errors, the e1 and the p2 by TwoSum into the middle one, and everything that
 * leaves it, with the e2 and the w l, into the low one, the only sums that round (each by at most
 * u of its result, plus 2^-1075 per product that underflows), so |h + m + l - exact| <= err with
 * err those roundings plus what the input's bounds become through |A|, about 2^-157 of the values
 * times the worst case's growth. Affine steps, max groups, residual sums and steps whose units are
 * each of slope 0 or 1 and intercept 0 in their states (relu); any other step gives the map up
 * (the rounded maps serve it).
 */
import { decompose } from "../geometry/exact.ts";
import { type AffineStep, concatChannels, moveStack, type Step, stepInSize } from "../model/steps.ts";
import type { Dyadic } from "./exact-maps.ts";
import { lineFromChannels, StepChain } from "./line-chain.ts";
import { matrices, toDouble } from "./line-double.ts";
import { EPS } from "./map-error.ts";

/** value i is h[i] + m[i] + l[i], within err[i] of the exact one; 2 channels. */
export interface TripleMap {
  h: Float64Array;
  m: Float64Array;
  l: Float64Array;
  err: Float64Array;
}

const SUBNORMAL = 2 ** -1074;
const LOW = 2 ** -900;
const HIGH = 2 ** 900;
const SPLIT = 134217729;
const UP = 1 + 4 * EPS;
const up = (x: number): number => x * UP + 2 * SUBNORMAL;

export class TripleMaps extends StepChain<TripleMap> {
  /** Scratch: the input's high and middle parts split (Dekker), per input coefficient, and the inputs affine reads. */
  private split = new Float64Array(0);
  private active = new Int32Array(0);

  protected fresh(length: number): TripleMap {
    return { h: new Float64Array(length), m: new Float64Array(length), l: new Float64Array(length), err: new Float64Array(length) };
  }

  /** The segment's start map: from the exact one where the engine has it, else from its doubles. */
  protected first(local: Float64Array, exact: Dyadic | null): TripleMap {
    return exact !== null ? fromDyadic(exact) : fromDoubles(local);
  }

  /** y = A x + b (b in channel 0 only): the levels as the header says, the exact transformations written out. */
  protected affine(k: number, step: AffineStep, x: TripleMap): TripleMap | null {
    const n = step.inSize;
    const mOut = step.outSize;
    const { w: W, wh: WH, wl: WL, abs: A } = matrices(step);
    const out = this.blank(k, mOut);
    // The input's high and middle parts split once (Dekker), not once per output.
    if (this.split.length < 8 * n) {
      this.split = new Float64Array(8 * n);
      this.active = new Int32Array(n);
    }
    const sp = this.split;
    // The inputs that are not 0 with a bound of 0 in both channels (an off relu's add nothing).
    const act = this.active;
    let count = 0;
    for (let j = 0; j < n; j++) {
      const k = n + j;
      if (x.h[j] !== 0 || x.m[j] !== 0 || x.l[j] !== 0 || x.err[j] !== 0 || x.h[k] !== 0 || x.m[k] !== 0 || x.l[k] !== 0 || x.err[k] !== 0) act[count++] = j;
    }
    for (let i = 0; i < 2 * n; i++) {
      let a = x.h[i];
      let c = SPLIT * a;
      let hi = c - (c - a);
      sp[4 * i] = hi;
      sp[4 * i + 1] = a - hi;
      a = x.m[i];
      c = SPLIT * a;
      hi = c - (c - a);
      sp[4 * i + 2] = hi;
      sp[4 * i + 3] = a - hi;
    }
    const widen = 1 + (8 * n + 24) * EPS;
    const floor = (3 * n + 2) * SUBNORMAL;
    for (let c = 0; c < 2; c++) {
      const o = c * n;
      for (let i = 0; i < mOut; i++) {
        let H = c === 0 ? step.bias[i] : 0;
        let M = 0;
        let L = 0;
        let round = 0;
        let carried = 0;
        let range = true;
        const row = i * n;
        for (let r = 0; r < count; r++) {
          const j = act[r];
          const w = W[row + j];
          if (w === 0) continue;
          carried += A[row + j] * x.err[o + j];
          const xh = x.h[o + j];
          const xm = x.m[o + j];
          const q = w * x.l[o + j];
          const wh = WH[row + j];
          const wl = WL[row + j];
          const t = 4 * (o + j);
          let low = q;
          if (xh !== 0) {
            // w xh = p1 + e1; H + p1 = H' + t1; M + t1, M + e1 (TwoSum, the errors to the low part).
            const p1 = w * xh;
            const a1 = Math.abs(p1);
            range = range && a1 >= LOW && a1 <= HIGH;
            const e1 = wh * sp[t] - p1 + wh * sp[t + 1] + wl * sp[t] + wl * sp[t + 1];
            let s = H + p1;
            let bb = s - H;
            const t1 = H - (s - bb) + (p1 - bb);
            H = s;
            s = M + t1;
            bb = s - M;
            const u1 = M - (s - bb) + (t1 - bb);
            M = s;
            s = M + e1;
            bb = s - M;
            const u2 = M - (s - bb) + (e1 - bb);
            M = s;
            const r1 = u1 + u2;
            low += r1;
            round += Math.abs(r1) + Math.abs(low);
          }
          if (xm !== 0) {
            // w xm = p2 + e2; M + p2 (TwoSum), its error and e2 to the low part.
            const p2 = w * xm;
            const a2 = Math.abs(p2);
            range = range && a2 >= LOW && a2 <= HIGH;
            const e2 = wh * sp[t + 2] - p2 + wh * sp[t + 3] + wl * sp[t + 2] + wl * sp[t + 3];
            const s = M + p2;
            const bb = s - M;
            const u3 = M - (s - bb) + (p2 - bb);
            M = s;
            const r2 = u3 + e2;
            low += r2;
            round += Math.abs(r2) + Math.abs(low);
          }
          L += low;
          round += Math.abs(q) + Math.abs(L);
        }
        if (!range) return null;
        // Renormalized, exactly: M + L, then H + M, then the middle again with the low.
        let s = M + L;
        let bb = s - M;
        let lo = M - (s - bb) + (L - bb);
        const mid = s;
        s = H + mid;
        bb = s - H;
        let md = H - (s - bb) + (mid - bb);
        const hi = s;
        s = md + lo;
        bb = s - md;
        lo = md - (s - bb) + (lo - bb);
        md = s;
        const at = c * mOut + i;
        out.h[at] = hi;
        out.m[at] = md;
        out.l[at] = lo;
        const bound = (carried + EPS * round + floor) * widen;
        // (A split past the range is NaN, and so is round then; the parts checked too.)
        if (!(bound < Number.POSITIVE_INFINITY && Math.abs(hi) + Math.abs(md) + Math.abs(lo) < Number.POSITIVE_INFINITY)) return null;
        out.err[at] = up(bound);
      }
    }
    return out;
  }

  /** A max group selects; a relu-like step passes or zeroes; any other piecewise step gives the map up. */
  protected piecewise(s: number, z: TripleMap, states: Uint8Array): TripleMap | null {
    const step = this.steps[s];
    if (step.kind === "max") {
      const n = step.inSize;
      const m = step.outSize;
      const out = this.blank(s, m);
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + states[j]];
        for (let c = 0; c < 2; c++) {
          out.h[c * m + j] = z.h[c * n + i];
          out.m[c * m + j] = z.m[c * n + i];
          out.l[c * m + j] = z.l[c * n + i];
          out.err[c * m + j] = z.err[c * n + i];
        }
      }
      return out;
    }
    if (step.kind !== "elementwise") return null;
    const n = step.size;
    const out = this.blank(s, n);
    for (let j = 0; j < n; j++) {
      const k = states[j];
      const slope = step.slopes[k];
      if ((slope !== 0 && slope !== 1) || step.intercepts[k] !== 0) return null;
      for (let c = 0; c < 2; c++) {
        const at = c * n + j;
        const on = slope === 1;
        out.h[at] = on ? z.h[at] : 0;
        out.m[at] = on ? z.m[at] : 0;
        out.l[at] = on ? z.l[at] : 0;
        out.err[at] = on ? z.err[at] : 0;
      }
    }
    return out;
  }

  /** A stack step: maps moved, a residual sum added (high and middle parts exactly, the low part rounded). */
  protected stackStep(k: number, step: Step, z: TripleMap, stack: TripleMap[]): { z: TripleMap | null; stack: TripleMap[] } {
    const moved = moveStack(step, z, stack);
    if (moved !== null) return moved;
    const top = stack[stack.length - 1];
    const rest = stack.slice(0, -1);
    switch (step.kind) {
      case "add-saved": {
        const size = z.h.length;
        const out = this.blank(k, size / 2);
        for (let i = 0; i < size; i++) {
          let s = z.h[i] + top.h[i];
          let bb = s - z.h[i];
          const t = z.h[i] - (s - bb) + (top.h[i] - bb);
          const H = s;
          s = z.m[i] + top.m[i];
          bb = s - z.m[i];
          const u1 = z.m[i] - (s - bb) + (top.m[i] - bb);
          let M = s;
          s = M + t;
          bb = s - M;
          const u2 = M - (s - bb) + (t - bb);
          M = s;
          const a = z.l[i] + top.l[i];
          const b = u1 + u2;
          const L = a + b;
          // Renormalized exactly as affine's.
          s = M + L;
          bb = s - M;
          let lo = M - (s - bb) + (L - bb);
          const mid = s;
          s = H + mid;
          bb = s - H;
          let md = H - (s - bb) + (mid - bb);
          out.h[i] = s;
          s = md + lo;
          bb = s - md;
          lo = md - (s - bb) + (lo - bb);
          md = s;
          out.m[i] = md;
          out.l[i] = lo;
          const bound = z.err[i] + top.err[i] + EPS * (Math.abs(a) + Math.abs(b) + Math.abs(L));
          if (!(bound < Number.POSITIVE_INFINITY)) return { z: null, stack: rest };
          out.err[i] = up(bound * (1 + 8 * EPS));
        }
        return { z: out, stack: rest };
      }
      case "concat-saved": {
        const a = step.savedSize;
        const b = step.size;
        const out = this.blank(k, a + b);
        for (const key of ["h", "m", "l", "err"] as const) concatChannels(out[key], top[key], z[key], a, b, 2);
        return { z: out, stack: rest };
      }
      default:
        throw new Error(`not a stack step: ${step.kind}`);
    }
  }

  /** As RoundedMaps.line (out: x0, x1, r0, r1 as integers times one power of two); false where the map was given up. */
  line(s: number, unit: number, unit2: number, shift: number, out: bigint[]): boolean {
    const z = this.input(s);
    if (z === null) return false;
    return lineFromChannels([z.h, z.m, z.l], z.err, unit, unit2, shift, stepInSize(this.steps[s]), out);
  }
}

/**
 * A bound at least |z - (h + m + l)|, z a double: z - h = a + b and b - m = c + d exactly (TwoSum),
 * a + c = f + g exactly, then d - l, g plus it and f plus that each rounded by at most u of the result.
 */
export function distanceToTriple(z: number, h: number, m: number, l: number): number {
  let s = z - h;
  let bb = s - z;
  const a = s;
  const b = z - (s - bb) + (-h - bb);
  s = b - m;
  bb = s - b;
  const c = s;
  const d = b - (s - bb) + (-m - bb);
  s = a + c;
  bb = s - a;
  const f = s;
  const g = a - (s - bb) + (c - bb);
  const r1 = d - l;
  const r2 = g + r1;
  const r3 = f + r2;
  return up((Math.abs(r3) + EPS * (Math.abs(r1) + Math.abs(r2) + Math.abs(r3))) * (1 + 4 * EPS));
}

function fromDoubles(x: Float64Array): TripleMap {
  return { h: Float64Array.from(x), m: new Float64Array(x.length), l: new Float64Array(x.length), err: new Float64Array(x.length) };
}

/** A dyadic vector as triple-doubles: each part the double nearest what the parts before it leave, err what l misses. */
function fromDyadic(d: Dyadic): TripleMap {
  const size = d.v.length;
  const out: TripleMap = { h: new Float64Array(size), m: new Float64Array(size), l: new Float64Array(size), err: new Float64Array(size) };
  for (let i = 0; i < size; i++) {
    let v = d.v[i];
    let e = d.e;
    const parts: number[] = [];
    for (let k = 0; k < 3; k++) {
      const x = toDouble(v, e);
      parts.push(x);
      if (x === 0 || !Number.isFinite(x)) continue;
      const dx = decompose(x);
      const t = Math.min(e, dx.e);
      v = (v << BigInt(e - t)) - (dx.m << BigInt(dx.e - t));
      e = t;
    }
    [out.h[i], out.m[i], out.l[i]] = parts;
    out.err[i] = !parts.every(Number.isFinite) ? Number.POSITIVE_INFINITY : v === 0n ? 0 : up(Math.abs(parts[2]) * 4 * EPS + 2 * SUBNORMAL);
  }
  return out;
}
