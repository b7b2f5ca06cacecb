/**
 * The coordinates the line engine walks a segment in: x(t) = c + t e for t in [t0, t1], with c
 * the point of the segment's line nearest the origin (as near as an exact computation allows).
 *
 * Why: the engine's rounding bounds are relative to the values its maps take, and the map's
 * constant term is its value at t = 0. From one end of a long segment (x(t) = p0 + t d, t in
 * [0, 1]) a map's value near the origin is a difference of two numbers as large as the segment,
 * so its rounding grows with the segment's length, and breakpoints near the origin merge once the
 * segment is about 2^40 times longer than the features (9 regions in [-2^40, 2^40], 8 in
 * [-2^41, 2^41]). From the point nearest the origin the rounding at x is relative to |x|, as in
 * the plane engine: a bigger box never loses regions near the origin.
 *
 * The segment must stay the same exactly, so c is taken only where p0 + tau d is computed
 * without rounding:
 * - along a coordinate axis (every 1-input box): c = p0 with that coordinate 0 and e the unit
 *   vector, t the coordinate itself, so first-layer lines have exact coefficients, as in a box of
 *   the plane engine;
 * - otherwise e = d and tau a dyadic approximation of the nearest point's parameter, the closest
 *   one for which c and 1 - tau are exact (tau = 0, c = p0, at worst).
 *
 * d is p1 - p0 rounded: when that difference is not a double (ends of different magnitudes, as
 * for most pairs of decimal inputs), d + r is the exact direction, r the rounding (Knuth's TwoSum
 * error). Along an axis the far end is then t1 = p0 + d + r exactly, itself a double. Otherwise
 * the walked map (c, e) is within (|tau r|, |r| / scale) of the exact one (c + tau r, (d + r) /
 * scale): the engine carries that as its input's error bound and decides open signs from the
 * exact map (`exactLocalMap`), so the segment counted is still exactly p0 -> p1. Without it, the
 * segment walked ended an ulp from p1: a segment ending at a vertex could overshoot it and count
 * the sliver beyond.
 */
import { decompose } from "../geometry/exact.ts";
import { type Dyadic, lift } from "./exact-maps.ts";
import { EPS } from "./map-error.ts";

/** A segment's local coordinates (see above); t maps back to the segment's [0, 1] as (t - t0) / (t1 - t0). */
export interface LineFrame {
  t0: number;
  t1: number;
  /** Euclidean length per unit of t. */
  lengthPerT: number;
  /** The segment's parameter at c (0 along an axis), and e = d / scale (a power of two). */
  tau: number;
  scale: number;
  /** Whether (c, e) is the segment only within the residual's bounds (exactLocalMap): p1 - p0 rounded and no axis took it up. */
  inexact: boolean;
}

/**
 * Writes the local map (c, e) of the segment map = (p0, d) into `out` (2 n0) and returns its
 * range; `length` is the segment's Euclidean length.
 */
export function lineFrame(map: Float64Array, n0: number, length: number, out: Float64Array, residual: Float64Array | null = null): LineFrame {
  let inexact = false;
  if (residual !== null) for (let i = 0; i < n0; i++) if (residual[i] !== 0) inexact = true;
  let axis = -1;
  for (let i = 0; i < n0; i++) {
    if (map[n0 + i] === 0) continue;
    axis = axis === -1 ? i : -2;
  }
  if (axis >= 0) {
    const d = map[n0 + axis];
    const p0 = map[axis];
    // The far end: p0 + d + r, a double (the user's p1) when p0 + d is exact. Only the axis
    // coordinate can have a residual: the others' differences rounded to 0, so they are 0.
    const p1 = residual !== null ? p0 + d + residual[axis] : p0 + d;
    const s = d > 0 ? 1 : -1;
    // Exactly the same segment when its end p0 + d is a float (always for a 1-input box: d was
    // computed as p1 - p0 from floats, so p0 + d rounds only if that subtraction did).
    if (exactSum(p0, d)) {
      out.set(map.subarray(0, n0));
      out.fill(0, n0);
      out[axis] = 0;
      out[n0 + axis] = s;
      return atLeastOne(out, n0, { t0: s * p0, t1: s * p1, lengthPerT: 1, tau: 0, scale: 1, inexact: false });
    }
  }
  out.set(map);
  let pd = 0;
  let dd = 0;
  for (let i = 0; i < n0; i++) {
    pd += map[i] * map[n0 + i];
    dd += map[n0 + i] * map[n0 + i];
  }
  const nearest = -pd / dd;
  if (!Number.isFinite(nearest)) return { t0: 0, t1: 1, lengthPerT: length, tau: 0, scale: 1, inexact };
  // The nearest dyadic tau with few enough bits for every product to be exact.
  // A product tau e_i is exact only if their significands' bits add up to at most 54 (odd
  // integers of k and l bits multiply to one of at least k + l - 1): a tau with more is passed
  // over without the exact tests below, which would refuse it (the same tau is found, sooner).
  let directionBits = 0;
  for (let i = 0; i < n0; i++) directionBits = Math.max(directionBits, significantBits(map[n0 + i]));
  for (let bits = 52; bits >= 0; bits--) {
    const tau = Math.round(nearest * POWERS_OF_TWO[bits]) / POWERS_OF_TWO[bits];
    if (tau === 0) break;
    if (significantBits(tau) + directionBits > 54) continue;
    if (!(Math.abs(tau) < 2 ** 52) || !exactSum(1, -tau)) continue;
    let ok = true;
    for (let i = 0; i < n0 && ok; i++) ok = exactProduct(tau, map[n0 + i]) && exactSum(map[i], tau * map[n0 + i]);
    if (!ok) continue;
    for (let i = 0; i < n0; i++) out[i] = map[i] + tau * map[n0 + i];
    return atLeastOne(out, n0, { t0: -tau, t1: 1 - tau, lengthPerT: length, tau, scale: 1, inexact });
  }
  return { t0: 0, t1: 1, lengthPerT: length, tau: 0, scale: 1, inexact };
}

/**
 * How far the walked map (c, e) of an `inexact` frame is from the exact one, per channel, into
 * err (the walk's input bound, map-error.ts `inputErr`): max |tau r_i| and max |r_i| / scale,
 * rounded up.
 */
export function localMapError(n0: number, frame: LineFrame, residual: Float64Array, err: Float64Array): void {
  let e0 = 0;
  let e1 = 0;
  for (let i = 0; i < n0; i++) {
    const r = residual[i];
    if (r === 0) continue;
    // A product is within half an ulp, plus the smallest subnormal where it underflows.
    if (frame.tau !== 0) e0 = Math.max(e0, Math.abs(frame.tau * r) * (1 + 2 * EPS) + MIN_SUBNORMAL);
    // A division by a power of two is exact unless it underflows (then under 2^-1022).
    e1 = Math.max(e1, Math.abs(r) / frame.scale, 2 ** -1022);
  }
  err[0] = e0;
  err[1] = e1;
}

/**
 * The exact local map (c + tau r, (d + r) / scale) of an `inexact` frame as dyadic rationals,
 * for exact-maps.ts (asked only when a decision is left open).
 */
export function exactLocalMap(local: Float64Array, n0: number, frame: LineFrame, residual: Float64Array): Dyadic {
  const terms: { m: bigint; e: number }[][] = [];
  const tau = decompose(frame.tau);
  const shift = Math.round(Math.log2(frame.scale));
  for (let i = 0; i < n0; i++) {
    const r = decompose(residual[i]);
    terms.push([decompose(local[i]), { m: tau.m * r.m, e: tau.e + r.e }]);
  }
  for (let i = 0; i < n0; i++) {
    const r = decompose(residual[i]);
    terms.push([decompose(local[n0 + i]), { m: r.m, e: r.e - shift }]);
  }
  return dyadicSums(terms);
}

const MIN_SUBNORMAL = 2 ** -1074;

/** Sums of dyadic terms (m 2^e each) as integers times one power of two. */
function dyadicSums(terms: { m: bigint; e: number }[][]): Dyadic {
  let e = Number.POSITIVE_INFINITY;
  for (const sum of terms) for (const t of sum) if (t.m !== 0n) e = Math.min(e, t.e);
  if (e === Number.POSITIVE_INFINITY) e = 0;
  return { e, v: terms.map((sum) => sum.reduce((acc, t) => acc + lift(t.m, t.e, e), 0n)) };
}

/**
 * The frame with e divided and t multiplied by a power of two (exact) so that the largest |t| is
 * at least 1: the engines then need no check that slopes times |t| stay in float64's normal range
 * (map-error.ts, refuseUnderflow), which a short segment would cost at every step.
 */
function atLeastOne(out: Float64Array, n0: number, frame: LineFrame): LineFrame {
  const reach = Math.max(Math.abs(frame.t0), Math.abs(frame.t1));
  if (!(reach > 0 && reach < 1)) return frame;
  const k = Math.ceil(-Math.log2(reach));
  const f = 2 ** k;
  for (let i = n0; i < 2 * n0; i++) {
    // Only while every direction coordinate stays normal (a subnormal one would round).
    if (out[i] !== 0 && Math.abs(out[i] / f) < 2 ** -1022) return frame;
  }
  for (let i = n0; i < 2 * n0; i++) out[i] /= f;
  return { ...frame, t0: frame.t0 * f, t1: frame.t1 * f, lengthPerT: frame.lengthPerT / f, scale: f };
}

/** 2^0 .. 2^52, looked up (a power with a variable exponent is a call). */
const POWERS_OF_TWO = Float64Array.from({ length: 53 }, (_, k) => 2 ** k);

const bitsOf = new Float64Array(1);
const wordsOf = new Uint32Array(bitsOf.buffer);
/** The index of the word holding the sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The number of bits of x's significand from its leading 1 to its last 1 (0 for 0): x is an odd
 * integer of that many bits times a power of two. At most 53; non-finite values are not asked.
 */
function significantBits(x: number): number {
  if (x === 0) return 0;
  bitsOf[0] = x;
  const high = wordsOf[HIGH];
  const low = wordsOf[1 - HIGH];
  // The fraction's 52 bits, with the leading 1 of a normal number as bit 52 (a subnormal has none).
  const exponent = (high >>> 20) & 0x7ff;
  const top = (high & 0xfffff) | (exponent === 0 ? 0 : 0x100000);
  const lead = top !== 0 ? 52 - (Math.clz32(top) - 11) : 31 - Math.clz32(low);
  const trailing = low !== 0 ? 31 - Math.clz32(low & -low) : 32 + 31 - Math.clz32(top & -top);
  return lead - trailing + 1;
}

/** Whether a + b is a float64 without rounding (Knuth's TwoSum error is 0). */
function exactSum(a: number, b: number): boolean {
  const s = a + b;
  if (!Number.isFinite(s)) return false;
  const bv = s - a;
  return a - (s - bv) + (b - bv) === 0;
}

const SPLITTER = 2 ** 27 + 1;

/** Whether a * b is a float64 without rounding (Dekker's product error is 0). */
function exactProduct(a: number, b: number): boolean {
  const p = a * b;
  if (p === 0) return a === 0 || b === 0;
  if (!Number.isFinite(p) || Math.abs(a) > 2 ** 995 || Math.abs(b) > 2 ** 995 || Math.abs(p) < 2 ** -969) return false;
  const ca = SPLITTER * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLITTER * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl === 0;
}
