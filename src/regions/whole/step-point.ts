/**
 * A new region's point without an LP: a step across the facet, certified by the region's own rows
 * (docs/whole.md, "Points of new regions by a step").
 *
 * The traversal needs, for every region it finds, a point strictly inside it with a certified
 * margin, and the point must lie in U = Q [lo, hi]^n0 (the image of the box). An LP gives the
 * largest-margin point; this gives a good one for a fraction of the cost, in three parts:
 *
 * 1. a line search in u from a start point (the current region's point, across a facet of an
 *    earlier step's units, or the facet point an LP found) along the facet's outward normal a:
 *    the margin of the new region's rows at u0 + alpha a is the least of affine functions
 *    s_q - alpha g_q of alpha, concave, so its largest value on [0, alphaMax] is found by
 *    golden-section search (O(K) per step);
 * 2. a point x of the box whose image is (nearly) that u: x = clip(x_c + Q^T lambda), the
 *    box point nearest the box centre x_c with Q x = u, by a few semismooth Newton steps on
 *    lambda (J = Q_F Q_F^T over the unclipped inputs F); without clipping (u deep in U) the
 *    first step is exact, since Q Q^T = I;
 * 3. the certificate: u = Q x recomputed from the clipped x (a point of U whatever Newton did)
 *    and its margin over the region's own rows (star.ts marginAt, rounding included).
 *
 * Nothing here is trusted: a step that fails (margin at or below the threshold, Newton not
 * converging, a singular J) returns -Infinity and the caller falls back to the LP.
 */
import { invertInPlace } from "../../geometry/invert.ts";
import { BoxLp } from "./box-lp.ts";
import type { RegionRows } from "./constraints.ts";
import { type Reduction, supportRange } from "./reduce.ts";
import { marginAt } from "./star.ts";

/** Golden-section steps of the line search (the bracket shrinks by 0.618 per step). */
const LINE_STEPS = 48;
/** Newton steps for the box preimage. */
const NEWTON_STEPS = 8;
const GOLDEN = (Math.sqrt(5) - 1) / 2;
/** Most rows for the LP in u (its basis inverse is dense, K x K). */
const MAX_SMALL_ROWS = 96;

export class StepPoint {
  readonly u: Float64Array;
  readonly x: Float64Array;
  private readonly target: Float64Array;
  private readonly lambda: Float64Array;
  private readonly residual: Float64Array;
  private readonly J: Float64Array;
  private readonly Jinv: Float64Array;
  private readonly slack: Float64Array;
  private readonly rate: Float64Array;
  private readonly boxCentre: number;
  private readonly uCentre: Float64Array;
  private readonly alphaMax: number;
  /** The LP in u alone (identity map, the cube [-R, R]^r, which holds U): r columns, not n0. */
  readonly small: BoxLp;
  /** Its certified upper bound in the last `relaxed` (for a rejection: it bounds the box LP's too). */
  upper = Number.POSITIVE_INFINITY;
  private readonly outerCount: number;
  private readonly outerA: Float64Array;
  private readonly outerB: Float64Array;
  private readonly lpA: Float64Array;
  private readonly lpB: Float64Array;
  private readonly lpNu: Float64Array;
  private readonly lpEq: Uint8Array;

  constructor(
    private readonly red: Reduction,
    capacity: number,
    private readonly uErr: number,
    private readonly flatTol: number,
  ) {
    const { r, n0, Q, lo, hi } = red;
    this.u = new Float64Array(r);
    this.x = new Float64Array(n0);
    this.target = new Float64Array(r);
    this.lambda = new Float64Array(r);
    this.residual = new Float64Array(r);
    this.J = new Float64Array(r * r);
    this.Jinv = new Float64Array(r * r);
    this.slack = new Float64Array(capacity);
    this.rate = new Float64Array(capacity);
    this.boxCentre = 0.5 * (lo + hi);
    this.uCentre = new Float64Array(r);
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let j = 0; j < n0; j++) acc += Q[c * n0 + j];
      this.uCentre[c] = this.boxCentre * acc;
    }
    this.alphaMax = 2 * red.radius;
    const I = new Float64Array(r * r);
    for (let c = 0; c < r; c++) I[c * r + c] = 1;
    this.small = new BoxLp({ n0: r, r, Q: I, lo: -red.radius, hi: red.radius });
    // U's extent along each first-layer unit's normal (its support function, widened by its
    // rounding): 2 rows per unit, a parallelotope around U far tighter than the cube.
    const { m, map0 } = red;
    const outer: number[] = [];
    const outerB: number[] = [];
    const a = new Float64Array(r);
    for (let j = 0; j < m; j++) {
      let norm = 0;
      for (let c = 0; c < r; c++) {
        a[c] = map0[(c + 1) * m + j];
        norm += a[c] * a[c];
      }
      norm = Math.sqrt(norm);
      if (!(norm > 0)) continue;
      for (let c = 0; c < r; c++) a[c] /= norm;
      const range = supportRange(red, a);
      for (let c = 0; c < r; c++) outer.push(a[c]);
      outerB.push(range.max + range.err);
      for (let c = 0; c < r; c++) outer.push(-a[c]);
      outerB.push(-(range.min - range.err));
    }
    this.outerCount = outerB.length;
    this.outerA = Float64Array.from(outer);
    this.outerB = Float64Array.from(outerB);
    const total = capacity + this.outerCount;
    this.lpA = new Float64Array(total * r);
    this.lpB = new Float64Array(total);
    this.lpNu = new Float64Array(total);
    this.lpEq = new Uint8Array(total);
  }

  /**
   * The LP (K, A, nu, b, eq, sLo, sHi) of processor.ts in u alone: over the cube [-R, R]^r cut by
   * U's outer rows (no margin asked of them), a relaxation of the box LP, so its certified upper
   * bound (left in `upper`) bounds the box LP's optimum too: at most -floor, the row is no facet.
   */
  relaxed(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number): void {
    const { lpA, lpB, lpNu, lpEq, outerCount, outerA, outerB } = this;
    // A dense K x K basis: with many rows (a polytope's, which the box LP generates lazily) it
    // would cost more than it saves; no bound then.
    if (K + outerCount > MAX_SMALL_ROWS) {
      this.upper = Number.POSITIVE_INFINITY;
      return;
    }
    const r = this.red.r;
    lpA.set(A.subarray(0, K * r));
    lpB.set(b.subarray(0, K));
    lpNu.set(nu.subarray(0, K));
    lpEq.set(eq.subarray(0, K));
    lpA.set(outerA, K * r);
    lpB.set(outerB, K);
    lpNu.fill(0, K, K + outerCount);
    lpEq.fill(0, K, K + outerCount);
    this.upper = this.small.solve(K + outerCount, lpA, lpNu, lpB, lpEq, sLo, sHi).upper;
  }

  /**
   * A point of the region whose rows are `rows`, from u0 (at offset at) along the unit vector dir
   * (at offset dirAt: the facet's outward normal, toward the region). Returns its certified
   * margin (this.u, this.x hold the point) or -Infinity.
   */
  across(rows: RegionRows, dir: Float64Array, dirAt: number, u0: Float64Array, at: number, threshold: number): number {
    const { r } = this.red;
    const { slack, rate, target } = this;
    const A = rows.A;
    const K = rows.count;
    for (let f = 0; f < rows.flatCount; f++) if (rows.flatValue[f] > this.flatTol) return Number.NEGATIVE_INFINITY;
    // Slack of each row at u0 and its rate of decrease along dir.
    for (let q = 0; q < K; q++) {
      let s = rows.b[q];
      let g = 0;
      for (let c = 0; c < r; c++) {
        s -= A[q * r + c] * u0[at + c];
        g += A[q * r + c] * dir[dirAt + c];
      }
      slack[q] = s;
      rate[q] = g;
    }
    // Golden-section search for the largest least slack (a concave function of alpha).
    let a = 0;
    let b = this.alphaMax;
    let c1 = b - GOLDEN * (b - a);
    let c2 = a + GOLDEN * (b - a);
    let f1 = leastSlack(slack, rate, K, c1);
    let f2 = leastSlack(slack, rate, K, c2);
    for (let step = 0; step < LINE_STEPS; step++) {
      if (f1 < f2) {
        a = c1;
        c1 = c2;
        f1 = f2;
        c2 = a + GOLDEN * (b - a);
        f2 = leastSlack(slack, rate, K, c2);
      } else {
        b = c2;
        c2 = c1;
        f2 = f1;
        c1 = b - GOLDEN * (b - a);
        f1 = leastSlack(slack, rate, K, c1);
      }
    }
    const alpha = f1 < f2 ? c2 : c1;
    const best = Math.max(f1, f2);
    // The region's rows allow no margin along this line (even ignoring the box): no step.
    if (!(best > threshold)) return Number.NEGATIVE_INFINITY;
    // The best point first; when no box point maps there (outside U, u0 being inside), points
    // nearer u0 with half, then a quarter of that margin (on the rising side of the concave margin).
    let ok = false;
    for (let level = 1; level <= 4 && !ok; level *= 2) {
      let step = alpha;
      if (level > 1) {
        const want = best / level;
        if (!(want > threshold)) break;
        let lo = 0;
        let hi = alpha;
        for (let it = 0; it < 40; it++) {
          const mid = 0.5 * (lo + hi);
          if (leastSlack(slack, rate, K, mid) >= want) hi = mid;
          else lo = mid;
        }
        step = hi;
      }
      for (let c = 0; c < r; c++) target[c] = u0[at + c] + step * dir[dirAt + c];
      ok = this.preimage((0.25 * best) / level);
    }
    if (!ok) return Number.NEGATIVE_INFINITY;
    return marginAt(rows, this.u, this.uErr, this.flatTol);
  }

  /**
   * x in the box with Q x within `tol` of target (max norm), and u = Q x; false when the Newton
   * steps do not get there (target outside U, or too near its boundary for a few steps).
   */
  private preimage(tol: number): boolean {
    const { r, n0, Q, lo, hi } = this.red;
    const { lambda, residual, J, Jinv, target, x, u, boxCentre } = this;
    for (let c = 0; c < r; c++) lambda[c] = target[c] - this.uCentre[c];
    // Outside U for certain: beyond U's support along the direction from U's centre (O(r n0),
    // a third of one Newton step, which would not converge there).
    const reach = supportRange(this.red, lambda);
    let along = 0;
    for (let c = 0; c < r; c++) along += lambda[c] * target[c];
    if (along > reach.max + reach.err) return false;
    let previous = Number.POSITIVE_INFINITY;
    for (let iter = 0; iter < NEWTON_STEPS; iter++) {
      J.fill(0);
      u.fill(0);
      for (let j = 0; j < n0; j++) {
        let z = boxCentre;
        for (let c = 0; c < r; c++) z += Q[c * n0 + j] * lambda[c];
        let free = true;
        if (z <= lo) {
          z = lo;
          free = false;
        } else if (z >= hi) {
          z = hi;
          free = false;
        }
        x[j] = z;
        for (let c = 0; c < r; c++) u[c] += Q[c * n0 + j] * z;
        if (free) {
          for (let c = 0; c < r; c++) {
            const qc = Q[c * n0 + j];
            for (let d = 0; d <= c; d++) J[c * r + d] += qc * Q[d * n0 + j];
          }
        }
      }
      let worst = 0;
      for (let c = 0; c < r; c++) {
        residual[c] = u[c] - target[c];
        worst = Math.max(worst, Math.abs(residual[c]));
      }
      if (worst <= tol) return true;
      // Not converging (the residual should shrink fast near a solution): give up early.
      if (iter === NEWTON_STEPS - 1 || (iter >= 3 && worst > 0.8 * previous)) return false;
      previous = worst;
      let scale = 0;
      for (let c = 0; c < r; c++)
        for (let d = 0; d <= c; d++) {
          J[d * r + c] = J[c * r + d];
          scale = Math.max(scale, Math.abs(J[c * r + d]));
        }
      if (!invertInPlace(J, Jinv, r, 1e-12 * scale)) return false;
      for (let c = 0; c < r; c++) {
        let acc = 0;
        for (let d = 0; d < r; d++) acc += Jinv[c * r + d] * residual[d];
        lambda[c] -= acc;
      }
    }
    return false;
  }
}

/** min over rows of slack - alpha * rate. */
function leastSlack(slack: Float64Array, rate: Float64Array, K: number, alpha: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let q = 0; q < K; q++) {
    const v = slack[q] - alpha * rate[q];
    if (v < least) least = v;
  }
  return least;
}
