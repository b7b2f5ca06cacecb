/**
 * The row sums of the plane engine's pieces (plane.ts advance), per piecewise step with a fused
 * dense step: rowAbs[i] = sum_j |W_ij| |slope of unit j's state| on the current piece, whose
 * largest is |W D|_inf, the factor of the bound a piece's map carries from the map cut
 * (docs/numerics.md). Kept with the states they are of and updated unit by unit as states change,
 * as the WebAssembly kernel does (the same operations in the same order).
 */
import type { ElementwiseStep } from "../model/steps.ts";

export class RowSums {
  private readonly rowAbsOf: Float64Array[] = [];
  /** Per step, the states its row sums are of, and the updates since they were made in full (-1: none yet). */
  private readonly rowStatesOf: Uint8Array[] = [];
  readonly updatesOf: number[] = [];

  /** `refresh`: the updates after which the sums are made in full again (the engine's REFRESH). */
  constructor(private readonly refresh: number) {}

  /** Step s's row sums (outSize of them, of `units` units' states), new ones when the sizes changed. */
  of(s: number, outSize: number, units: number): Float64Array {
    let rowAbs = this.rowAbsOf[s];
    if (rowAbs === undefined || rowAbs.length !== outSize) {
      this.rowAbsOf[s] = rowAbs = new Float64Array(outSize);
      this.rowStatesOf[s] = new Uint8Array(units);
      this.updatesOf[s] = -1;
    }
    return rowAbs;
  }

  /** Step s's row sums after unit j's state changed from `from` to `to` on the next piece. */
  update(s: number, step: ElementwiseStep, WT: Float64Array, m: number, j: number, from: number, to: number, rowAbs: Float64Array): void {
    rowAbsUpdate(step, WT, m, j, from, to, rowAbs);
    (this.rowStatesOf[s] as Uint8Array)[j] = to;
    this.updatesOf[s]++;
  }

  /**
   * Step s's row sums for the piece's states `full`: updated unit by unit from the states they
   * are of (neighbouring cells' cuts share most states), made in full when none are yet or more
   * than `refresh` updates would have gone into them (the kernel's rowAbsAt, the same operations).
   */
  at(s: number, step: ElementwiseStep, full: Uint8Array, WT: Float64Array, m: number): void {
    const rowAbs = this.rowAbsOf[s] as Float64Array;
    const states = this.rowStatesOf[s] as Uint8Array;
    const n = step.size;
    let changed = 0;
    for (let j = 0; j < n; j++) if (states[j] !== full[j]) changed++;
    const updates = this.updatesOf[s];
    if (updates < 0 || updates + changed > this.refresh) {
      rowAbsFull(step, full, WT, m, rowAbs);
      states.set(full.subarray(0, n));
      this.updatesOf[s] = 0;
      return;
    }
    for (let j = 0; j < n; j++) {
      if (states[j] === full[j]) continue;
      rowAbsUpdate(step, WT, m, j, states[j], full[j], rowAbs);
      states[j] = full[j];
    }
    this.updatesOf[s] = updates + changed;
  }
}

/**
 * rowAbs[i] = sum_j |slope of unit j's state| |W_ij| over the dense step's transposed weight WT
 * (m outputs), units in order (the kernel's rowAbsFull: the same operations in the same order).
 */
function rowAbsFull(step: ElementwiseStep, states: Uint8Array, WT: Float64Array, m: number, rowAbs: Float64Array): void {
  rowAbs.fill(0);
  for (let j = 0; j < step.size; j++) {
    const sj = Math.abs(step.slopes[states[j]]);
    if (sj === 0) continue;
    const col = j * m;
    for (let i = 0; i < m; i++) rowAbs[i] = rowAbs[i] + sj * Math.abs(WT[col + i]);
  }
}

/** rowAbs after unit j's state changed from `from` to `to` (the kernel's rowAbsUpdate). */
function rowAbsUpdate(step: ElementwiseStep, WT: Float64Array, m: number, j: number, from: number, to: number, rowAbs: Float64Array): void {
  const ds = Math.abs(step.slopes[to]) - Math.abs(step.slopes[from]);
  if (ds === 0) return;
  const col = j * m;
  for (let i = 0; i < m; i++) rowAbs[i] = rowAbs[i] + ds * Math.abs(WT[col + i]);
}
