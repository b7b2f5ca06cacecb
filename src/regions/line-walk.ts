/**
 * Counting one segment's activation regions in WebAssembly (line-walk.as, an AssemblyScript source
 * compiled by scripts/build-engine-wasm.ts), for `countSegments` on the common networks: dense
 * layers each followed by relu, and optionally a last dense layer (the output). The kernel walks
 * the segment as the line engine does when counting (first layer, breakpoints, crossings, rank-one
 * updates, propagated products) and keeps the segment's distinct patterns, certifying each
 * decision with a rounding bound against the exact maps; where a bound leaves anything open it
 * gives up (0) and line-segments.ts counts that segment with the LineEngine. So the counts are
 * the engine's, segment by segment (docs/numerics.md, "Segments counted in WebAssembly").
 * Without WebAssembly SIMD, `LineWalk.for` is null and the engine counts every segment.
 */
import type { Compiled } from "../model/forward.ts";
import type { AffineStep, Step } from "../model/steps.ts";
import { instantiateEmbedded } from "../model/wasm-module.ts";
import { lineFrame, localMapError } from "./line-frame.ts";
import { LINE_WALK_WASM_BASE64 } from "./line-walk-wasm.ts";
import { EPS } from "./map-error.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  reset(): void;
  alloc(bytes: number): number;
  configure(lay: number, k: number, n0: number, input: number, words: number, widest: number, outNorm: number, outBias: number, adjoint: number): void;
  measureCount(): number;
  levelCount(): number;
  segment(t0: number, t1: number, err0: number, err1: number): number;
  pieces(): number;
  pattern(): number;
}

/** A layer of the kernel as the last count left it (LineWalk.inspect, for tests). */
export interface WalkLayer {
  inSize: number;
  outSize: number;
  /** Its map on the segment's last piece: constant terms, slopes (outSize each). */
  a: Float64Array;
  b: Float64Array;
  /** Its own rounding per channel (against the exact product of its computed input). */
  l0: number;
  l1: number;
  /** Its whole bound per channel (the largest per unit where perUnit). */
  tt0: number;
  tt1: number;
  /** Whether its bound is carried per unit (then ea, eb per unit; else their values are stale). */
  perUnit: boolean;
  ea: Float64Array;
  eb: Float64Array;
  /** Its units' states on the last piece (1: on). */
  states: Uint8Array;
  /** Its outputs padded to a multiple of 8. */
  npad: number;
  /** Its map's largest |constant| and |slope| (as the last product or update left them). */
  maxA: number;
  maxB: number;
  /** Its last piece [lo +- dlo, hi +- dhi]. */
  lo: number;
  dlo: number;
  hi: number;
  dhi: number;
}

/** The kernel's per-layer record (line-walk.as): its size and the fields set here, in bytes. */
const STRIDE = 320;
const FIELD = {
  nin: 0,
  nout: 8,
  npad: 16,
  wt: 24,
  bias: 32,
  colmax: 40,
  norm: 48,
  biasMax: 56,
  small: 64,
  a: 72,
  b: 80,
  v: 88,
  evr: 96,
  evf: 104,
  evu: 112,
  word0: 120,
  nwords: 128,
  lo: 152,
  dlo: 160,
  hi: 168,
  dhi: 176,
  l0: 184,
  l1: 192,
  maxA: 248,
  maxB: 256,
  ea: 264,
  eb: 272,
  perUnit: 280,
  tt0: 288,
  tt1: 296,
  refreshAt: 304,
  absWt: 312,
};
/**
 * A layer's bound is carried per unit through the states (line-walk.as `carry`, an extra product of
 * |W| per layer and piece) where the state-blind one would grow by more than this from its input
 * to the last layer (the product of |W|_inf of the layers from it on), or its input's is per
 * unit: as line-carry.ts's TRACK, which the 4 layers of 128 of the 1,000-segment workload never reach
 * and deep narrow networks (He 2-16x24, 2-8x120) pass from their second layer.
 */
const TRACK = 2 ** 20;
/**
 * A layer's propagated or updated map is made again by a full product where its own rounding
 * bound grows past REFRESH_FAR times its last full product's. Where the state-blind bound would
 * grow past REFRESH_DEEP from the layer to the last (He 2-8x120's first 90 layers, none of He
 * 2-16x24's or the 1,000-segment workload's) it is REFRESH_NEAR, 1: always a full product (the
 * kernel then makes no update first). There the adjoint measure runs deep below, and its chains end
 * sooner on the smaller roundings (He 2-8x120: a quarter fewer levels made with 4; line-deep-many
 * 0.95 with 4, 0.87 with 2, 0.85 with 1); elsewhere full products cost more than they save (He
 * 2-16x24 1.05, the 1,000-segment workload 1.03 with 4 on every layer). Only a cost: every bound
 * holds with any threshold.
 */
const REFRESH_NEAR = 1;
const REFRESH_FAR = 16;
const REFRESH_DEEP = 2 ** 64;
/** The widest network (units per layer) whose segments the kernel measures with the adjoint bound (four chains of up to 65 levels, each two widest x widest matrices). */
const ADJOINT_WIDEST = 32;
/**
 * 2^-900: a non-zero value below this (times the next layer's smallest weight) gives up. The
 * engine refuses values under 2^-1022; while every product and bias is 0 or above 2^-970 in
 * magnitude, its sums are multiples of 2^-1022 and never fall there.
 */
const GIVE_UP_BELOW = 2 ** -900;

/** Segments the kernel counted and gave up on (for tests and benches: the kernel ran, and its give-up path). */
export const walkRuns = { counted: 0, gaveUp: 0 };

let kernel: Kernel | null | undefined;
/**
 * Memory beyond which the instance is dropped after a count (a fresh one is cheap: the compiled
 * module is cached): a WebAssembly memory never shrinks, and a large network's weights and a
 * long segment's patterns would otherwise stay allocated for the life of the process.
 */
const KEEP_MEMORY_BYTES = 32 << 20;
/**
 * The network laid out last, the instance it was laid out in and where its input goes there: a
 * walk keeps its instance after `release` let it go, so a network is laid out again unless it
 * is the last one in this walk's own instance.
 */
let configured: { kernel: Kernel; compiled: Compiled; inputAt: number; lay: number } | null = null;

/**
 * The dense layers of a network the kernel serves (dense, relu, dense, relu, ... [, dense]), or
 * null: `layers` those followed by relu, `output` the last dense step (null when relu ends it).
 */
function denseReluLayers(steps: readonly Step[]): { layers: AffineStep[]; output: AffineStep | null; patternSteps: number[] } | null {
  const layers: AffineStep[] = [];
  const patternSteps: number[] = [];
  let hidden = 0;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    if (s % 2 === 0) {
      if (step.kind !== "affine" || step.weight === null) return null;
      layers.push(step);
    } else {
      if (step.kind !== "elementwise" || !isRelu(step.breakpoints, step.slopes, step.intercepts)) return null;
      if (step.size !== layers[layers.length - 1].outSize) return null;
      patternSteps.push(s);
      hidden++;
    }
  }
  if (hidden === 0) return null;
  const output = layers.length > hidden ? (layers.pop() as AffineStep) : null;
  return { layers, output, patternSteps };
}

function isRelu(breakpoints: Float64Array, slopes: Float64Array, intercepts: Float64Array): boolean {
  return (
    breakpoints.length === 1 &&
    breakpoints[0] === 0 &&
    slopes.length === 2 &&
    slopes[0] === 0 &&
    slopes[1] === 1 &&
    intercepts.length === 2 &&
    intercepts[0] === 0 &&
    intercepts[1] === 0
  );
}

/** The smallest non-zero |weight| (Infinity when none). */
function smallestWeight(w: Float64Array): number {
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    if (a !== 0 && a < m) m = a;
  }
  return m;
}

/** Lays the network out in the kernel's memory (once per network): where its input and its layers' records go, null when it does not qualify. */
function configure(k: Kernel, compiled: Compiled): { inputAt: number; lay: number } | null {
  const found = denseReluLayers(compiled.steps);
  if (found === null) return null;
  const { layers, output, patternSteps } = found;
  k.reset();
  const lay = k.alloc(layers.length * STRIDE);
  const at: { wt: number; bias: number; colmax: number; npad: number }[] = [];
  let widest = compiled.inputSize;
  const records: Record<string, number>[] = [];
  for (let l = 0; l < layers.length; l++) {
    const step = layers[l];
    const npad = Math.ceil(step.outSize / 8) * 8;
    widest = Math.max(widest, npad, step.inSize);
    const r = {
      wt: k.alloc(8 * step.inSize * npad),
      bias: k.alloc(8 * npad),
      colmax: k.alloc(8 * step.inSize),
      a: k.alloc(8 * npad),
      b: k.alloc(8 * npad),
      v: k.alloc(8 * npad),
      evr: k.alloc(8 * step.outSize),
      evf: k.alloc(8 * step.outSize),
      evu: k.alloc(4 * step.outSize),
      ea: k.alloc(8 * npad),
      eb: k.alloc(8 * npad),
    };
    records.push(r);
    at.push({ wt: r.wt, bias: r.bias, colmax: r.colmax, npad });
  }
  const inputAt = k.alloc(16 * compiled.inputSize);
  let outNorm = 0;
  let outBias = 0;
  if (output !== null) {
    const w = output.weight as Float64Array;
    for (let i = 0; i < output.outSize; i++) {
      let row = 0;
      for (let j = 0; j < output.inSize; j++) row += Math.abs(w[i * output.inSize + j]);
      outNorm = Math.max(outNorm, row);
      outBias = Math.max(outBias, Math.abs(output.bias[i]));
      if (output.bias[i] !== 0 && Math.abs(output.bias[i]) < GIVE_UP_BELOW) return null;
    }
    outNorm *= 1 + (output.inSize + 8) * EPS;
  }
  // The adjoint bound (line-walk.as measure) where its matrices are small and its absolute losses
  // stay under 2^-990 (every |W| at most 2^50).
  let adjoint = widest <= ADJOINT_WIDEST;
  for (const step of layers) adjoint &&= !(step.weight as Float64Array).some((w) => !(Math.abs(w) <= 2 ** 50));
  k.configure(lay, layers.length, compiled.inputSize, inputAt, compiled.layout.words, widest, outNorm, outBias, adjoint ? 1 : 0);
  // Views after every alloc (a growth replaces the buffer).
  const f64 = new Float64Array(k.memory.buffer);
  const i32 = new Int32Array(k.memory.buffer);
  f64.fill(0, lay / 8, (lay + layers.length * STRIDE) / 8);
  const norms: number[] = [];
  for (let l = 0; l < layers.length; l++) {
    const step = layers[l];
    const w = step.weight as Float64Array;
    const { wt, bias, colmax, npad } = at[l];
    const n = step.inSize;
    const m = step.outSize;
    f64.fill(0, wt / 8, wt / 8 + n * npad);
    f64.fill(0, bias / 8, bias / 8 + npad);
    let norm = 0;
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) {
        const x = w[i * n + j];
        // panels of 8 outputs: outputs 8b .. 8b + 7 of input j together, the inputs in order
        f64[wt / 8 + (i >> 3) * 8 * n + 8 * j + (i & 7)] = x;
        row += Math.abs(x);
      }
      norm = Math.max(norm, row);
    }
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let i = 0; i < m; i++) c = Math.max(c, Math.abs(w[i * n + j]));
      f64[colmax / 8 + j] = c;
    }
    let biasMax = 0;
    for (let i = 0; i < npad; i++) {
      // A dead unit (a zero row and a zero bias) is 0 on every input, and so off, as is the
      // padding: both get the bias -1 (their map is -1 exactly, off on every piece, never crossed;
      // off, their value is never read). biasMax is the real biases' (the bound of the others).
      let dead = i >= m || step.bias[i] === 0;
      for (let j = 0; j < n && dead && i < m; j++) dead = w[i * n + j] === 0;
      f64[bias / 8 + i] = dead ? -1 : step.bias[i];
      if (i < m) biasMax = Math.max(biasMax, Math.abs(step.bias[i]));
    }
    const nextStep = l + 1 < layers.length ? layers[l + 1] : output;
    const next = nextStep !== null ? smallestWeight(nextStep.weight as Float64Array) : Number.POSITIVE_INFINITY;
    const rec = lay + l * STRIDE;
    const r = records[l];
    i32[(rec + FIELD.nin) / 4] = n;
    i32[(rec + FIELD.nout) / 4] = m;
    i32[(rec + FIELD.npad) / 4] = npad;
    i32[(rec + FIELD.wt) / 4] = wt;
    i32[(rec + FIELD.bias) / 4] = bias;
    i32[(rec + FIELD.colmax) / 4] = colmax;
    // The row sums rounded (n additions of exact terms), so widened.
    f64[(rec + FIELD.norm) / 8] = norm * (1 + (n + 8) * EPS);
    norms.push(norm * (1 + (n + 8) * EPS));
    f64[(rec + FIELD.biasMax) / 8] = biasMax;
    f64[(rec + FIELD.small) / 8] = Math.max(GIVE_UP_BELOW, GIVE_UP_BELOW / next);
    // Biases must be 0 or above it too (the same reason).
    for (let i = 0; i < m; i++) if (step.bias[i] !== 0 && Math.abs(step.bias[i]) < GIVE_UP_BELOW) return null;
    i32[(rec + FIELD.a) / 4] = r.a;
    i32[(rec + FIELD.b) / 4] = r.b;
    i32[(rec + FIELD.v) / 4] = r.v;
    i32[(rec + FIELD.evr) / 4] = r.evr;
    i32[(rec + FIELD.evf) / 4] = r.evf;
    i32[(rec + FIELD.evu) / 4] = r.evu;
    i32[(rec + FIELD.word0) / 4] = compiled.layout.stepBit[patternSteps[l]] / 32;
    i32[(rec + FIELD.nwords) / 4] = Math.ceil(m / 32);
    i32[(rec + FIELD.ea) / 4] = r.ea;
    i32[(rec + FIELD.eb) / 4] = r.eb;
  }
  // Per unit from the first layer whose input's bound would grow past TRACK by the last (never
  // the first layer: its input, the segment, has no states).
  let growth = 1;
  const grows = new Array<number>(layers.length).fill(0);
  for (let l = layers.length - 1; l >= 1; l--) {
    growth *= norms[l];
    grows[l] = growth;
  }
  let perUnit = false;
  for (let l = 1; l < layers.length; l++) {
    perUnit = perUnit || !(grows[l] <= TRACK);
    i32[(lay + l * STRIDE + FIELD.perUnit) / 4] = perUnit ? 1 : 0;
  }
  for (let l = 0; l < layers.length; l++) f64[(lay + l * STRIDE + FIELD.refreshAt) / 8] = grows[l] > REFRESH_DEEP ? REFRESH_NEAR : REFRESH_FAR;
  // |W| in the weights' panels for carry, on the carried layers only (laid out after the rest, so
  // a network that never carries keeps the layout it had)
  for (let l = 1; l < layers.length; l++) {
    if (new Int32Array(k.memory.buffer)[(lay + l * STRIDE + FIELD.perUnit) / 4] === 0) continue;
    const size = layers[l].inSize * at[l].npad;
    const absWt = k.alloc(8 * size);
    // (views again after the alloc: a growth replaces the buffer)
    const f = new Float64Array(k.memory.buffer);
    for (let x = 0; x < size; x++) f[absWt / 8 + x] = Math.abs(f[at[l].wt / 8 + x]);
    new Int32Array(k.memory.buffer)[(lay + l * STRIDE + FIELD.absWt) / 4] = absWt;
  }
  return { inputAt, lay };
}

/** The kernel for one network: `count` gives a segment's regions, or 0 where the engine must count it. */
export class LineWalk {
  private readonly n0: number;
  private readonly local: Float64Array;
  private readonly err = new Float64Array(2);
  private readonly firstSmallest: number;

  private constructor(
    private readonly k: Kernel,
    private readonly compiled: Compiled,
  ) {
    this.n0 = compiled.inputSize;
    this.local = new Float64Array(2 * this.n0);
    this.firstSmallest = smallestWeight((compiled.steps[0] as AffineStep).weight as Float64Array);
  }

  /** The kernel for this network, or null (not dense/relu, or no WebAssembly SIMD). */
  static for(compiled: Compiled): LineWalk | null {
    if (kernel === undefined) kernel = instantiateEmbedded<Kernel>(LINE_WALK_WASM_BASE64);
    if (kernel === null) return null;
    if (denseReluLayers(compiled.steps) === null) return null;
    return new LineWalk(kernel, compiled);
  }

  /**
   * The activation regions of the segment map = (p0, p1 - p0 rounded), residual its rounding
   * (line-path.ts segmentMap), of Euclidean length `length`; 0 when the kernel gave up.
   */
  count(map: Float64Array, residual: Float64Array, length: number): number {
    const k = this.k;
    if (configured === null || configured.kernel !== k || configured.compiled !== this.compiled) {
      configured = null;
      const at = configure(k, this.compiled);
      if (at === null) return 0;
      configured = { kernel: k, compiled: this.compiled, ...at };
    }
    const n0 = this.n0;
    const local = this.local;
    const frame = lineFrame(map, n0, length, local, residual);
    // A reach under 1 needs the engine's underflow checks of slopes times it.
    if (!(Math.max(Math.abs(frame.t0), Math.abs(frame.t1)) >= 1)) return this.gaveUp();
    const err = this.err;
    err[0] = 0;
    err[1] = 0;
    if (frame.inexact) localMapError(n0, frame, residual, err);
    // The first layer's products must stay in float64's normal range (the engine refuses otherwise).
    for (let i = 0; i < 2 * n0; i++) {
      const x = Math.abs(local[i]);
      if (!(x < 2 ** 1000) || (x !== 0 && x * this.firstSmallest < GIVE_UP_BELOW)) return this.gaveUp();
    }
    new Float64Array(k.memory.buffer, configured.inputAt, 2 * n0).set(local);
    const regions = k.segment(frame.t0, frame.t1, err[0], err[1]);
    if (regions === 0) return this.gaveUp();
    walkRuns.counted++;
    return regions;
  }

  /**
   * For tests: layer l (0 .. the hidden layers - 1) as the last count left it, and the segment's
   * local map (c then e) it was given: copies.
   */
  inspect(l: number): { layer: WalkLayer; input: Float64Array } {
    const k = this.k;
    if (configured === null || configured.kernel !== k || configured.compiled !== this.compiled) throw new Error("inspect: count a segment first");
    const f64 = new Float64Array(k.memory.buffer);
    const i32 = new Int32Array(k.memory.buffer);
    const u32 = new Uint32Array(k.memory.buffer);
    const rec = configured.lay + l * STRIDE;
    const int = (f: number): number => i32[(rec + f) / 4];
    const num = (f: number): number => f64[(rec + f) / 8];
    const outSize = int(FIELD.nout);
    const vec = (f: number): Float64Array => f64.slice(int(f) / 8, int(f) / 8 + outSize);
    const states = new Uint8Array(outSize);
    const word0 = int(FIELD.word0);
    const pat = k.pattern();
    for (let i = 0; i < outSize; i++) states[i] = (u32[pat / 4 + word0 + (i >> 5)] >>> (i & 31)) & 1;
    const layer: WalkLayer = {
      inSize: int(FIELD.nin),
      outSize,
      a: vec(FIELD.a),
      b: vec(FIELD.b),
      l0: num(FIELD.l0),
      l1: num(FIELD.l1),
      tt0: num(FIELD.tt0),
      tt1: num(FIELD.tt1),
      perUnit: int(FIELD.perUnit) !== 0,
      ea: vec(FIELD.ea),
      eb: vec(FIELD.eb),
      states,
      npad: int(FIELD.npad),
      maxA: num(FIELD.maxA),
      maxB: num(FIELD.maxB),
      lo: num(FIELD.lo),
      dlo: num(FIELD.dlo),
      hi: num(FIELD.hi),
      dhi: num(FIELD.dhi),
    };
    return { layer, input: f64.slice(configured.inputAt / 8, configured.inputAt / 8 + 2 * this.n0) };
  }

  /** The adjoint measures the kernel made since it was made (for tests and benches). */
  measures(): number {
    return this.k.measureCount();
  }

  /** The adjoint chains' levels the kernel made (not kept from an earlier measure) since it was made. */
  levelsMade(): number {
    return this.k.levelCount();
  }

  /** Lets a large instance go (countSegments calls it when done). */
  release(): void {
    if (kernel && kernel.memory.buffer.byteLength > KEEP_MEMORY_BYTES) {
      kernel = undefined;
      configured = null;
    }
  }

  /** The pieces of the segment last counted (the engine emits as many, each a budget's cell). */
  pieces(): number {
    return this.k.pieces();
  }

  private gaveUp(): number {
    walkRuns.gaveUp++;
    return 0;
  }
}
