/**
 * Step 1 of processing a region (processor.ts): its rows grouped by hyperplane, one facet
 * candidate per group. Rows that agree to the tolerances are one group only when they are exactly
 * one hyperplane with one side (twin units, a kept answer for first-step rows, else an exact
 * decision): else a slab thinner than the tolerances between them would be lost.
 */
import type { Compiled } from "../../model/forward.ts";
import { maxStates, type PiecewiseStep } from "../../model/steps.ts";
import { DOMAIN_STEP, type HyperplaneIds, type RegionRows, ROW_MAX } from "./constraints.ts";
import type { Reduction } from "./reduce.ts";
import { STAT } from "./round-output.ts";
import type { RowSettler } from "./settle-rows.ts";

export class RowGroups {
  /** Per elementwise step after an affine one: units numbered by their affine row (equal bit for bit: one number). */
  private readonly twins: (Int32Array | null)[];
  /** Exact coincidence of pairs of first-step rows, by hyperplane and side. */
  private readonly firstCoincident = new Map<number, boolean>();

  constructor(
    private readonly compiled: Compiled,
    private readonly red: Reduction,
    private readonly ids: HyperplaneIds,
    private readonly settler: RowSettler,
    private readonly threshold: number,
  ) {
    this.twins = twinUnits(compiled);
  }

  /**
   * Groups the rows of the region (of `pattern`, settled): groupOf[q] = k, the group's first row.
   * Coincident rows (same unit normal and offset) form one group.
   */
  group(rows: RegionRows, groupOf: Int32Array, pattern: Uint32Array, offset: number, stats: Float64Array): void {
    const K = rows.count;
    const { r } = this.red;
    const threshold = this.threshold;
    for (let k = 0; k < K; k++) groupOf[k] = k;
    // The domain's rows (a polytope, last) stay groups of their own and are never crossed.
    for (let k = 0; k < K; k++) {
      if (groupOf[k] !== k || rows.step[k] === DOMAIN_STEP) continue;
      for (let q = k + 1; q < K; q++) {
        if (groupOf[q] !== q || rows.step[q] === DOMAIN_STEP) continue;
        // Rows equal bit for bit are one hyperplane (duplicated units); rows that only agree to
        // the tolerances are one when they are exactly (else a thin slab between them is lost).
        if (coincident(rows, k, q, r, threshold) && this.exactlyCoincident(rows, k, q, pattern, offset, stats)) groupOf[q] = k;
      }
    }
  }

  /**
   * Rows k and q of the region (agreeing to the tolerances) are exactly one hyperplane with one
   * side. Units of one step whose affine rows (weights and bias) are equal bit for bit, on the
   * same breakpoint and side, are (twins); rows of the first piecewise step do not depend on the
   * region beyond their side, so their answer is kept; any other pair is decided exactly
   * (exact-decision.ts). Rows equal bit for bit are not enough: units nearly proportional (one
   * unit times 0.1) round to the same normalised row while a slab lies between them.
   */
  private exactlyCoincident(rows: RegionRows, k: number, q: number, pattern: Uint32Array, offset: number, stats: Float64Array): boolean {
    const s = rows.step[k];
    if (s === rows.step[q] && rows.kind[k] === rows.kind[q] && rows.kind[k] !== ROW_MAX && rows.which[k] === rows.which[q]) {
      const twin = this.twins[s];
      if (twin && twin[rows.unit[k]] === twin[rows.unit[q]]) return true;
    }
    const first = s === this.red.first && rows.step[q] === s;
    const T = 2 * this.ids.total;
    const key = first ? (2 * rows.hp[k] + this.sideOf(rows, k)) * T + 2 * rows.hp[q] + this.sideOf(rows, q) : -1;
    const known = first ? this.firstCoincident.get(key) : undefined;
    if (known !== undefined) return known;
    stats[STAT.exactDecisions]++;
    const answer = this.settler.exact().coincident(pattern, offset, rows.hp[k], rows.hp[q]);
    if (first) this.firstCoincident.set(key, answer);
    return answer;
  }

  /** Which side of its hyperplane row k keeps (elementwise: its kind; max: the other member the higher of the pair). */
  private sideOf(rows: RegionRows, k: number): number {
    if (rows.kind[k] !== ROW_MAX) return rows.kind[k];
    const step = this.compiled.steps[rows.step[k]] as PiecewiseStep;
    const g = maxStates(step);
    const pair = rows.hp[k] - this.ids.base[rows.step[k]] - rows.unit[k] * g * g;
    return rows.which[k] === pair % g ? 1 : 0;
  }
}

/** Rows k and q are the same hyperplane with the same side (unit normals and offsets agree). */
function coincident(rows: RegionRows, k: number, q: number, r: number, threshold: number): boolean {
  const A = rows.A;
  for (let c = 0; c < r; c++) if (Math.abs(A[k * r + c] - A[q * r + c]) > 1e-9) return false;
  return Math.abs(rows.b[k] - rows.b[q]) <= threshold;
}

/**
 * Per elementwise step that follows an affine step with an explicit matrix: each unit's number,
 * equal for units whose weights and bias are equal bit for bit (their pre-activations are then
 * the same function exactly, in every region).
 */
function twinUnits(compiled: Compiled): (Int32Array | null)[] {
  return compiled.steps.map((step, s) => {
    const before = s > 0 ? compiled.steps[s - 1] : null;
    if (step.kind !== "elementwise" || before?.kind !== "affine" || !before.weight) return null;
    const n = before.inSize;
    const W = before.weight;
    const seen = new Map<string, number>();
    const out = new Int32Array(step.size);
    for (let i = 0; i < step.size; i++) {
      const key = `${before.bias[i]}:${Array.prototype.join.call(W.subarray(i * n, (i + 1) * n), ",")}`;
      let id = seen.get(key);
      if (id === undefined) {
        id = seen.size;
        seen.set(key, id);
      }
      out[i] = id;
    }
    return out;
  });
}
