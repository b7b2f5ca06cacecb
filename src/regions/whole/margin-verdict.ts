/**
 * One rule for what float64's certified bounds on a margin (of a facet on its hyperplane, or of a
 * region's interior) decide alone, and how an exact decision of what they leave open is counted
 * (processor.ts 3d, docs/whole.md "Numerical policy").
 */
import type { ExactVerdict } from "./exact-decision.ts";
import { STAT } from "./round-output.ts";

/** What float64 alone decides about a margin (MarginRule.verdict). */
export const MARGIN_SURE = 0;
export const MARGIN_NONE = 1;
export const MARGIN_FLOAT_ZERO = 2;
export const MARGIN_OPEN = 3;

/** Largest n0 x rows for which margins within the floor of zero are decided exactly (see exactZeros). */
const EXACT_ZERO_SIZE = 4096;

export class MarginRule {
  /** The processor's threshold, floor (RegionProcessor.floor) and input dimension. */
  constructor(
    private readonly threshold: number,
    private readonly floor: number,
    private readonly n0: number,
  ) {}

  /**
   * Margins float64 cannot tell from zero (|upper bound| within the floor: every degenerate
   * candidate, a hyperplane through a vertex or an edge) are decided exactly when the exact
   * problem is small (n0 x rows); in larger ones (784 inputs) they cost about 10 ms each and are
   * taken as of measure zero, as float64 says, and counted in `floatZeros`.
   */
  private exactZeros(rowCount: number): boolean {
    return this.n0 * rowCount <= EXACT_ZERO_SIZE;
  }

  /**
   * What float64's certified bounds on a margin decide alone (one rule for facets and regions):
   * SURE above the threshold, NONE below -floor, FLOAT_ZERO within the floor of zero in a problem
   * too large to decide exactly (counted in `floatZeros`), OPEN otherwise (decided exactly).
   */
  verdict(ok: boolean, lower: number, upper: number, rowCount: number): number {
    if (ok && lower > this.threshold) return MARGIN_SURE;
    if (upper <= -this.floor) return MARGIN_NONE;
    if (upper <= this.floor && !this.exactZeros(rowCount)) return MARGIN_FLOAT_ZERO;
    return MARGIN_OPEN;
  }
}

/**
 * Counts an exact decision: true when it found an interior point; otherwise counted as
 * uncertain (undecided) or under `none` (the stat for "no facet" or "thin region").
 */
export function interiorFound(exact: ExactVerdict, stats: Float64Array, none: number): boolean {
  stats[STAT.exactDecisions]++;
  if (exact.certified) stats[STAT.exactCertified]++;
  if (!exact.decided) stats[STAT.uncertain]++;
  else if (!exact.interior) stats[none]++;
  return exact.decided && exact.interior;
}
