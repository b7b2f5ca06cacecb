/**
 * The exact decisions of the plane engine's rounding ties (plane.ts's JavaScript descent): where
 * a vertex falls within a line's rounding bound, the line's exact line on the cell (from the
 * exact slice, exact-maps.ts) decides at the vertex taken exactly, the intersection of its edges'
 * exact lines (docs/numerics.md). What a line's exact line needs is recorded as it is made
 * (rounded); the decisions left within a bound are counted (uncertain).
 */

import { grown } from "../geometry/grown.ts";
import { type LineTable, type PolygonArena, SPLIT, WHOLE_MINUS, WHOLE_PLUS, WHOLE_ZERO } from "../geometry/polygon.ts";
import { getState, type PatternLayout } from "../model/pattern.ts";
import { type PiecewiseStep, type Step, stepInSize, unitCount } from "../model/steps.ts";
import { dyadicOf, ExactMaps, lift } from "./exact-maps.ts";
import type { Walk } from "./map-error.ts";
import { storedRow } from "./plane-sliver.ts";

/**
 * The radius, relative to the domain's largest coordinate, given to a vertex whose tie settle
 * decided to one side: later tests within it are ties too (decided exactly, not by the computed maps).
 */
const NEAR = 2 ** -30;

export class TieDecisions {
  /** Decisions left within a rounding bound: counted, reported in the partition (docs/numerics.md). */
  uncertain = 0;
  /** The piecewise step being cut. */
  cutStep = -1;
  /** The domain's exact edge lines (plane-sliver.ts SliverTest.domainRows; set by the engine's run). */
  domainRows: readonly (readonly bigint[])[] = [];

  constructor(
    private readonly steps: readonly Step[],
    private readonly layout: PatternLayout,
    /** The cell's pattern (the engine's, by reference). */
    private readonly pattern: Uint32Array,
    private readonly lines: LineTable,
    /** The engine's walk (its reach: the domain's largest coordinate). */
    private readonly walk: Walk,
  ) {
    this.exactMaps = new ExactMaps(this.steps, (k) => this.stepStates(k), 3);
  }

  /** A unit's exact line on the cell being cut (settle). */
  private readonly exactLine: bigint[] = [0n, 0n, 0n];
  /**
   * The lines of the piecewise steps: by line id, the step + 1 (0: the domain's), its unit, rival
   * (max groups; -1) and shift: what its exact line on a cell needs (exactRowOf).
   */
  private lineStep = new Int32Array(1024);
  private lineUnit = new Int32Array(1024);
  private lineRival = new Int32Array(1024);
  private lineShift = new Float64Array(1024);
  /** Exact lines of line ids, made when a tie first needs them (exactRowOf). */
  private readonly lineRows = new Map<number, bigint[]>();

  /** Line id (just added) of step s: what its exact line needs (see settle and the engine's emit's test of slivers). */
  rounded(id: number, s: number, unit: number, rival: number, shift: number): void {
    if (id >= this.lineStep.length) {
      const size = 2 * Math.max(id + 1, this.lineStep.length);
      this.lineStep = grown(this.lineStep, size);
      this.lineUnit = grown(this.lineUnit, size);
      this.lineRival = grown(this.lineRival, size);
      this.lineShift = grown(this.lineShift, size);
    }
    this.lineStep[id] = s + 1;
    this.lineUnit[id] = unit;
    this.lineRival[id] = rival;
    this.lineShift[id] = shift;
  }

  /**
   * Line id's exact line: a piecewise step's unit on the current cell from the exact slice
   * (exactCellLine), the domain's as stored. Kept by id: a line is an edge only of cells inside
   * the cell it was made in, whose states before its step are the same, and so is its exact line.
   */
  exactRowOf(id: number): bigint[] {
    let row = this.lineRows.get(id);
    if (row === undefined) {
      if (id < this.lineStep.length && this.lineStep[id] > 0) {
        row = [0n, 0n, 0n];
        this.exactCellLine(this.lineStep[id] - 1, this.lineUnit[id], this.lineRival[id], this.lineShift[id], row);
      } else row = storedRow(this.lines, id);
      this.lineRows.set(id, row);
    }
    return row;
  }

  /**
   * Sign of the exact line A at vertex k of poly taken exactly: the intersection of the exact
   * lines of its two edges (exactRowOf), by Cramer's rule in BigInt, u = X / D, v = Y / D. The
   * decision stands only where that point is in the cell's exact region (inExactCell): float64
   * decided the cell's other lines at the computed vertices, so a vertex whose exact point lies
   * beyond one of them is not where the cell's corner is, and the exact sign there would decide
   * nothing about the cell (no network of the audit reaches this; it is the guard against it).
   * Such a vertex, and one whose edges' exact lines are parallel (two computed lines of one
   * exact line), stays on the line: 0, counted as uncertain.
   */
  private exactSignAt(arena: PolygonArena, poly: number, k: number, A: readonly bigint[]): number {
    const start = arena.start[poly];
    const n = arena.size[poly];
    const [a1, b1, c1] = this.exactRowOf(arena.line[start + ((k + n - 1) % n)]);
    const [a2, b2, c2] = this.exactRowOf(arena.line[start + k]);
    const D = b1 * c2 - c1 * b2;
    if (D === 0n) {
      this.uncertain++;
      return 0;
    }
    const X = c1 * a2 - a1 * c2;
    const Y = a1 * b2 - a2 * b1;
    const sign = signAt(A, X, Y, D);
    if (sign !== 0 && !this.inExactCell(X, Y, D)) {
      this.uncertain++;
      return 0;
    }
    return sign;
  }

  /**
   * Whether the exact point (X / D, Y / D) lies in the domain and in the closed region of every
   * unit of the piecewise steps before the one being cut, in its state on the current cell (its
   * input between the state's breakpoints; a max group's winner at least every other candidate).
   */
  private inExactCell(X: bigint, Y: bigint, D: bigint): boolean {
    for (const row of this.domainRows) if (signAt(row, X, Y, D) < 0) return false;
    const line = this.cellRow;
    for (let k = 0; k < this.cutStep; k++) {
      const step = this.steps[k];
      if (step.kind === "elementwise") {
        const states = this.stepStates(k);
        const t = step.breakpoints;
        for (let j = 0; j < step.size; j++) {
          const st = states[j];
          if (st > 0) {
            this.exactCellLine(k, j, -1, t[st - 1], line);
            if (signAt(line, X, Y, D) < 0) return false;
          }
          if (st < t.length) {
            this.exactCellLine(k, j, -1, t[st], line);
            if (signAt(line, X, Y, D) > 0) return false;
          }
        }
      } else if (step.kind === "max") {
        const states = this.stepStates(k);
        for (let j = 0; j < step.outSize; j++) {
          const from = step.offsets[j];
          const winner = step.indices[from + states[j]];
          for (let p = from; p < step.offsets[j + 1]; p++) {
            if (p === from + states[j]) continue;
            this.exactCellLine(k, winner, step.indices[p], 0, line);
            if (signAt(line, X, Y, D) < 0) return false;
          }
        }
      }
    }
    return true;
  }

  private readonly cellRow: bigint[] = [0n, 0n, 0n];

  /**
   * A classification in which some vertex fell within the line's rounding bound (sign 0 in
   * signs, the classification's), decided exactly: unit j's line on this cell from the exact slice through every
   * step with the cell's states (exact-maps.ts), minus `shift` (minus unit `rival`'s for a max
   * group's line), evaluated at each such vertex taken exactly, the intersection of its edges'
   * exact lines (exactSignAt). A vertex on the exact line is a real tie (duplicated units, zero
   * biases, a line through a corner); any other is on the side the exact sign says, and the
   * signs are changed so that the cut (split) follows them. Float64's decisions outside the
   * bounds stand. The line keeps its bounds even when its computed coefficients are exact: with
   * none, polygon.ts would decide a vertex the float filter leaves open from the vertex's stored
   * lines, the computed ones, and a vertex on a rounded line of an earlier step (a max group's
   * difference, a breakpoint's shifted line) is not where those put it (a region lost silently).
   */
  settle(arena: PolygonArena, poly: number, signs: Int8Array, j: number, shift: number, rival = -1): number {
    const A = this.exactLine;
    this.exactCellLine(this.cutStep, j, rival, shift, A);
    let plus = false;
    let minus = false;
    for (let k = 0; k < arena.size[poly]; k++) {
      let sign = signs[k];
      if (sign === 0) {
        sign = this.exactSignAt(arena, poly, k, A);
        signs[k] = sign;
        // Off the line exactly but on it as near as the computed maps go: a later line made from
        // this unit's output (a deeper layer's 3 h_j, say) is, at this vertex, as near to its own
        // computed line's rounding, and its float test would follow the computed map, not this
        // decision. The vertex's radius is widened so that every later test there is a tie,
        // decided here too (its pieces copy the radius).
        if (sign !== 0) {
          const i = arena.start[poly] + k;
          arena.err[i] = Math.max(arena.err[i], NEAR * (this.walk.reach ?? 0));
        }
      }
      if (sign > 0) plus = true;
      else if (sign < 0) minus = true;
    }
    return plus && minus ? SPLIT : plus ? WHOLE_PLUS : minus ? WHOLE_MINUS : WHOLE_ZERO;
  }

  /**
   * The steps' exact inputs on the current cell, from the exact slice (exact-maps.ts, computed
   * only when asked), and step k's states read from the cell's pattern into a reused buffer.
   */
  readonly exactMaps: ExactMaps;
  private readonly statesNow: (Uint8Array | undefined)[] = [];
  stepStates(k: number): Uint8Array {
    let now = this.statesNow[k];
    if (now === undefined) {
      now = new Uint8Array(unitCount(this.steps[k] as PiecewiseStep));
      this.statesNow[k] = now;
    }
    for (let j = 0; j < now.length; j++) now[j] = getState(this.layout, this.pattern, 0, k, j);
    return now;
  }

  /**
   * Unit j's input (minus unit `rival`'s, minus `shift`) of step s on the current cell from the
   * exact slice, into line (constant, u, v) as multiples of 2^e: e returned.
   */
  private exactCellLine(s: number, j: number, rival: number, shift: number, line: bigint[]): number {
    const z = this.exactMaps.input(s);
    const n = stepInSize(this.steps[s]);
    const shiftD = dyadicOf([shift]);
    const e = Math.min(z.e, shiftD.e);
    for (let ch = 0; ch < 3; ch++) {
      line[ch] = lift(z.v[ch * n + j], z.e, e);
      if (rival >= 0) line[ch] -= lift(z.v[ch * n + rival], z.e, e);
    }
    line[0] -= lift(shiftD.v[0], shiftD.e, e);
    return e;
  }
}

/** Sign of the line (a, b, c) at the point (X / D, Y / D): of a D + b X + c Y, times D's. */
function signAt(line: readonly bigint[], X: bigint, Y: bigint, D: bigint): number {
  const f = line[0] * D + line[1] * X + line[2] * Y;
  const sign = f > 0n ? 1 : f < 0n ? -1 : 0;
  return D > 0n ? sign : -sign;
}
