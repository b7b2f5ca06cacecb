/**
 * The H-representation of one activation region in the reduced space: with every unit's state
 * fixed by the pattern, each pre-activation is affine in u, and the region is where each unit
 * keeps its state: for an elementwise unit in state st, t_{st-1} <= z <= t_st; for a max group
 * won by p, z_q <= z_p for every other member q. Computed by pushing the (r + 1)-channel map of
 * the reduced input through the compiled steps with the pattern's states (model/forward.ts), so
 * affine steps of any kind, elementwise steps with any breakpoints, max groups and branches all
 * work as in the other engines.
 *
 * Rows are normalised (unit normal in u, hence in x). A row with no gradient is constant on the
 * whole space: it is never a facet, and when its constant sits on the breakpoint the unit is
 * "flat" there (tight on every facet; the neighbour pass decides it).
 *
 * Each row carries a hyperplane id, the same from both sides of the hyperplane: elementwise
 * (step, unit, breakpoint), max (step, group, unordered pair of members).
 */
import { applyStates, type Compiled, pushAffine } from "../../model/forward.ts";
import { getState, type PatternLayout } from "../../model/pattern.ts";
import { type AffineStep, applyStack, isPiecewise, maxStates, type Step, unitCount } from "../../model/steps.ts";
import type { Reduction } from "./reduce.ts";

export const ROW_UPPER = 0;
export const ROW_LOWER = 1;
export const ROW_MAX = 2;
/** A row of the domain itself (a polytope's face): in every region, never a facet candidate. */
export const ROW_DOMAIN = 3;
/** The `step` of a domain row. */
export const DOMAIN_STEP = -1;

/** Hyperplane ids: the first id of each piecewise step and how many it has; `last`: the last piecewise step (-1: none). */
export interface HyperplaneIds {
  base: Int32Array;
  total: number;
  last: number;
}

export function hyperplaneIds(steps: readonly Step[]): HyperplaneIds {
  const base = new Int32Array(steps.length).fill(-1);
  let total = 0;
  let last = -1;
  steps.forEach((step, s) => {
    if (!isPiecewise(step)) return;
    base[s] = total;
    last = s;
    const n = unitCount(step);
    total += step.kind === "elementwise" ? n * step.breakpoints.length : n * maxStates(step) * maxStates(step);
  });
  return { base, total, last };
}

/** One region's rows, reused from region to region (capacity grows). */
export class RegionRows {
  count = 0;
  /** count x r unit normals; a . u <= b. */
  A: Float64Array;
  b: Float64Array;
  /** Norm of the row before normalisation (0 for a constant row). */
  norm: Float64Array;
  hp: Int32Array;
  step: Int32Array;
  unit: Int32Array;
  kind: Uint8Array;
  /** Elementwise: breakpoint index; max: the other member's position in the group. */
  which: Int32Array;
  /** Output map, outputSize x (r + 1) channel-major ([channel * outputSize + i]); filled when asked for (see regionRows). */
  output: Float64Array;
  /** The (r + 1)-channel map entering the last piecewise step, [channel * size + j] (with the output map). */
  lastInput: Float64Array;
  /** Rows with a zero gradient are kept apart: flatCount of them, same fields with prefix flat. */
  flatCount = 0;
  flatStep: Int32Array;
  flatUnit: Int32Array;
  flatKind: Uint8Array;
  flatWhich: Int32Array;
  /** Constant value of the flat row's a.u - b, i.e. -b (<= 0 when satisfied). */
  flatValue: Float64Array;
  /**
   * Rows float64 cannot be trusted with (suspectCount of them: a row index k, or -1 - f for flat
   * row f): their gradient or constant is within rounding of the magnitude of the terms that made
   * it (cancellation: duplicated or scaled units subtracted, tied max candidates), or a flat row's
   * constant is that near its breakpoint. The processor recomputes them exactly (exact-rows.ts).
   */
  suspectCount = 0;
  suspect: Int32Array;

  constructor(
    readonly r: number,
    capacity: number,
    outputSize: number,
    lastWidth = 0,
  ) {
    this.A = new Float64Array(capacity * r);
    this.b = new Float64Array(capacity);
    this.norm = new Float64Array(capacity);
    this.hp = new Int32Array(capacity);
    this.step = new Int32Array(capacity);
    this.unit = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.which = new Int32Array(capacity);
    this.output = new Float64Array(outputSize * (r + 1));
    this.lastInput = new Float64Array(lastWidth * (r + 1));
    this.flatStep = new Int32Array(capacity);
    this.flatUnit = new Int32Array(capacity);
    this.flatKind = new Uint8Array(capacity);
    this.flatWhich = new Int32Array(capacity);
    this.flatValue = new Float64Array(capacity);
    this.suspect = new Int32Array(capacity);
  }
}

/** Most rows a region can have (for the capacity of RegionRows), besides the domain's own rows. */
export function maxRows(steps: readonly Step[]): number {
  let rows = 0;
  for (const step of steps) {
    if (!isPiecewise(step)) continue;
    const n = unitCount(step);
    rows += step.kind === "elementwise" ? 2 * n : n * Math.max(0, maxStates(step) - 1);
  }
  return Math.max(1, rows);
}

/**
 * Fill `out` with the rows of the region of `pattern` (words at `offset`), the map entering the
 * last piecewise step (out.lastInput, when it has room) and with `withOutput` the output map. Without, the
 * pass stops after the last piecewise step's rows: the steps after it (the output layer, most of
 * the work for a one-hidden-layer network) only make the map. `scratch` holds two maps of the
 * largest width; allocation only on stack steps (as in the other engines).
 */
export function regionRows(
  compiled: Compiled,
  red: Reduction,
  ids: HyperplaneIds,
  pattern: Uint32Array,
  offset: number,
  out: RegionRows,
  scratch: RowScratch,
  withOutput = true,
): void {
  const { r, m, radius } = red;
  const C = r + 1;
  const layout: PatternLayout = compiled.layout;
  let map: Float64Array = scratch.a;
  map.set(red.map0);
  let other: Float64Array = scratch.b;
  let stack: Float64Array[] = [];
  out.count = 0;
  out.flatCount = 0;
  out.suspectCount = 0;
  const h = scratch.h;
  const states = scratch.states;
  // Magnitudes of each unit's constant (mc) and gradient (mg, L1) before cancellation: the terms
  // a row was summed from, which bound its rounding (see RegionRows.suspect).
  let mc = scratch.mc;
  let mg = scratch.mg;
  let mc2 = scratch.mc2;
  let mg2 = scratch.mg2;
  let magStack: Float64Array[] = [];
  let gradStack: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    mc[i] = Math.abs(red.map0[i]);
    let g = 0;
    for (let c = 1; c < C; c++) g += Math.abs(red.map0[c * m + i]);
    mg[i] = g;
  }
  for (let s = red.first; s < compiled.steps.length; s++) {
    const step = compiled.steps[s];
    if (step.kind === "affine") {
      pushAffine(step, map, other, C);
      const t = map;
      map = other;
      other = t;
      magnitudeAffine(step, mc, mg, mc2, mg2);
      const tc = mc;
      mc = mc2;
      mc2 = tc;
      const tg = mg;
      mg = mg2;
      mg2 = tg;
    } else if (step.kind === "elementwise" || step.kind === "max") {
      const units = unitCount(step);
      const inSize = step.kind === "elementwise" ? step.size : step.inSize;
      for (let j = 0; j < units; j++) states[j] = getState(layout, pattern, offset, s, j);
      if (step.kind === "elementwise") {
        const t = step.breakpoints;
        for (let j = 0; j < units; j++) {
          const st = states[j];
          for (let c = 0; c < C; c++) h[c] = map[c * inSize + j];
          if (st < t.length) addRow(out, h, 1, h[0] - t[st], ids.base[s] + j * t.length + st, s, j, ROW_UPPER, st, radius, mc[j] + Math.abs(t[st]), mg[j], false);
          if (st > 0) addRow(out, h, -1, h[0] - t[st - 1], ids.base[s] + j * t.length + st - 1, s, j, ROW_LOWER, st - 1, radius, mc[j] + Math.abs(t[st - 1]), mg[j], true);
        }
      } else {
        const g = maxStates(step);
        for (let j = 0; j < units; j++) {
          const start = step.offsets[j];
          const size = step.offsets[j + 1] - start;
          const p = states[j];
          const ip = step.indices[start + p];
          for (let q = 0; q < size; q++) {
            if (q === p) continue;
            const iq = step.indices[start + q];
            for (let c = 0; c < C; c++) h[c] = map[c * inSize + iq] - map[c * inSize + ip];
            const lo = Math.min(p, q);
            const hi = Math.max(p, q);
            addRow(out, h, 1, h[0], ids.base[s] + j * g * g + lo * g + hi, s, j, ROW_MAX, q, radius, mc[iq] + mc[ip], mg[iq] + mg[ip], q < p);
          }
        }
      }
      if (s === ids.last) {
        if (out.lastInput.length > 0) out.lastInput.set(map.subarray(0, C * inSize));
        if (!withOutput) {
          appendDomainRows(out, red);
          return;
        }
      }
      applyStates(step, states, map, other, C);
      const t = map;
      map = other;
      other = t;
      magnitudeStates(step, states, mc, mg, mc2, mg2);
      if (step.kind === "max") {
        const tc = mc;
        mc = mc2;
        mc2 = tc;
        const tg = mg;
        mg = mg2;
        mg2 = tg;
      }
    } else {
      stack = stack.slice();
      magStack = magStack.slice();
      gradStack = gradStack.slice();
      const nc = applyStack(step, mc, magStack, 1);
      const ng = applyStack(step, mg, gradStack, 1);
      if (nc !== mc) {
        if (mc2.length < nc.length) mc2 = new Float64Array(nc.length);
        if (mg2.length < ng.length) mg2 = new Float64Array(ng.length);
        mc2.set(nc);
        mg2.set(ng);
        const tc = mc;
        mc = mc2;
        mc2 = tc;
        const tg = mg;
        mg = mg2;
        mg2 = tg;
      }
      const next = applyStack(step, map, stack, C);
      // applyStack returns a fresh or the same array; keep the scratch pair intact.
      if (next !== map) {
        if (other.length < next.length) other = new Float64Array(next.length);
        other.set(next);
        const t = map;
        map = other;
        other = t;
      }
    }
  }
  out.output.set(map.subarray(0, out.output.length));
  appendDomainRows(out, red);
}

/**
 * The domain's own rows (a polytope domain, reduce.ts) after the units' rows: they bound every
 * region and carry the margin like the others (a region's point keeps its distance from the
 * domain's faces too), but the traversal never crosses them (hyperplane id -1 - j).
 */
function appendDomainRows(out: RegionRows, red: Reduction): void {
  const { count, A, b } = red.domain;
  const r = out.r;
  for (let j = 0; j < count; j++) {
    const k = out.count++;
    for (let c = 0; c < r; c++) out.A[k * r + c] = A[j * r + c];
    out.b[k] = b[j];
    out.norm[k] = 1;
    out.hp[k] = -1 - j;
    out.step[k] = DOMAIN_STEP;
    out.unit[k] = j;
    out.kind[k] = ROW_DOMAIN;
    out.which[k] = 0;
  }
}

export interface RowScratch {
  a: Float64Array;
  b: Float64Array;
  h: Float64Array;
  states: Uint8Array;
  /** Magnitudes of the units' constants and gradients, two of each (regionRows). */
  mc: Float64Array;
  mg: Float64Array;
  mc2: Float64Array;
  mg2: Float64Array;
}

export function rowScratch(compiled: Compiled, red: Reduction): RowScratch {
  const C = red.r + 1;
  const width = Math.max(compiled.maxWidth, red.m);
  const mag = (): Float64Array => new Float64Array(width);
  return { a: new Float64Array(C * width), b: new Float64Array(C * width), h: new Float64Array(C), states: new Uint8Array(width), mc: mag(), mg: mag(), mc2: mag(), mg2: mag() };
}

/** Magnitudes through an affine step: |bias| + |W| mc for the constants, |W| mg for the gradients. */
function magnitudeAffine(step: AffineStep, mc: Float64Array, mg: Float64Array, outC: Float64Array, outG: Float64Array): void {
  const n = step.inSize;
  const W = step.weight;
  if (W) {
    for (let i = 0; i < step.outSize; i++) {
      let c = Math.abs(step.bias[i]);
      let g = 0;
      for (let j = 0; j < n; j++) {
        const w = Math.abs(W[i * n + j]);
        c += w * mc[j];
        g += w * mg[j];
      }
      outC[i] = c;
      outG[i] = g;
    }
    return;
  }
  // No explicit matrix (a convolution): the largest input times the input size, an upper bound
  // when every weight is at most 1 in size, else a magnitude, which is all the test needs.
  let most = 0;
  let mostG = 0;
  for (let j = 0; j < n; j++) {
    most = Math.max(most, mc[j]);
    mostG = Math.max(mostG, mg[j]);
  }
  for (let i = 0; i < step.outSize; i++) {
    outC[i] = Math.abs(step.bias[i]) + most * n;
    outG[i] = mostG * n;
  }
}

/** Magnitudes through a piecewise step with fixed states (elementwise in place; max into outC, outG). */
function magnitudeStates(step: Step, states: Uint8Array, mc: Float64Array, mg: Float64Array, outC: Float64Array, outG: Float64Array): void {
  if (step.kind === "elementwise") {
    for (let j = 0; j < step.size; j++) {
      const slope = Math.abs(step.slopes[states[j]]);
      mc[j] = slope * mc[j] + Math.abs(step.intercepts[states[j]]);
      mg[j] = slope * mg[j];
    }
  } else if (step.kind === "max") {
    for (let j = 0; j < step.outSize; j++) {
      const i = step.indices[step.offsets[j] + states[j]];
      outC[j] = mc[i];
      outG[j] = mg[i];
    }
  }
}

/**
 * Rows whose size (over the domain: the gradient times the domain's radius, or a flat row's
 * constant) is below this fraction of the magnitude of the terms they were summed from are
 * recomputed exactly: cancellation may have left only rounding (a unit minus its own multiple).
 */
const SUSPECT = 1e-8;
/** A flat row's constant within this (absolute, the neighbour pass's) of zero is also recomputed. */
const FLAT_SUSPECT = 1e-10;

/**
 * Row sign * (h - h0) + value <= 0, i.e. sign * grad . u <= -value, normalised. A gradient whose
 * change over the domain (times its radius R) is below 1e-14 of the row's scale is zero (the row
 * is flat: constant `value`). magC and magG: magnitudes of the terms of the constant and the
 * gradient (for the suspect rows, see RegionRows.suspect); `strict`: the state asks the unit to be
 * above the breakpoint (exact-rows.ts ExactRow.strict), so a flat row exactly at 0 is suspect too:
 * the pattern may have no interior (float64's forward pass put it on the wrong side).
 */
function addRow(
  out: RegionRows,
  h: Float64Array,
  sign: number,
  value: number,
  hp: number,
  step: number,
  unit: number,
  kind: number,
  which: number,
  R: number,
  magC: number,
  magG: number,
  strict: boolean,
): void {
  const r = out.r;
  let norm = 0;
  let largest = 0;
  for (let c = 1; c <= r; c++) {
    norm += h[c] * h[c];
    largest = Math.max(largest, Math.abs(h[c]));
  }
  norm = Math.sqrt(norm);
  const v = sign * value;
  const terms = SUSPECT * (magC + R * magG);
  if (norm * R <= 1e-14 * Math.max(Math.abs(value), R * largest) || norm === 0) {
    const f = out.flatCount++;
    out.flatStep[f] = step;
    out.flatUnit[f] = unit;
    out.flatKind[f] = kind;
    out.flatWhich[f] = which;
    out.flatValue[f] = v;
    // Exactly 0 in float64: exact when nothing cancelled (the terms are 0: a unit whose inputs are
    // all off), else possibly a rounding to 0 of a small exact row.
    if (v === 0 ? strict || terms > 0 : Math.abs(v) <= FLAT_SUSPECT || Math.abs(v) <= terms) out.suspect[out.suspectCount++] = -1 - f;
    return;
  }
  // Cancellation near the domain: the row may be rounding only (far from it, it does no harm).
  if (norm * R <= terms && Math.abs(value) <= 4 * R * norm + terms) out.suspect[out.suspectCount++] = out.count;
  const k = out.count++;
  const inv = 1 / norm;
  for (let c = 0; c < r; c++) out.A[k * r + c] = sign * h[c + 1] * inv;
  out.b[k] = -v * inv;
  out.norm[k] = norm;
  out.hp[k] = hp;
  out.step[k] = step;
  out.unit[k] = unit;
  out.kind[k] = kind;
  out.which[k] = which;
}
