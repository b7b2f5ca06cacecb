/**
 * The line engine's points and events: a point of the segment as the root of an affine function,
 * with its rounding radius and fuzz; exact signs at roots and comparisons of roots (float filter,
 * refinement from the unit's own bounds, then det2Sign or the exact lines of line-exact.ts); and
 * the sort of a piece's events.
 */
import { det2Sign } from "../geometry/exact.ts";
import { compareOpen, type ExactRoot } from "./line-exact.ts";
import { EPS } from "./map-error.ts";
import type { UnitBounds } from "./unit-error.ts";

/**
 * A point of the segment, t = -a/b, with its float value, the rounding radius of that value, and
 * `fuzz`: how far the root of the exact function can be, given the error bounds of the computed
 * coefficients (0 for exact coefficients). A root whose fuzz comes from its channel's bounds (the
 * largest unit's) keeps what its unit's own bounds need (`src`, unit-error.ts): where that fuzz
 * leaves a comparison or a sign undecided, the root is refined once (`refine`) and decided again.
 * Where even that leaves it open, its exact line decides (line-exact.ts: `step`, `unit`,
 * `unit2` and `shift` say which line, set by `origin`).
 */
export interface Root extends ExactRoot {
  t: number;
  err: number;
  /** Its unit, the rounding added to its constant (a breakpoint subtracted), and the map's source; src null once refined. */
  extra: number;
  src: RootSource | null;
  /** Its position from its exact line, -x0/x1 rounded to a double (exactPosition), once asked for; NaN before. */
  placed: number;
}

export function blankRoot(): Root {
  return { a: 0, b: 0, t: 0, err: 0, fuzz: 0, unit: -1, extra: 0, src: null, step: -1, unit2: -1, shift: 0, x0: 0n, x1: 0n, settled: false, placed: Number.NaN };
}

export function makeRoot(a: number, b: number, ea = 0, eb = 0): Root {
  return setRoot(blankRoot(), a, b, ea, eb);
}

/**
 * makeRoot written into an existing root (the engine's pooled events), with what its fuzz needs
 * to be refined later (its unit, the rounding added to its constant, its step's source).
 */
export function setRoot(r: Root, a: number, b: number, ea = 0, eb = 0, unit = -1, extra = 0, src: RootSource | null = null): Root {
  const t = -a / b;
  r.a = a;
  r.b = b;
  r.t = t;
  r.err = 4 * EPS * Math.abs(t);
  r.fuzz = rootFuzz(b, t, ea, eb);
  r.unit = unit;
  r.extra = extra;
  r.src = src;
  r.step = -1;
  r.settled = false;
  r.placed = Number.NaN;
  return r;
}

/**
 * A crossing its exact line f = x0 + x1 t decided (line-exact.ts) where the computed a + b t is
 * within its bounds of zero: its computed root can be no point of the piece at all (b of the
 * wrong sign, or 0 and t NaN). Then the root is placed from f: a and b are f's coefficients
 * rounded to doubles (shifted into range first, so that deep networks' long integers fit), with
 * that rounding as their bounds, and f kept for exact comparisons. Rising: the sign after it.
 */
export function placeRoot(r: Root, rising: number, lo: Root, hi: Root, f: bigint[]): void {
  if (r.b !== 0 && r.b > 0 === rising > 0 && r.t >= lo.t && r.t <= hi.t) return;
  const x0 = f[0];
  const x1 = f[1];
  if (x1 === 0n) return;
  const bits = Math.max(bitLength(x0), bitLength(x1));
  const shift = Math.max(0, bits - 62);
  const a = Number(x0 >> BigInt(shift));
  const b = Number(x1 >> BigInt(shift));
  // A shift drops less than 1 (BigInt's >> rounds down), a conversion rounds by half an ulp.
  const dropped = shift > 0 ? 1 : 0;
  const { step, unit2, shift: unitShift } = r;
  setRoot(r, a, b, dropped + 2 * EPS * Math.abs(a), dropped + 2 * EPS * Math.abs(b), r.unit, r.extra, null);
  origin(r, step, unit2, unitShift);
  r.x0 = x0;
  r.x1 = x1;
  r.settled = true;
}

/**
 * -x0/x1 rounded to the nearest double (x1 not 0): the quotient of |x0| 2^k by |x1| to at least 55
 * bits, its last bit set where the division left a remainder (so that Number rounds it as it
 * would the exact quotient), then scaled back by 2^-k in steps that stay exact while normal.
 */
export function nearestQuotient(x0: bigint, x1: bigint): number {
  if (x0 === 0n) return 0;
  // -x0/x1 is negative where x0 and x1 have one sign.
  const negative = x0 < 0n === x1 < 0n;
  const n = x0 < 0n ? -x0 : x0;
  const d = x1 < 0n ? -x1 : x1;
  const k = Math.max(0, 56 + bitLength(d) - bitLength(n));
  const scaledN = n << BigInt(k);
  let q = scaledN / d;
  if (q * d !== scaledN) q |= 1n;
  let r = Number(q);
  let e = -k;
  while (e < -1000) {
    r *= 2 ** -1000;
    e += 1000;
  }
  r *= 2 ** e;
  return negative ? -r : r;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : (x < 0n ? -x : x).toString(2).length;
}

/** Which exact line a root of step s is the root of (line-exact.ts): its unit (set) minus unit2, minus shift. */
export function origin(r: Root, step: number, unit2: number, shift: number): void {
  r.step = step;
  r.unit2 = unit2;
  r.shift = shift;
}

/**
 * Where the roots of one piecewise step's units came from: the map, its channel bounds (relative
 * to the exact map) and source, and the part of those bounds carried from the layers above (p0,
 * p1), which the unit's own bounds (local, unit-error.ts) add.
 */
export interface RootSource {
  units: UnitBounds;
  z: Float64Array;
  e0: number;
  e1: number;
  p0: number;
  p1: number;
  /** The carried part per unit (channel c of unit i at c m + i, m its length / 2), where the line engine keeps it; else p0, p1. */
  carried: Float64Array | null;
}

/**
 * How far the exact root can be from t: |t* - t| = |a* + b* t| / |b*| <= (ea + eb |t|) / (|b| - eb).
 * Where eb >= |b| the exact slope may be 0 (no root, or the whole piece): infinite, so that every
 * comparison and sign it enters is open and decided exactly. (Until Dec 7 the divisor was held at
 * |b| / 2 or more, which is no bound where eb > |b| / 2: a twin chain 25 layers deep placed a
 * crossing 0.39 of the segment early with a fuzz of 2e-4, and counted a piece that does not exist.)
 */
function rootFuzz(b: number, t: number, ea: number, eb: number): number {
  if (ea === 0 && eb === 0) return 0;
  const slope = Math.abs(b) - eb;
  return slope > 0 ? (ea + eb * Math.abs(t)) / slope : Number.POSITIVE_INFINITY;
}

const refined = new Float64Array(2);
const channel = new Float64Array(2);

/** The root's fuzz from its unit's own bounds; false when there is nothing to refine. */
function refine(r: Root): boolean {
  const src = r.src;
  if (src === null) return false;
  r.src = null;
  channel[0] = src.e0;
  channel[1] = src.e1;
  src.units.unit(r.unit, channel, src.z, refined);
  const grow = 1 + 4 * EPS;
  const v = src.carried;
  refined[0] = Math.min(src.e0, (refined[0] + (v === null ? src.p0 : v[r.unit])) * grow);
  refined[1] = Math.min(src.e1, (refined[1] + (v === null ? src.p1 : v[v.length / 2 + r.unit])) * grow);
  const fuzz = rootFuzz(r.b, r.t, refined[0] + r.extra, refined[1]);
  if (!(fuzz < r.fuzz)) return false;
  r.fuzz = fuzz;
  return true;
}

/**
 * The root's fuzz from its unit's own bounds, where it still has them (as a sign or comparison it
 * enters would refine it: the same bound, only earlier). Its fuzz after.
 */
export function refinedFuzz(r: Root): number {
  refine(r);
  return r.fuzz;
}

/** signAt's answer when f is within its bounds of zero at r (or r within its fuzz): open, to be decided exactly. */
export const OPEN = 2;

/**
 * Sign of f(t) = a + b t at the root r: exact for exact coefficients; OPEN when f is within the
 * coefficients' error bounds (ea, eb) of zero, or when r itself is only known within its fuzz.
 */
export function signAt(a: number, b: number, r: Root, ea = 0, eb = 0): number {
  for (;;) {
    const bt = b * r.t;
    const f = a + bt;
    const coef = ea + eb * Math.abs(r.t) + (Math.abs(b) + eb) * r.fuzz;
    const bound = (Math.abs(b) + eb) * r.err + 4 * EPS * (Math.abs(a) + Math.abs(bt)) + coef;
    if (f > bound) return 1;
    if (-f > bound) return -1;
    // NaN: a saturated bound (map-error.ts SATURATED) times a fuzz of 0 past float64's range; open too.
    if (coef > 0 || (Number.isNaN(coef) && ea + eb > 0)) {
      if (refine(r)) continue;
      return OPEN;
    }
    // f(-ra/rb) = (a rb - b ra) / rb
    return det2Sign(a, b, r.a, r.b) * Math.sign(r.b);
  }
}

/**
 * Comparison of two roots, sign(t1 - t2): exact; where they agree within their fuzz, decided from
 * their exact lines (a real tie is 0), or 0 counted as uncertain (line-exact.ts).
 */
export function compareRoots(r1: Root, r2: Root): number {
  if (r1 === r2) return 0;
  for (;;) {
    const d = r1.t - r2.t;
    if (Math.abs(d) > r1.err + r2.err + r1.fuzz + r2.fuzz) return Math.sign(d);
    if (r1.fuzz > 0 || r2.fuzz > 0) {
      // Both refined if they can be (either may be the one whose channel bound is wide).
      const one = refine(r1);
      if (refine(r2) || one) continue;
      return compareOpen(r1, r2);
    }
    // -a1/b1 + a2/b2 = (a2 b1 - a1 b2) / (b1 b2)
    return det2Sign(r2.a, r2.b, r1.a, r1.b) * Math.sign(r1.b) * Math.sign(r2.b);
  }
}

export interface LineEvent {
  at: Root;
  unit: number;
  /** State of the unit after the event. */
  state: number;
}

/** Sort order of events (a module function: no closure per piece). */
const byRoot = (x: LineEvent, y: LineEvent): number => compareRoots(x.at, y.at);

/**
 * Sort events[0 .. count) by byRoot as V8's Array.prototype.sort does for short arrays (one run
 * counted, and reversed if strictly descending, then binary insertion), without its allocation
 * per call. The order must be exactly that sort's: roots that agree within their fuzz compare
 * equal, which is not transitive, and the order of events at one point decides the order of the
 * rank-one updates (their rounding). Checked against Array.prototype.sort on 200,000 random
 * arrays of 2-41 items with such comparisons; longer lists use it directly.
 */
export function sortEvents(events: LineEvent[], count: number): void {
  if (count < 2) return;
  if (count > 40) {
    events.length = count;
    events.sort(byRoot);
    return;
  }
  // The run at the start: ascending (non-descending), or strictly descending and then reversed.
  let run = 2;
  const descending = byRoot(events[1], events[0]) < 0;
  let previous = events[1];
  for (; run < count; run++) {
    const order = byRoot(events[run], previous);
    if (descending ? order >= 0 : order < 0) break;
    previous = events[run];
  }
  if (descending) {
    for (let lo = 0, hi = run - 1; lo < hi; lo++, hi--) {
      const t = events[lo];
      events[lo] = events[hi];
      events[hi] = t;
    }
  }
  for (let start = run; start < count; start++) {
    const pivot = events[start];
    let left = 0;
    let right = start;
    while (left < right) {
      const mid = left + ((right - left) >> 1);
      if (byRoot(pivot, events[mid]) < 0) right = mid;
      else left = mid + 1;
    }
    for (let p = start; p > left; p--) events[p] = events[p - 1];
    events[left] = pivot;
  }
}
