/**
 * The rows float64 cannot be trusted with, settled in exact arithmetic (docs/whole.md, "Numerical
 * policy"): rows whose float value may be only rounding replaced by the exact rows (settleFlats),
 * units exactly on a breakpoint put in the state the exact forward pass gives them (canonicalRows),
 * and tight units the neighbour pass leaves on their breakpoint moved by their exact gradient
 * (settleUnsure). It owns the exact decider (exact-decision.ts) the processor's other exact
 * decisions use too.
 */
import { bitLength } from "../../geometry/exact-lp.ts";
import type { Compiled } from "../../model/forward.ts";
import { getState, setState } from "../../model/pattern.ts";
import { maxStates, type PiecewiseStep } from "../../model/steps.ts";
import { type HyperplaneIds, type RegionRows, type RowScratch, regionRows } from "./constraints.ts";
import { ExactDecider } from "./exact-decision.ts";
import type { NeighbourPass } from "./neighbour.ts";
import type { Reduction } from "./reduce.ts";
import { STAT } from "./round-output.ts";

/** Tolerance of the flat rows (units constant on the region): a flat row's value above it is violated. */
export const FLAT_TOL = 1e-10;
/** A flat row's value when its unit sits exactly on the breakpoint in a state above it: violated (no interior). */
const ON_ABOVE = 1;

export class RowSettler {
  private exactDecider: ExactDecider | null = null;
  /** An exact row in x, rounded (settleFlats). */
  private readonly exactX: Float64Array;

  constructor(
    private readonly compiled: Compiled,
    private readonly red: Reduction,
    private readonly ids: HyperplaneIds,
    private readonly scratch: RowScratch,
  ) {
    this.exactX = new Float64Array(red.n0);
  }

  /** The decisions float64 leaves open, decided exactly (exact-decision.ts); made on first need. */
  exact(): ExactDecider {
    this.exactDecider ??= new ExactDecider(this.compiled, this.red, this.ids, this.red.domain.input);
    return this.exactDecider;
  }

  /**
   * The rows float64 cannot be trusted with (RegionRows.suspect: cancellation, or a flat unit
   * within rounding of its breakpoint) recomputed from the exact rows (exact-rows.ts): a row whose
   * exact gradient is zero becomes flat with its exact constant's sign (0 exactly on the
   * breakpoint, violated there when the state asks to be above it), any other becomes the exact
   * row rounded, in u. One exact decision per region that has any.
   */
  settleFlats(rs: RegionRows, pattern: Uint32Array, offset: number, stats: Float64Array): void {
    if (rs.suspectCount === 0) return;
    stats[STAT.exactDecisions]++;
    const exact = this.exact().rowsOf(pattern, offset);
    const { r, n0, Q } = this.red;
    const x = this.exactX;
    const hpOf = (which: number): number => {
      if (which >= 0) return rs.hp[which];
      const f = -1 - which;
      const s = rs.flatStep[f];
      const step = this.compiled.steps[s];
      if (step.kind === "elementwise") return this.ids.base[s] + rs.flatUnit[f] * step.breakpoints.length + rs.flatWhich[f];
      const g = maxStates(step as PiecewiseStep);
      const p = getState(this.compiled.layout, pattern, offset, s, rs.flatUnit[f]);
      const q = rs.flatWhich[f];
      return this.ids.base[s] + rs.flatUnit[f] * g * g + Math.min(p, q) * g + Math.max(p, q);
    };
    const toFlat: number[] = [];
    const suspects = Array.from(rs.suspect.subarray(0, rs.suspectCount));
    for (const which of suspects) {
      const hp = hpOf(which);
      const row = exact.find((e) => e.hp === hp);
      if (!row) continue;
      let bits = 0;
      for (const v of row.a) if (v !== 0n) bits = Math.max(bits, bitLength(v));
      if (bits === 0) {
        // No gradient: a constant, exactly on the breakpoint or on one side (a . x <= b, value -b).
        const value = row.b === 0n ? (row.strict ? ON_ABOVE : 0) : row.b > 0n ? -2 * FLAT_TOL : 2 * FLAT_TOL;
        if (which < 0) rs.flatValue[-1 - which] = value;
        else toFlat.push(which, value);
        continue;
      }
      // The exact row rounded (scaled to about 2^60: the normalisation removes the scale), in u.
      const shift = BigInt(Math.max(0, bits - 60));
      for (let d = 0; d < n0; d++) x[d] = Number(row.a[d] >> shift);
      const b = Number(row.b >> shift);
      let k = which;
      if (which < 0) {
        // A flat row that has a gradient after all: a row (the flat entry is dropped below).
        const f = -1 - which;
        k = rs.count++;
        rs.hp[k] = hp;
        rs.step[k] = rs.flatStep[f];
        rs.unit[k] = rs.flatUnit[f];
        rs.kind[k] = rs.flatKind[f];
        rs.which[k] = rs.flatWhich[f];
        rs.flatValue[f] = Number.NaN;
      }
      let norm = 0;
      for (let c = 0; c < r; c++) {
        let acc = 0;
        for (let d = 0; d < n0; d++) acc += Q[c * n0 + d] * x[d];
        rs.A[k * r + c] = acc;
        norm += acc * acc;
      }
      norm = Math.sqrt(norm);
      for (let c = 0; c < r; c++) rs.A[k * r + c] /= norm;
      rs.b[k] = b / norm;
      rs.norm[k] = norm;
    }
    // Drop the flat entries that became rows, and move the rows that became flat.
    let f2 = 0;
    for (let f = 0; f < rs.flatCount; f++) {
      if (Number.isNaN(rs.flatValue[f])) continue;
      if (f2 !== f) {
        rs.flatStep[f2] = rs.flatStep[f];
        rs.flatUnit[f2] = rs.flatUnit[f];
        rs.flatKind[f2] = rs.flatKind[f];
        rs.flatWhich[f2] = rs.flatWhich[f];
        rs.flatValue[f2] = rs.flatValue[f];
      }
      f2++;
    }
    rs.flatCount = f2;
    if (toFlat.length > 0) {
      const gone = new Set<number>();
      for (let t = 0; t < toFlat.length; t += 2) {
        const k = toFlat[t];
        const f = rs.flatCount++;
        rs.flatStep[f] = rs.step[k];
        rs.flatUnit[f] = rs.unit[k];
        rs.flatKind[f] = rs.kind[k];
        rs.flatWhich[f] = rs.which[k];
        rs.flatValue[f] = toFlat[t + 1];
        gone.add(k);
      }
      let k2 = 0;
      for (let k = 0; k < rs.count; k++) {
        if (gone.has(k)) continue;
        if (k2 !== k) {
          for (let c = 0; c < r; c++) rs.A[k2 * r + c] = rs.A[k * r + c];
          rs.b[k2] = rs.b[k];
          rs.norm[k2] = rs.norm[k];
          rs.hp[k2] = rs.hp[k];
          rs.step[k2] = rs.step[k];
          rs.unit[k2] = rs.unit[k];
          rs.kind[k2] = rs.kind[k];
          rs.which[k2] = rs.which[k];
        }
        k2++;
      }
      rs.count = k2;
    }
    rs.suspectCount = 0;
  }

  /**
   * The rows of `pattern` (settled: settleFlats), after moving its units that sit exactly on a
   * breakpoint on the whole region into the state the forward pass gives them in exact arithmetic
   * (below it; a tied max group to its first member): float64's forward pass, or the neighbour
   * pass across a facet that leaves them on it, can put them above, a pattern with no interior.
   * The units' values do not change (they sit on the breakpoint), so neither do the deeper rows.
   * True when the pattern changed.
   */
  canonicalRows(rs: RegionRows, pattern: Uint32Array, offset: number, stats: Float64Array): boolean {
    const layout = this.compiled.layout;
    let changed = false;
    for (let round = 0; round < 64; round++) {
      regionRows(this.compiled, this.red, this.ids, pattern, offset, rs, this.scratch, false);
      this.settleFlats(rs, pattern, offset, stats);
      let moved = false;
      for (let f = 0; f < rs.flatCount && !moved; f++) {
        // Value 1: exactly on the breakpoint in a state above it (settleFlats).
        if (rs.flatValue[f] !== ON_ABOVE) continue;
        setState(layout, pattern, offset, rs.flatStep[f], rs.flatUnit[f], rs.flatWhich[f]);
        moved = true;
      }
      if (!moved) break;
      changed = true;
    }
    return changed;
  }

  /**
   * The tight units the neighbour pass left on their breakpoint by a float derivative within
   * rounding of 0 whose terms were not all zero (neighbour.ts `unsure`: a unit of the facet's rows
   * after changed units, or one flat on its breakpoint in the region; a cancellation), decided exactly: up when its exact gradient in the neighbour (`neighbour`)
   * has a positive product with the facet row's exact normal (hyperplane hp of the region of
   * `pattern`). True when one moved.
   */
  settleUnsure(pass: NeighbourPass, neighbour: Uint32Array, hp: number, pattern: Uint32Array, offset: number, stats: Float64Array): boolean {
    const count = pass.unsureCount;
    if (count === 0) return false;
    pass.unsureCount = 0;
    stats[STAT.exactDecisions]++;
    const facet = this.exact()
      .rowsOf(pattern, offset)
      .find((e) => e.hp === hp);
    if (!facet) return false;
    const normal = facet.a.slice();
    let moved = false;
    for (let u = 0; u < count; u++) {
      const s = pass.unsureStep[u];
      const j = pass.unsureUnit[u];
      const bp = pass.unsureBreakpoint[u];
      const step = this.compiled.steps[s];
      if (step.kind !== "elementwise") continue;
      // In the neighbour the unit is on breakpoint bp from below: its row z - t <= 0 has a = grad z.
      const row = this.exact()
        .rowsOf(neighbour, 0)
        .find((e) => e.hp === this.ids.base[s] + j * step.breakpoints.length + bp);
      if (!row) continue;
      let dot = 0n;
      for (let d = 0; d < normal.length; d++) dot += row.a[d] * normal[d];
      if (dot > 0n) {
        setState(this.compiled.layout, neighbour, 0, s, j, bp + 1);
        moved = true;
      }
    }
    return moved;
  }
}
