/**
 * Does {y in [0, 1]^n : A y < b} (strictly) have a point? Decided exactly, in integer arithmetic:
 * the largest t with A y + w t <= b, y in [0, 1]^n, t <= 1 (w > 0 per row) is positive exactly
 * when it does, and 0 or less when the set has no interior (docs/whole.md, numerical policy).
 *
 * A bounded primal simplex with Bland's rule (finite: no cycling) on a fraction-free tableau
 * (Edmonds' integer pivoting: every entry is the basis determinant D times the true value, and
 * each pivot divides exactly by the previous D), so no rational is ever normalised. A variable
 * at its upper bound is complemented (y -> 1 - y), so every nonbasic variable sits at 0.
 *
 * No phase 1: t is written t = 1 - s with s >= 0, so t has no lower bound, and the first pivot
 * brings s in at the row that limits t most; every slack is then feasible. The objective is
 * min s. Starting bounds (`upper`: which y_j start at 1, e.g. from a float LP's point) only
 * shorten the path. Used for the decisions float64 leaves open, so it favours clarity over speed.
 */

export interface StrictProblem {
  /** Columns (y_0..y_{n-1}, each in [0, 1]). */
  n: number;
  /** Rows: a (K x n, row-major), b (K), w (K, every w_k > 0), all integers. */
  a: readonly bigint[];
  b: readonly bigint[];
  w: readonly bigint[];
  /** Columns to start at their upper bound (a hint; any choice gives the same answer). */
  upper?: ArrayLike<number>;
  /** Pivots before giving up (default 40 (n + K) + 200). */
  maxPivots?: number;
}

export interface StrictAnswer {
  /** "optimal": `sign` is exact; "limit": the pivot budget ran out, nothing is decided. */
  status: "optimal" | "limit";
  /** Sign of the optimum t*: 1 the set has interior, 0 or -1 it has none. */
  sign: number;
  /** t* rounded (at most 1). */
  t: number;
  /** t* exactly, as tNum / tDen (tDen > 0; 0 / 1 at the limit). */
  tNum: bigint;
  tDen: bigint;
  /** The optimal y, rounded to float64 (n entries). */
  y: Float64Array;
  pivots: number;
  /** D times the reduced costs of the rows' slacks (>= 0 at the optimum: minus the row multipliers), and D > 0. */
  slackCost: bigint[];
  den: bigint;
}

export function strictInterior(problem: StrictProblem): StrictAnswer {
  const { n, a, b, w } = problem;
  const K = b.length;
  const N = n + 1 + K;
  const S = n; // the column of s = 1 - t
  // T[i]: row i over the N columns, then the right-hand side at index N; row K is the objective.
  const T: bigint[][] = [];
  for (let i = 0; i < K; i++) {
    if (w[i] <= 0n) throw new Error("strictInterior: every w must be positive");
    const row = new Array<bigint>(N + 1).fill(0n);
    for (let j = 0; j < n; j++) row[j] = a[i * n + j];
    row[S] = -w[i];
    row[n + 1 + i] = 1n;
    row[N] = b[i] - w[i];
    T.push(row);
  }
  const objective = new Array<bigint>(N + 1).fill(0n);
  objective[S] = 1n;
  T.push(objective);
  const basis = Array.from({ length: K }, (_, i) => n + 1 + i);
  const isBasic = new Uint8Array(N);
  for (let i = 0; i < K; i++) isBasic[n + 1 + i] = 1;
  const complemented = new Uint8Array(N);
  let D = 1n;
  const bounded = (j: number): boolean => j < n;

  /** Column j at its other bound: y_j = 1 - y'_j (values are D times the truth: the rhs moves by D * column / D). */
  const complement = (j: number): void => {
    for (let i = 0; i <= K; i++) {
      const row = T[i];
      row[N] -= row[j];
      row[j] = -row[j];
    }
    complemented[j] ^= 1;
  };

  const pivot = (r: number, c: number): void => {
    const pr = T[r];
    const p = pr[c];
    for (let i = 0; i <= K; i++) {
      if (i === r) continue;
      const row = T[i];
      const f = row[c];
      if (f === 0n) {
        if (p !== D) for (let j = 0; j <= N; j++) if (row[j] !== 0n) row[j] = (row[j] * p) / D;
        continue;
      }
      for (let j = 0; j <= N; j++) row[j] = (row[j] * p - f * pr[j]) / D;
    }
    isBasic[basis[r]] = 0;
    basis[r] = c;
    isBasic[c] = 1;
    D = p;
    if (D < 0n) {
      for (let i = 0; i <= K; i++) {
        const row = T[i];
        for (let j = 0; j <= N; j++) row[j] = -row[j];
      }
      D = -D;
    }
  };

  if (problem.upper) for (let j = 0; j < n; j++) if (problem.upper[j]) complement(j);
  // The first pivot: s enters where (b_i - w_i - a_i y) / w_i is least, if any slack is negative.
  let first = -1;
  for (let i = 0; i < K; i++) {
    if (T[i][N] >= 0n) continue;
    // rhs_i / w_i < rhs_first / w_first (w > 0).
    if (first < 0 || T[i][N] * w[first] < T[first][N] * w[i]) first = i;
  }
  if (first >= 0) pivot(first, S);

  const maxPivots = problem.maxPivots ?? 40 * (n + K) + 200;
  let pivots = 0;
  const obj = T[K];
  for (;;) {
    // Bland: the entering column is the lowest index with a negative reduced cost.
    let c = -1;
    for (let j = 0; j < N; j++) {
      if (!isBasic[j] && obj[j] < 0n) {
        c = j;
        break;
      }
    }
    if (c < 0) break;
    if (pivots >= maxPivots) return { status: "limit", sign: 0, t: Number.NaN, tNum: 0n, tDen: 1n, y: new Float64Array(n), pivots, slackCost: [], den: 1n };
    // Ratio test: the entering variable grows by theta; row i's basic value (rhs / D) moves by
    // -theta T[i][c] / D. Limits as fractions num / den (den > 0); ties to the lowest variable.
    let leave = -1;
    let toUpper = false;
    let num = 0n;
    let den = 0n;
    for (let i = 0; i < K; i++) {
      const alpha = T[i][c];
      let cn: bigint;
      let cd: bigint;
      let up = false;
      if (alpha > 0n) {
        cn = T[i][N];
        cd = alpha;
      } else if (alpha < 0n && bounded(basis[i])) {
        cn = D - T[i][N];
        cd = -alpha;
        up = true;
      } else continue;
      if (leave < 0) {
        leave = i;
        num = cn;
        den = cd;
        toUpper = up;
        continue;
      }
      const cmp = cn * den - num * cd;
      if (cmp < 0n || (cmp === 0n && basis[i] < basis[leave])) {
        leave = i;
        num = cn;
        den = cd;
        toUpper = up;
      }
    }
    // The entering variable's own bound (1): a flip when no basic variable stops it first.
    if (bounded(c) && (leave < 0 || den <= num)) {
      complement(c);
      pivots++;
      continue;
    }
    if (leave < 0) throw new Error("strictInterior: unbounded (cannot happen: s >= 0 is minimised)");
    const out = basis[leave];
    pivot(leave, c);
    if (toUpper) complement(out);
    pivots++;
  }
  // s* = rhs / D if s is basic, else 0; t* = 1 - s*.
  let sNum = 0n;
  const y = new Float64Array(n);
  for (let i = 0; i < K; i++) {
    const j = basis[i];
    if (j === S) sNum = T[i][N];
    else if (j < n) y[j] = ratio(T[i][N], D);
  }
  for (let j = 0; j < n; j++) if (complemented[j]) y[j] = 1 - y[j];
  const tNum = D - sNum;
  return { status: "optimal", sign: tNum > 0n ? 1 : tNum < 0n ? -1 : 0, t: ratio(tNum, D), tNum, tDen: D, y, pivots, slackCost: obj.slice(n + 1, N), den: D };
}

/**
 * The same optimum, guided by a float solution: the columns `free` (a float LP's point strictly
 * inside the box) are solved for, every other one is held at its bound (`upper`), and the answer
 * is verified exactly: with the row multipliers of the small problem, every held column's reduced
 * cost must have the sign that keeps it at its bound. Columns that fail join the free ones and the
 * small problem is solved again (at worst, all of them: plain strictInterior). So the answer is
 * exact whatever the hint; a good hint makes it a problem of about K columns and one pricing pass.
 */
export function strictInteriorGuided(problem: StrictProblem, free: ArrayLike<number>): StrictAnswer {
  const { n, a, b, w } = problem;
  const K = b.length;
  const upper = problem.upper ?? new Uint8Array(n);
  const isFree = Uint8Array.from({ length: n }, (_, j) => (free[j] ? 1 : 0));
  let pivots = 0;
  for (;;) {
    const cols: number[] = [];
    for (let j = 0; j < n; j++) if (isFree[j]) cols.push(j);
    if (cols.length === n) {
      const all = strictInterior(problem);
      return { ...all, pivots: pivots + all.pivots };
    }
    const m = cols.length;
    const subA: bigint[] = new Array(K * m);
    const subB = b.slice();
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < m; c++) subA[k * m + c] = a[k * n + cols[c]];
      for (let j = 0; j < n; j++) if (!isFree[j] && upper[j]) subB[k] -= a[k * n + j];
    }
    const sub = strictInterior({ n: m, a: subA, b: subB, w, upper: cols.map((j) => upper[j]), ...(problem.maxPivots ? { maxPivots: problem.maxPivots } : {}) });
    pivots += sub.pivots;
    if (sub.status !== "optimal") return { ...sub, y: new Float64Array(n), pivots };
    // Price the held columns: reduced cost (times D) of y_j at 0 is sum_k slackCost_k a_kj; at 1,
    // minus that. The most violated ones (a few at a time: a float point far from optimal must not
    // free hundreds of columns at once) join the free ones.
    const violated: { j: number; by: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (isFree[j]) continue;
      let d = 0n;
      for (let k = 0; k < K; k++) {
        const akj = a[k * n + j];
        if (akj !== 0n && sub.slackCost[k] !== 0n) d += sub.slackCost[k] * akj;
      }
      if (upper[j] ? d > 0n : d < 0n) violated.push({ j, by: Math.abs(ratio(d, sub.den)) });
    }
    violated.sort((p, q) => q.by - p.by);
    for (const { j } of violated.slice(0, Math.max(8, K))) isFree[j] = 1;
    const grown = violated.length > 0;
    if (!grown) {
      const y = new Float64Array(n);
      for (let j = 0; j < n; j++) y[j] = upper[j] ? 1 : 0;
      cols.forEach((j, c) => {
        y[j] = sub.y[c];
      });
      return { ...sub, y, pivots };
    }
  }
}

/** num / den (den > 0) rounded to float64, for integers of any size. */
export function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const neg = num < 0n;
  const m = neg ? -num : num;
  // A quotient of about 64 bits, then the power of two back.
  const shift = bitLength(den) - bitLength(m) + 64;
  const q = shift >= 0 ? (m << BigInt(shift)) / den : m / (den << BigInt(-shift));
  const v = Number(q) * 2 ** -shift;
  return neg ? -v : v;
}

/** The number of bits of |x| (give or take one below 2^1000, where a float's logarithm is used). */
export function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const f = Math.abs(Number(x));
  if (f < 2 ** 1000) return Math.floor(Math.log2(f)) + 1;
  return 4 * (x < 0n ? -x : x).toString(16).length;
}

/**
 * A proof that {y in [0, 1]^n : A y < b} has no point, checked exactly: multipliers lambda >= 0,
 * not all 0, on rows `support`, with min over the box of (lambda A) . y >= lambda . b. Then every
 * y in the box has lambda . A y >= lambda . b, while A y < b would give lambda . A y < lambda . b
 * (some lambda_k > 0, every row strict): no such y, so t* <= 0 in strictInterior's terms.
 *
 * lambda is found exactly as the one-dimensional null space of the support's columns `zero`
 * (m - 1 of them for m support rows: the columns basic in a float solve, where lambda A must
 * vanish), by cofactors; any other case, or a lambda that fails a check, returns false (nothing
 * decided). So a wrong guess (a float solve misled by rounding) costs one check, never an answer.
 */
export function farkasEmpty(problem: StrictProblem, support: readonly number[], zero: readonly number[]): boolean {
  const { n, a, b } = problem;
  const m = support.length;
  // m determinants of order m - 1 (Bareiss, O(m^4) BigInt products): beyond a few dozen rows the
  // exact simplex is the cheaper proof.
  if (m === 0 || m > MAX_CERTIFICATE_ROWS || zero.length !== m - 1) return false;
  // M: (m - 1) x m, M[r][i] = a[support[i]][zero[r]]; lambda_i = (-1)^i det(M without column i).
  const lambda: bigint[] = [];
  for (let i = 0; i < m; i++) {
    const sub: bigint[][] = zero.map((j) => support.filter((_, c) => c !== i).map((k) => a[k * n + j]));
    const d = determinant(sub);
    lambda.push(i % 2 === 0 ? d : -d);
  }
  // lambda is a null vector up to sign: make it nonnegative, or give up.
  const positive = lambda.some((v) => v > 0n);
  const negative = lambda.some((v) => v < 0n);
  if (positive === negative) return false;
  if (negative) for (let i = 0; i < m; i++) lambda[i] = -lambda[i];
  let rhs = 0n;
  for (let i = 0; i < m; i++) rhs += lambda[i] * b[support[i]];
  let least = 0n;
  for (let j = 0; j < n; j++) {
    let c = 0n;
    for (let i = 0; i < m; i++) c += lambda[i] * a[support[i] * n + j];
    if (c < 0n) least += c;
  }
  return least >= rhs;
}

/** The most rows a certificate is computed on (farkasEmpty). */
export const MAX_CERTIFICATE_ROWS = 24;

/** The determinant of a square integer matrix (Bareiss: fraction-free, exact divisions); 1 for 0 x 0. */
function determinant(rows: bigint[][]): bigint {
  const M = rows.map((r) => r.slice());
  const size = M.length;
  let sign = 1n;
  let prev = 1n;
  for (let k = 0; k < size; k++) {
    if (M[k][k] === 0n) {
      const swap = M.findIndex((r, i) => i > k && r[k] !== 0n);
      if (swap < 0) return 0n;
      [M[k], M[swap]] = [M[swap], M[k]];
      sign = -sign;
    }
    for (let i = k + 1; i < size; i++) {
      for (let j = k + 1; j < size; j++) M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) / prev;
    }
    prev = M[k][k];
  }
  return size === 0 ? 1n : sign * M[size - 1][size - 1];
}

/**
 * strictInterior's simplex in float64 (rows divided by w), for a guess only: the rows whose
 * slacks end nonbasic (the support of the row multipliers) and the input columns that end basic
 * (where the multipliers' combination vanishes): farkasEmpty's arguments. Null when the float
 * optimum looks positive (interior) or the float pivots do not settle.
 */
export function floatCertificateGuess(problem: StrictProblem): { support: number[]; zero: number[] } | null {
  const { n, a, b, w } = problem;
  const K = b.length;
  const N = n + 1 + K;
  const S = n;
  const eps = 1e-11;
  // v / w rounded twice (Number of a BigInt is correctly rounded): a guess needs no better; ratio() where a float overflows.
  const over = (v: bigint, d: bigint, fd: number): number => {
    const f = Number(v) / fd;
    return Number.isFinite(f) && Number.isFinite(fd) && fd !== 0 ? f : ratio(v, d);
  };
  const T: Float64Array[] = [];
  for (let i = 0; i < K; i++) {
    const row = new Float64Array(N + 1);
    const fw = Number(w[i]);
    for (let j = 0; j < n; j++) row[j] = over(a[i * n + j], w[i], fw);
    row[S] = -1;
    row[n + 1 + i] = 1;
    row[N] = over(b[i], w[i], fw) - 1;
    T.push(row);
  }
  const obj = new Float64Array(N + 1);
  obj[S] = 1;
  T.push(obj);
  const basis = Array.from({ length: K }, (_, i) => n + 1 + i);
  const isBasic = new Uint8Array(N);
  for (let i = 0; i < K; i++) isBasic[n + 1 + i] = 1;
  const complement = (j: number): void => {
    for (let i = 0; i <= K; i++) {
      T[i][N] -= T[i][j];
      T[i][j] = -T[i][j];
    }
  };
  const pivot = (r: number, c: number): void => {
    const pr = T[r];
    const p = pr[c];
    for (let j = 0; j <= N; j++) pr[j] /= p;
    for (let i = 0; i <= K; i++) {
      if (i === r) continue;
      const f = T[i][c];
      if (f === 0) continue;
      const row = T[i];
      for (let j = 0; j <= N; j++) row[j] -= f * pr[j];
      row[c] = 0;
    }
    isBasic[basis[r]] = 0;
    basis[r] = c;
    isBasic[c] = 1;
  };
  if (problem.upper) for (let j = 0; j < n; j++) if (problem.upper[j]) complement(j);
  let first = -1;
  for (let i = 0; i < K; i++) if (T[i][N] < 0 && (first < 0 || T[i][N] < T[first][N])) first = i;
  if (first >= 0) pivot(first, S);
  for (let pivots = 0; ; pivots++) {
    if (pivots > 20 * (n + K) + 100) return null;
    let c = -1;
    for (let j = 0; j < N; j++) {
      if (!isBasic[j] && obj[j] < -eps) {
        c = j;
        break;
      }
    }
    if (c < 0) break;
    let leave = -1;
    let best = Number.POSITIVE_INFINITY;
    let toUpper = false;
    for (let i = 0; i < K; i++) {
      const alpha = T[i][c];
      let limit: number;
      let up = false;
      if (alpha > eps) limit = Math.max(0, T[i][N]) / alpha;
      else if (alpha < -eps && basis[i] < n) {
        limit = Math.max(0, 1 - T[i][N]) / -alpha;
        up = true;
      } else continue;
      if (limit < best - 1e-12 || (limit <= best + 1e-12 && leave >= 0 && basis[i] < basis[leave])) {
        leave = i;
        best = limit;
        toUpper = up;
      }
    }
    if (c < n && (leave < 0 || best >= 1)) {
      complement(c);
      continue;
    }
    if (leave < 0) return null;
    const out = basis[leave];
    pivot(leave, c);
    if (toUpper) complement(out);
  }
  // t* = 1 - s*: a positive float optimum is no zero to prove.
  let s = 0;
  for (let i = 0; i < K; i++) if (basis[i] === S) s = T[i][N];
  if (1 - s > 1e-9) return null;
  const support: number[] = [];
  for (let k = 0; k < K; k++) if (!isBasic[n + 1 + k]) support.push(k);
  const zero: number[] = [];
  for (let i = 0; i < K; i++) if (basis[i] < n) zero.push(basis[i]);
  return { support, zero };
}
