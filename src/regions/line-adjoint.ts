/**
 * The line engine's adjoint bound of a piece's fused map: how far its computed map (after its
 * fused dense step) can be from the exact map on the piece, per unit and channel, in float64 and
 * without the growth with depth of the carried bound (line-carry.ts `carry`). A level's loops are
 * adjoint-chain.ts's; the argument: docs/numerics.md, "Bounds relative to the exact map", the
 * adjoint paragraph. The line's own: every row of the map at once (U is m x k), its rounding
 * constants, max groups (D a selection), the levels kept between measures of the same map, and
 * the chain's end: a step whose input is not a fused map (the first layer's, after a stack or an
 * unfused affine step: its input's whole bound through U), a map whose bound was measured (anchor,
 * exact or adjoint: that per-unit bound), or, given `enough`, the first level whose own bound
 * through U is enough.
 */

import { perObject } from "../model/per-object.ts";
import type { AffineStep, PiecewiseStep } from "../model/steps.ts";
import { AdjointLevel, gatherRows, multiplyRows } from "./adjoint-chain.ts";
import type { Dyadic } from "./exact-maps.ts";
import { EPS } from "./map-error.ts";

/** The smallest subnormal: at least what a product that underflows loses (2^-1075), twice. */
const SUBNORMAL = 2 ** -1074;

/** What the adjoint bound reads of the engine's walk on the current piece (line.ts fills it). */
export interface AdjointChain {
  /** Piecewise step q (fused with its dense step). */
  step(q: number): PiecewiseStep;
  /** The dense step fused after q (explicit weights). */
  dense(q: number): AffineStep;
  /** The piecewise step whose fused map is q's input, or -1. */
  below(q: number): number;
  /** The local bound of q's fused map, channel c (relative to its computed input). */
  local(q: number, c: number): number;
  /** q's states on the piece. */
  states(q: number): Uint8Array;
  /** q's input's whole bound per channel (against the exact map), for a chain's last level. */
  inputErr(q: number): Float64Array;
  /** Where q's map's bound was measured: its per-unit carried part (2 x outputs; the bound is local + it), else null. */
  measured(q: number): Float64Array | null;
  /**
   * q's map's whole bound against the exact map: its per-unit carried part where kept (2 x
   * outputs; the bound is local + it), else null and `mapErr` per channel.
   */
  carried(q: number): Float64Array | null;
  mapErr(q: number): Float64Array;
  /** Tests only (LineAdjointProbe): q's computed map and the exact one (its next piecewise step's input). */
  map(q: number): Float64Array;
  exactMap(q: number): Dyadic;
}

/**
 * What a test watches of the bounds an AdjointBound makes (test/regions/line-adjoint.test.ts,
 * bench/line-adjoint-digest.ts): handed to its constructor, or to the line engine's (LineOptions,
 * LineEngine), which hands it to the bound it makes. None by default: nothing else reads it.
 */
export interface LineAdjointProbe {
  /** Called after every `measure` that returns true, with the chain, the map's level p and its bound (2 x outputs). */
  measured(chain: AdjointChain, p: number, bound: Float64Array): void;
}

/** Column sums of |W| (over the outputs), once per step: how far an input's underflow spreads. */
const columnSums = perObject((step: AffineStep): Float64Array => {
  const W = step.weight as Float64Array;
  const n = step.inSize;
  const sums = new Float64Array(n);
  for (let l = 0; l < step.outSize; l++) for (let j = 0; j < n; j++) sums[j] += Math.abs(W[l * n + j]);
  // Rounded up (outSize non-negative terms).
  for (let j = 0; j < n; j++) sums[j] *= 1 + (step.outSize + 4) * EPS;
  return sums;
});

/** Whether |x| is 0 or a power of two (a product by it is exact while normal). */
const exactFactor = (x: number): boolean => x === 0 || 2 ** Math.round(Math.log2(Math.abs(x))) === Math.abs(x);

/**
 * Whether the local bound of a map after this step (line.ts localErr) holds as the adjoint bound
 * reads it, relative to the exact step on the computed input (docs/numerics.md, the adjoint
 * paragraph): a unit's output s z + c is computed with one rounding of itself (s 0 or a power of
 * two, or c = 0), and a rank-one update's change f_b(z) - f_a(z) between neighbouring states
 * with at most its own rounding and |s_a| |z| (both outputs exact, or one exact with intercept 0
 * beside one s_a z with |s_a| <= |s_b - s_a|: a leaky relu's slope up to 1/2). Relu, abs, hard
 * tanh, leaky relu and max groups qualify; a step that does not ends the adjoint bound's use there
 * (the exact distance instead).
 */
export const adjointQualifies = perObject((step: PiecewiseStep): boolean => {
  if (step.kind === "max") return true;
  const { slopes, intercepts } = step;
  const exact = (a: number): boolean => slopes[a] === 0 || (exactFactor(slopes[a]) && intercepts[a] === 0);
  for (let a = 0; a < slopes.length; a++) {
    if (!exactFactor(slopes[a]) && intercepts[a] !== 0) return false;
    if (a + 1 === slopes.length) continue;
    const b = a + 1;
    if (exact(a) && exact(b)) continue;
    const leaky = (x: number, y: number): boolean => exact(y) && intercepts[y] === 0 && intercepts[x] === 0 && Math.abs(slopes[x]) <= Math.abs(slopes[y] - slopes[x]);
    if (!leaky(a, b) && !leaky(b, a)) return false;
  }
  return true;
});

/**
 * One level of the last measure's chain, kept for the next measure of the same map: the level's
 * step q, its entry pair (U, F: the signed product of the levels above and its error, m x k) and
 * their row sums of |U| + F, and the states the level multiplied U by (to the next level's pair).
 */
interface Level {
  q: number;
  dense: AffineStep | null;
  step: PiecewiseStep | null;
  k: number;
  U: Float64Array;
  F: Float64Array;
  /** rowsum_i (|U| + F), m of them, where `rowsValid`. */
  rows: Float64Array;
  rowsValid: boolean;
  /** The states of q the next level's pair was made with. */
  states: Uint8Array;
}

/** At most this many doubles of U (and as many of F) kept over a chain's levels (past it, the levels are made again at each measure). */
const KEPT = 1 << 18;
/** The maps whose chains are kept (an open decision measures the map above it: a piece often has two). */
const CHAINS = 4;

export class AdjointBound {
  // V and G: U W_q and its error bound, before the states (m x n). Grown as needed, never per piece.
  private v = new Float64Array(0);
  private g = new Float64Array(0);
  /** A level's rows gathered, the columns it passes, the states' slopes and underflow terms (adjoint-chain.ts). */
  private readonly at = new AdjointLevel();
  private readonly known: ({ dense: AffineStep; step: PiecewiseStep; sums: Float64Array; qualifies: boolean } | undefined)[] = [];
  /**
   * The chains of the last measures, per map (at most CHAINS maps, the least recent dropped):
   * level d's entry pair is valid for d <= `valid`; a measure of the same map whose levels above d
   * have the same states starts from level d's pair (the same products and sums: the same doubles
   * as made again). `chainLevels` and `validLevels` are the current measure's.
   */
  private readonly chains: { p: number; levels: Level[]; valid: number }[] = [];
  private chainLevels: Level[] = [];
  private validLevels = -1;
  /** Two levels' storage used in turn past KEPT (not kept). */
  private readonly spare: Level[] = [];
  /** Levels walked by the last measure (benchmarks). */
  levels = 0;
  /** Levels whose pair the last measures took from the one before (benchmarks): a running count. */
  reusedLevels = 0;

  /** `probe`: a test's, told of every bound made (LineAdjointProbe); none by default. */
  constructor(private readonly probe: LineAdjointProbe | null = null) {}

  /** Level d's storage, U and F at least `size` long (kept where the chain's total stays within KEPT). */
  private level(d: number, size: number, m: number, kept: number): Level {
    const spare = kept + size > KEPT;
    const list = spare ? this.spare : this.chainLevels;
    const at = spare ? d & 1 : d;
    let level = list[at];
    if (level === undefined) {
      level = {
        q: -1,
        dense: null,
        step: null,
        k: 0,
        U: new Float64Array(size),
        F: new Float64Array(size),
        rows: new Float64Array(m),
        rowsValid: false,
        states: new Uint8Array(0),
      };
      list[at] = level;
    }
    if (level.U.length < size) {
      level.U = new Float64Array(size);
      level.F = new Float64Array(size);
    }
    if (level.rows.length < m) level.rows = new Float64Array(m);
    return level;
  }

  /**
   * out[c m + i] (m outputs of p's fused dense step, 2 channels): a bound on |computed - exact|
   * of p's map, unit i, channel c. False (out unusable) where it is not finite.
   *
   * `enough` (per channel, optional): where the chain may stop. Every level below p also bounds
   * p's map: the sum so far plus |U| times that level's own bound (local + carried, which grows
   * from the first layer like |W| D but is small there); the walk stops at the first level where
   * that is at most `enough` for every unit, instead of going down to the chain's end. Only the
   * cost depends on it.
   *
   * The levels' pairs are kept: the next measure of the same map makes them again only from the
   * first level whose states (or step) differ from this one's (the local bounds, the stops and
   * the chain's end are read again at every measure).
   */
  measure(chain: AdjointChain, p: number, out: Float64Array, enough: Float64Array | null = null): boolean {
    const m = chain.dense(p).outSize;
    out.fill(0, 0, 2 * m);
    const chain0 = this.chainOf(p);
    this.chainLevels = chain0.levels;
    this.validLevels = chain0.valid;
    try {
      return this.walk(chain, p, m, out, enough);
    } finally {
      chain0.valid = this.validLevels;
    }
  }

  /** Map p's kept chain, made the most recent (the least recent dropped past CHAINS). */
  private chainOf(p: number): { p: number; levels: Level[]; valid: number } {
    const chains = this.chains;
    let at = 0;
    while (at < chains.length && chains[at].p !== p) at++;
    let found = chains[at];
    if (found === undefined) {
      found = chains.length < CHAINS ? { p, levels: [], valid: -1 } : (chains.pop() as { p: number; levels: Level[]; valid: number });
      found.p = p;
      found.valid = -1;
      at = chains.length;
      chains.push(found);
    }
    // Most recent first.
    for (let i = at; i > 0; i--) chains[i] = chains[i - 1];
    chains[0] = found;
    return found;
  }

  /** measure's walk down the chain, from the kept levels where they are the same. */
  private walk(chain: AdjointChain, p: number, m: number, out: Float64Array, enough: Float64Array | null): boolean {
    let k = m;
    let widest = m;
    let kept = m * m;
    let level = this.level(0, m * m, m, 0);
    // (A first pair past KEPT is a spare one, which later levels overwrite: made again each time.)
    if (this.validLevels < 0 || level.k !== m || level.q !== p || m * m > KEPT) {
      const U = level.U;
      U.fill(0, 0, m * m);
      level.F.fill(0, 0, m * m);
      for (let i = 0; i < m; i++) U[i * m + i] = 1;
      level.k = m;
      level.q = p;
      level.rowsValid = false;
      this.validLevels = 0;
    }
    let levels = 0;
    let q = p;
    for (let d = 0; ; d++) {
      levels++;
      let U = level.U;
      let F = level.F;
      // U <- U W_q D_q: V = U W (m x n), then the states (columns scaled, or gathered for max groups).
      const dense = chain.dense(q);
      const step = chain.step(q);
      // What the level needs of its steps, looked up once per step (not per level: a WeakMap each).
      let known = this.known[q];
      if (known === undefined || known.dense !== dense || known.step !== step) {
        known = { dense, step, sums: columnSums(dense), qualifies: adjointQualifies(step) };
        this.known[q] = known;
      }
      if (!known.qualifies) return false;
      const states = chain.states(q);
      const n = dense.inSize;
      const next = step.kind === "elementwise" ? n : step.inSize;
      widest = Math.max(widest, n, next);
      const size = m * Math.max(n, next);
      const nextLevel = this.level(d + 1, size, m, kept);
      const keep = kept + size <= KEPT;
      kept += size;
      // The next level's pair is the one kept when this level is the same step with the same states.
      let same = keep && this.validLevels > d && level.dense === dense && level.step === step && nextLevel.q === chain.below(q) && nextLevel.k === next;
      if (same) {
        const was = level.states;
        const units = states.length;
        if (was.length !== units) same = false;
        else
          for (let j = 0; j < units; j++)
            if (was[j] !== states[j]) {
              same = false;
              break;
            }
      }
      if (same) {
        this.reusedLevels++;
      } else {
        if (keep) {
          this.validLevels = d;
          level.dense = dense;
          level.step = step;
          if (level.states.length !== states.length) level.states = new Uint8Array(states.length);
          level.states.set(states);
        }
        // (Its gather makes this level's rows too.)
        this.advance(known, step, states, U, F, m, k, n, next, nextLevel, level.rows);
        level.rowsValid = true;
        nextLevel.q = chain.below(q);
        nextLevel.k = next;
        nextLevel.rowsValid = false;
        if (keep) this.validLevels = d + 1;
      }
      // Level q's own rounding r_q, |r_q| <= L_q per channel, through U: rowsum |U| L_q.
      const l0 = chain.local(q, 0);
      const l1 = chain.local(q, 1);
      if (l0 !== 0 || l1 !== 0) addRows(rowsOf(level, m, k), m, l0, l1, true, out);
      level = nextLevel;
      U = level.U;
      F = level.F;
      k = next;
      const below = chain.below(q);
      if (below < 0) {
        // The chain's last level: its input's whole bound (per channel) through U.
        const e = chain.inputErr(q);
        if (e[0] !== 0 || e[1] !== 0) addRows(rowsOf(level, m, k), m, e[0], e[1], false, out);
        break;
      }
      const measured = chain.measured(below);
      if (measured === null && enough !== null && this.stopAt(chain, below, U, F, m, k, enough, out)) break;
      if (measured !== null) {
        // A measured map: its per-unit bound (local + measured) through U.
        throughRows(U, F, m, k, measured, chain.local(below, 0), chain.local(below, 1), 0, 0, out, out, null);
        break;
      }
      q = below;
    }
    this.levels = levels;
    // The sums' own rounding: rowsums of 2k terms, their products, the levels' sum (<= (2 widest + levels + 4) u
    // of the result), and the products that underflow (one per level and channel, widest at the end).
    const widen = 1 + (2 * widest + levels + 16) * EPS;
    const floor = (levels + widest + 2) * SUBNORMAL;
    for (let x = 0; x < 2 * m; x++) {
      const r = (out[x] + floor) * widen;
      if (!(r < Number.POSITIVE_INFINITY)) return false;
      out[x] = r;
    }
    if (this.probe !== null) this.probe.measured(chain, p, out);
    return true;
  }

  /**
   * The next level's pair from this one's (U, F: m x k) through q's dense step (m x n after U) and
   * states, into `to` (m x next); this level's rows of |U| + F into `rows`.
   */
  private advance(
    known: { dense: AffineStep; sums: Float64Array },
    step: PiecewiseStep,
    states: Uint8Array,
    U: Float64Array,
    F: Float64Array,
    m: number,
    k: number,
    n: number,
    next: number,
    to: Level,
    rows: Float64Array,
  ): void {
    const at = this.at;
    at.size(m, k, Math.max(k, n));
    // One rounding of D after the k-term sums: an elementwise slope's product, a max group's
    // sum over the groups that chose the same input (at most outSize).
    const K = step.kind === "elementwise" ? 1 : step.outSize;
    // gamma_{k+K} = (k+K) u / (1 - (k+K) u), at most (k+K) u (1 + 2^-20) while (k+K) u <= 2^-21.
    const gamma = (k + K) * EPS * (1 + 2 ** -20);
    // Every entry of U and F, in order (a kept level's entries are not listed).
    gatherRows(U, F, k, m, at.all, k, gamma, n, rows, at);
    const W = known.dense.weight as Float64Array;
    const sums = known.sums;
    const widen = 1 + (k + K + 16) * EPS;
    if (step.kind === "elementwise") {
      // The columns D keeps: a unit of slope 0 (an off relu) zeroes its column exactly (U's and
      // F's: nothing of U W reaches the next level through it), so it is skipped (left 0).
      const { active, slopes, floors } = at;
      let c = 0;
      for (let j = 0; j < n; j++) {
        const a = step.slopes[states[j]];
        if (a === 0) continue;
        slopes[j] = a;
        // Underflow: the k products of V's entry and of G's, G's own (spread by |W|'s column), the slope's: at most 2^-1075 each.
        floors[j] = (k + 2 + sums[j]) * Math.max(1, Math.abs(a)) * SUBNORMAL;
        active[c++] = j;
      }
      to.U.fill(0, 0, m * n);
      to.F.fill(0, 0, m * n);
      multiplyRows(at, k, m, W, active, c, slopes, floors, widen, 0, to.U, to.F, n);
      return;
    }
    // Max groups: V = U W and G its error bound (m x n), then column x of U W D sums the groups
    // whose choice is x (additions only: no underflow).
    if (this.v.length < m * n) {
      this.v = new Float64Array(m * n);
      this.g = new Float64Array(m * n);
    }
    const V = this.v;
    const G = this.g;
    // The sums themselves (slopes 1, nothing added).
    at.slopes.fill(1, 0, n);
    at.floors.fill(0, 0, n);
    multiplyRows(at, k, m, W, at.all, n, at.slopes, at.floors, 1, 0, V, G, n);
    const NU = to.U;
    const NF = to.F;
    NU.fill(0, 0, m * next);
    NF.fill(0, 0, m * next);
    let most = 0;
    for (let j = 0; j < n; j++) most = Math.max(most, sums[j]);
    const floor = K * (k + 2 + most) * SUBNORMAL;
    for (let j = 0; j < step.outSize; j++) {
      const x = step.indices[step.offsets[j] + states[j]];
      for (let i = 0; i < m; i++) {
        NU[i * next + x] += V[i * n + j];
        NF[i * next + x] += G[i * n + j];
      }
    }
    for (let x = 0; x < m * next; x++) NF[x] = (NF[x] + floor) * widen;
  }

  /**
   * Whether the sum so far (out) plus (|U| + F) times level q's map's own bound is at most
   * `enough` for every unit and channel: then out takes it (true).
   */
  private stopAt(chain: AdjointChain, q: number, U: Float64Array, F: Float64Array, m: number, k: number, enough: Float64Array, out: Float64Array): boolean {
    const err = chain.mapErr(q);
    if (this.stop.length < 2 * m) this.stop = new Float64Array(2 * m);
    if (!throughRows(U, F, m, k, chain.carried(q), chain.local(q, 0), chain.local(q, 1), err[0], err[1], out, this.stop, enough)) return false;
    out.set(this.stop.subarray(0, 2 * m));
    return true;
  }

  private stop = new Float64Array(0);
}

/** The level's rows of |U| + F (m rows of k entries), made once while its pair stays (as advance's gather makes them). */
function rowsOf(level: Level, m: number, k: number): Float64Array {
  const { rows, U, F } = level;
  if (level.rowsValid) return rows;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let l = i * k, end = l + k; l < end; l++) row += Math.abs(U[l]) + F[l];
    rows[i] = row;
  }
  level.rowsValid = true;
  return rows;
}

/** out[c m + i] += rows_i e_c; with `zeroPasses` false a row of exact zeros passes nothing (0 times a saturated bound is 0). */
function addRows(rows: Float64Array, m: number, e0: number, e1: number, zeroPasses: boolean, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const row = rows[i];
    if (row === 0 && !zeroPasses) continue;
    out[i] += row * e0;
    out[m + i] += row * e1;
  }
}

/**
 * dst[c m + i] = base[c m + i] + sum_j (|U_ij| + F_ij) E_cj over row i's k entries, where E_cj is
 * unit j's own bound as line-carry.ts inputBound gives it (l_c + vec[c k' + j], rounded up) when vec is
 * given, else the channel's whole bound e_c. With `enough`, false at the first row past it (dst is
 * then partly written).
 */
function throughRows(
  U: Float64Array,
  F: Float64Array,
  m: number,
  k: number,
  vec: Float64Array | null,
  l0: number,
  l1: number,
  e0: number,
  e1: number,
  base: Float64Array,
  dst: Float64Array,
  enough: Float64Array | null,
): boolean {
  const mb = vec === null ? 0 : vec.length / 2;
  const up = 1 + 4 * EPS;
  for (let i = 0; i < m; i++) {
    let s0 = 0;
    let s1 = 0;
    for (let j = 0; j < k; j++) {
      const w = Math.abs(U[i * k + j]) + F[i * k + j];
      if (w === 0) continue;
      s0 += w * (vec === null ? e0 : (l0 + vec[j]) * up);
      s1 += w * (vec === null ? e1 : (l1 + vec[mb + j]) * up);
    }
    dst[i] = base[i] + s0;
    dst[m + i] = base[m + i] + s1;
    if (enough !== null && !(dst[i] <= enough[0] && dst[m + i] <= enough[1])) return false;
  }
  return true;
}
