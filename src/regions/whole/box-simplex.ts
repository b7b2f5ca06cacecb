/**
 * The one linear program the whole-domain engine solves, in many variants: the largest margin s
 * by which a point of the input box satisfies a region's constraints,
 *
 *   maximize s  subject to  A_k . (Q x) + nu_k s <= b_k   (inequality rows)
 *                           A_k . (Q x)           = b_k   (at most a few equality rows)
 *                           lo <= x_j <= hi,  sLo <= s <= sHi,
 *
 * where Q (r x n0, orthonormal rows) maps the input box onto its image U (a zonotope) in the
 * reduced space that the first layer sees, and the rows A_k (r entries each) live in that space.
 * The problem has few rows (one per unit) and many bounded columns (one per input), so it is
 * solved by a bounded dual simplex with a dense K x K basis inverse and the bound-flipping ratio
 * test: starting from the slack basis, every structural column is boxed, so the start is dual
 * feasible and no phase 1 is needed. Columns of A Q are never formed: a pivot row is
 * (A^T rho)^T Q, r x n0 operations.
 *
 * The solver's answer is not trusted: `certify` bounds the optimum from both sides from the
 * returned point and the returned row multipliers alone (a primal point gives a lower bound, any
 * multipliers an upper bound through the Lagrangian), so a decision is exact up to the rounding of
 * those two evaluations, and a gap that straddles a threshold is reported, never guessed.
 *
 * Hot loops on typed arrays; every buffer is owned by the solver and grows to the largest problem.
 * The solver as the engine calls it, with row generation for a polytope's many rows, is BoxLp
 * (box-lp.ts); this file is the problem's set-up, the simplex and the certificates.
 */
import { invertInPlace } from "../../geometry/invert.ts";

export interface BoxLpSpace {
  n0: number;
  r: number;
  /** r x n0, row-major, orthonormal rows. */
  Q: Float64Array;
  lo: number;
  hi: number;
  /** A polytope domain's rows (reduce.ts), the last rows of every region's problems: their count. */
  domain?: { count: number };
  /** false: every row in every solve, even for many domain rows (tests compare the two). */
  lazyDomainRows?: boolean;
}

export type RunState = { status: "optimal" | "infeasible" | "error" | "below"; iterations: number; upper: number };

export const NONBASIC_LOWER = 0;
export const NONBASIC_UPPER = 1;
export const BASIC = 2;

export class BoxSimplex {
  readonly n0: number;
  readonly r: number;
  protected readonly Q: Float64Array;
  private readonly lo: number;
  private readonly hi: number;
  /** Per problem: rows (K x r), nu, b, equality flags. */
  protected K = 0;
  protected A: Float64Array = new Float64Array(0);
  protected nu: Float64Array = new Float64Array(0);
  protected b: Float64Array = new Float64Array(0);
  protected eq: Uint8Array = new Uint8Array(0);
  private sLo = 0;
  private sHi = 0;
  /** Size of the problem's numbers (box, offsets): feasibility tolerances are relative to it. */
  protected scale = 1;
  // Variables: x_0..x_{n0-1}, s = n0, slack of row k = n0 + 1 + k.
  protected lb = new Float64Array(0);
  protected ub = new Float64Array(0);
  protected value = new Float64Array(0);
  /** Costs of the minimisation form: -1 on s, tiny perturbations on the inputs (see run). */
  protected cost = new Float64Array(0);
  protected status = new Uint8Array(0);
  private d = new Float64Array(0);
  protected head = new Int32Array(0);
  protected Binv = new Float64Array(0);
  private basisMatrix = new Float64Array(0);
  protected rho = new Float64Array(0);
  private alpha = new Float64Array(0);
  protected col = new Float64Array(0);
  private work = new Float64Array(0);
  private v = new Float64Array(0);
  private cand = new Int32Array(0);
  private heap = new Int32Array(0);
  private ratio = new Float64Array(0);
  readonly x: Float64Array;
  readonly u: Float64Array;

  constructor(space: BoxLpSpace) {
    this.n0 = space.n0;
    this.r = space.r;
    this.Q = space.Q;
    this.lo = space.lo;
    this.hi = space.hi;
    this.x = new Float64Array(this.n0);
    this.u = new Float64Array(this.r);
  }

  protected setup(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number): void {
    const n = this.n0 + 1 + K;
    this.K = K;
    this.A = A;
    this.nu = nu;
    this.b = b;
    this.eq = eq;
    this.sLo = sLo;
    this.sHi = sHi;
    let scale = Math.max(Math.abs(this.lo), Math.abs(this.hi));
    for (let k = 0; k < K; k++) scale = Math.max(scale, Math.abs(b[k]));
    this.scale = scale > 0 ? scale : 1;
    if (this.value.length < n) {
      this.lb = new Float64Array(n);
      this.ub = new Float64Array(n);
      this.value = new Float64Array(n);
      this.cost = new Float64Array(n);
      this.status = new Uint8Array(n);
      this.d = new Float64Array(n);
      this.alpha = new Float64Array(n);
      this.cand = new Int32Array(n);
      this.heap = new Int32Array(n);
      this.ratio = new Float64Array(n);
    }
    if (this.head.length < K) {
      this.head = new Int32Array(K);
      this.rho = new Float64Array(K);
      this.col = new Float64Array(K);
      this.work = new Float64Array(K);
    }
    if (this.Binv.length < K * K) this.Binv = new Float64Array(K * K);
    if (this.v.length < this.r) this.v = new Float64Array(this.r);
    for (let j = 0; j < n; j++) {
      this.lb[j] = this.lowerBound(j);
      this.ub[j] = this.upperBound(j);
    }
  }

  private lowerBound(j: number): number {
    if (j < this.n0) return this.lo;
    if (j === this.n0) return this.sLo;
    return 0;
  }

  protected upperBound(j: number): number {
    if (j < this.n0) return this.hi;
    if (j === this.n0) return this.sHi;
    return this.eq[j - this.n0 - 1] ? 0 : Infinity;
  }

  /** Column of variable j into out (K). */
  private column(j: number, out: Float64Array): void {
    const K = this.K;
    if (j > this.n0) {
      out.fill(0, 0, K);
      out[j - this.n0 - 1] = 1;
      return;
    }
    if (j === this.n0) {
      for (let k = 0; k < K; k++) out[k] = this.eq[k] ? 0 : this.nu[k];
      return;
    }
    const r = this.r;
    const n0 = this.n0;
    const Q = this.Q;
    const A = this.A;
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += A[k * r + c] * Q[c * n0 + j];
      out[k] = acc;
    }
  }

  /** alpha_j = w . column_j for every variable (w of length K). */
  private rowTimesColumns(w: Float64Array, out: Float64Array): void {
    const K = this.K;
    const r = this.r;
    const n0 = this.n0;
    const A = this.A;
    const Q = this.Q;
    const v = this.v;
    v.fill(0, 0, r);
    for (let k = 0; k < K; k++) {
      const wk = w[k];
      if (wk === 0) continue;
      for (let c = 0; c < r; c++) v[c] += wk * A[k * r + c];
    }
    out.fill(0, 0, n0);
    for (let c = 0; c < r; c++) {
      const vc = v[c];
      if (vc === 0) continue;
      const row = c * n0;
      for (let j = 0; j < n0; j++) out[j] += vc * Q[row + j];
    }
    let s = 0;
    for (let k = 0; k < K; k++) if (!this.eq[k]) s += w[k] * this.nu[k];
    out[n0] = s;
    for (let k = 0; k < K; k++) out[n0 + 1 + k] = w[k];
  }

  /** Basis inverse from the basic columns (Gauss-Jordan, partial pivoting); false if singular. */
  private refactor(): boolean {
    const K = this.K;
    // The basis itself, in a buffer kept from solve to solve (no allocation per solve); every
    // entry is written below.
    if (this.basisMatrix.length < K * K) this.basisMatrix = new Float64Array(K * K);
    const M = this.basisMatrix;
    const col = this.col;
    for (let i = 0; i < K; i++) {
      this.column(this.head[i], col);
      for (let k = 0; k < K; k++) M[k * K + i] = col[k];
    }
    return invertInPlace(M, this.Binv, K, 1e-13);
  }

  /** Basic values from the nonbasic ones: x_B = B^-1 (b - N x_N); and reduced costs from scratch. */
  protected recompute(): void {
    const K = this.K;
    const n = this.n0 + 1 + K;
    const rhs = this.work;
    for (let k = 0; k < K; k++) rhs[k] = this.b[k];
    // Subtract A Q x_N (inputs), nu s (if nonbasic), slacks.
    const { r, n0, Q, A } = this;
    const v = this.v;
    v.fill(0, 0, r);
    for (let j = 0; j < n0; j++) {
      if (this.status[j] === BASIC) continue;
      const xj = this.value[j];
      if (xj === 0) continue;
      for (let c = 0; c < r; c++) v[c] += Q[c * n0 + j] * xj;
    }
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += A[k * r + c] * v[c];
      rhs[k] -= acc;
      if (this.status[n0] !== BASIC && !this.eq[k]) rhs[k] -= this.nu[k] * this.value[n0];
      const sl = n0 + 1 + k;
      if (this.status[sl] !== BASIC) rhs[k] -= this.value[sl];
    }
    const inv = this.Binv;
    for (let i = 0; i < K; i++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += inv[i * K + k] * rhs[k];
      this.value[this.head[i]] = acc;
    }
    // Duals y = c_B B^-1, reduced costs d = c - y A.
    const y = this.rho;
    y.fill(0, 0, K);
    for (let i = 0; i < K; i++) {
      const ci = this.cost[this.head[i]];
      if (ci === 0) continue;
      for (let k = 0; k < K; k++) y[k] += ci * inv[i * K + k];
    }
    this.rowTimesColumns(y, this.alpha);
    for (let j = 0; j < n; j++) this.d[j] = this.cost[j] - this.alpha[j];
    for (let i = 0; i < K; i++) this.d[this.head[i]] = 0;
  }

  /**
   * The bounded dual simplex. With stopBelow > -Infinity it stops as soon as the multipliers of
   * the current basis certify an optimum at most stopBelow (status "below", that bound in
   * `upper`): every dual feasible basis gives an upper bound, and the basic value of s is the
   * current one up to the perturbation, so the certificate is computed only when s is basic and
   * at most stopBelow, and again after every few more pivots if rounding left it above.
   */
  protected run(stopBelow: number, maxIterations: number): RunState {
    this.startSlackBasis();
    return this.iterate(stopBelow, maxIterations);
  }

  /** The start every solve shares: slack basis, inputs at their lower bounds, s at its upper one. */
  protected startSlackBasis(): void {
    const K = this.K;
    const n0 = this.n0;
    // Slack basis, inputs at their lower bounds, s at its upper one (cost -1: d < 0). The inputs'
    // costs are 0, which makes the dual massively degenerate (the simplex stalls, swapping inputs
    // without progress); each gets a tiny positive cost, which keeps the lower bound dual
    // feasible. The answer is certified afterwards against the unperturbed problem. The start is
    // the same for every solve: an answer depends on its problem only (threads agree).
    let seed = 0x9e3779b9;
    const xi = 1e-11 / Math.max(1, this.hi - this.lo);
    for (let j = 0; j < n0; j++) {
      this.status[j] = NONBASIC_LOWER;
      this.value[j] = this.lo;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      this.cost[j] = xi * (0.5 + 0.5 * ((seed >>> 0) / 4294967296));
    }
    this.cost[n0] = -1;
    for (let k = 0; k < K; k++) this.cost[n0 + 1 + k] = 0;
    this.status[n0] = NONBASIC_UPPER;
    this.value[n0] = this.sHi;
    for (let k = 0; k < K; k++) {
      this.head[k] = n0 + 1 + k;
      this.status[n0 + 1 + k] = BASIC;
    }
    this.refactor();
    this.recompute();
  }

  /** Dual simplex pivots from the current (dual feasible) basis until optimal, infeasible, below or the limit. */
  protected iterate(stopBelow: number, maxIterations: number): RunState {
    const K = this.K;
    const n0 = this.n0;
    const n = n0 + 1 + K;
    let sinceRefactor = 0;
    let nextCheck = 0;
    const inv = this.Binv;
    const alpha = this.alpha;
    const d = this.d;
    const rho = this.rho;
    const u = this.col;
    for (let it = 0; it < maxIterations; it++) {
      // Leaving row: the basic variable farthest outside its bounds.
      // Dual steepest edge: infeasibility squared over the squared norm of the row of B^-1.
      let p = -1;
      let worst = 0;
      let delta = 0;
      for (let i = 0; i < K; i++) {
        const j = this.head[i];
        const val = this.value[j];
        const lb = this.lb[j];
        const ub = this.ub[j];
        const tol = 1e-9 * (this.scale + Math.abs(val));
        let infeasible = 0;
        if (val < lb - tol) infeasible = val - lb;
        else if (val > ub + tol) infeasible = val - ub;
        else continue;
        let w = 0;
        for (let k = 0; k < K; k++) w += inv[i * K + k] * inv[i * K + k];
        const score = (infeasible * infeasible) / w;
        if (score > worst) {
          worst = score;
          p = i;
          delta = infeasible;
        }
      }
      if (p < 0) return { status: "optimal", iterations: it, upper: Infinity };
      for (let k = 0; k < K; k++) rho[k] = inv[p * K + k];
      this.rowTimesColumns(rho, alpha);
      // Bound-flipping ratio test over the eligible nonbasic variables: pass breakpoints in order
      // of ratio, flipping boxed variables to their other bound while the dual slope stays
      // positive; the variable at which it would not enters.
      const sign = delta < 0 ? -1 : 1;
      const lbA = this.lb;
      const ubA = this.ub;
      let count = 0;
      let maxAlpha = 0;
      for (let j = 0; j < n; j++) {
        if (this.status[j] === BASIC) continue;
        const a = Math.abs(alpha[j]);
        if (a > maxAlpha) maxAlpha = a;
      }
      const pivotTol = 1e-9 * Math.max(1, maxAlpha);
      const ratio = this.ratio;
      const cand = this.cand;
      for (let j = 0; j < n; j++) {
        const st = this.status[j];
        if (st === BASIC || lbA[j] === ubA[j]) continue;
        const a = sign * alpha[j];
        if ((st === NONBASIC_LOWER && a > pivotTol) || (st === NONBASIC_UPPER && a < -pivotTol)) {
          cand[count++] = j;
          ratio[j] = Math.max(0, d[j] / a);
        }
      }
      if (count === 0) return { status: "infeasible", iterations: it, upper: Infinity };
      let slope = Math.abs(delta);
      let enter = -1;
      // Candidates with ratio 0 (the inputs' reduced costs start at 0) are passed in bulk: the
      // largest pivot among them is kept to enter, the others flip while the slope allows.
      let flips = 0;
      let zeroBest = -1;
      let zeros = 0;
      for (let c = 0; c < count; c++) {
        const j = cand[c];
        if (ratio[j] > 1e-14) continue;
        cand[c] = cand[zeros];
        cand[zeros++] = j;
        if (zeroBest < 0 || Math.abs(alpha[j]) > Math.abs(alpha[zeroBest])) zeroBest = j;
      }
      for (let c = 0; c < zeros; c++) {
        const j = cand[c];
        const drop = Math.abs(alpha[j]) * (ubA[j] - lbA[j]);
        if (j === zeroBest || !Number.isFinite(drop) || slope - drop <= 1e-12 * Math.abs(delta)) continue;
        slope -= drop;
        cand[c] = cand[flips];
        cand[flips++] = j;
      }
      const zeroDrop = zeroBest >= 0 ? Math.abs(alpha[zeroBest]) * (ubA[zeroBest] - lbA[zeroBest]) : 0;
      if (zeroBest >= 0 && !(Number.isFinite(zeroDrop) && slope - zeroDrop > 1e-12 * Math.abs(delta))) enter = zeroBest;
      else {
        if (zeroBest >= 0) {
          // Every ratio-0 candidate flips; continue with the positive ratios.
          slope -= zeroDrop;
          for (let c = flips; c < zeros; c++) {
            const j = cand[c];
            if (j === zeroBest) {
              cand[c] = cand[flips];
              cand[flips++] = j;
            }
          }
        }
        // The positive ratios through a binary heap (most iterations pass few of them).
        const heap = this.heap;
        let size = 0;
        for (let c = zeros; c < count; c++) heap[size++] = cand[c];
        for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, i, size, ratio);
        while (size > 0) {
          const j = heap[0];
          heap[0] = heap[--size];
          siftDown(heap, 0, size, ratio);
          const drop = Math.abs(alpha[j]) * (ubA[j] - lbA[j]);
          if (Number.isFinite(drop) && slope - drop > 1e-12 * Math.abs(delta)) {
            slope -= drop;
            cand[flips++] = j;
            continue;
          }
          enter = j;
          // Among near-ties of the entering ratio, the largest pivot.
          const theta = ratio[j];
          while (size > 0 && ratio[heap[0]] <= theta + 1e-14) {
            const t = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, 0, size, ratio);
            if (Math.abs(alpha[t]) > Math.abs(alpha[enter])) enter = t;
          }
          break;
        }
      }
      if (enter < 0) return { status: "infeasible", iterations: it, upper: Infinity };
      // Flip the passed variables (those before the entering one in the order, not the entering).
      if (flips > 0) {
        const delta_b = this.work;
        delta_b.fill(0, 0, K);
        const v = this.v;
        v.fill(0, 0, this.r);
        let sDelta = 0;
        for (let c2 = 0; c2 < flips; c2++) {
          const j = cand[c2];
          const from = this.value[j];
          const to = this.status[j] === NONBASIC_LOWER ? ubA[j] : lbA[j];
          this.status[j] = this.status[j] === NONBASIC_LOWER ? NONBASIC_UPPER : NONBASIC_LOWER;
          this.value[j] = to;
          const dx = to - from;
          if (j < n0) for (let cc = 0; cc < this.r; cc++) v[cc] += this.Q[cc * n0 + j] * dx;
          else if (j === n0) sDelta += dx;
          else delta_b[j - n0 - 1] += dx;
        }
        for (let k = 0; k < K; k++) {
          let acc = 0;
          for (let cc = 0; cc < this.r; cc++) acc += this.A[k * this.r + cc] * v[cc];
          if (!this.eq[k]) acc += this.nu[k] * sDelta;
          delta_b[k] += acc;
        }
        for (let i = 0; i < K; i++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += inv[i * K + k] * delta_b[k];
          this.value[this.head[i]] -= acc;
        }
      }
      // Dual update.
      const thetaD = d[enter] / alpha[enter];
      for (let j = 0; j < n; j++) if (this.status[j] !== BASIC) d[j] -= thetaD * alpha[j];
      const leaving = this.head[p];
      d[leaving] = -thetaD;
      d[enter] = 0;
      // Primal update: the leaving variable goes to the bound it violated.
      this.column(enter, this.work);
      for (let i = 0; i < K; i++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += inv[i * K + k] * this.work[k];
        u[i] = acc;
      }
      const target = delta < 0 ? lbA[leaving] : ubA[leaving];
      const step = (this.value[leaving] - target) / u[p];
      for (let i = 0; i < K; i++) this.value[this.head[i]] -= step * u[i];
      this.value[enter] += step;
      this.value[leaving] = target;
      this.status[leaving] = delta < 0 ? NONBASIC_LOWER : NONBASIC_UPPER;
      if (lbA[leaving] === ubA[leaving]) this.status[leaving] = NONBASIC_LOWER;
      this.status[enter] = BASIC;
      this.head[p] = enter;
      // Basis inverse update (pivot on u[p]).
      const f = 1 / u[p];
      for (let k = 0; k < K; k++) inv[p * K + k] *= f;
      for (let i = 0; i < K; i++) {
        if (i === p) continue;
        const g = u[i];
        if (g === 0) continue;
        for (let k = 0; k < K; k++) inv[i * K + k] -= g * inv[p * K + k];
      }
      if (++sinceRefactor >= 50) {
        sinceRefactor = 0;
        if (!this.refactor()) return { status: "error", iterations: it, upper: Infinity };
        this.recompute();
        this.restoreDualFeasibility();
      }
      if (this.value[n0] <= stopBelow && this.status[n0] === BASIC && it >= nextCheck) {
        const upper = this.boundNow();
        if (upper <= stopBelow) return { status: "below", iterations: it + 1, upper };
        nextCheck = it + 4;
      }
    }
    return { status: "error", iterations: maxIterations, upper: Infinity };
  }

  /** After a refactorization, rounding can leave a reduced cost of the wrong sign: move the bound. */
  private restoreDualFeasibility(): void {
    const n = this.n0 + 1 + this.K;
    for (let j = 0; j < n; j++) {
      const st = this.status[j];
      if (st === BASIC) continue;
      const lb = this.lowerBound(j);
      const ub = this.upperBound(j);
      if (st === NONBASIC_LOWER && this.d[j] < 0 && Number.isFinite(ub)) {
        this.status[j] = NONBASIC_UPPER;
        this.value[j] = ub;
      } else if (st === NONBASIC_UPPER && this.d[j] > 0 && Number.isFinite(lb)) {
        this.status[j] = NONBASIC_LOWER;
        this.value[j] = lb;
      }
    }
    this.recompute();
  }

  /** The point (x clamped into the box) and u = Q x. */
  protected extract(): void {
    const { n0, r, Q, lo, hi } = this;
    for (let j = 0; j < n0; j++) this.x[j] = Math.min(hi, Math.max(lo, this.value[j]));
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let j = 0; j < n0; j++) acc += Q[c * n0 + j] * this.x[j];
      this.u[c] = acc;
    }
  }

  /**
   * Both-sided bounds of the optimum, independent of the simplex's bookkeeping:
   * - lower: the margin the point (x, u) actually has, min over inequality rows of
   *   (b_k - A_k u) / nu_k, when every equality row holds to rounding (else -Infinity);
   * - upper: for the row multipliers y of the final basis (inequality ones clipped at 0), the
   *   Lagrangian bound  sum_k y_k b_k + max_{x in box} (-A^T y)^T Q x + max_{s} s (1 - y . nu).
   * Both include an allowance for their own rounding.
   */
  protected certify(): { lower: number; upper: number } {
    return { lower: this.marginOf(this.u, this.K, this.A, this.nu, this.b, this.eq), upper: this.boundNow() };
  }

  /**
   * The certified lower bound for a point u = Q x of the box: its margin in rows (K, A, nu, b, eq)
   * when every equality row holds to rounding, else -Infinity, with the allowance of certify().
   * For this LP's own point (this.u) and for one found elsewhere (the inner zonotope's,
   * inner-zonotope.ts).
   */
  marginOf(u: Float64Array, K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array): number {
    const { r, n0, lo, hi } = this;
    let lower = this.sHi;
    const xScale = Math.max(Math.abs(lo), Math.abs(hi)) * Math.sqrt(n0);
    for (let k = 0; k < K; k++) {
      let acc = -b[k];
      let mag = Math.abs(b[k]);
      let norm1 = 0;
      for (let c = 0; c < r; c++) {
        acc += A[k * r + c] * u[c];
        mag += Math.abs(A[k * r + c] * u[c]);
        norm1 += Math.abs(A[k * r + c]);
      }
      const err = 1e-12 * (mag + xScale * norm1);
      if (eq[k]) {
        if (Math.abs(acc) > 1e-9 * (Math.min(1, xScale) + mag)) lower = -Infinity;
        continue;
      }
      lower = Math.min(lower, (-acc - err) / nu[k]);
    }
    return lower;
  }

  /**
   * The Lagrangian bound of the current basis's multipliers, left in this.rho (multipliers()):
   * y = -(c_B B^-1) in the minimisation form = the maximisation's duals, without the inputs'
   * perturbed costs (any multipliers give a valid bound), inequality ones clipped at 0.
   */
  protected boundNow(): number {
    const { K, n0, A, b, nu, eq } = this;
    const inv = this.Binv;
    const y = this.rho;
    y.fill(0, 0, K);
    for (let i = 0; i < K; i++) {
      if (this.head[i] !== n0) continue;
      for (let k = 0; k < K; k++) y[k] = inv[i * K + k];
    }
    for (let k = 0; k < K; k++) if (!eq[k] && y[k] < 0) y[k] = 0;
    return this.lagrangian(K, A, nu, b, eq, this.sLo, this.sHi, y);
  }

  /**
   * A certified upper bound of the optimum of the problem (K, A, nu, b, eq, sLo, sHi) from any
   * multipliers y (y_k >= 0 on inequality rows, any sign on equality rows), without solving it:
   * the Lagrangian  sum_k y_k b_k + max_{x in box} (-A^T y)^T Q x + max_{s} s (1 - y . nu),
   * with an allowance for its own rounding. O(K r + r n0).
   */
  lagrangian(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number, y: Float64Array): number {
    const { r, n0, Q, lo, hi } = this;
    if (this.v.length < r) this.v = new Float64Array(r);
    const v = this.v;
    v.fill(0, 0, r);
    let upper = 0;
    let mag = 0;
    let yNu = 0;
    for (let k = 0; k < K; k++) {
      const yk = y[k];
      if (yk === 0) continue;
      if (!eq[k] && !(yk > 0)) return Infinity;
      upper += yk * b[k];
      mag += Math.abs(yk * b[k]);
      if (!eq[k]) yNu += yk * nu[k];
      for (let c = 0; c < r; c++) v[c] += yk * A[k * r + c];
    }
    for (let j = 0; j < n0; j++) {
      let g = 0;
      for (let c = 0; c < r; c++) g -= v[c] * Q[c * n0 + j];
      const best = Math.max(g * lo, g * hi);
      upper += best;
      mag += Math.abs(best);
    }
    const sTerm = Math.max(sLo * (1 - yNu), sHi * (1 - yNu));
    upper += sTerm;
    mag += Math.abs(sTerm);
    return upper + 1e-12 * mag;
  }
}

/** Restore the min-heap property (by key[heap[i]]) below position i. */
function siftDown(heap: Int32Array, i: number, size: number, key: Float64Array): void {
  const item = heap[i];
  const k = key[item];
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && key[heap[child + 1]] < key[heap[child]]) child++;
    if (key[heap[child]] >= k) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}
