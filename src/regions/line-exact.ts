/**
 * The line engine's open decisions, decided exactly (docs/numerics.md, "ties by rounding").
 *
 * A deep-layer unit's breakpoint function a + b t carries rounding, so where it is within its
 * bound of zero at a piece's end, or its root within the roots' fuzz of another root, float64
 * cannot tell a crossing from an incidence. There the functions involved are recomputed exactly:
 * the network's own map on the piece, from the segment's exact local map through every step with
 * the piece's states, in BigInt (exact-maps.ts). The exact sign then decides: 0 is a real tie
 * (duplicated units, zero biases, lines through a breakpoint), anything else a crossing on its
 * side. Where no exact map is known (no segment set), the tie is kept and counted in
 * `ledger.uncertain`, never silently. Nothing here runs unless a rounding bound left a decision
 * open.
 */
import { decompose } from "../geometry/exact.ts";
import { type ExactMaps, lift } from "./exact-maps.ts";
import { scaled } from "./unit-error.ts";

/** What an exact decision needs of a root t = -a/b (line.ts's Root). */
export interface ExactRoot {
  a: number;
  b: number;
  fuzz: number;
  /** The piecewise step whose unit made it (-1: a segment end, exact as stored). */
  step: number;
  /** Its unit, minus `unit2` (a max group's rival; -1 for none), minus `shift` (the breakpoint). */
  unit: number;
  unit2: number;
  shift: number;
  /** Its exact line x0 + x1 t (one power of two dropped) once `settled`. */
  x0: bigint;
  x1: bigint;
  settled: boolean;
}

/**
 * The exact maps of the segment being walked (set by the engine; null outside a walk) and the
 * decisions left uncertain, which the engine reads the increase of.
 */
export const ledger: { maps: ExactMaps | null; uncertain: number; exact: number } = { maps: null, uncertain: 0, exact: 0 };

/** A root's exact line into out; false when none is known. */
function rootLine(r: ExactRoot, out: bigint[]): boolean {
  if (r.step < 0) {
    out[0] = scaled(r.a);
    out[1] = scaled(r.b);
    return true;
  }
  if (!r.settled) {
    const maps = ledger.maps;
    if (maps === null) return false;
    maps.line(r.step, r.unit, r.unit2, r.shift, out);
    r.x0 = out[0];
    r.x1 = out[1];
    r.settled = true;
  }
  out[0] = r.x0;
  out[1] = r.x1;
  // An exact slope of 0 has no root: the float root was rounding's (left as a tie, counted).
  return r.x1 !== 0n;
}

const first: bigint[] = [0n, 0n];
const second: bigint[] = [0n, 0n];

function unknown(): number {
  ledger.uncertain++;
  return 0;
}

const signOf = (x: bigint): number => (x > 0n ? 1 : x < 0n ? -1 : 0);

/** sign(t1 - t2) of two roots whose float comparison was left open: exact (0: the same point). */
export function compareOpen(r1: ExactRoot, r2: ExactRoot): number {
  ledger.exact++;
  if (!rootLine(r1, first) || !rootLine(r2, second)) return unknown();
  // -x0/x1 + y0/y1 = (y0 x1 - x0 y1) / (x1 y1)
  return signOf(second[0] * first[1] - first[0] * second[1]) * signOf(first[1]) * signOf(second[1]);
}

/** The exact line of unit (minus unit2, minus shift) of step s's input on the piece, into out; false when unknown. */
export function unitLine(s: number, unit: number, unit2: number, shift: number, out: bigint[]): boolean {
  const maps = ledger.maps;
  if (maps === null) return false;
  maps.line(s, unit, unit2, shift, out);
  return true;
}

/** Sign at root r of the function whose exact line is f (unitLine), where the float test was left open. */
export function signOpen(f: bigint[], r: ExactRoot): number {
  ledger.exact++;
  if (!rootLine(r, first)) return unknown();
  // f(-x0/x1) = (f0 x1 - f1 x0) / x1
  return signOf(f[0] * first[1] - f[1] * first[0]) * signOf(first[1]);
}

/**
 * Whether the exact line f is a multiple of the computed a + b t: then its computed root is
 * exact. Not when a and b are both 0 (a unit whose computed map vanished): that is every line's
 * multiple by 0, and its root, 0/0, is no point.
 */
export function rootIsExact(f: bigint[], a: number, b: number): boolean {
  return (a !== 0 || b !== 0) && f[0] * scaled(b) === f[1] * scaled(a);
}

/** A decision that could not be made exactly: kept as a tie, counted. */
export const uncertainTie = unknown;

/**
 * A double at least |x - v 2^e|: how far a computed coefficient x is from the exact one, v 2^e
 * (an exact map's, exact-maps.ts), rounded up. The difference is exact in BigInt; its leading 64
 * bits, plus one where any was dropped, become a double times (1 + 2^-52) (Number rounds to
 * nearest), scaled by powers of two (exact while normal; where a step goes subnormal every later
 * one multiplies by at most 1, so the result is under 2^-1022 and off by a few 2^-1075 at most:
 * 2^-1060 added covers them).
 */
export function distanceUp(x: number, v: bigint, e: number): number {
  let t = e;
  let d: bigint;
  if (x === 0) d = v;
  else {
    const dx = decompose(x);
    t = Math.min(e, dx.e);
    d = lift(dx.m, dx.e, t) - lift(v, e, t);
  }
  if (d < 0n) d = -d;
  if (d === 0n) return 0;
  const bits = d.toString(16).length * 4;
  let shift = 0;
  if (bits > 64) {
    shift = bits - 64;
    d = (d >> BigInt(shift)) + 1n;
  }
  let r = Number(d) * (1 + 2 ** -52);
  let k = t + shift;
  while (k > 1000 && r < Number.POSITIVE_INFINITY) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000 && r > 0) {
    r *= 2 ** -1000;
    k += 1000;
  }
  r *= 2 ** k;
  return r + 2 ** -1060;
}
