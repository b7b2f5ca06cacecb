/**
 * The box LP as the whole-domain engine calls it (box-simplex.ts: the problem, its bounded dual
 * simplex and the certificates of its answers): `solve`, with row generation when a polytope
 * domain brings many rows, the counts the benchmarks read, and the multipliers of the last solve
 * (certificates.ts).
 */
import { BASIC, type BoxLpSpace, BoxSimplex, type RunState } from "./box-simplex.ts";

export type { BoxLpSpace } from "./box-simplex.ts";

/**
 * Domain rows from which they are generated lazily. Below it every row is in every solve, as
 * before row generation (the same answers to the bit for boxes and polytopes of few rows).
 */
export const LAZY_MIN_ROWS = 48;
/** Most violated rows added per round (the most violated first). */
const ROWS_PER_ROUND = 16;

export interface BoxLpResult {
  /**
   * "optimal", "infeasible" (no point of the box meets the equality rows), "error", or "below":
   * stopped before the optimum when its certified upper bound fell to `stopBelow` (no point).
   */
  status: "optimal" | "infeasible" | "error" | "below";
  /** Certified lower bound of the optimum (-Infinity when no valid point). */
  lower: number;
  /** Certified upper bound of the optimum (+Infinity when no valid multipliers). */
  upper: number;
  /** The optimal point: x (n0) and u = Q x (r); valid until the next solve. */
  x: Float64Array;
  u: Float64Array;
  iterations: number;
}

export class BoxLp extends BoxSimplex {
  /** Solves so far (benchmarks, tests of "LP only when undecided"). */
  solves = 0;
  iterations = 0;
  /** Solves stopped early by `stopBelow`. */
  stopped = 0;
  /** Re-solves after rows were added (row generation), and the rows added, over all solves. */
  rowRounds = 0;
  rowsAdded = 0;
  /**
   * Row generation: the last `lazyRows` rows of a problem (the domain's, constraints.ts puts them
   * last) enter only when an answer violates them; 0 when the domain has few rows.
   */
  private readonly lazyRows: number;
  /** The row multipliers of the last solve over all its rows when it generated rows (else rho). */
  private lazyY: Float64Array | null = null;
  private fullY = new Float64Array(0);
  private subA = new Float64Array(0);
  private subNu = new Float64Array(0);
  private subB = new Float64Array(0);
  private subEq = new Uint8Array(0);
  /** Row q of the full problem of each row of the working problem. */
  private subRow = new Int32Array(0);
  private inSub = new Uint8Array(0);
  private violated = new Int32Array(0);
  private violation = new Float64Array(0);

  constructor(space: BoxLpSpace) {
    super(space);
    this.lazyRows = space.domain && space.domain.count >= LAZY_MIN_ROWS && space.lazyDomainRows !== false ? space.domain.count : 0;
  }

  /**
   * Solve the problem with rows A (K x r), nu (K), b (K), equality flags eq (K), s in [sLo, sHi].
   * Rows with eq[k] = 1 take nu = 0.
   */
  solve(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number, stopBelow = -Infinity): BoxLpResult {
    this.solves++;
    this.lazyY = null;
    const first = Math.max(0, K - this.lazyRows);
    if (this.lazyRows > 0 && K - first >= LAZY_MIN_ROWS) {
      const lazy = this.solveLazy(K, A, nu, b, eq, sLo, sHi, stopBelow, first);
      if (lazy) return lazy;
    }
    this.setup(K, A, nu, b, eq, sLo, sHi);
    const state = this.run(stopBelow, 50 * (K + 10) + 2000);
    this.iterations += state.iterations;
    if (state.status === "below") {
      this.stopped++;
      return { status: "below", lower: -Infinity, upper: state.upper, x: this.x, u: this.u, iterations: state.iterations };
    }
    this.extract();
    const { lower, upper } = this.certify();
    return { status: state.status, lower, upper, x: this.x, u: this.u, iterations: state.iterations };
  }

  /**
   * Row generation (lazy constraints). Rows first..K-1 (the domain's) are left out of the problem
   * until an answer violates them: the working problem holds the other rows and the equality rows;
   * after each optimum the point (x, u) and margin s are checked against every row left out
   * (O(r) per row, against O(K r + r n0) and a K x K update per pivot), the most violated enter
   * with their slacks basic, which keeps the basis dual feasible, and the dual simplex goes on from
   * there (a warm start: the answers before are not thrown away). The working problem has fewer
   * rows, so its optimum is an upper bound of the full one; an optimum no row violates is the full
   * optimum. The bounds are certified over all K rows: the point's margin in every row, and the
   * Lagrangian with the multipliers of the rows left out at 0. Every solve starts from the same
   * working set (the rows before `first`), so an answer still depends on its problem only.
   * Null when the working problem fails (the caller solves with every row).
   */
  private solveLazy(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array, sLo: number, sHi: number, stopBelow: number, first: number): BoxLpResult | null {
    const r = this.r;
    const n0 = this.n0;
    // Buffers and tolerances for the full problem (its scale: the same feasibility tolerances).
    this.setup(K, A, nu, b, eq, sLo, sHi);
    if (this.subB.length < K) {
      this.subA = new Float64Array(K * r);
      this.subNu = new Float64Array(K);
      this.subB = new Float64Array(K);
      this.subEq = new Uint8Array(K);
      this.subRow = new Int32Array(K);
      this.inSub = new Uint8Array(K);
      this.violated = new Int32Array(K);
      this.violation = new Float64Array(K);
      this.fullY = new Float64Array(K);
    }
    const { subA, subNu, subB, subEq, subRow, inSub, violated, violation } = this;
    let m = 0;
    const take = (q: number): void => {
      for (let c = 0; c < r; c++) subA[m * r + c] = A[q * r + c];
      subNu[m] = nu[q];
      subB[m] = b[q];
      subEq[m] = eq[q];
      subRow[m] = q;
      inSub[q] = 1;
      m++;
    };
    inSub.fill(0, 0, K);
    for (let q = 0; q < K; q++) if (q < first || eq[q]) take(q);
    this.K = m;
    this.A = subA;
    this.nu = subNu;
    this.b = subB;
    this.eq = subEq;
    for (let j = n0 + 1; j < n0 + 1 + m; j++) {
      this.lb[j] = 0;
      this.ub[j] = this.upperBound(j);
    }
    const maxIterations = 50 * (K + 10) + 2000;
    let iterations = 0;
    this.startSlackBasis();
    let state: RunState;
    for (;;) {
      state = this.iterate(stopBelow, maxIterations - iterations);
      iterations += state.iterations;
      if (state.status !== "optimal") break;
      this.extract();
      // Rows left out that the answer violates: margin below the working optimum s.
      const s = this.value[n0];
      const tol = 1e-12 * this.scale;
      let count = 0;
      for (let q = first; q < K; q++) {
        if (inSub[q]) continue;
        let acc = nu[q] * s - b[q];
        for (let c = 0; c < r; c++) acc += A[q * r + c] * this.u[c];
        if (acc > tol) {
          violated[count] = q;
          violation[q] = acc;
          count++;
        }
      }
      if (count === 0) break;
      // The most violated first (ties by row: the same order on every thread).
      const chosen = violated.subarray(0, count).sort((p, q) => violation[q] - violation[p] || p - q);
      const add = Math.min(count, ROWS_PER_ROUND);
      const m0 = m;
      for (let a = 0; a < add; a++) take(chosen[a]);
      this.rowRounds++;
      this.rowsAdded += add;
      // The new rows' slacks enter the basis at their values: the duals, and so every reduced
      // cost, are unchanged (dual feasible); the new rows are the primal infeasibilities.
      for (let k = m0; k < m; k++) {
        const j = n0 + 1 + k;
        this.lb[j] = 0;
        this.ub[j] = Infinity;
        this.cost[j] = 0;
        this.head[k] = j;
        this.status[j] = BASIC;
      }
      this.extendInverse(m0, m);
      this.K = m;
      this.recompute();
    }
    this.iterations += iterations;
    if (state.status === "error") return this.restoreFull(K, A, nu, b, eq);
    // The multipliers of the working rows, over the full problem's rows (0 for rows left out).
    const upperWorking = state.status === "below" ? state.upper : this.boundNow();
    const fullY = this.fullY;
    fullY.fill(0, 0, K);
    for (let k = 0; k < m; k++) fullY[subRow[k]] = this.rho[k];
    this.lazyY = fullY.subarray(0, K);
    this.restoreFull(K, A, nu, b, eq);
    if (state.status === "below") {
      this.stopped++;
      return { status: "below", lower: -Infinity, upper: upperWorking, x: this.x, u: this.u, iterations };
    }
    if (state.status === "infeasible") this.extract();
    const lower = this.marginOf(this.u, K, A, nu, b, eq);
    const upper = this.lagrangian(K, A, nu, b, eq, sLo, sHi, fullY);
    return { status: state.status, lower, upper, x: this.x, u: this.u, iterations };
  }

  /**
   * The basis inverse after rows m0..m-1 joined with their slacks basic: the basis is
   * [[B, 0], [C, I]] (C: the new rows on the old basic columns), so its inverse is
   * [[B^-1, 0], [-C B^-1, I]], O(m^2 (m - m0) + (m - m0) m0 r) instead of a new factorization.
   */
  private extendInverse(m0: number, m: number): void {
    const { r, n0, Q } = this;
    const A = this.A;
    if (this.Binv.length < m * m) {
      const grown = new Float64Array(m * m);
      grown.set(this.Binv.subarray(0, m0 * m0));
      this.Binv = grown;
    }
    const inv = this.Binv;
    // Rows of the old inverse to stride m, from the last (the new layout never overtakes the old).
    for (let i = m0 - 1; i >= 0; i--) {
      for (let k = m0 - 1; k >= 0; k--) inv[i * m + k] = inv[i * m0 + k];
      inv.fill(0, i * m + m0, i * m + m);
    }
    const c = this.col;
    for (let t = m0; t < m; t++) {
      // C's row t: the new row's coefficient on each old basic column.
      for (let i = 0; i < m0; i++) {
        const j = this.head[i];
        let acc = 0;
        if (j < n0) for (let cc = 0; cc < r; cc++) acc += A[t * r + cc] * Q[cc * n0 + j];
        else if (j === n0) acc = this.nu[t];
        c[i] = acc;
      }
      const row = t * m;
      inv.fill(0, row, row + m);
      for (let i = 0; i < m0; i++) {
        const ci = c[i];
        if (ci === 0) continue;
        for (let k = 0; k < m0; k++) inv[row + k] -= ci * inv[i * m + k];
      }
      inv[row + t] = 1;
    }
  }

  /** The full problem back in place (after row generation): null, for the caller's fallback. */
  private restoreFull(K: number, A: Float64Array, nu: Float64Array, b: Float64Array, eq: Uint8Array): null {
    this.K = K;
    this.A = A;
    this.nu = nu;
    this.b = b;
    this.eq = eq;
    return null;
  }

  /**
   * The row multipliers of the last solve (inequality ones clipped at 0), K of them: what its
   * upper bound was computed from. Valid until the next solve.
   */
  multipliers(): Float64Array {
    return this.lazyY ?? this.rho.subarray(0, this.K);
  }
}
