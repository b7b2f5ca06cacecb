/**
 * The whole-domain engine's decisions that float64 leaves open, decided exactly (docs/whole.md,
 * numerical policy). Every such decision is one question: does a set of rows
 * {x in the box : a_k . x < b_k for every k} have interior? For a candidate facet of a region R
 * across a group of coincident rows, the set is R's rows without the group's, with the group's
 * row k reversed: it has interior exactly when the facet has a relative interior (R has interior
 * on its side of the hyperplane, the other rows' intersection is convex, so it meets the other
 * side iff it meets the hyperplane in a relatively open set); for a neighbour's region, its own
 * rows. The rows are exact (exact-rows.ts: input space, dyadic), the box enters as bounds, and
 * the question is the sign of an LP optimum solved in integers (geometry/exact-lp.ts). A positive
 * answer gives a point strictly inside, however thin the part; zero or less proves measure zero.
 * Most answers are exact zeros, proven first by a Farkas certificate checked exactly (cheaper than
 * the integer simplex, which answers whenever the certificate does not check).
 *
 * Rare by design: the engine asks only when its certified float bounds leave the answer open
 * (a margin within the thinness threshold, or straddling it). An answer the pivot budget does not
 * reach stays uncertain.
 */
import { bitLength, farkasEmpty, floatCertificateGuess, type StrictProblem, strictInteriorGuided } from "../../geometry/exact-lp.ts";
import type { Compiled } from "../../model/forward.ts";
import { dyadicOf } from "../exact-maps.ts";
import type { HyperplaneIds } from "./constraints.ts";
import { type ExactRow, ExactRows } from "./exact-rows.ts";
import type { InputPolytope, Reduction } from "./reduce.ts";

export interface ExactVerdict {
  /** False when the budget ran out: nothing decided. */
  decided: boolean;
  /** The set has interior (positive measure). */
  interior: boolean;
  /** Its margin (the LP's optimum, about the in-radius; rounded), and a point strictly inside (x and u = Q x). */
  margin: number;
  x: Float64Array;
  u: Float64Array;
  /** Measure zero proven by a checked certificate (farkasEmpty), without the exact simplex. */
  certified?: boolean;
}

export class ExactDecider {
  private readonly rows: ExactRows;
  /** lo, hi and hi - lo exactly. */
  private readonly lo: { m: bigint; e: number };
  private readonly width: { m: bigint; e: number };
  /** Decisions made (the engine's `exactDecisions`). */
  decisions = 0;
  /** Of them, measure zero proven by a checked certificate (farkasEmpty), without the exact simplex. */
  certified = 0;

  constructor(
    compiled: Compiled,
    private readonly red: Reduction,
    ids: HyperplaneIds,
    polytope?: InputPolytope,
  ) {
    this.rows = new ExactRows(compiled, red, ids, polytope);
    // As integers times one power of two each (a zero's exponent would cost a thousand bits).
    const lo = dyadicOf([red.lo]);
    const both = dyadicOf([red.lo, red.hi]);
    this.lo = { m: lo.v[0], e: lo.e };
    this.width = { m: both.v[1] - both.v[0], e: both.e };
  }

  /**
   * Region `pattern`'s rows without those of hyperplanes `group`, with hyperplane `flip`'s row
   * reversed: the facet of the region on `flip`, or (flip-only) the region across it.
   */
  across(pattern: Uint32Array, offset: number, group: ArrayLike<number>, flip: number, hint: ArrayLike<number> | null): ExactVerdict {
    const rows: ExactRow[] = [];
    for (const row of this.rows.rowsOf(pattern, offset)) {
      if (row.hp === flip) rows.push({ hp: flip, a: row.a.map((x) => -x), b: -row.b, e: row.e, strict: !row.strict });
      else if (!Array.prototype.includes.call(group, row.hp)) rows.push(row);
    }
    return this.solve(rows, hint);
  }

  /** The region of `pattern` has interior. */
  region(pattern: Uint32Array, offset: number, hint: ArrayLike<number> | null): ExactVerdict {
    return this.solve(this.rows.rowsOf(pattern, offset), hint);
  }

  /** The exact rows of the region of `pattern` (exact-rows.ts; the last region's are kept). */
  rowsOf(pattern: Uint32Array, offset: number): ExactRow[] {
    return this.rows.rowsOf(pattern, offset);
  }

  /** Rows hp1 and hp2 of the region of `pattern` are one hyperplane with one side: positive multiples of each other. */
  coincident(pattern: Uint32Array, offset: number, hp1: number, hp2: number): boolean {
    const rows = this.rows.rowsOf(pattern, offset);
    const p = rows.find((x) => x.hp === hp1);
    const q = rows.find((x) => x.hp === hp2);
    if (!p || !q) return false;
    // (a, b) integers times a power of two each: proportional as integer vectors, factor > 0.
    const u = [...p.a, p.b];
    const v = [...q.a, q.b];
    const d = u.findIndex((x) => x !== 0n);
    if (d < 0 || v[d] === 0n || v[d] > 0n !== u[d] > 0n) return false;
    for (let i = 0; i < u.length; i++) if (u[i] * v[d] !== v[i] * u[d]) return false;
    return true;
  }

  /** The domain itself (a polytope in the box) has interior. */
  domain(hint: ArrayLike<number> | null): ExactVerdict {
    return this.solve(this.rows.domain(), hint);
  }

  /**
   * Max t with a_k . x + w_k t <= b_k, x in [lo, hi]^n0, t <= 1 (w_k about |a_k|, so t is about
   * the margin), in y = (x - lo) / (hi - lo) in [0, 1]^n0, every row scaled to integers.
   */
  private solve(rows: ExactRow[], hint: ArrayLike<number> | null): ExactVerdict {
    const { n0, lo, hi } = this.red;
    const a: bigint[] = [];
    const b: bigint[] = [];
    const w: bigint[] = [];
    const none = (): ExactVerdict => ({ decided: true, interior: false, margin: 0, x: new Float64Array(n0), u: new Float64Array(this.red.r) });
    this.decisions++;
    for (const row of rows) {
      let zero = true;
      for (const v of row.a) if (v !== 0n) zero = false;
      if (zero) {
        // A constant row: holds everywhere (dropped, as the float rows drop flat ones) or nowhere;
        // exactly on its breakpoint (b = 0), nowhere when its state asks to be above it.
        if (row.b < 0n || (row.b === 0n && row.strict)) return none();
        continue;
      }
      // Coefficients a_d (hi - lo) at 2^(e + width.e); right-hand side b - lo sum_d a_d at 2^e and 2^(e + lo.e); w a power of two near |a|.
      let sum = 0n;
      for (const v of row.a) sum += v;
      const wExp = normExponent(row.a) + row.e;
      const E = Math.min(row.e + this.width.e, row.e, row.e + this.lo.e, wExp);
      const at = (v: bigint, from: number): bigint => (v === 0n ? 0n : v << BigInt(from - E));
      for (const v of row.a) a.push(at(v * this.width.m, row.e + this.width.e));
      b.push(at(row.b, row.e) - at(sum * this.lo.m, row.e + this.lo.e));
      w.push(at(1n, wExp));
    }
    // The float LP's point as a guide: its coordinates at a bound are held there, the others
    // solved for; the exact answer is verified whatever the guide (strictInteriorGuided).
    const upper = new Uint8Array(n0);
    const free = new Uint8Array(n0).fill(1);
    if (hint) {
      const tol = 1e-9 * (hi - lo);
      for (let d = 0; d < n0; d++) {
        upper[d] = hint[d] > 0.5 * (lo + hi) ? 1 : 0;
        free[d] = hint[d] > lo + tol && hint[d] < hi - tol ? 1 : 0;
      }
    }
    if (b.length === 0) {
      // No row: the box itself.
      const x = new Float64Array(n0).fill(0.5 * (lo + hi));
      return { decided: true, interior: true, margin: 0.5 * (hi - lo), x, u: this.reduced(x) };
    }
    const problem: StrictProblem = { n: n0, a, b, w, upper };
    // Nearly every decision is a degenerate zero (a hyperplane exactly through a vertex or an edge
    // of the region, margin exactly 0). A float solve of the same LP names the few rows whose
    // multipliers prove it; the multipliers are then computed and checked exactly (a few small
    // determinants), much cheaper than the exact simplex's pivots on every row. A guess that does
    // not check decides nothing: the exact simplex answers.
    const guess = floatCertificateGuess(problem);
    if (guess && farkasEmpty(problem, guess.support, guess.zero)) {
      this.certified++;
      return { ...none(), certified: true };
    }
    const answer = strictInteriorGuided(problem, free);
    if (answer.status !== "optimal") return { ...none(), decided: false };
    if (answer.sign <= 0) return none();
    const x = new Float64Array(n0);
    for (let d = 0; d < n0; d++) x[d] = Math.min(hi, Math.max(lo, lo + (hi - lo) * answer.y[d]));
    return { decided: true, interior: true, margin: answer.t, x, u: this.reduced(x) };
  }

  private reduced(x: Float64Array): Float64Array {
    const { n0, r, Q } = this.red;
    const u = new Float64Array(r);
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let d = 0; d < n0; d++) acc += Q[c * n0 + d] * x[d];
      u[c] = acc;
    }
    return u;
  }
}

/** The exponent of a power of two within a factor 2 of |a| (Euclidean norm), for integers of any size. */
function normExponent(a: bigint[]): number {
  let bits = 0;
  for (const v of a) if (v !== 0n) bits = Math.max(bits, bitLength(v));
  const shift = Math.max(0, bits - 500);
  let sq = 0;
  for (const v of a) {
    if (v === 0n) continue;
    const f = Number(shift > 0 ? v >> BigInt(shift) : v);
    sq += f * f;
  }
  return Math.round(Math.log2(Math.sqrt(sq))) + shift;
}
