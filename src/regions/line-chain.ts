/**
 * The walk the near-exact maps share (line-double.ts, line-triple.ts): a piece's map carried down
 * the fused steps in a higher precision, each piecewise step's input kept for the piece so the next
 * request starts from the deepest one still valid. The subclasses give the arithmetic (the start,
 * the affine, piecewise and stack steps); the states are read from the engine at each request.
 */
import { decompose } from "../geometry/exact.ts";
import type { AffineStep, Step } from "../model/steps.ts";
import type { Dyadic } from "./exact-maps.ts";
import { unitsUp } from "./line-rounded.ts";
import { EPS } from "./map-error.ts";

interface Entry<M> {
  z: M;
  stack: M[];
}

export abstract class StepChain<M extends { h: Float64Array }> {
  private readonly entries: (Entry<M> | undefined)[] = [];
  private local: Float64Array = new Float64Array(0);
  private start: (() => Dyadic) | null = null;
  /** Maps computed (tests, benchmarks). */
  computed = 0;

  constructor(
    protected readonly steps: Step[],
    private readonly statesOf: (s: number) => Uint8Array,
  ) {}

  /**
   * Step k's output map (size units, 2 channels), kept from call to call: an input kept of a later
   * step (an entry, or a saved branch in one) is dropped before step k is computed again (invalidate;
   * the entries are those of a run of steps from the start), so none still reads it; every
   * coefficient is written.
   */
  private readonly pool: (M | undefined)[] = [];
  protected blank(k: number, size: number): M {
    let map = this.pool[k];
    if (map === undefined || map.h.length !== 2 * size) {
      map = this.fresh(2 * size);
      this.pool[k] = map;
    }
    return map;
  }

  /** A map of `length` coefficients in every part, zeros. */
  protected abstract fresh(length: number): M;
  /** The segment's start map: from the exact one where the engine has it, else from its doubles. */
  protected abstract first(local: Float64Array, exact: Dyadic | null): M;
  /** y = A x + b on step k, or null where it left the range the map is exact in. */
  protected abstract affine(k: number, step: AffineStep, x: M): M | null;
  /** Piecewise step s under the piece's states. */
  protected abstract piecewise(s: number, z: M, states: Uint8Array): M | null;
  /** A stack step (residual branches saved and joined). */
  protected abstract stackStep(k: number, step: Step, z: M, stack: M[]): { z: M | null; stack: M[] };

  /**
   * The states of piecewise step q are about to change (the engine's piece there, or a crossing):
   * the inputs kept of the steps after it are no longer the piece's. Every change of the states
   * the maps are read under goes through here (line.ts piecewise, crossEvents), so a kept input is
   * the current piece's without comparing states.
   */
  invalidate(q: number): void {
    if (this.entries.length > q + 1) this.entries.length = q + 1;
  }

  /** A new segment (as ExactMaps.segment). */
  segment(local: Float64Array, exact: (() => Dyadic) | null = null): void {
    this.local = local;
    this.start = exact;
    this.entries.length = 0;
  }

  /** The input of piecewise step s on the current piece, or null where a step gave it up. */
  input(s: number): M | null {
    let from = 0;
    for (let k = Math.min(s, this.entries.length - 1); k > 0 && from === 0; k--) if (this.entries[k] !== undefined) from = k;
    let entry = this.entries[from];
    if (from === 0 && entry === undefined) {
      entry = { z: this.first(this.local, this.start !== null ? this.start() : null), stack: [] };
      this.entries[0] = entry;
    }
    this.computed++;
    let z: M | null = (entry as Entry<M>).z;
    let stack = (entry as Entry<M>).stack;
    for (let k = from; k < s; k++) {
      const step = this.steps[k];
      if (step.kind === "elementwise" || step.kind === "max") z = this.piecewise(k, z, this.statesOf(k));
      else if (step.kind === "affine") z = this.affine(k, step, z);
      else ({ z, stack } = this.stackStep(k, step, z, stack));
      if (z === null) return null;
      const next = this.steps[k + 1];
      if (next !== undefined && (next.kind === "elementwise" || next.kind === "max")) this.entries[k + 1] = { z, stack };
    }
    return z;
  }
}

const up = (x: number): number => x * (1 + 4 * EPS) + 2 * 2 ** -1074;

/**
 * lineFromParts from a near-exact map's channels (the parts of each value, most significant
 * first): unit's parts, minus unit2's (if any), minus shift, at the map's two rows (0 and size).
 */
export function lineFromChannels(channels: readonly Float64Array[], err: Float64Array, unit: number, unit2: number, shift: number, size: number, out: bigint[]): boolean {
  const parts = (base: number): number[] => {
    const xs = channels.map((c) => c[base + unit]);
    if (unit2 >= 0) for (const c of channels) xs.push(-c[base + unit2]);
    return xs;
  };
  const parts0 = parts(0);
  parts0.push(-shift);
  return lineFromParts(parts0, parts(size), err, unit, unit2, size, out);
}

/**
 * A unit's line (minus unit2's, minus a shift) as integers times one power of two, as
 * ExactMaps.line gives it exactly (out: x0, x1, r0, r1, the bounds rounded up): parts0 and parts1
 * are doubles whose exact sums are its two coefficients, err the map's bounds per coefficient
 * (channel 1 from `size` on). False where a bound is not finite.
 */
function lineFromParts(parts0: number[], parts1: number[], err: Float64Array, unit: number, unit2: number, size: number, out: bigint[]): boolean {
  let b0 = err[unit];
  let b1 = err[size + unit];
  if (unit2 >= 0) {
    b0 = up(b0 + err[unit2]);
    b1 = up(b1 + err[size + unit2]);
  }
  if (!(b0 < Number.POSITIVE_INFINITY && b1 < Number.POSITIVE_INFINITY)) return false;
  const d0 = parts0.map((x) => (x === 0 ? null : decompose(x)));
  const d1 = parts1.map((x) => (x === 0 ? null : decompose(x)));
  let e = Number.POSITIVE_INFINITY;
  for (const d of [...d0, ...d1]) if (d !== null) e = Math.min(e, d.e);
  if (e === Number.POSITIVE_INFINITY) e = 0;
  const sum = (ds: ({ m: bigint; e: number } | null)[]): bigint => ds.reduce((acc: bigint, d) => (d === null ? acc : acc + (d.m << BigInt(d.e - e))), 0n);
  out[0] = sum(d0);
  out[1] = sum(d1);
  out[2] = unitsUp(b0, e);
  out[3] = unitsUp(b1, e);
  return true;
}
