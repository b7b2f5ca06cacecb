/**
 * The near-exact stages between the float64 bounds and the exact maps (docs/numerics.md,
 * "Near-exact maps"): the network's maps on the current piece in double-double (line-double.ts),
 * triple-double (line-triple.ts) and rounded BigInt with a proven distance to the exact ones
 * (line-rounded.ts), tried in that order where one says enough: by the line engine's anchor to
 * measure a carried bound (measure), and by its position to place a piece end (place).
 */
import { perObject } from "../model/per-object.ts";
import type { Step } from "../model/steps.ts";
import type { Dyadic } from "./exact-maps.ts";
import { DoubleMaps, distanceToDouble } from "./line-double.ts";
import { distanceUp } from "./line-exact.ts";
import { nearestQuotient, type Root } from "./line-roots.ts";
import { precisionOf, RoundedMaps } from "./line-rounded.ts";
import { distanceToTriple, TripleMaps } from "./line-triple.ts";

/** Where the double-double and triple-double maps fell short first (NearExactMaps.near), per network. */
const nearFromOf = perObject((_: Step[]) => ({ doubleFrom: Number.POSITIVE_INFINITY, tripleFrom: Number.POSITIVE_INFINITY }));

export class NearExactMaps {
  /** The maps to a few hundred bits with a proven distance to the exact ones (line-rounded.ts): anchor's and position's third try, before the exact maps. */
  private readonly rounded: RoundedMaps;
  /** The same in double-double (line-double.ts): their first try. */
  private readonly double: DoubleMaps;
  /**
   * The first step at which the double-double maps did not say enough (then not tried there and
   * below: a guess, for speed only), and the same for the triple-double ones: per network, as an
   * engine is made per linePartition call (one per segment of a list).
   */
  private readonly near: { doubleFrom: number; tripleFrom: number };
  private get doubleFrom(): number {
    return this.near.doubleFrom;
  }
  private set doubleFrom(s: number) {
    this.near.doubleFrom = s;
  }
  private get tripleFrom(): number {
    return this.near.tripleFrom;
  }
  private set tripleFrom(s: number) {
    this.near.tripleFrom = s;
  }
  /** The same in triple-double (line-triple.ts): their second try. */
  private readonly triple: TripleMaps;
  private readonly qLine: bigint[] = [0n, 0n, 0n, 0n];
  /** Anchors measured from the rounded, double-double and triple-double maps, and ends placed from them (tests, benchmarks). */
  roundedMeasures = 0;
  doubleMeasures = 0;
  tripleMeasures = 0;
  roundedPlacements = 0;
  doublePlacements = 0;
  triplePlacements = 0;

  /**
   * `statesOf(s)`: piecewise step s's states on the current piece (the engine's); `localErr` and
   * `carriedErr`: the engine's bounds (line-carry.ts), read by measure.
   */
  constructor(
    private readonly steps: Step[],
    statesOf: (s: number) => Uint8Array,
    private readonly localErr: Float64Array,
    private readonly carriedErr: Float64Array,
  ) {
    this.rounded = new RoundedMaps(steps, statesOf);
    this.double = new DoubleMaps(steps, statesOf);
    this.triple = new TripleMaps(steps, statesOf);
    this.near = nearFromOf(steps);
  }

  /** A new segment's local map (and, for an inexact frame, its exact one, line-frame.ts). */
  segment(local: Float64Array, exactStart: (() => Dyadic) | null = null): void {
    this.rounded.segment(local, exactStart);
    this.double.segment(local, exactStart);
    this.triple.segment(local, exactStart);
  }

  /** Step s's states are about to change: the maps' inputs kept below it are no longer the piece's (line-rounded.ts invalidate). */
  invalidate(s: number): void {
    this.rounded.invalidate(s);
    this.double.invalidate(s);
    this.triple.invalidate(s);
  }

  /**
   * anchor's measure from the near-exact maps (double-double, triple-double, then rounded BigInt:
   * line-double.ts, line-triple.ts, line-rounded.ts), where one says enough: the exact input y* of
   * step s is within err of the near one y, so |z_j - y*_j| <= |z_j - y_j| + err_j,
   * and that, widened by 2^-49 (so it is never below what the exact measure, distanceUp of the exact
   * map, gives: a bound never tighter than the exact measure's, so no decision or placed end
   * differs for it but by going to the exact maps), goes into vec. Taken only where every err_j is
   * under 2^-20 of both its distance and the map's local bound (what the measure adds to it):
   * then it is the exact measure to 2^-20 of itself. Else false, and the exact maps measure.
   */
  measure(s: number, p: number, z: Float64Array, vec: Float64Array): boolean {
    const m = vec.length / 2;
    const l0 = this.localErr[2 * p] * 2 ** -20;
    const l1 = this.localErr[2 * p + 1] * 2 ** -20;
    const wide = 1 + 2 ** -49;
    // Double-double, then triple-double (each given up at and below the first step it fell short at).
    const dd = s < this.doubleFrom ? this.double.input(s) : null;
    if (dd !== null) {
      let j = 0;
      for (; j < 2 * m; j++) {
        const d = distanceToDouble(z[j], dd.h[j], dd.l[j]);
        const r = dd.err[j];
        if (!(d < Number.POSITIVE_INFINITY && (r <= (j < m ? l0 : l1) || r <= d * 2 ** -20))) break;
        vec[j] = (d + r) * wide + 2 ** -1060;
      }
      if (j === 2 * m) {
        this.doubleMeasures++;
        return true;
      }
    }
    if (s < this.doubleFrom) this.doubleFrom = s;
    const td = s < this.tripleFrom ? this.triple.input(s) : null;
    if (td !== null) {
      let j = 0;
      for (; j < 2 * m; j++) {
        const d = distanceToTriple(z[j], td.h[j], td.m[j], td.l[j]);
        const r = td.err[j];
        if (!(d < Number.POSITIVE_INFINITY && (r <= (j < m ? l0 : l1) || r <= d * 2 ** -20))) break;
        vec[j] = (d + r) * wide + 2 ** -1060;
      }
      if (j === 2 * m) {
        this.tripleMeasures++;
        return true;
      }
    }
    if (s < this.tripleFrom) this.tripleFrom = s;
    // The bits the rounded maps need: their bound grows through the layers as the float64 map's
    // carried part does from its own rounding (about carriedErr / localErr), and must end 2^-20
    // under that rounding, 2^-53 of the values: 73 bits and that growth, and some more. Where they
    // fall short, once more with what they fell short by.
    const growth = Math.max(this.carriedErr[2 * p] / this.localErr[2 * p], this.carriedErr[2 * p + 1] / this.localErr[2 * p + 1], 1);
    let bits = 96 + Math.ceil(Math.log2(Math.min(growth, 2 ** 1000)));
    for (let attempt = 0; attempt < 2; attempt++) {
      const y = this.rounded.input(s, bits);
      let short = 1;
      for (let j = 0; j < m; j++) {
        const r0 = y.err[j];
        const r1 = y.err[m + j];
        const d0 = distanceUp(z[j], y.v[j], y.e);
        const d1 = distanceUp(z[m + j], y.v[m + j], y.e);
        const a0 = Math.max(l0, d0 * 2 ** -20);
        const a1 = Math.max(l1, d1 * 2 ** -20);
        if (!(r0 <= a0) || !(r1 <= a1)) {
          short = Math.max(short, r0 / a0, r1 / a1);
          continue;
        }
        vec[j] = (d0 + r0) * wide + 2 ** -1060;
        vec[m + j] = (d1 + r1) * wide + 2 ** -1060;
      }
      if (short === 1) {
        this.roundedMeasures++;
        return true;
      }
      // Not finite (a bound past the range, a local bound of 0): the exact maps.
      if (!(short < 2 ** 1000)) return false;
      bits = this.rounded.precision + Math.ceil(Math.log2(short)) + 16;
    }
    return false;
  }

  /**
   * The double nearest the root of r's exact line, from the near-exact maps where one settles it,
   * else null: the near line x0 + x1 t is within (r0, r1) of the exact one, so (where |x1| > r1, the
   * exact slope's sign known and not 0) the exact root lies between the extremes of
   * -(x0 +- r0)/(x1 +- r1), and where those two round to the same double (rounding to nearest is
   * monotone), so does it: the exact placement's double, without its map.
   */
  place(r: Root): number | null {
    const q = this.qLine;
    if (r.step < this.doubleFrom && this.double.line(r.step, r.unit, r.unit2, r.shift, q)) {
      const near = rootBetween(q);
      if (near !== null) {
        this.doublePlacements++;
        return near;
      }
    }
    if (r.step < this.doubleFrom) this.doubleFrom = r.step;
    if (r.step < this.tripleFrom && this.triple.line(r.step, r.unit, r.unit2, r.shift, q)) {
      const near = rootBetween(q);
      if (near !== null) {
        this.triplePlacements++;
        return near;
      }
    }
    if (r.step < this.tripleFrom) this.tripleFrom = r.step;
    if (!this.rounded.line(r.step, r.unit, r.unit2, r.shift, q, precisionOf(this.steps))) return null;
    const near = rootBetween(q);
    if (near !== null) this.roundedPlacements++;
    return near;
  }
}

/** The double nearest the root of a line x0 + x1 t known within (r0, r1) (q: x0, x1, r0, r1), where they settle it; else null. */
function rootBetween(q: bigint[]): number | null {
  let x0 = q[0];
  let x1 = q[1];
  const r0 = q[2];
  const r1 = q[3];
  if (x1 < 0n) {
    x0 = -x0;
    x1 = -x1;
  }
  if (x1 <= r1) return null;
  // The root is N / D with N in [-x0 - r0, -x0 + r0] and D in [x1 - r1, x1 + r1], D > 0.
  const nLo = -x0 - r0;
  const nHi = -x0 + r0;
  const dLo = x1 - r1;
  const dHi = x1 + r1;
  const lo = nearestQuotient(-nLo, nLo >= 0n ? dHi : dLo);
  const hi = nearestQuotient(-nHi, nHi >= 0n ? dLo : dHi);
  return Object.is(lo, hi) ? lo : null;
}
