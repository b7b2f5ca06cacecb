/**
 * A region's rows in input space, exactly: every weight, bias, breakpoint, slope and intercept is
 * a dyadic rational, and with a pattern's states fixed every unit's pre-activation is an affine
 * function of x with dyadic coefficients. The same rows as constraints.ts (same hyperplane ids,
 * same sides), but in x (not in the reduced u = Q x, whose basis is rounded) and unnormalised:
 * a . x <= b, both integers times 2^e. For the decisions float64 leaves open (exact-decision.ts);
 * nothing here runs otherwise.
 *
 * Two stages keep it affordable for 784 inputs: the map x -> z entering the first piecewise step
 * (m x (n0 + 1) numbers, made once, no product for a single dense layer), then per region the
 * (m + 1)-channel maps in z through the deeper steps; a row is carried back to x at the end
 * (m x n0 products per row).
 */
import type { Compiled } from "../../model/forward.ts";
import { getState } from "../../model/pattern.ts";
import { type AffineStep, maxStates, unitCount } from "../../model/steps.ts";
import { applyStackExact, type Dyadic, dyadicOf, explicitWeight, lift } from "../exact-maps.ts";
import type { HyperplaneIds } from "./constraints.ts";
import type { InputPolytope, Reduction } from "./reduce.ts";
import { exactFoldOf } from "./slice.ts";

/**
 * a . x <= b, times 2^e; hp as in constraints.ts (domain rows: -1 - j). `strict`: the unit's state
 * asks a . x < b (above a breakpoint, "not above" being the state below; a max group's member
 * beating one of lower index, ties going to the first), which matters where a = 0 and b = 0:
 * a unit exactly on its breakpoint on the whole region is in the state below, never above.
 */
export interface ExactRow {
  hp: number;
  a: bigint[];
  b: bigint;
  e: number;
  strict: boolean;
}

export class ExactRows {
  private pre: Dyadic | null = null;
  private readonly weights: ({ w: Dyadic; b: Dyadic } | undefined)[] = [];
  private readonly pieces: ({ slope: Dyadic; intercept: Dyadic } | undefined)[] = [];
  private domainRows: ExactRow[] | null = null;

  constructor(
    private readonly compiled: Compiled,
    private readonly red: Reduction,
    private readonly ids: HyperplaneIds,
    private readonly polytope?: InputPolytope,
  ) {}

  /** The last region's pattern and rows (a region's candidates ask one after another). */
  private lastPattern: Uint32Array | null = null;
  private lastRows: ExactRow[] = [];

  /** The rows of the region of `pattern`: its units' (hp >= 0), then the domain's. */
  rowsOf(pattern: Uint32Array, offset: number): ExactRow[] {
    const words = this.compiled.layout.words;
    const now = pattern.subarray(offset, offset + words);
    const last = this.lastPattern;
    if (last?.every((x, i) => x === now[i])) return this.lastRows;
    this.lastRows = this.computeRows(pattern, offset);
    this.lastPattern = now.slice();
    return this.lastRows;
  }

  private computeRows(pattern: Uint32Array, offset: number): ExactRow[] {
    const { compiled, red, ids } = this;
    const layout = compiled.layout;
    const m = red.m;
    const C = m + 1;
    // z itself: channel 1 + i is the coefficient of z_i.
    const v0: bigint[] = new Array(C * m).fill(0n);
    for (let i = 0; i < m; i++) v0[(1 + i) * m + i] = 1n;
    let z: Dyadic = { e: 0, v: v0 };
    let stack: Dyadic[] = [];
    const rows: ExactRow[] = [];
    for (let s = red.first; s < compiled.steps.length && s <= ids.last; s++) {
      const step = compiled.steps[s];
      if (step.kind === "affine") z = this.affine(s, step, z, C);
      else if (step.kind === "elementwise" || step.kind === "max") {
        const units = unitCount(step);
        const inSize = step.kind === "elementwise" ? step.size : step.inSize;
        const states = new Uint8Array(units);
        for (let j = 0; j < units; j++) states[j] = getState(layout, pattern, offset, s, j);
        const unitRow = (i: number, minus: number, sign: bigint, shift: number, hp: number, strict: boolean) => {
          const g: bigint[] = new Array(C);
          for (let c = 0; c < C; c++) g[c] = sign * (z.v[c * inSize + i] - (minus >= 0 ? z.v[c * inSize + minus] : 0n));
          rows.push(this.toInput(g, z.e, sign, shift, hp, strict));
        };
        if (step.kind === "elementwise") {
          const t = step.breakpoints;
          for (let j = 0; j < units; j++) {
            const st = states[j];
            if (st < t.length) unitRow(j, -1, 1n, t[st], ids.base[s] + j * t.length + st, false);
            if (st > 0) unitRow(j, -1, -1n, t[st - 1], ids.base[s] + j * t.length + st - 1, true);
          }
        } else {
          const g = maxStates(step);
          for (let j = 0; j < units; j++) {
            const start = step.offsets[j];
            const size = step.offsets[j + 1] - start;
            const p = states[j];
            for (let q = 0; q < size; q++) {
              if (q === p) continue;
              unitRow(step.indices[start + q], step.indices[start + p], 1n, 0, ids.base[s] + j * g * g + Math.min(p, q) * g + Math.max(p, q), q < p);
            }
          }
        }
        z = this.piecewise(s, z, states, C);
      } else ({ z, stack } = applyStackExact(step, z, stack, C));
    }
    return rows.concat(this.domain());
  }

  /** The domain's rows (a polytope in input space), each a . x <= b exactly as given. */
  domain(): ExactRow[] {
    if (this.domainRows) return this.domainRows;
    const rows: ExactRow[] = [];
    const p = this.polytope;
    const n0 = this.red.n0;
    if (p) {
      for (let j = 0; j < p.b.length; j++) {
        const d = dyadicOf([...p.A.subarray(j * n0, (j + 1) * n0), p.b[j]]);
        rows.push({ hp: -1 - j, a: d.v.slice(0, n0), b: d.v[n0], e: d.e, strict: false });
      }
    }
    this.domainRows = rows;
    return rows;
  }

  /**
   * The row sign * (g(z) - shift) <= 0, g in z (channel 0 the constant, times 2^e), as a . x <= b.
   */
  private toInput(g: bigint[], e: number, sign: bigint, shift: number, hp: number, strict: boolean): ExactRow {
    const { n0, m } = this.red;
    const P = this.preMap();
    // sign * (g0 + sum_i g_i z_i - shift) with z_i = P_i + sum_d P[(1 + d) m + i] x_d; g is already signed.
    const a: bigint[] = new Array(n0);
    for (let d = 0; d < n0; d++) {
      let acc = 0n;
      const at = (1 + d) * m;
      for (let i = 0; i < m; i++) {
        const gi = g[1 + i];
        if (gi !== 0n) acc += gi * P.v[at + i];
      }
      a[d] = acc;
    }
    let c = 0n;
    for (let i = 0; i < m; i++) if (g[1 + i] !== 0n) c += g[1 + i] * P.v[i];
    // Constant: c * 2^(e + P.e) + g0 * 2^e - sign * shift.
    const s = dyadicOf([shift]);
    const E = Math.min(e + P.e, e, s.e);
    const constant = lift(c, e + P.e, E) + lift(g[0], e, E) - sign * lift(s.v[0], s.e, E);
    for (let d = 0; d < n0; d++) a[d] = lift(a[d], e + P.e, E);
    return { hp, a, b: -constant, e: E, strict };
  }

  /** The map x -> z entering the first piecewise step, made once. */
  private preMap(): Dyadic {
    this.pre ??= exactInputMap(this.compiled, this.red.first);
    return this.pre;
  }

  private weightsOf(s: number, step: AffineStep): { w: Dyadic; b: Dyadic } {
    let d = this.weights[s];
    if (d === undefined) {
      d = exactWeights(step);
      this.weights[s] = d;
    }
    return d;
  }

  /** An affine step on a C-channel exact map (the bias on channel 0 only). */
  private affine(s: number, step: AffineStep, x: Dyadic, C: number): Dyadic {
    return exactAffine(this.weightsOf(s, step), step, x, C);
  }

  /** A piecewise step with fixed states on a C-channel exact map. */
  private piecewise(s: number, z: Dyadic, states: Uint8Array, C: number): Dyadic {
    const step = this.compiled.steps[s];
    if (step.kind === "max") {
      const n = step.inSize;
      const m = step.outSize;
      const v: bigint[] = new Array(C * m);
      for (let j = 0; j < m; j++) {
        const i = step.indices[step.offsets[j] + states[j]];
        for (let c = 0; c < C; c++) v[c * m + j] = z.v[c * n + i];
      }
      return { e: z.e, v };
    }
    if (step.kind !== "elementwise") throw new Error("a piecewise step");
    let p = this.pieces[s];
    if (p === undefined) {
      p = { slope: dyadicOf(step.slopes), intercept: dyadicOf(step.intercepts) };
      this.pieces[s] = p;
    }
    const n = step.size;
    const e = Math.min(z.e + p.slope.e, p.intercept.e);
    const v: bigint[] = new Array(C * n);
    for (let j = 0; j < n; j++) {
      const slope = p.slope.v[states[j]];
      for (let c = 0; c < C; c++) v[c * n + j] = lift(slope * z.v[c * n + j], z.e + p.slope.e, e) + (c === 0 ? lift(p.intercept.v[states[j]], p.intercept.e, e) : 0n);
    }
    return { e, v };
  }
}

/**
 * The map x -> z entering step `first` (the first piecewise step), exactly: (n0 + 1) channels of
 * m numbers (channel 0 the constant, channel 1 + d the coefficients of x_d), as a single dense
 * layer's own weights (no product) or the product of the affine steps before it. The rows of the
 * region's units start from it, and reduce.ts takes the first layer's exact rank from it.
 */
export function exactInputMap(compiled: Compiled, first: number): Dyadic {
  const n0 = compiled.inputSize;
  const C = n0 + 1;
  let map: Dyadic | null = null; // null: the identity
  let stack: Dyadic[] = [];
  const identity = (): Dyadic => {
    const v: bigint[] = new Array(C * n0).fill(0n);
    for (let d = 0; d < n0; d++) v[(1 + d) * n0 + d] = 1n;
    return { e: 0, v };
  };
  for (let s = 0; s < first; s++) {
    const step = compiled.steps[s];
    if (step.kind === "affine") {
      if (map === null) {
        // The step's own weights and bias: no product.
        const { w, b } = exactWeights(step);
        const m = step.outSize;
        const e = Math.min(w.e, b.e);
        const v: bigint[] = new Array(C * m);
        for (let i = 0; i < m; i++) {
          v[i] = lift(b.v[i], b.e, e);
          for (let d = 0; d < n0; d++) v[(1 + d) * m + i] = lift(w.v[i * n0 + d], w.e, e);
        }
        map = { e, v };
      } else map = exactAffine(exactWeights(step), step, map, C);
    } else if (step.kind === "save" || step.kind === "swap" || step.kind === "drop" || step.kind === "add-saved" || step.kind === "concat-saved") {
      ({ z: map, stack } = applyStackExact(step, map ?? identity(), stack, C));
    }
  }
  return map ?? identity();
}

/** An affine step's weights and bias exactly; a slice's folded step gives the slice's own, not the float64 fold's. */
export function exactWeights(step: AffineStep): { w: Dyadic; b: Dyadic } {
  return exactFoldOf(step) ?? { w: dyadicOf(explicitWeight(step)), b: dyadicOf(step.bias) };
}

/** An affine step on a C-channel exact map (the bias on channel 0 only). */
export function exactAffine(d: { w: Dyadic; b: Dyadic }, step: AffineStep, x: Dyadic, C: number): Dyadic {
  const n = step.inSize;
  const m = step.outSize;
  const e = Math.min(x.e + d.w.e, d.b.e);
  const v: bigint[] = new Array(C * m);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < m; i++) {
      let sum = 0n;
      for (let j = 0; j < n; j++) {
        const w = d.w.v[i * n + j];
        if (w !== 0n) {
          const xj = x.v[c * n + j];
          if (xj !== 0n) sum += w * xj;
        }
      }
      v[c * m + i] = lift(sum, x.e + d.w.e, e) + (c === 0 ? lift(d.b.v[i], d.b.e, e) : 0n);
    }
  }
  return { e, v };
}
