/**
 * What the first layer sees of the input: the network depends on x only through the first
 * piecewise step's inputs z = A x + c (A: m x n0), hence only through u = Q x, where the rows of
 * Q (r x n0, r = rank A <= m) are an orthonormal basis of A's row space and z = M u + c.
 * The box [lo, hi]^n0 maps onto the zonotope U = Q [lo, hi]^n0 in R^r; every region of the
 * network in the box is the preimage of a region of the reduced network in U, with the same
 * pattern, so the whole-domain engine works in r dimensions (r <= n1 = 20 for an MNIST network
 * instead of 784) and meets the box only through U's support function and the LP's columns.
 *
 * Q orthonormal keeps distances: a unit normal in u is a unit normal in x, so margins (in-radii)
 * measured in u are margins in input space.
 */
import { type Compiled, pushAffine } from "../../model/forward.ts";
import { applyStack, isPiecewise } from "../../model/steps.ts";
import { dyadicOf } from "../exact-maps.ts";
import { ExactRowSpace, unitDirection } from "./exact-rank.ts";
import { exactInputMap } from "./exact-rows.ts";

export interface Reduction {
  n0: number;
  r: number;
  /** r x n0, orthonormal rows. */
  Q: Float64Array;
  /** Index of the first compiled step the reduced network runs (the first piecewise step). */
  first: number;
  /** Size m of the vector entering step `first`. */
  m: number;
  /** (r + 1)-channel map of that vector in u: channel 0 = c, channel 1 + k = column k of M. */
  map0: Float64Array;
  lo: number;
  hi: number;
  /** Radius of the box around the origin in input space: max(|lo|, |hi|) sqrt(n0) bounds |x| and |u|. */
  radius: number;
  /** The domain's own inequalities (a polytope cutting the box), in u; none for a box. */
  domain: DomainRows;
}

/**
 * A polytope domain's rows a . u <= b in the reduced space (count x r unit normals): Q's rows
 * span them as well as the first layer's, so a . Q x <= b is the input-space row exactly.
 * `empty` when a row with no gradient is violated (0 <= b fails): no point of the domain.
 */
export interface DomainRows {
  count: number;
  A: Float64Array;
  b: Float64Array;
  empty: boolean;
  /** The polytope as given, in input space (exact-rows.ts reads it for exact decisions). */
  input?: InputPolytope;
}

/** Inequalities A x <= b of input space (A: rows x n0, row-major). */
export interface InputPolytope {
  A: Float64Array;
  b: Float64Array;
}

/**
 * Rows whose residual after projection is above this (relative to their norm) are independent:
 * a dependent row's residual is rounding, about 1e-15 of its norm. At or below it float64 cannot
 * tell a dependent row from a nearly dependent one (a unit and the float64 rounding of 0.1 or 1/3
 * times it differ by about 1e-17 of their norm), and the exact rank decides (exact-rank.ts).
 */
const EXACT_BELOW = 1e-8;

export function reduce(compiled: Compiled, lo: number, hi: number, polytope?: InputPolytope): Reduction {
  const n0 = compiled.inputSize;
  const steps = compiled.steps;
  // The affine map x -> z of the steps before the first piecewise one, with n0 + 1 channels.
  let first = steps.findIndex(isPiecewise);
  if (first < 0) first = steps.length;
  const C = n0 + 1;
  let map: Float64Array = new Float64Array(C * n0);
  for (let d = 0; d < n0; d++) map[(d + 1) * n0 + d] = 1;
  let size = n0;
  const stack: Float64Array[] = [];
  for (let s = 0; s < first; s++) {
    const step = steps[s];
    if (step.kind === "affine") {
      const out = new Float64Array(C * step.outSize);
      pushAffine(step, map, out, C);
      map = out;
      size = step.outSize;
    } else if (step.kind !== "elementwise" && step.kind !== "max") {
      map = applyStack(step, map, stack, C);
      size = map.length / C;
    }
  }
  const radius = Math.max(Math.abs(lo), Math.abs(hi)) * Math.sqrt(n0);
  if (stack.length > 0) return withDomainRows(identityReduction(compiled, lo, hi, radius), polytope);
  const m = size;
  // Orthonormal basis of the rows of A (A[i, d] = map[(d + 1) m + i]) and of the polytope's rows
  // by modified Gram-Schmidt, twice (re-orthogonalisation). A row whose residual is above
  // EXACT_BELOW of its norm adds its residual's direction; one at or below it is decided by the
  // exact rank, and when it is independent the direction is its exact residual's (a float residual
  // of rounding size points anywhere), so the basis spans the exact row space.
  const basis: Float64Array[] = [];
  const row = new Float64Array(n0);
  const rowsIn = polytope ? polytope.b.length : 0;
  const exact = new ExactRank(compiled, first, m, polytope);
  for (let i = 0; i < m + rowsIn; i++) {
    let norm0 = 0;
    for (let d = 0; d < n0; d++) {
      row[d] = i < m ? map[(d + 1) * m + i] : (polytope as InputPolytope).A[(i - m) * n0 + d];
      norm0 += row[d] * row[d];
    }
    norm0 = Math.sqrt(norm0);
    if (norm0 === 0) continue;
    orthogonalise(row, basis);
    let norm = 0;
    for (let d = 0; d < n0; d++) norm += row[d] * row[d];
    norm = Math.sqrt(norm);
    if (norm <= EXACT_BELOW * norm0) {
      const reduced = exact.decide(i);
      if (reduced === null) continue;
      row.set(unitDirection(reduced));
      orthogonalise(row, basis);
      norm = 0;
      for (let d = 0; d < n0; d++) norm += row[d] * row[d];
      norm = Math.sqrt(norm);
      if (norm === 0) continue;
    } else if (!exact.keep(i)) continue;
    const q = new Float64Array(n0);
    for (let d = 0; d < n0; d++) q[d] = row[d] / norm;
    basis.push(q);
  }
  const r = Math.max(1, basis.length);
  const Q = new Float64Array(r * n0);
  basis.forEach((q, c) => {
    Q.set(q, c * n0);
  });
  // M = A Q^T; channel 0 keeps the constant.
  const map0 = new Float64Array((r + 1) * m);
  for (let i = 0; i < m; i++) {
    map0[i] = map[i];
    for (let c = 0; c < basis.length; c++) {
      let acc = 0;
      for (let d = 0; d < n0; d++) acc += map[(d + 1) * m + i] * Q[c * n0 + d];
      map0[(c + 1) * m + i] = acc;
    }
  }
  return withDomainRows({ n0, r, Q, first, m, map0, lo, hi, radius, domain: NO_DOMAIN_ROWS }, polytope);
}

/** row minus its projection on the orthonormal basis, twice (re-orthogonalisation). */
function orthogonalise(row: Float64Array, basis: readonly Float64Array[]): void {
  const n0 = row.length;
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      let dot = 0;
      for (let d = 0; d < n0; d++) dot += q[d] * row[d];
      for (let d = 0; d < n0; d++) row[d] -= dot * q[d];
    }
  }
}

/**
 * The exact rank of the rows Gram-Schmidt kept, made on the first row it cannot decide: until
 * then nothing exact is computed (a generic network never gets here). From then on every kept
 * row enters the exact row space too, so later rows are decided against all of them.
 */
class ExactRank {
  private space: ExactRowSpace | null = null;
  private readonly kept: number[] = [];
  private input: ReturnType<typeof exactInputMap> | null = null;

  constructor(
    private readonly compiled: Compiled,
    private readonly first: number,
    private readonly m: number,
    private readonly polytope: InputPolytope | undefined,
  ) {}

  /** Row i kept by Gram-Schmidt: false when the exact rank (once made) finds it dependent. */
  keep(i: number): boolean {
    if (this.space !== null && this.space.add(this.exactRow(i)) === null) return false;
    this.kept.push(i);
    return true;
  }

  /** Row i decided exactly: its reduced form when independent of the kept rows (kept then), else null. */
  decide(i: number): bigint[] | null {
    if (this.space === null) {
      this.space = new ExactRowSpace(this.compiled.inputSize);
      for (const k of this.kept) this.space.add(this.exactRow(k));
    }
    const reduced = this.space.add(this.exactRow(i));
    if (reduced !== null) this.kept.push(i);
    return reduced;
  }

  /** Row i as integers (times a power of two, which leaves the rank alone). */
  private exactRow(i: number): bigint[] {
    const n0 = this.compiled.inputSize;
    const m = this.m;
    if (i >= m) {
      const p = this.polytope as InputPolytope;
      return dyadicOf(p.A.subarray((i - m) * n0, (i - m + 1) * n0)).v;
    }
    this.input ??= exactInputMap(this.compiled, this.first);
    const v = this.input.v;
    return Array.from({ length: n0 }, (_, d) => v[(d + 1) * m + i]);
  }
}

const NO_DOMAIN_ROWS: DomainRows = { count: 0, A: new Float64Array(0), b: new Float64Array(0), empty: false };

/**
 * The polytope's rows in u: a = Q a_x (a_x lies in Q's row space), normalised. A row
 * with no gradient is dropped when it holds (0 <= b) and makes the domain empty when it does not.
 */
function withDomainRows(red: Reduction, polytope: InputPolytope | undefined): Reduction {
  if (!polytope || polytope.b.length === 0) return red;
  const { n0, r, Q } = red;
  const rows = polytope.b.length;
  const A = new Float64Array(rows * r);
  const b = new Float64Array(rows);
  let count = 0;
  let empty = false;
  const seen = new Map<string, number>();
  for (let j = 0; j < rows; j++) {
    let norm = 0;
    for (let d = 0; d < n0; d++) norm += polytope.A[j * n0 + d] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) {
      if (polytope.b[j] < 0) empty = true;
      continue;
    }
    // Normalised in u (the engine's rows are unit normals there); a row Gram-Schmidt found
    // dependent is in the span of Q's rows exactly (its exact rank), to rounding in float64.
    let normU = 0;
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let d = 0; d < n0; d++) acc += Q[c * n0 + d] * polytope.A[j * n0 + d];
      A[count * r + c] = acc;
      normU += acc * acc;
    }
    normU = Math.sqrt(normU);
    for (let c = 0; c < r; c++) A[count * r + c] /= normU;
    b[count] = polytope.b[j] / normU;
    // A row with the same unit normal as an earlier one: only the tighter of the two can bound
    // (a slice clipped to the pixel box has many: every pixel lit in one point only gives y_c <= 1/p).
    const key = Array.from(A.subarray(count * r, (count + 1) * r)).join(",");
    const same = seen.get(key);
    if (same !== undefined) {
      b[same] = Math.min(b[same], b[count]);
      continue;
    }
    seen.set(key, count);
    count++;
  }
  return { ...red, domain: { count, A: A.slice(0, count * r), b: b.slice(0, count), empty, input: polytope } };
}

/** No reduction (a saved vector crosses the first piecewise step): u = x. */
function identityReduction(compiled: Compiled, lo: number, hi: number, radius: number): Reduction {
  const n0 = compiled.inputSize;
  const Q = new Float64Array(n0 * n0);
  const map0 = new Float64Array((n0 + 1) * n0);
  for (let d = 0; d < n0; d++) {
    Q[d * n0 + d] = 1;
    map0[(d + 1) * n0 + d] = 1;
  }
  return { n0, r: n0, Q, first: 0, m: n0, map0, lo, hi, radius, domain: NO_DOMAIN_ROWS };
}

/**
 * Support function of U = Q [lo, hi]^n0 in both directions of a (r entries):
 * [min, max] of a . u over U, each with a bound on its rounding error.
 */
export function supportRange(red: Reduction, a: ArrayLike<number>, aOff = 0): { min: number; max: number; err: number } {
  const { n0, r, Q, lo, hi } = red;
  let min = 0;
  let max = 0;
  let mag = 0;
  for (let j = 0; j < n0; j++) {
    let g = 0;
    for (let c = 0; c < r; c++) g += a[aOff + c] * Q[c * n0 + j];
    const gl = g * lo;
    const gh = g * hi;
    if (gl < gh) {
      min += gl;
      max += gh;
    } else {
      min += gh;
      max += gl;
    }
    mag += Math.abs(gl) + Math.abs(gh);
  }
  return { min, max, err: 1e-13 * (mag + 1e-300) * Math.sqrt(r) };
}
