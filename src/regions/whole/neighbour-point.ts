/**
 * A point of the neighbour across a facet of an earlier step's units (processor.ts 3f), certified
 * by the neighbour's own rows, without the box LP: a step from this region's point along the
 * facet's normal (step-point.ts), else the neighbour's largest-margin LP over the inner zonotope
 * of U (inner-zonotope.ts); and whether the segment from this region's point to it witnesses the
 * facet (segment-witness.ts).
 */
import type { RegionRows } from "./constraints.ts";
import type { InnerZonotope } from "./inner-zonotope.ts";
import type { Reduction } from "./reduce.ts";
import { segmentWitness } from "./segment-witness.ts";
import { FLAT_TOL } from "./settle-rows.ts";
import { marginAt } from "./star.ts";
import type { StepPoint } from "./step-point.ts";

export class NeighbourPoint {
  /** The neighbour's point find() found, and whether its segment witnesses the facet. */
  readonly u: Float64Array;
  readonly x: Float64Array;
  witnessed = false;
  /** nu and eq of the neighbour's LP over the inner zonotope (every row an inequality asking its margin), grown with K. */
  private innerNu = new Float64Array(0);
  private innerEq = new Uint8Array(0);

  /**
   * `other` is the processor's buffer of the neighbour's rows, `inner` its inner zonotope (made on
   * first need), `y` its scratch point of segmentWitness; the rest its allowances.
   */
  constructor(
    private readonly red: Reduction,
    private readonly other: RegionRows,
    private readonly stepper: StepPoint | null,
    private readonly inner: () => InnerZonotope,
    private readonly threshold: number,
    private readonly starErr: number,
    private readonly sHi: number,
    private readonly y: Float64Array,
  ) {
    this.u = new Float64Array(red.r);
    this.x = new Float64Array(red.n0);
  }

  /**
   * For a facet (row k of group k) of this region (its rows in `rows`, its point at cu in
   * centres) across units of an earlier step, the neighbour's rows being in `other`: a point
   * of the neighbour certified by those rows, copied into u, x; `witnessed` when the
   * segment from this region's point to it witnesses the facet (segmentWitness). First a step
   * along the facet's normal (step-point.ts), then the neighbour's largest-margin LP over the
   * inner zonotope. Returns the point's margin, or -Infinity when neither gives one.
   */
  find(rows: RegionRows, groupOf: Int32Array, k: number, centres: Float64Array, cu: number, sLo: number): number {
    const { other, threshold } = this;
    const r = this.red.r;
    const stepper = this.stepper as StepPoint;
    this.witnessed = false;
    const stepped = stepper.across(other, rows.A, k * r, centres, cu, threshold);
    if (stepped > threshold && segmentWitness(rows, groupOf, k, centres, cu, stepper.u, 0, r, threshold, this.y)) {
      this.u.set(stepper.u);
      this.x.set(stepper.x);
      this.witnessed = true;
      return stepped;
    }
    const K = other.count;
    if (this.innerNu.length < K) {
      this.innerNu = new Float64Array(K).fill(1);
      this.innerEq = new Uint8Array(K);
    }
    const inner = this.inner();
    if (!inner.solve(K, other.A, this.innerNu, other.b, this.innerEq, sLo, this.sHi)) return Number.NEGATIVE_INFINITY;
    const margin = marginAt(other, inner.u, this.starErr, FLAT_TOL);
    if (!(margin > threshold)) return Number.NEGATIVE_INFINITY;
    this.u.set(inner.u);
    this.x.set(inner.x);
    this.witnessed = segmentWitness(rows, groupOf, k, centres, cu, inner.u, 0, r, threshold, this.y);
    return margin;
  }
}
