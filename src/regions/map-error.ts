/**
 * Rounding bounds of the affine maps the engines carry. Each cell's map is computed in float64
 * from the previous computed map; the bound says how far a map's coefficients can be from the
 * exact result of that step applied to the computed predecessor (the *local* rounding, plus
 * what rank-one updates accumulate along a walk). Vertices are built from the same computed
 * predecessors, so this is the error that decides whether a breakpoint through an existing
 * vertex (or endpoint) is indistinguishable from passing exactly through it. A decision outside
 * a local bound is exact for the computed chain, not for the network, so the line and plane
 * engines' walks (`Walk.carried`): every step also carries what its input's bound (against the
 * exact map) becomes through its weights, and what falls within goes to the exact maps. Worst
 * case through |W|_inf per layer that outgrows the values in deep networks, so both engines
 * tighten the carried part through the piece's states (line-carry.ts `carry`, plane.ts). The bound is
 * exactly 0 where the computation is exact (the first layer in a box): there exact predicates
 * decide.
 * See docs/numerics.md.
 */
import { transposedWeights } from "../model/dense-kernel.ts";
import { pushAffine } from "../model/forward.ts";
import { perObject } from "../model/per-object.ts";
import { type AffineStep, applyStack, type PiecewiseStep, type StackStep, type Step } from "../model/steps.ts";
import { MIN_NORMAL, NumericalRefusal, refuseOutOfRange } from "./refusal.ts";

export const EPS = 2 ** -53;

/** Branches in flight: saved maps and their error bounds (see steps.ts, stack steps). */
export interface Branches {
  maps: Float64Array[];
  errs: Float64Array[];
}

export function maxAbs(x: Float64Array, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/**
 * Local rounding bound of an affine push y = A x + b, per channel: the dot products' rounding
 * (n+2 unit roundoffs of sum |A_ij x_j|, bounded with the norm) plus the bias addition. A channel
 * is exact when the input channel has at most one non-zero entry, a power of two (+-1: the
 * coordinate axes of a box), or none, so first-layer lines in a box are exact.
 */
export function affineError(step: AffineStep, x: Float64Array, y: Float64Array, yErr: Float64Array, norm: number, channels: number): void {
  const n = step.inSize;
  const gamma = (n + 2) * EPS;
  const wMin = smallestWeight(step);
  for (let c = 0; c < channels; c++) {
    let nonzero = 0;
    let unit = true;
    let largest = 0;
    let smallest = Infinity;
    for (let j = c * n; j < (c + 1) * n; j++) {
      const v = x[j];
      if (v !== 0) {
        nonzero++;
        // A power of two times a weight is exact (1 and -1 in a box; the line engine's scaled axes).
        if (unit && v !== 1 && v !== -1 && !powerOfTwo(v)) unit = false;
        const a = Math.abs(v);
        largest = Math.max(largest, a);
        smallest = Math.min(smallest, a);
      }
    }
    yErr[c] = channelError(step, c, nonzero, unit, largest, smallest, wMin, norm, gamma, y);
  }
}

/**
 * Channel c's bound after affine step `step` (output y), from a scan of its input: how many
 * entries are non-zero, whether each is 1, -1 or a power of two (`unit`), the largest and smallest
 * |entry|. affineError scans in JavaScript; the space engine's kernel scans in its product call.
 */
export function channelError(
  step: AffineStep,
  c: number,
  nonzero: number,
  unit: boolean,
  largest: number,
  smallest: number,
  wMin: number,
  norm: number,
  gamma: number,
  y: Float64Array,
): number {
  // A product below 2^-1022 rounds absolutely (to a subnormal, or to 0): the relative bound below
  // would not hold, and a coefficient could vanish unseen. Say so instead.
  if (smallest * wMin < MIN_NORMAL)
    throw new NumericalRefusal(
      `products of weights and values fall below float64's normal range (2^-1022) in an affine layer (${wMin} times ${smallest}): its regions cannot be computed exactly; rescale the weights or the domain`,
    );
  const exact = nonzero === 0 || (nonzero === 1 && unit && (c > 0 || biasMax(step) === 0));
  return exact ? 0 : norm * gamma * largest + (c === 0 ? 2 * EPS * maxAbs(y, 0, step.outSize) : 0);
}

/** Whether |x| is a power of two (a normal one: subnormals are refused where they matter) or infinite. */
function powerOfTwo(x: number): boolean {
  // From the bits (Math.log2 was 1.5% of the space engine): a non-zero exponent and a zero
  // fraction, the same numbers as |x| >= 2^-1022 && |x| === 2 ** Math.round(Math.log2(|x|)).
  bitsOf[0] = x;
  const high = bitWords[HIGH];
  return (high & 0x7ff00000) !== 0 && (high & 0xfffff) === 0 && bitWords[1 - HIGH] === 0;
}
const bitsOf = new Float64Array(1);
const bitWords = new Uint32Array(bitsOf.buffer);
/** The index of the word holding the sign and exponent (1 on little-endian machines). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Error bounds through a stack step (mirrors applyStack on the maps). */
export function stackError(step: StackStep, map: Float64Array, err: Float64Array, errs: Float64Array[], channels: number): Float64Array {
  switch (step.kind) {
    case "save":
      errs.push(err.slice());
      return err;
    case "swap": {
      const top = errs.pop() as Float64Array;
      errs.push(err.slice());
      return top;
    }
    case "drop":
      return errs.pop() as Float64Array;
    case "add-saved": {
      // The sum of two computed maps: both their bounds, and the addition's rounding.
      const top = errs.pop() as Float64Array;
      const n = step.size;
      return Float64Array.from({ length: channels }, (_, c) => err[c] + top[c] + 4 * EPS * maxAbs(map, c * n, (c + 1) * n));
    }
    case "concat-saved": {
      const top = errs.pop() as Float64Array;
      return Float64Array.from({ length: channels }, (_, c) => Math.max(err[c], top[c]));
    }
  }
}

/** Smallest non-zero |weight| of a step with an explicit matrix (Infinity without one), once per step. */
export const smallestWeight = perObject((step: AffineStep): number => {
  let m = Infinity;
  if (step.weight) for (const w of step.weight) if (w !== 0) m = Math.min(m, Math.abs(w));
  return m;
});

/** affineNormInf, computed once per step. */
export const normInfOf = perObject((step: AffineStep) => affineNormInf(step));

/** Max row sum of |A|: from the matrix when explicit, else probed with sign vectors (x2 margin). */
export function affineNormInf(step: AffineStep): number {
  const n = step.inSize;
  const m = step.outSize;
  if (step.weight) {
    let best = 0;
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += Math.abs(step.weight[i * n + j]);
      best = Math.max(best, row);
    }
    return best;
  }
  const x = new Float64Array(n);
  const y = new Float64Array(m);
  let best = 0;
  let seed = 12345;
  for (let probe = 0; probe < 8; probe++) {
    for (let j = 0; j < n; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      x[j] = probe === 0 ? 1 : seed & 0x10000 ? 1 : -1;
    }
    step.applyLinear(x, 0, y, 0);
    best = Math.max(best, maxAbs(y));
  }
  return 2 * best;
}

/** max |bias| of a dense step, computed once per step (like its norm, map-error.ts). */
export const biasMax = perObject((step: AffineStep) => maxAbs(step.bias));

/** Largest |entry| of each column of a dense step's transposed weight, computed once per step. */
export const columnMaxima = perObject((step: AffineStep): Float64Array => {
  const WT = transposedWeights(step);
  const m = step.outSize;
  const max = new Float64Array(WT.length / m);
  for (let j = 0; j < max.length; j++) {
    let best = 0;
    for (let i = 0; i < m; i++) {
      const aw = Math.abs(WT[j * m + i]);
      if (aw > best) best = aw;
    }
    max[j] = best;
  }
  return max;
});

/** Largest |slope| of a piecewise step's pieces (1 for max units): how it scales errors. */
export const largestSlope = perObject((step: PiecewiseStep): number => {
  if (step.kind !== "elementwise") return 1;
  let m = 0;
  for (const s of step.slopes) m = Math.max(m, Math.abs(s));
  return m;
});

/** Where an engine's walk over non-piecewise steps stands: reused, never kept. */
export interface Walk {
  s: number;
  map: Float64Array;
  err: Float64Array;
  stack: Branches | null;
  /** The domain's largest |coordinate| in the map's parameters (0: not checked). */
  reach?: number;
  /**
   * A faster range check of a map (the line engine's, in WebAssembly): true when every value is
   * finite and normal and, for a reach > 0, no non-zero slope times it is under 2^-1022 (the
   * underflow test below); false sends the map through the tests that name the problem.
   */
  inRange?: (map: Float64Array, reach: number) => boolean;
  /**
   * The affine step that made the map, and its input, when it was the walk's last step (for
   * per-unit bounds, unit-error.ts); null when the walk ran no step or ended with a stack step.
   */
  lastAffine?: AffineStep | null;
  lastInput?: Float64Array;
  /**
   * Set when the walk's input map is itself only known within `err` of the exact one (a segment
   * whose direction p1 - p0 is not a double, line-frame.ts, or a rounded slice). The first step
   * then leaves no per-unit source (`lastAffine` null: unit-error.ts's local bounds would leave
   * that error out). Cleared by the first step.
   */
  inputErr?: boolean;
  /**
   * The bounds are relative to the exact map, not to the computed predecessor: every affine step
   * adds what its input's bound becomes through its weights (|A|_inf times it) and says how much
   * that was here (per channel), which per-unit bounds (local, unit-error.ts) add.
   */
  carried: Float64Array;
}

/**
 * Run affine and stack steps from walk.s until a piecewise step or the end, updating the walk in
 * place: the maps (channels wide) with their rounding bounds. Affine outputs go to the per-step
 * buffers `out`/`outErr`, which stay valid while deeper steps run (depth-first engines).
 */
export function walkAffine(steps: readonly Step[], walk: Walk, channels: number, out: Float64Array[], outErr: Float64Array[]): void {
  walk.lastAffine = null;
  for (;;) {
    if (walk.s === steps.length) {
      finite(walk, channels, steps);
      return;
    }
    const step = steps[walk.s];
    const inputErr = walk.inputErr === true;
    if (inputErr) walk.inputErr = false;
    if (step.kind === "affine") {
      pushAffine(step, walk.map, out[walk.s], channels);
      const norm = normInfOf(step);
      affineError(step, walk.map, out[walk.s], outErr[walk.s], norm, channels);
      addInputError(step, norm, walk.err, outErr[walk.s], channels, walk.carried);
      walk.lastAffine = inputErr ? null : step;
      walk.lastInput = walk.map;
      walk.map = out[walk.s];
      walk.err = outErr[walk.s];
    } else if (step.kind === "elementwise" || step.kind === "max") {
      finite(walk, channels, steps);
      return;
    } else {
      walk.lastAffine = null;
      const stack = walk.stack ? { maps: walk.stack.maps.slice(), errs: walk.stack.errs.slice() } : { maps: [], errs: [] };
      walk.err = stackError(step, walk.map, walk.err, stack.errs, channels);
      saturate(walk.err, channels);
      walk.map = applyStack(step, walk.map, stack.maps, channels);
      walk.stack = stack;
    }
    walk.s++;
  }
}

/**
 * yErr += |A|_inf * xErr per channel: an input known within xErr moves the output by at most
 * that. Widened by (n + 16) roundoffs for the rounding of the norm (a sum of n terms), of this
 * product and of the sum.
 */
function addInputError(step: AffineStep, norm: number, xErr: Float64Array, yErr: Float64Array, channels: number, carried: Float64Array): void {
  const widen = 1 + (step.inSize + 16) * EPS;
  // This step's own rounding out of range (its products overflow) is refused where the walk
  // stops, as before; only a carried bound that outgrows float64 is saturated.
  let local = true;
  for (let c = 0; c < channels; c++) if (!Number.isFinite(yErr[c])) local = false;
  for (let c = 0; c < channels; c++) {
    carried[c] = xErr[c] !== 0 ? norm * xErr[c] * widen : 0;
    if (xErr[c] !== 0) yErr[c] = (yErr[c] + norm * xErr[c]) * widen;
  }
  if (local) saturate(yErr, channels);
  saturate(carried, channels);
}

/**
 * The largest bound a walk carries (Walk.carried). A bound relative to the exact map grows
 * like |W|_inf per layer and can pass float64's range in very deep networks while the values do
 * not; it is not refused then: every channel's bound becomes this, at least every finite |value|,
 * so that no decision is taken from the map (all go to the exact maps), and stays so downward.
 */
export const SATURATED = Number.MAX_VALUE;

/** Where one channel's bound is not below SATURATED (or not finite), all channels' are SATURATED. */
export function saturate(err: Float64Array, channels: number): void {
  for (let c = 0; c < channels; c++) {
    if (!(err[c] < SATURATED)) {
      err.fill(SATURATED, 0, channels);
      return;
    }
  }
}

/** Where an engine's walk stops (a piecewise step, or the output), the map and its bounds must be finite. */
function finite(walk: Walk, channels: number, steps: readonly Step[]): void {
  // Nearly always: the fast range check passes, the bounds are finite and no underflow scan is
  // due, and nothing below would refuse (no message is built: this runs once per piece).
  const small = walk.reach && walk.reach < 1 ? walk.reach : 0;
  const mapInRange = walk.inRange !== undefined ? walk.inRange(walk.map, small) : valuesInRange(walk.map) && !(small > 0 && smallestSlope(walk.map, channels) * small < MIN_NORMAL);
  if (mapInRange && finiteValues(walk.err, channels)) return;
  const where = walk.s === steps.length ? "in the output" : `before step ${walk.s + 1} (${steps[walk.s].kind})`;
  if (walk.inRange === undefined || !walk.inRange(walk.map, 0)) refuseOutOfRange(walk.map, walk.map.length, where);
  refuseOutOfRange(walk.err, channels, `${where} (their rounding bounds)`, false);
  // Every value is now normal (at least 2^-1022 when non-zero): times a reach of 1 or more, a
  // slope cannot fall below it, so only a smaller reach needs the scan.
  if (walk.reach && walk.reach < 1) refuseUnderflow(walk.map, channels, walk.reach, where);
}

/** True when every value is finite and none is subnormal (refuseOutOfRange would pass them). */
function valuesInRange(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!(x - x === 0) || (Math.abs(x) < MIN_NORMAL && x !== 0)) return false;
  }
  return true;
}

/** True when values[0 .. length) are all finite (what refuseOutOfRange checks first). */
function finiteValues(values: Float64Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (!(values[i] - values[i] === 0)) return false;
  return true;
}

/** The smallest non-zero |coefficient| of a map's channels after the first (Infinity if none). */
function smallestSlope(map: Float64Array, channels: number): number {
  const n = map.length / channels;
  let smallest = Infinity;
  for (let i = n; i < map.length; i++) {
    const a = Math.abs(map[i]);
    if (a !== 0 && a < smallest) smallest = a;
  }
  return smallest;
}

/**
 * Refuse when a map's coefficient times the domain's size falls below 2^-1022: the engines
 * evaluate such products at vertices, and below that they round absolutely (a box of 1e-200 with
 * first-layer weights of 1e-200).
 */
export function refuseUnderflow(map: Float64Array, channels: number, reach: number, where: string): void {
  const smallest = smallestSlope(map, channels);
  if (smallest * reach < MIN_NORMAL)
    throw new NumericalRefusal(
      `the network's slopes times the domain's size fall below float64's normal range ${where} (${smallest} times ${reach}, under 2^-1022): its regions cannot be computed exactly; rescale the weights or the domain`,
    );
}
