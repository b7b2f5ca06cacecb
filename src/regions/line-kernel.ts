/**
 * The line engine's per-step buffers and its hot operations on them: the midpoint test of units
 * with one breakpoint at 0, the product into the next dense step after an elementwise step, and
 * the rank-one updates of that product between sub-pieces.
 *
 * Where WebAssembly SIMD is available the buffers live in the memory of the engine's own
 * instance of the dense kernel (model/dense-kernel.wat) with the weights beside them, so a map
 * goes from the product to the tests and updates of the next pieces without a copy. Elsewhere
 * they are plain arrays and the same operations run in JavaScript. Both give the same bits: the
 * products and updates are the same operations in the same order, and the midpoint test only
 * decides which units the exact tests in line.ts look at, never their result.
 */
import { type LineKernelExports, lineKernelInstance, transposedWeights } from "../model/dense-kernel.ts";
import type { Compiled } from "../model/forward.ts";
import { setStepStates } from "../model/pattern.ts";
import { type AffineStep, type PiecewiseStep, unitCount } from "../model/steps.ts";
import { growMemory } from "../model/wasm-module.ts";

/** Buffers of one piecewise step (a depth-first walk has one live piece per step). */
export interface StepBuffers {
  /** State of each unit on the current sub-piece. */
  states: Uint8Array;
  /** Map after the step (2 channels), or after the dense step fused with it. */
  map: Float64Array;
  /** Units the midpoint test leaves to the exact tests. */
  undecided: Int32Array;
  /** Largest |entry| per channel of a rank-one update's result (rankOne). */
  big: Float64Array;
  /** Largest |output of the step| per channel, from productAfterElementwise. */
  largest: Float64Array;
  /**
   * scan's range flags of `map` (1 non-finite, 2 subnormal) as its last writer in WebAssembly
   * (the product after a relu step, a rank-one update) found them; -1 when map was written
   * otherwise (JavaScript, or a product that does not compute them).
   */
  rangeFlags: Int32Array;
  /** The propagated product's largest |u| over the active units and largest |v| (propagate). */
  stats: Float64Array;
}

interface Layout {
  compiled: Compiled;
  buffers: (StepBuffers | undefined)[];
  /** The activation pattern of the current piece (layout.words). */
  pattern: Uint32Array;
  /** The memory's buffer when the layout was made (it changes only when the memory grows). */
  memory: ArrayBuffer | null;
  patternAt: number;
  /** Where calls take their double arguments (WebAssembly only; 4 doubles), and a view of them. */
  argsAt: number;
  args: Float64Array;
  /** Per step, the last input z found in the memory (LineKernel.input; WebAssembly only). */
  resident: (Float64Array | null)[];
  /** Byte offsets per step (WebAssembly only). */
  at: {
    z: number;
    states: number;
    undecided: number;
    map: number;
    wt: number;
    bias: number;
    slopes: number;
    intercepts: number;
    active: number;
    x0: number;
    x1: number;
    largest: number;
    big: number;
    flags: number;
    /** The propagated product's output direction v (out doubles), the previous piece's states, its stats. */
    dir: number;
    prev: number;
    stats: number;
    /**
     * A relu step (slopes 0 and 1, intercepts 0) whose fused dense step has no bias of -0: its
     * product reads the active units' values from z itself (gatherRelu, dense2z), the same sums.
     */
    relu: boolean;
  }[];
}

let wasm: LineKernelExports | null | undefined;
/** The layout now in the instance's memory (one network's at a time). */
let current: Layout | null = null;

/** The dense step fused after piecewise step s (a dense step with an explicit weight), or null. */
function fusedDense(compiled: Compiled, s: number): AffineStep | null {
  const next = compiled.steps[s + 1];
  return next !== undefined && next.kind === "affine" && next.weight !== null ? next : null;
}

function outSizeOf(compiled: Compiled, s: number, step: PiecewiseStep): number {
  return fusedDense(compiled, s)?.outSize ?? unitCount(step);
}

function inSizeOf(step: PiecewiseStep): number {
  return step.kind === "elementwise" ? step.size : step.inSize;
}

export class LineKernel {
  private layout: Layout;
  private readonly wasm: LineKernelExports | null;

  constructor(private readonly compiled: Compiled) {
    if (wasm === undefined) wasm = lineKernelInstance();
    this.wasm = wasm;
    this.layout = this.wasm === null ? jsLayout(compiled) : current?.compiled === compiled ? current : wasmLayout(this.wasm, compiled);
  }

  /**
   * The buffers of every step and the pattern of the current piece, laid out again if another
   * network has used the memory since.
   */
  claim(): { buffers: (StepBuffers | undefined)[]; pattern: Uint32Array } {
    if (this.wasm !== null && current !== this.layout) this.layout = wasmLayout(this.wasm, this.compiled);
    return this.layout;
  }

  /** The pattern's bits of step s = the step's states (setStepStates, model/pattern.ts), unless the product just packed them. */
  setStepStates(s: number): void {
    if (this.packed === s) {
      this.packed = -1;
      return;
    }
    const layout = this.compiled.layout;
    const at = this.packAt(s);
    if (at < 0) {
      setStepStates(layout, this.layout.pattern, 0, s, (this.layout.buffers[s] as StepBuffers).states);
      return;
    }
    (this.wasm as LineKernelExports).pack1(this.layout.at[s].states, layout.stepUnits[s], at);
  }

  /** The step whose states the last product packed into the pattern (relu2), -1 if none since. */
  private packed = -1;

  /** Where pack1 writes step s's states in the memory, or -1 where it cannot (setStepStates in JavaScript). */
  private packAt(s: number): number {
    const layout = this.compiled.layout;
    const first = layout.stepBit[s];
    if (this.wasm === null || layout.stepBits[s] !== 1 || (first & 31) !== 0) return -1;
    return this.layout.patternAt + 4 * (first >>> 5);
  }

  /**
   * Where a caller puts the double arguments of decideAtZero (4 doubles; valid until the next
   * claim): written in place, they are never boxed, as numbers passed to a call can be.
   */
  get args(): Float64Array {
    return this.layout.args;
  }

  /**
   * Midpoint test of units with one breakpoint at 0 on a piece (line.ts gives the bounds tm, kb,
   * ka, kc in args[0..3]): writes the states of the decided units (and a provisional one of the
   * others) and lists the undecided ones in the step's buffer; returns how many. With `keep`
   * (WebAssembly only), the states as they were are kept first, for propagate.
   */
  decideAtZero(s: number, z: Float64Array, n: number, keep: boolean): number {
    const b = this.layout.buffers[s] as StepBuffers;
    const args = this.layout.args;
    if (this.wasm === null) return decideAtZeroJs(z, n, args[0], args[1], args[2], args[3], b.states, b.undecided);
    const at = this.layout.at[s];
    return this.wasm.decide0(this.input(s, z), n, this.layout.argsAt, at.states, at.undecided, keep ? at.prev : -1);
  }

  /**
   * The step's map = its fused dense step after elementwise step s in the step's states, from
   * the step's input z. Returns the largest |output of step s| per channel, or null where it
   * must be done in JavaScript (no WebAssembly), doing nothing.
   */
  productAfterElementwise(s: number, z: Float64Array, n: number, dense: AffineStep): Float64Array | null {
    if (this.wasm === null) return null;
    const at = this.layout.at[s];
    const k = this.wasm;
    const input = this.input(s, z);
    const b = this.layout.buffers[s] as StepBuffers;
    if (at.relu) {
      // The states are final here (the exact tests have run): packed into the pattern in the same call.
      const pack = this.packAt(s);
      k.relu2(input, n, at.states, at.active, at.largest, at.wt, dense.outSize, at.bias, at.map, at.flags, pack);
      this.packed = pack >= 0 ? s : -1;
    } else {
      const count = k.gather2(input, n, at.states, at.slopes, at.intercepts, at.active, at.x0, at.x1, at.largest);
      k.dense2(at.wt, dense.outSize, at.bias, at.active, count, at.x0, at.x1, at.map);
      b.rangeFlags[0] = -1;
      this.packed = -1;
    }
    return b.largest;
  }

  /**
   * productAfterElementwise for a relu step s whose fused dense step has one output, when
   * counting (relu1: the same bound, not the same last bits): the largest |output of step s| per
   * channel, or null where it cannot (then productAfterElementwise).
   */
  productToOne(s: number, z: Float64Array, n: number, dense: AffineStep): Float64Array | null {
    if (this.wasm === null || dense.outSize !== 1) return null;
    const at = this.layout.at[s];
    if (!at.relu) return null;
    const pack = this.packAt(s);
    this.wasm.relu1(this.input(s, z), n, at.states, at.largest, at.wt, at.bias, at.map, at.flags, pack);
    this.packed = pack >= 0 ? s : -1;
    return (this.layout.buffers[s] as StepBuffers).largest;
  }

  /**
   * unit-error.ts's two sums for unit i of the dense step fused after elementwise step s, from
   * the step's input z (the same operations in the same order, in WebAssembly): into out[0..1];
   * false (nothing done) where it must be done in JavaScript.
   */
  unitSums(s: number, z: Float64Array, i: number, slope: number, intercept: number, out: Float64Array): boolean {
    if (this.wasm === null || z.buffer !== this.layout.memory) return false;
    const at = this.layout.at[s];
    const dense = this.compiled.steps[s + 1] as AffineStep;
    const args = this.layout.args;
    args[0] = slope;
    args[1] = intercept;
    this.wasm.unit2(at.wt, dense.outSize, i, dense.inSize, z.byteOffset, at.bias, this.layout.argsAt, this.layout.argsAt + 16);
    out[0] = args[2];
    out[1] = args[3];
    return true;
  }

  /** map(s) += W[:, j] (d0, d1) for the fused dense step; big(s) = the largest |entry| per channel after it. */
  rankOne(s: number, dense: AffineStep, j: number, d0: number, d1: number): Float64Array {
    const b = this.layout.buffers[s] as StepBuffers;
    const m = dense.outSize;
    if (this.wasm === null) {
      rankOneJs(transposedWeights(dense), j * m, m, d0, d1, b.map, b.big);
    } else {
      const at = this.layout.at[s];
      const args = this.layout.args;
      args[0] = d0;
      args[1] = d1;
      this.wasm.rank2(at.wt + 8 * j * m, m, this.layout.argsAt, at.map, at.big, at.flags);
    }
    return b.big;
  }

  /**
   * Whether step s's map may be propagated (propagate): WebAssembly, a relu step fused with a
   * dense step of a multiple of 8 outputs whose product reads the values from z (layout's relu).
   */
  canPropagate(s: number, dense: AffineStep): boolean {
    return this.wasm !== null && this.layout.at[s]?.relu === true && dense.outSize % 8 === 0;
  }

  /** Byte offset of column j of the dense step fused after step s (its weights of unit j's output), in the memory. */
  columnAt(s: number, j: number, dense: AffineStep): number {
    return this.layout.at[s].wt + 8 * j * dense.outSize;
  }

  /** Byte offset of step s's propagated direction v (propagate's output). */
  directionAt(s: number): number {
    return this.layout.at[s].dir;
  }

  /**
   * The propagated product (prop2, dense-kernel.wat): where step s's states equal the snapshot,
   * v = W (states * u) for the direction u at byte offset `u` (n doubles), and map(s) += v (d0, d1);
   * the stats and big of the step's buffers say how large u, v and the map are. False (nothing
   * done) where the states differ: then the full product.
   */
  propagate(s: number, u: number, n: number, dense: AffineStep, d0: number, d1: number): boolean {
    const k = this.wasm as LineKernelExports;
    const at = this.layout.at[s];
    const args = this.layout.args;
    args[0] = d0;
    args[1] = d1;
    // The states are final here: packed into the pattern in the same call (as relu2).
    const pack = this.packAt(s);
    if (k.prop2(u, n, at.states, at.prev, at.active, at.x0, at.wt, dense.outSize, at.dir, this.layout.argsAt, at.map, at.big, at.flags, at.stats, pack) !== 0) return false;
    this.packed = pack >= 0 ? s : -1;
    return true;
  }

  /** The last product's packing of the states is not the current step's (a map made again out of turn, line.ts refresh). */
  forgetPacked(): void {
    this.packed = -1;
  }

  /** Step s's map was written in JavaScript: its range flags are unknown (see StepBuffers.rangeFlags). */
  forgetRange(s: number): void {
    (this.layout.buffers[s] as StepBuffers).rangeFlags[0] = -1;
  }

  /**
   * inRange(map of step s, 0) from the flags its last writer left (StepBuffers.rangeFlags),
   * without another pass over it; scan where they are unknown.
   */
  stepMapInRange(s: number): boolean {
    const b = this.layout.buffers[s] as StepBuffers;
    const flags = b.rangeFlags[0];
    return flags >= 0 ? flags === 0 : this.inRange(b.map, 0);
  }

  /**
   * True when every value of `map` is finite and not subnormal and, for a reach > 0, no non-zero
   * slope (the second channel) times the reach is under 2^-1022; found in WebAssembly when the map
   * lives in the memory. False means "look again" (map-error.ts then says what is wrong).
   */
  inRange(map: Float64Array, reach = 0): boolean {
    // A few values (the output's map, once per piece) are checked here: cheaper than a call.
    if (map.length <= 8) {
      const half = map.length / 2;
      for (let i = 0; i < map.length; i++) {
        const x = map[i];
        if (!(x - x === 0) || (Math.abs(x) < 2 ** -1022 && x !== 0)) return false;
        if (reach > 0 && i >= half && x !== 0 && Math.abs(x) * reach < 2 ** -1022) return false;
      }
      return true;
    }
    if (this.wasm === null || map.buffer !== this.layout.memory) return false;
    this.layout.args[0] = reach;
    return this.wasm.scan(map.byteOffset, map.length, map.length / 2, this.layout.argsAt) === 0;
  }

  /**
   * Byte offset of z in the memory: z itself when it lives there, else its copy in the step's
   * input buffer. The step's last z that lives there is remembered (nearly always the same array:
   * the map of the step before), so most calls compare one reference.
   */
  private input(s: number, z: Float64Array): number {
    const layout = this.layout;
    if (z === layout.resident[s]) return z.byteOffset;
    const memory = layout.memory as ArrayBuffer;
    if (z.buffer === memory) {
      layout.resident[s] = z;
      return z.byteOffset;
    }
    const at = layout.at[s].z;
    new Float64Array(memory, at, z.length).set(z);
    return at;
  }
}

function jsLayout(compiled: Compiled): Layout {
  const buffers: (StepBuffers | undefined)[] = compiled.steps.map((step, s) => {
    if (step.kind !== "elementwise" && step.kind !== "max") return undefined;
    const units = unitCount(step);
    return {
      states: new Uint8Array(units),
      map: new Float64Array(2 * outSizeOf(compiled, s, step)),
      undecided: new Int32Array(inSizeOf(step)),
      big: new Float64Array(2),
      largest: new Float64Array(2),
      rangeFlags: Int32Array.of(-1),
      stats: new Float64Array(2),
    };
  });
  return { compiled, buffers, at: [], resident: [], pattern: new Uint32Array(compiled.layout.words), memory: null, patternAt: 0, argsAt: 0, args: new Float64Array(4) };
}

/** Places every step's buffers, weights and constants in the instance's memory. */
function wasmLayout(k: LineKernelExports, compiled: Compiled): Layout {
  let top = 0;
  const take = (bytes: number): number => {
    const at = top;
    top += (bytes + 15) & ~15;
    return at;
  };
  const at: Layout["at"] = [];
  const plan: { s: number; step: PiecewiseStep; dense: AffineStep | null; units: number; inSize: number; out: number }[] = [];
  compiled.steps.forEach((step, s) => {
    if (step.kind !== "elementwise" && step.kind !== "max") return;
    const dense = fusedDense(compiled, s);
    const units = unitCount(step);
    const inSize = inSizeOf(step);
    const out = outSizeOf(compiled, s, step);
    plan.push({ s, step, dense, units, inSize, out });
    at[s] = {
      z: take(16 * inSize),
      states: take(units),
      undecided: take(4 * inSize),
      map: take(16 * out),
      wt: dense === null ? 0 : take(8 * dense.inSize * dense.outSize),
      bias: dense === null ? 0 : take(8 * dense.outSize),
      slopes: step.kind === "elementwise" ? take(8 * step.slopes.length) : 0,
      intercepts: step.kind === "elementwise" ? take(8 * step.intercepts.length) : 0,
      active: take(4 * inSize),
      x0: take(8 * inSize),
      x1: take(8 * inSize),
      largest: take(16),
      big: take(16),
      flags: 0,
      dir: 0,
      prev: 0,
      stats: 0,
      relu: isRelu(step) && dense !== null && !dense.bias.some((b) => Object.is(b, -0)),
    };
  });
  // After every step's buffers, so their places are as they were before the flags (the products'
  // speed depends on where their arrays fall).
  for (const { s } of plan) at[s].flags = take(4);
  // The propagated product's buffers, after everything else for the same reason.
  for (const { s, units, out } of plan) {
    at[s].dir = take(8 * out);
    at[s].prev = take(units);
    at[s].stats = take(16);
  }
  const patternAt = take(4 * compiled.layout.words);
  const argsAt = take(32);
  growMemory(k.memory, top);
  const buf = k.memory.buffer;
  const buffers: (StepBuffers | undefined)[] = compiled.steps.map(() => undefined);
  for (const { s, step, dense, units, inSize, out } of plan) {
    const a = at[s];
    if (dense !== null) {
      new Float64Array(buf, a.wt, dense.inSize * dense.outSize).set(transposedWeights(dense));
      new Float64Array(buf, a.bias, dense.outSize).set(dense.bias);
    }
    if (step.kind === "elementwise") {
      new Float64Array(buf, a.slopes, step.slopes.length).set(step.slopes);
      new Float64Array(buf, a.intercepts, step.intercepts.length).set(step.intercepts);
    }
    buffers[s] = {
      states: new Uint8Array(buf, a.states, units),
      map: new Float64Array(buf, a.map, 2 * out),
      undecided: new Int32Array(buf, a.undecided, inSize),
      big: new Float64Array(buf, a.big, 2),
      largest: new Float64Array(buf, a.largest, 2),
      rangeFlags: new Int32Array(buf, a.flags, 1).fill(-1),
      stats: new Float64Array(buf, a.stats, 2),
    };
  }
  // Zeros where no step writes (past a step's last unit), as in a new array.
  const pattern = new Uint32Array(buf, patternAt, compiled.layout.words).fill(0);
  current = { compiled, buffers, at, resident: compiled.steps.map(() => null), pattern, memory: buf, patternAt, argsAt, args: new Float64Array(buf, argsAt, 4) };
  return current;
}

/**
 * Relu as an elementwise step: one breakpoint at 0, slopes 0 and 1, intercepts 0. In state 1 its
 * output is 1 z + 0 = z (but +0 for z = -0), in state 0 it is 0 in both channels.
 */
function isRelu(step: PiecewiseStep): boolean {
  if (step.kind !== "elementwise") return false;
  const { breakpoints: t, slopes, intercepts } = step;
  return t.length === 1 && t[0] === 0 && slopes[0] === 0 && slopes[1] === 1 && intercepts[0] === 0 && intercepts[1] === 0;
}

/** decide0 (dense-kernel.wat) in JavaScript: the same test, unit by unit. */
function decideAtZeroJs(z: Float64Array, n: number, tm: number, kb: number, ka: number, kc: number, states: Uint8Array, undecided: Int32Array): number {
  let count = 0;
  for (let j = 0; j < n; j++) {
    const a = z[j];
    const b = z[n + j];
    const fm = a + b * tm;
    const spread = Math.abs(b) * kb + Math.abs(a) * ka + kc;
    // The state without a branch on the sign (it goes either way for about half the units).
    states[j] = fm > 0 ? 1 : 0;
    if (!(Math.abs(fm) > spread)) undecided[count++] = j;
  }
  return count;
}

/** rank2 (dense-kernel.wat) in JavaScript. */
function rankOneJs(WT: Float64Array, col: number, m: number, d0: number, d1: number, out: Float64Array, big: Float64Array): void {
  let big0 = 0;
  let big1 = 0;
  for (let i = 0; i < m; i++) {
    const w = WT[col + i];
    const o0 = out[i] + w * d0;
    const o1 = out[m + i] + w * d1;
    out[i] = o0;
    out[m + i] = o1;
    big0 = Math.max(big0, Math.abs(o0));
    big1 = Math.max(big1, Math.abs(o1));
  }
  big[0] = big0;
  big[1] = big1;
}
