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
    if (pivots >= maxPivots) return { status: "limit", sign: 0, t: Number.NaN, tNum: 0n, tDen: 1n, y: new Float64Array(n), pivots };
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
  return { status: "optimal", sign: tNum > 0n ? 1 : tNum < 0n ? -1 : 0, t: ratio(tNum, D), tNum, tDen: D, y, pivots };
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

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : (x < 0n ? -x : x).toString(2).length;
}
