/**
 * The adjoint bound of a piece's fused map: how far the line engine's computed map of a piecewise
 * step (after its fused dense step) can be from the exact map on the piece, per unit and channel,
 * in float64 and without the growth with depth of the carried bound (line.ts `carry`).
 *
 * On a piece the states D of every step above are settled, and the map of fused step q is
 * y_q = W_q f_D(y_q') + b_q (q' the fused step below it, `below`). The computed map is within its
 * local bound L_q (line.ts localErr: its full product's and its rank-one updates' rounding) of
 * W_q f_D(computed y_q') + b_q, so its error e_q obeys e_q = r_q + W_q D_q e_q', |r_q| <= L_q, and
 *   e_p = sum over q <= p of P_{p,q} r_q (+ P_{p,bottom} e_bottom),
 *   P_{p,q} = W_p D_p W_p' D_p' ... (down to q, excluded), P_{p,p} = I.
 * So |e_p,i| <= sum_q rowsum_i |P_{p,q}| L_q: the products P are signed, taken before their
 * absolute values, and keep the cancellation |W| |D| per layer loses (a He network's ||P|| stays
 * O(1) while the product of |W| |D| grows about 1.6x a layer). Computed backwards from p
 * (U = I; per level: add rowsum |U| L_q; U <- U W_q D_q), O(levels x width^2) per map, with U's
 * own rounding bounded too (F, below). Every step of the argument: docs/numerics.md, "Bounds
 * relative to the exact map", the adjoint paragraph.
 *
 * The chain ends at a step whose input is not a fused map (the first layer's, after a stack step
 * or an unfused affine step): there its input's whole bound (the walk's, against the exact map)
 * is carried through U; or at a step whose map's bound was measured (anchor, exact or adjoint):
 * there that per-unit bound is.
 */

import { perObject } from "../model/per-object.ts";
import type { AffineStep, PiecewiseStep } from "../model/steps.ts";
import type { Dyadic } from "./exact-maps.ts";

const EPS = 2 ** -53;
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
  /** Tests only (adjointAudit): q's computed map and the exact one (its next piecewise step's input). */
  map(q: number): Float64Array;
  exactMap(q: number): Dyadic;
}

/** Tests only: when set, called after every bound `measure` returns true (the map's level p). */
export const adjointAudit: { check: ((chain: AdjointChain, p: number, bound: Float64Array) => void) | null } = { check: null };

/** |W| row-major, once per step. */
const absoluteWeights = perObject((step: AffineStep): Float64Array => Float64Array.from(step.weight as Float64Array, Math.abs));
/** Column sums of |W| (over the outputs), once per step: how far an input's underflow spreads. */
const columnSums = perObject((step: AffineStep): Float64Array => {
  const A = absoluteWeights(step);
  const n = step.inSize;
  const sums = new Float64Array(n);
  for (let l = 0; l < step.outSize; l++) for (let j = 0; j < n; j++) sums[j] += A[l * n + j];
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

export class AdjointBound {
  // U (the signed product, m x k row-major) and F (a bound on |U computed - U exact|), and the
  // next level's pair; swapped per level. Grown as needed, never per piece.
  private u = new Float64Array(0);
  private f = new Float64Array(0);
  private v = new Float64Array(0);
  private g = new Float64Array(0);
  private cols = new Int32Array(0);
  private readonly known: ({ dense: AffineStep; step: PiecewiseStep; A: Float64Array; sums: Float64Array; qualifies: boolean } | undefined)[] = [];
  /** Levels walked by the last measure (benchmarks). */
  levels = 0;

  /** Every buffer at least `size` long, U and F kept. */
  private room(size: number): void {
    if (this.u.length >= size) return;
    const u = new Float64Array(size);
    const f = new Float64Array(size);
    u.set(this.u);
    f.set(this.f);
    this.u = u;
    this.f = f;
    this.v = new Float64Array(size);
    this.g = new Float64Array(size);
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
   */
  measure(chain: AdjointChain, p: number, out: Float64Array, enough: Float64Array | null = null): boolean {
    const m = chain.dense(p).outSize;
    out.fill(0, 0, 2 * m);
    let k = m;
    let widest = m;
    this.room(m * m);
    let U = this.u;
    let F = this.f;
    U.fill(0, 0, m * m);
    F.fill(0, 0, m * m);
    for (let i = 0; i < m; i++) U[i * m + i] = 1;
    let levels = 0;
    let q = p;
    for (;;) {
      levels++;
      // Level q's own rounding r_q, |r_q| <= L_q per channel, through U: rowsum |U| L_q.
      const l0 = chain.local(q, 0);
      const l1 = chain.local(q, 1);
      if (l0 !== 0 || l1 !== 0) {
        for (let i = 0; i < m; i++) {
          let row = 0;
          for (let l = i * k, end = l + k; l < end; l++) row += Math.abs(U[l]) + F[l];
          out[i] += row * l0;
          out[m + i] += row * l1;
        }
      }
      // U <- U W_q D_q: V = U W (m x n), then the states (columns scaled, or gathered for max groups).
      const dense = chain.dense(q);
      const step = chain.step(q);
      // What the level needs of its steps, looked up once per step (not per level: a WeakMap each).
      let known = this.known[q];
      if (known === undefined || known.dense !== dense || known.step !== step) {
        known = { dense, step, A: absoluteWeights(dense), sums: columnSums(dense), qualifies: adjointQualifies(step) };
        this.known[q] = known;
      }
      if (!known.qualifies) return false;
      const states = chain.states(q);
      const n = dense.inSize;
      const next = step.kind === "elementwise" ? n : step.inSize;
      widest = Math.max(widest, n, next);
      this.room(m * Math.max(n, next));
      U = this.u;
      F = this.f;
      const V = this.v;
      const G = this.g;
      const W = dense.weight as Float64Array;
      const A = known.A;
      V.fill(0, 0, m * n);
      G.fill(0, 0, m * n);
      // One rounding of D after the k-term sums: an elementwise slope's product, a max group's
      // sum over the groups that chose the same input (at most outSize).
      const K = step.kind === "elementwise" ? 1 : step.outSize;
      // gamma_{k+K} = (k+K) u / (1 - (k+K) u), at most (k+K) u (1 + 2^-20) while (k+K) u <= 2^-21.
      const gamma = (k + K) * EPS * (1 + 2 ** -20);
      // The columns D keeps: an elementwise unit of slope 0 (an off relu) zeroes its column
      // exactly (U's and F's: nothing of U W reaches the next level through it), so it is skipped.
      if (this.cols.length < n) this.cols = new Int32Array(n);
      const cols = this.cols;
      let c = 0;
      for (let j = 0; j < n; j++) if (step.kind !== "elementwise" || step.slopes[states[j]] !== 0) cols[c++] = j;
      for (let i = 0; i < m; i++) {
        const vi = i * n;
        for (let l = 0; l < k; l++) {
          const x = U[i * k + l];
          // F + gamma |U|: what U's error becomes through |W| |D| (plus this level's rounding).
          const y = F[i * k + l] + gamma * Math.abs(x);
          if (x === 0 && y === 0) continue;
          const wl = l * n;
          for (let jj = 0; jj < c; jj++) {
            const j = cols[jj];
            V[vi + j] += x * W[wl + j];
            G[vi + j] += y * A[wl + j];
          }
        }
      }
      // The new U and F: V and G scaled in place (elementwise), or gathered into the old pair's buffers (max groups).
      const sums = known.sums;
      const widen = 1 + (k + K + 16) * EPS;
      if (step.kind === "elementwise") {
        for (let jj = 0; jj < c; jj++) {
          const j = cols[jj];
          const a = step.slopes[states[j]];
          const aa = Math.abs(a);
          // Underflow: the k products of V's entry and of G's, G's own (spread by |W|'s column), the slope's: at most 2^-1075 each.
          const floor = (k + 2 + sums[j]) * Math.max(1, aa) * SUBNORMAL;
          for (let i = 0; i < m; i++) {
            const x = i * n + j;
            V[x] *= a;
            G[x] = (G[x] * aa + floor) * widen;
          }
        }
        this.u = V;
        this.f = G;
        this.v = U;
        this.g = F;
        U = V;
        F = G;
      } else {
        // Column x of U W D sums the groups whose choice is x (additions only: no underflow).
        U.fill(0, 0, m * next);
        F.fill(0, 0, m * next);
        let most = 0;
        for (let j = 0; j < n; j++) most = Math.max(most, sums[j]);
        const floor = K * (k + 2 + most) * SUBNORMAL;
        for (let j = 0; j < step.outSize; j++) {
          const x = step.indices[step.offsets[j] + states[j]];
          for (let i = 0; i < m; i++) {
            U[i * next + x] += V[i * n + j];
            F[i * next + x] += G[i * n + j];
          }
        }
        for (let x = 0; x < m * next; x++) F[x] = (F[x] + floor) * widen;
      }
      k = next;
      const below = chain.below(q);
      if (below < 0) {
        // The chain's last level: its input's whole bound (per channel) through U.
        const e = chain.inputErr(q);
        this.addRows(U, F, m, k, e[0], e[1], out);
        break;
      }
      const measured = chain.measured(below);
      if (measured === null && enough !== null && this.stopAt(chain, below, U, F, m, k, enough, out)) break;
      if (measured !== null) {
        // A measured map: its per-unit bound (local + measured, rounded up as line.ts inputBound) through U.
        const mb = measured.length / 2;
        const b0 = chain.local(below, 0);
        const b1 = chain.local(below, 1);
        const up = 1 + 4 * EPS;
        for (let i = 0; i < m; i++) {
          let s0 = 0;
          let s1 = 0;
          for (let j = 0; j < k; j++) {
            const w = Math.abs(U[i * k + j]) + F[i * k + j];
            if (w === 0) continue;
            s0 += w * ((b0 + measured[j]) * up);
            s1 += w * ((b1 + measured[mb + j]) * up);
          }
          out[i] += s0;
          out[m + i] += s1;
        }
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
    if (adjointAudit.check !== null) adjointAudit.check(chain, p, out);
    return true;
  }

  /**
   * Whether the sum so far (out) plus (|U| + F) times level q's map's own bound is at most
   * `enough` for every unit and channel: then out takes it (true).
   */
  private stopAt(chain: AdjointChain, q: number, U: Float64Array, F: Float64Array, m: number, k: number, enough: Float64Array, out: Float64Array): boolean {
    const vec = chain.carried(q);
    const l0 = chain.local(q, 0);
    const l1 = chain.local(q, 1);
    const err = chain.mapErr(q);
    const mb = vec === null ? 0 : vec.length / 2;
    const up = 1 + 4 * EPS;
    if (this.stop.length < 2 * m) this.stop = new Float64Array(2 * m);
    const stop = this.stop;
    for (let i = 0; i < m; i++) {
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < k; j++) {
        const w = Math.abs(U[i * k + j]) + F[i * k + j];
        if (w === 0) continue;
        // As line.ts inputBound: local + carried rounded up, or the channel's whole bound.
        s0 += w * (vec === null ? err[0] : (l0 + vec[j]) * up);
        s1 += w * (vec === null ? err[1] : (l1 + vec[mb + j]) * up);
      }
      stop[i] = out[i] + s0;
      stop[m + i] = out[m + i] + s1;
      if (!(stop[i] <= enough[0] && stop[m + i] <= enough[1])) return false;
    }
    out.set(stop.subarray(0, 2 * m));
    return true;
  }

  private stop = new Float64Array(0);

  /** out[c m + i] += rowsum_i (|U| + F) e_c. */
  private addRows(U: Float64Array, F: Float64Array, m: number, k: number, e0: number, e1: number, out: Float64Array): void {
    if (e0 === 0 && e1 === 0) return;
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let l = i * k, end = l + k; l < end; l++) row += Math.abs(U[l]) + F[l];
      // 0 times a saturated bound is 0 (a row of exact zeros passes nothing).
      if (row === 0) continue;
      out[i] += row * e0;
      out[m + i] += row * e1;
    }
  }
}
