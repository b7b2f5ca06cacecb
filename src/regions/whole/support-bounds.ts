/**
 * The cheapest test of a facet candidate (processor.ts 3a): does its hyperplane meet U, the
 * domain's image in the reduced space, by U's support function (reduce.ts supportRange)? The
 * ranges of the first piecewise step's hyperplanes, the same in every region up to their side,
 * are computed once.
 */
import type { RegionRows } from "./constraints.ts";
import { type Reduction, supportRange } from "./reduce.ts";

export class SupportBounds {
  /** Per hyperplane of the first piecewise step, the range of its row over U (min, max; NaN until computed). */
  private readonly hpCache: Float64Array;

  /** `unit` and `floor` are the processor's (RegionProcessor.floor). */
  constructor(
    private readonly red: Reduction,
    hyperplanes: number,
    private readonly unit: number,
    private readonly floor: number,
  ) {
    this.hpCache = new Float64Array(2 * hyperplanes).fill(Number.NaN);
  }

  /**
   * Row k's hyperplane is certainly outside U (beyond either end by the rows' rounding and the
   * floor): not a facet. Before, a hyperplane within that much inside U's near end was rejected
   * too, which only a region thinner than the floor (decided exactly) can have: a sliver at a
   * corner of the box whose neighbour across, the rest of the box, was lost.
   */
  outside(rows: RegionRows, k: number): boolean {
    const { red, hpCache, floor } = this;
    const r = red.r;
    let min: number;
    let max: number;
    let err: number;
    const hp = rows.hp[k];
    if (rows.step[k] === red.first && rows.kind[k] !== 2) {
      const sign = rows.kind[k] === 0 ? 1 : -1;
      if (Number.isNaN(hpCache[2 * hp])) {
        const range = supportRange(red, rows.A, k * r);
        hpCache[2 * hp] = sign > 0 ? range.min : -range.max;
        hpCache[2 * hp + 1] = sign > 0 ? range.max : -range.min;
      }
      min = sign > 0 ? hpCache[2 * hp] : -hpCache[2 * hp + 1];
      max = sign > 0 ? hpCache[2 * hp + 1] : -hpCache[2 * hp];
      // Relative to the domain below a radius of 1 (an absolute 1 rejected rows of boxes 1e-12 wide).
      err = 1e-12 * (Math.abs(min) + Math.abs(max) + this.unit);
    } else {
      ({ min, max, err } = supportRange(red, rows.A, k * r));
    }
    const b = rows.b[k];
    return !(b > min - err - floor && b < max + err + floor);
  }
}
