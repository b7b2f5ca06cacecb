/**
 * Linear programs through HiGHS (compiled to WebAssembly): a thin wrapper that passes typed
 * arrays (never LP text) to one persistent solver instance, reused for every solve.
 *
 * Problems are small and dense here (a polytope's constraints in a few dimensions), so the
 * wrapper takes a dense row-major matrix and packs it into reusable CSR buffers itself.
 *
 *   const lp = await loadLp();
 *   const { centre, radius } = chebyshevCentre(lp, A, b, rows, dim);
 *
 * Loading is asynchronous (the WebAssembly module is fetched and compiled once per process or
 * worker); solving is synchronous. No Node-only API: the browser runs this as is.
 */
import type { Highs, Model } from "highs";

export type LpStatus = "optimal" | "infeasible" | "unbounded" | "error";

export interface LpProblem {
  numCols: number;
  numRows: number;
  /** Objective coefficients (numCols). */
  cost: ArrayLike<number>;
  /** Dense row-major numRows x numCols constraint matrix. */
  matrix: ArrayLike<number>;
  /** Row bounds rowLower <= A x <= rowUpper (default: -infinity below). */
  rowLower?: ArrayLike<number>;
  rowUpper: ArrayLike<number>;
  /** Column bounds (default: free variables). */
  colLower?: ArrayLike<number>;
  colUpper?: ArrayLike<number>;
  maximize?: boolean;
}

export interface LpResult {
  status: LpStatus;
  objective: number;
  /** Optimal point (numCols); empty unless optimal. */
  x: Float64Array;
}

export interface LpSolver {
  solve(problem: LpProblem): LpResult;
  /** Number of solves so far (for benchmarks and tests of "LP only when undecided"). */
  readonly solves: number;
}

let loading: Promise<LpSolver> | null = null;
let loaded: LpSolver | null = null;

/** The process-wide solver, loading HiGHS on the first call. */
export function loadLp(): Promise<LpSolver> {
  // HiGHS is imported here, on first use: commands and pages that never solve an LP skip it.
  loading ??= import("highs")
    .then(({ default: highsLoader }) => highsLoader())
    .then((highs) => {
      loaded = createSolver(highs);
      return loaded;
    });
  return loading;
}

/** The solver if `loadLp()` has completed, else null (for synchronous callers). */
export function loadedLp(): LpSolver | null {
  return loaded;
}

function createSolver(highs: Highs): LpSolver {
  const model: Model = highs.createModel();
  model.options.set({ output_flag: false, presolve: "off" });
  const inf = highs.infinity;
  // CSR buffers grow to the largest problem seen and are then reused.
  let starts = new Int32Array(16);
  let indices = new Int32Array(64);
  let values = new Float64Array(64);
  let solves = 0;
  const bounded = (src: ArrayLike<number> | undefined, n: number, fallback: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = src ? src[i] : fallback;
      out[i] = v === Infinity ? inf : v === -Infinity ? -inf : v;
    }
    return out;
  };
  return {
    get solves() {
      return solves;
    },
    solve(p) {
      const { numRows: m, numCols: n } = p;
      if (starts.length < m + 1) starts = new Int32Array(2 * (m + 1));
      if (indices.length < m * n) {
        indices = new Int32Array(2 * m * n);
        values = new Float64Array(2 * m * n);
      }
      let nz = 0;
      for (let i = 0; i < m; i++) {
        starts[i] = nz;
        for (let j = 0; j < n; j++) {
          const v = p.matrix[i * n + j];
          if (v !== 0) {
            indices[nz] = j;
            values[nz++] = v;
          }
        }
      }
      starts[m] = nz;
      solves++;
      try {
        model.passModel({
          numCols: n,
          numRows: m,
          sense: p.maximize ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
          colCost: bounded(p.cost, n, 0),
          colLower: bounded(p.colLower, n, -Infinity),
          colUpper: bounded(p.colUpper, n, Infinity),
          rowLower: bounded(p.rowLower, m, -Infinity),
          rowUpper: bounded(p.rowUpper, m, Infinity),
          matrix: {
            format: "csr",
            numRows: m,
            numCols: n,
            starts: starts.subarray(0, m + 1),
            indices: indices.subarray(0, nz),
            values: values.subarray(0, nz),
          },
        });
        model.run();
      } catch {
        return {
          status: "error",
          objective: Number.NaN,
          x: new Float64Array(0),
        };
      }
      const code = model.getModelStatus();
      if (code === 7)
        return {
          status: "optimal",
          objective: model.getObjectiveValue(),
          x: Float64Array.from(model.getSolution().colValue),
        };
      if (code === 8)
        return {
          status: "infeasible",
          objective: Number.NaN,
          x: new Float64Array(0),
        };
      if (code === 9 || code === 10)
        return {
          status: "unbounded",
          objective: p.maximize ? Infinity : -Infinity,
          x: new Float64Array(0),
        };
      return { status: "error", objective: Number.NaN, x: new Float64Array(0) };
    },
  };
}

/**
 * Chebyshev centre of the polytope {y : A y <= b} (rows x dim, row-major): the centre and radius
 * of the largest inscribed ball, from the LP  max r  s.t.  a_i . y + r |a_i| <= b_i,  r >= 0.
 * Radius 0 means the polytope has no interior; -1 means it is empty; Infinity unbounded.
 */
export function chebyshevCentre(
  lp: LpSolver,
  A: ArrayLike<number>,
  b: ArrayLike<number>,
  rows: number,
  dim: number,
  maxRadius = Infinity,
): { centre: Float64Array; radius: number } {
  const n = dim + 1;
  const matrix = new Float64Array(rows * n);
  for (let i = 0; i < rows; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = A[i * dim + j];
      matrix[i * n + j] = v;
      norm += v * v;
    }
    matrix[i * n + dim] = Math.sqrt(norm);
  }
  const cost = new Float64Array(n);
  cost[dim] = 1;
  const colLower = new Float64Array(n).fill(-Infinity);
  const colUpper = new Float64Array(n).fill(Infinity);
  colLower[dim] = 0;
  colUpper[dim] = maxRadius;
  const r = lp.solve({
    numCols: n,
    numRows: rows,
    cost,
    matrix,
    rowUpper: b,
    colLower,
    colUpper,
    maximize: true,
  });
  if (r.status === "optimal") return { centre: r.x.slice(0, dim), radius: r.x[dim] };
  if (r.status === "unbounded") return { centre: new Float64Array(dim), radius: Infinity };
  return { centre: new Float64Array(dim), radius: -1 };
}

/** max c . y over {y : A y <= b}; status "optimal" with the value, or why not. */
export function maximizeOver(lp: LpSolver, c: ArrayLike<number>, A: ArrayLike<number>, b: ArrayLike<number>, rows: number, dim: number): LpResult {
  return lp.solve({
    numCols: dim,
    numRows: rows,
    cost: c,
    matrix: A,
    rowUpper: b,
    maximize: true,
  });
}
