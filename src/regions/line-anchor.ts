/**
 * anchor (line.ts): where a piecewise step's bounds leave a decision open and most of its input's
 * bound was carried from the layers above (line-carry.ts), that carried part measured again: by the
 * adjoint bound (line-adjoint.ts), else against the near-exact maps (line-near.ts), else against the
 * exact map (exact-maps.ts), so the layers below decide in float64 again.
 */
import type { ExactMaps } from "./exact-maps.ts";
import { AdjointBound, type AdjointChain, type LineAdjointProbe } from "./line-adjoint.ts";
import { ADJOINT as ADJOINT_FLAG, ANCHORED as ANCHORED_FLAG, type CarriedBounds, MEASURED as MEASURED_FLAG, PER_UNIT as PER_UNIT_FLAG } from "./line-carry.ts";
import { distanceUp, ledger } from "./line-exact.ts";
import type { NearExactMaps } from "./line-near.ts";
import { SATURATED as SATURATED_BOUND } from "./map-error.ts";

// Module-local copies (some loaders, tsx, turn every read of an imported binding into a getter call).
const SATURATED = SATURATED_BOUND;
const PER_UNIT = PER_UNIT_FLAG;
const ANCHORED = ANCHORED_FLAG;
const MEASURED = MEASURED_FLAG;
const ADJOINT = ADJOINT_FLAG;

/** Where the adjoint bound's chain may stop, relative to the map's largest value (adjointInto). */
const ENOUGH = 2 ** -30;
/** The largest |x[i]|, from <= i < to. */
function maxAbsOf(x: Float64Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export class AnchorMeasure {
  /** Carried bounds measured against the exact map (tests, benchmarks). */
  anchoredMaps = 0;
  /** Carried bounds measured by the adjoint bound instead (line-adjoint.ts; tests, benchmarks). */
  adjointMaps = 0;
  private readonly localErr: Float64Array;
  private readonly carriedErr: Float64Array;
  private readonly carryFlags: Uint8Array;
  private readonly inputOf: Int32Array;

  /**
   * `chainOf`: what the adjoint bound reads of the engine's walk (made at its first use); `mapOf(p)`:
   * piecewise step p's fused map on the current piece (its frame's).
   */
  constructor(
    private readonly bounds: CarriedBounds,
    private readonly nearExact: NearExactMaps,
    private readonly exact: ExactMaps,
    /** Tests only: told of every adjoint bound made (line-adjoint.ts LineAdjointProbe). */
    private readonly adjointProbe: LineAdjointProbe | null,
    private readonly chainOf: () => AdjointChain,
    private readonly mapOf: (p: number) => Float64Array,
  ) {
    ({ localErr: this.localErr, carriedErr: this.carriedErr, carryFlags: this.carryFlags, inputOf: this.inputOf } = bounds);
  }

  /**
   * Whether piecewise step s, a decision of which its bounds left open, may have its input's
   * bound measured (anchor): the input is the fused map of the step above, not measured since it
   * last changed, and the part of its bound carried from the layers above exceeds its own
   * rounding (else the measure could not make it much smaller).
   */
  mayAnchor(s: number): boolean {
    const p = this.inputOf[s];
    if (p < 0 || (this.carryFlags[p] & ANCHORED) !== 0 || ledger.maps === null) return false;
    return this.carriedErr[2 * p] > this.localErr[2 * p] || this.carriedErr[2 * p + 1] > this.localErr[2 * p + 1];
  }

  /**
   * The carried bound of step s's input (the fused map of step p = inputOf[s]) measured: each
   * coefficient's distance to the exact map's on the piece (exact-maps.ts, as the exact decisions
   * use it; line-exact.ts distanceUp), which the local part plus it bounds (it is at most the
   * distance itself), for step s to be cut again with that bound. Deep networks: the carried bound
   * grows like |W| D per layer and, past the values, sends every decision to the exact maps; one
   * exact map here starts it again from the map's true distance, so the layers below decide in
   * float64 again. Done once per map (anchored, cleared where the map changes).
   */
  measure(s: number, p: number, z: Float64Array, zErr: Float64Array, reach: number, nearMaps: boolean): void {
    const vec = this.bounds.vecOf(p);
    const m = vec.length / 2;
    let big0 = 0;
    let big1 = 0;
    const adjoint = (this.carryFlags[p] & ADJOINT) === 0 && this.adjointInto(p, vec, reach);
    if (adjoint || (nearMaps && this.nearExact.measure(s, p, z, vec))) {
      for (let j = 0; j < m; j++) {
        if (!(vec[j] <= big0)) big0 = vec[j];
        if (!(vec[m + j] <= big1)) big1 = vec[m + j];
      }
    } else {
      const exact = this.exact.input(s);
      for (let j = 0; j < m; j++) {
        const d0 = distanceUp(z[j], exact.v[j], exact.e);
        const d1 = distanceUp(z[m + j], exact.v[m + j], exact.e);
        vec[j] = d0;
        vec[m + j] = d1;
        if (!(d0 <= big0)) big0 = d0;
        if (!(d1 <= big1)) big1 = d1;
      }
    }
    if (!(big0 < SATURATED && big1 < SATURATED)) {
      vec.fill(SATURATED);
      big0 = big1 = SATURATED;
    }
    this.carryFlags[p] = adjoint ? PER_UNIT | MEASURED | ADJOINT : PER_UNIT | ANCHORED | MEASURED;
    if (adjoint) this.adjointMaps++;
    else this.anchoredMaps++;
    this.carriedErr[2 * p] = big0;
    this.carriedErr[2 * p + 1] = big1;
    // zErr is step p's bound (its frame's err): the local part plus the measured one.
    this.bounds.globalErr(p, zErr);
  }

  /**
   * The adjoint bound of step p's map (line-adjoint.ts) into its per-unit carried bounds, where
   * smaller than them (each bounds the distance to the exact map, with the local part): false
   * where it is not finite.
   */
  private adjointInto(p: number, vec: Float64Array, reachT: number): boolean {
    const m = vec.length / 2;
    this.adjoint ??= { bound: new AdjointBound(this.adjointProbe), chain: this.chainOf(), out: new Float64Array(0), enough: new Float64Array(2) };
    if (this.adjoint.out.length < 2 * m) this.adjoint.out = new Float64Array(2 * m);
    const a = this.adjoint.out;
    // Where the chain may stop: 2^-30 of the map's largest value over the segment, |a| or |b| times
    // the largest |t| (a decision the carried bound left open is nearly never that close; one that
    // is goes to the exact distance next).
    const z = this.mapOf(p);
    const reach = Math.max(reachT, 2 ** -1000);
    const scale = Math.max(maxAbsOf(z, 0, m), reach * maxAbsOf(z, m, 2 * m));
    const enough = this.adjoint.enough;
    enough[0] = ENOUGH * scale;
    enough[1] = (ENOUGH * scale) / reach;
    if (!this.adjoint.bound.measure(this.adjoint.chain, p, a, enough)) return false;
    const perUnit = (this.carryFlags[p] & PER_UNIT) !== 0;
    for (let c = 0; c < 2; c++) {
      for (let j = c * m; j < (c + 1) * m; j++) vec[j] = Math.min(perUnit ? vec[j] : this.carriedErr[2 * p + c], a[j]);
    }
    return true;
  }

  /** The adjoint bound's state, made at its first use (an engine per segment in some callers: nothing more to construct). */
  private adjoint: { bound: AdjointBound; chain: AdjointChain; out: Float64Array; enough: Float64Array } | null = null;
}
