/**
 * The engines' hot product: next-layer maps out = bias + sum over active units j of
 * W[:, j] * x_j, for 3 channels (plane) or 2 (line), with W stored column-major (WT[j * m + i]).
 * Register-blocked: 4 outputs x all channels stay in local accumulators while the active units
 * stream past, so the outputs are read and written once instead of once per unit. The 3- and
 * 2-channel versions are written out separately on purpose: the accumulators must be locals.
 *
 * The products (8 outputs or more) run in WebAssembly SIMD (dense-kernel.wat) where available,
 * about 3.5x the JavaScript loop: same order of operations per output, so the same
 * bits (the engines' results must not depend on the kernel). The weights stay resident in the
 * module's memory (copied once per matrix); the inputs and outputs are copied per call, which is
 * small next to the product. WebAssembly is standard in browsers and Node, so the core stays
 * portable.
 */

import { DENSE_KERNEL_WASM_BASE64 } from "./dense-kernel-wasm.ts";
import { perObject } from "./per-object.ts";
import type { AffineStep } from "./steps.ts";
import { growMemory, instantiateEmbedded } from "./wasm-module.ts";

/** Column-major copy of a dense step's weight (WT[j * outSize + i]), made once per step. */
export const transposedWeights = perObject((step: AffineStep): Float64Array => {
  const W = step.weight as Float64Array;
  const n = step.inSize;
  const m = step.outSize;
  const WT = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) WT[j * m + i] = W[i * n + j];
  return WT;
});

interface Kernel extends LineKernelExports {
  memory: WebAssembly.Memory;
  dense3(wt: number, m: number, bias: number, active: number, count: number, x0: number, x1: number, x2: number, out: number): void;
  gather3(z: number, n: number, states: number, slopes: number, intercepts: number, active: number, x0: number, x1: number, x2: number, largest: number): number;
}

/** What the line engine calls in its own instance of the module (regions/line-kernel.ts). */
export interface LineKernelExports {
  memory: WebAssembly.Memory;
  dense2(wt: number, m: number, bias: number, active: number, count: number, x0: number, x1: number, out: number): void;
  gather2(z: number, n: number, states: number, slopes: number, intercepts: number, active: number, x0: number, x1: number, largest: number): number;
  gatherRelu(z: number, n: number, states: number, active: number, largest: number): number;
  /** 0 when its quick range test cleared every output (m a multiple of 8), else 1. */
  dense2z(wt: number, m: number, bias: number, active: number, count: number, x0: number, x1: number, out: number): number;
  /**
   * gatherRelu(z, n, states, active, largest), then dense2z(wt, m, bias, active, its count, z, z + 8 n, out);
   * scan's flags 1 and 2 of out[0 .. 2 m) as an i32 at flags; with pattern >= 0, pack1(states, n, pattern).
   */
  relu2(z: number, n: number, states: number, active: number, largest: number, wt: number, m: number, bias: number, out: number, flags: number, pattern: number): void;
  /**
   * relu2 for a dense step of one output (the weights' row at w), counting only: the units masked
   * by their states instead of listed, the sums in an order of their own; largest, flags and
   * pattern as relu2's.
   */
  relu1(z: number, n: number, states: number, largest: number, w: number, bias: number, out: number, flags: number, pattern: number): void;
  /** tm, kb, ka, kc at args (doubles), as in decideAtZero (regions/line-kernel.ts); with prev >= 0, the states copied there first. */
  decide0(z: number, n: number, args: number, states: number, undecided: number, prev: number): number;
  /** The per-unit bound's sums of unit i (regions/unit-error.ts); slope, intercept at args. */
  unit2(wt: number, m: number, i: number, n: number, z: number, bias: number, args: number, out: number): void;
  /** d0, d1 at args (doubles); scan's flags 1 and 2 of out[0 .. 2 m) after the update as an i32 at flags. */
  rank2(col: number, m: number, args: number, out: number, big: number, flags: number): void;
  pack1(states: number, n: number, out: number): void;
  /**
   * The propagated product (regions/line.ts, counting only): 1 (nothing written) when states differ
   * from prev or m % 8 is not 0; else v = W (states * u) at v (the active columns' byte offsets listed at
   * active, their u at xs), then rank2(v, m, args, map, big,
   * flags), and at stats the largest |u| over the active units and the largest |v|; with pattern
   * >= 0, pack1(states, n, pattern); 0.
   */
  prop2(
    u: number,
    n: number,
    states: number,
    prev: number,
    active: number,
    xs: number,
    wt: number,
    m: number,
    v: number,
    args: number,
    map: number,
    big: number,
    flags: number,
    stats: number,
    pattern: number,
  ): number;
  /** Range flags of x[0 .. n): 1 non-finite, 2 subnormal, 4 a non-zero x[from ..] times the reach (a double at args, 0: none) under 2^-1022. */
  scan(x: number, n: number, from: number, args: number): number;
}

// No WebAssembly or no SIMD: the JavaScript kernel gives the same results.
const wasm = instantiateEmbedded<Kernel>(DENSE_KERNEL_WASM_BASE64);

/**
 * A second instance of the kernel with its own memory, for the line engine, which keeps its
 * maps there between calls; null where WebAssembly or SIMD is unavailable.
 */
export function lineKernelInstance(): LineKernelExports | null {
  return wasm === null ? null : instantiateEmbedded<LineKernelExports>(DENSE_KERNEL_WASM_BASE64);
}

/**
 * The module's memory, in doubles: per-call operands in [0, scratch) (outputs first, at 0, so
 * they are copied out through one cached view), then the resident weights. A call that needs
 * more room than `scratch` widens it, which evicts the weights (they are copied again on use).
 */
let heap = new Float64Array(wasm ? wasm.memory.buffer : new ArrayBuffer(0));
let heapI32 = new Int32Array(heap.buffer);
let heapU8 = new Uint8Array(heap.buffer);
let scratch = 0;
/** heap.subarray(0, length) by length: the outputs' views (rebuilt when the memory grows). */
const outViews = new Map<number, Float64Array>();

/**
 * Resident weights take at most this many doubles (64 MB); a larger matrix than a quarter of it
 * uses the JavaScript kernel (a densified convolution: copying it would double its memory).
 * When the budget is full, every matrix is evicted at once (`generation`) and the ones still in
 * use are copied again on their next product.
 */
const RESIDENT_DOUBLES = 1 << 23;
let generation = 0;
let residentTop = 0;
const residentAt = new WeakMap<Float64Array, { offset: number; generation: number }>();
/**
 * The resident copies of this generation by length, newest last. `partition(network, ...)`
 * compiles the network on every call, so the same weights come back as new arrays: a copy with
 * the same bits is used again instead of placing another, and repeated counts of one network do
 * not grow the memory. (Growing it detaches its old buffer, and the first detached buffer in a
 * process makes V8 discard every optimised function that reads typed arrays: on 2-32x2-1 that was
 * the seventh call, 50-90 CPU ms for it and the next ones. Making that happen at import instead
 * cost the first call 12% more instructions: V8's code checks for detached buffers from then on.)
 */
let residentByLength = new Map<number, number[]>();
/** How many of the newest copies of a length are compared (a mismatch usually shows at the first word). */
const REUSE_CANDIDATES = 8;

/** Whether the resident copy at `offset` (doubles) has WT's bits. */
function holdsBits(WT: Float64Array, offset: number): boolean {
  const words = new Int32Array(WT.buffer, WT.byteOffset, 2 * WT.length);
  const h = heapI32;
  const at = 2 * offset;
  for (let k = 0; k < words.length; k++) if (words[k] !== h[at + k]) return false;
  return true;
}

function evictAll(): void {
  generation++;
  residentTop = 0;
  residentByLength = new Map();
}

function reserve(doubles: number): void {
  if (doubles <= heap.length) return; // heap views the whole memory: the common, cheap case
  const memory = (wasm as Kernel).memory;
  growMemory(memory, 8 * doubles);
  heap = new Float64Array(memory.buffer);
  heapI32 = new Int32Array(memory.buffer);
  heapU8 = new Uint8Array(memory.buffer);
  outViews.clear();
}

/**
 * Offset (in doubles) of WT in the module's memory, copied there on first use, with at least
 * `operands` doubles of scratch below the weights; -1: too large.
 */
function resident(WT: Float64Array, operands: number): number {
  if (4 * WT.length > RESIDENT_DOUBLES) return -1;
  if (operands > scratch) {
    scratch = Math.max(operands, 2 * scratch);
    evictAll();
  }
  const r = residentAt.get(WT);
  if (r !== undefined && r.generation === generation) return r.offset;
  const copies = residentByLength.get(WT.length);
  if (copies !== undefined) {
    for (let i = copies.length - 1; i >= Math.max(0, copies.length - REUSE_CANDIDATES); i--) {
      if (holdsBits(WT, copies[i])) {
        residentAt.set(WT, { offset: copies[i], generation });
        return copies[i];
      }
    }
  }
  if (residentTop + WT.length > RESIDENT_DOUBLES) evictAll();
  const offset = scratch + residentTop;
  residentTop += (WT.length + 1) & ~1; // keep 16-byte alignment for the vector loads
  reserve(scratch + residentTop);
  heap.set(WT, offset);
  residentAt.set(WT, { offset, generation });
  const list = residentByLength.get(WT.length);
  if (list === undefined) residentByLength.set(WT.length, [offset]);
  else list.push(offset);
  return offset;
}

/** out[0 .. length) = the kernel's outputs, heap[0 .. length), in one copy. */
function copyOut(out: Float64Array, length: number): void {
  let view = outViews.get(length);
  if (view === undefined) {
    view = heap.subarray(0, length);
    outViews.set(length, view);
  }
  out.set(view);
}

const even = (k: number): number => (k + 1) & ~1;

/**
 * out[c * m + i] = (c == 0 ? bias[i] : 0) + sum_k WT[active[k] * m + i] * xs[c][k].
 * WT must be a transposedWeights copy (or any array never modified after its first product):
 * it is kept in the WebAssembly memory by identity.
 */
export function denseColumns3(
  WT: Float64Array,
  m: number,
  bias: Float64Array,
  active: Int32Array,
  count: number,
  x0: Float64Array,
  x1: Float64Array,
  x2: Float64Array,
  out: Float64Array,
): void {
  // Operands (offsets in doubles, kept even): out, bias, x0 | x1 | x2, active.
  const biasAt = even(3 * m);
  const xAt = biasAt + even(m);
  const count2 = even(count);
  const activeAt = xAt + 3 * count2;
  // Below 8 outputs the per-call copies cost more than the vector loop saves.
  const wt = wasm === null || m < 8 ? -1 : resident(WT, activeAt + count2);
  if (wt < 0) {
    denseColumns3Js(WT, m, bias, active, count, x0, x1, x2, out);
    return;
  }
  const h = heap;
  const hi = heapI32;
  for (let i = 0; i < m; i++) h[biasAt + i] = bias[i];
  for (let k = 0; k < count; k++) {
    h[xAt + k] = x0[k];
    h[xAt + count2 + k] = x1[k];
    h[xAt + 2 * count2 + k] = x2[k];
    hi[2 * activeAt + k] = active[k];
  }
  (wasm as Kernel).dense3(8 * wt, m, 8 * biasAt, 8 * activeAt, count, 8 * xAt, 8 * (xAt + count2), 8 * (xAt + 2 * count2), 0);
  copyOut(out, 3 * m);
}

/**
 * The engines' full product after an elementwise step with fixed states, in 3 channels (plane)
 * or 2 (line): unit j of z (channels of n each) in state st gives slopes[st] z_j +
 * intercepts[st] in channel 0 and slopes[st] z_j in the others; the units whose outputs are all
 * zero are left out, the others go through denseColumns3 / denseColumns2 in unit order.
 * `largest` gets the largest |output| per channel. Gathering in WebAssembly saves the gather's
 * JavaScript loop and the copies of its results. Returns false, doing nothing, where the
 * WebAssembly kernel is not used (the caller gathers and calls denseColumns3 / denseColumns2:
 * the same results).
 */
export function denseAfterElementwise(
  WT: Float64Array,
  m: number,
  bias: Float64Array,
  z: Float64Array,
  n: number,
  states: Uint8Array,
  slopes: Float64Array,
  intercepts: Float64Array,
  out: Float64Array,
  largest: Float64Array,
): boolean {
  return afterElementwise(3, WT, m, bias, z, n, states, slopes, intercepts, out, largest);
}

/** denseAfterElementwise in 2 channels (line engine): z is z0 | z1. */
export function denseAfterElementwise2(
  WT: Float64Array,
  m: number,
  bias: Float64Array,
  z: Float64Array,
  n: number,
  states: Uint8Array,
  slopes: Float64Array,
  intercepts: Float64Array,
  out: Float64Array,
  largest: Float64Array,
): boolean {
  return afterElementwise(2, WT, m, bias, z, n, states, slopes, intercepts, out, largest);
}

function afterElementwise(
  channels: 2 | 3,
  WT: Float64Array,
  m: number,
  bias: Float64Array,
  z: Float64Array,
  n: number,
  states: Uint8Array,
  slopes: Float64Array,
  intercepts: Float64Array,
  out: Float64Array,
  largest: Float64Array,
): boolean {
  // Operands (offsets in doubles, kept even): out, largest, bias, z, slopes, intercepts,
  // x0 | x1 (| x2), active (n i32), states (n bytes).
  const n2 = even(n);
  const largestAt = even(channels * m);
  const biasAt = largestAt + 4;
  const zAt = biasAt + even(m);
  const slopesAt = zAt + even(z.length);
  const interceptsAt = slopesAt + even(slopes.length);
  const xAt = interceptsAt + even(intercepts.length);
  const activeAt = xAt + channels * n2;
  const statesAt = activeAt + n2 / 2;
  // Any m: the inputs are copied in bulk (z, states), not one value at a time.
  const wt = wasm === null ? -1 : resident(WT, statesAt + n2);
  if (wt < 0) return false;
  const h = heap;
  for (let i = 0; i < m; i++) h[biasAt + i] = bias[i];
  h.set(z, zAt);
  heapU8.set(states, 8 * statesAt);
  for (let k = 0; k < slopes.length; k++) h[slopesAt + k] = slopes[k];
  for (let k = 0; k < intercepts.length; k++) h[interceptsAt + k] = intercepts[k];
  const kernel = wasm as Kernel;
  const x0 = 8 * xAt;
  const x1 = 8 * (xAt + n2);
  const x2 = 8 * (xAt + 2 * n2);
  if (channels === 3) {
    const count = kernel.gather3(8 * zAt, n, 8 * statesAt, 8 * slopesAt, 8 * interceptsAt, 8 * activeAt, x0, x1, x2, 8 * largestAt);
    kernel.dense3(8 * wt, m, 8 * biasAt, 8 * activeAt, count, x0, x1, x2, 0);
  } else {
    const count = kernel.gather2(8 * zAt, n, 8 * statesAt, 8 * slopesAt, 8 * interceptsAt, 8 * activeAt, x0, x1, 8 * largestAt);
    kernel.dense2(8 * wt, m, 8 * biasAt, 8 * activeAt, count, x0, x1, 0);
  }
  copyOut(out, channels * m);
  for (let c = 0; c < channels; c++) largest[c] = h[largestAt + c];
  return true;
}

/**
 * out[c * m + i] = (c == 0 ? bias[i] : 0) + sum_k WT[active[k] * m + i] * xs[c][k], c in {0, 1}
 * (line engine). WT as for denseColumns3.
 */
export function denseColumns2(WT: Float64Array, m: number, bias: Float64Array, active: Int32Array, count: number, x0: Float64Array, x1: Float64Array, out: Float64Array): void {
  // Operands (offsets in doubles, kept even): out, bias, x0 | x1, active.
  const biasAt = even(2 * m);
  const xAt = biasAt + even(m);
  const count2 = even(count);
  const activeAt = xAt + 2 * count2;
  // Below 8 outputs the per-call copies cost more than the vector loop saves.
  const wt = wasm === null || m < 8 ? -1 : resident(WT, activeAt + count2);
  if (wt < 0) {
    denseColumns2Js(WT, m, bias, active, count, x0, x1, out);
    return;
  }
  const h = heap;
  const hi = heapI32;
  for (let i = 0; i < m; i++) h[biasAt + i] = bias[i];
  for (let k = 0; k < count; k++) {
    h[xAt + k] = x0[k];
    h[xAt + count2 + k] = x1[k];
    hi[2 * activeAt + k] = active[k];
  }
  (wasm as Kernel).dense2(8 * wt, m, 8 * biasAt, 8 * activeAt, count, 8 * xAt, 8 * (xAt + count2), 0);
  copyOut(out, 2 * m);
}

/** The JavaScript version of denseColumns3 (no WebAssembly SIMD, few outputs, or WT too large). */
function denseColumns3Js(
  WT: Float64Array,
  m: number,
  bias: Float64Array,
  active: Int32Array,
  count: number,
  x0: Float64Array,
  x1: Float64Array,
  x2: Float64Array,
  out: Float64Array,
): void {
  const m4 = m & ~3;
  for (let i = 0; i < m4; i += 4) {
    let a0 = bias[i];
    let a1 = bias[i + 1];
    let a2 = bias[i + 2];
    let a3 = bias[i + 3];
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let k = 0; k < count; k++) {
      const base = active[k] * m + i;
      const w0 = WT[base];
      const w1 = WT[base + 1];
      const w2 = WT[base + 2];
      const w3 = WT[base + 3];
      const p = x0[k];
      const q = x1[k];
      const r = x2[k];
      a0 += w0 * p;
      a1 += w1 * p;
      a2 += w2 * p;
      a3 += w3 * p;
      b0 += w0 * q;
      b1 += w1 * q;
      b2 += w2 * q;
      b3 += w3 * q;
      c0 += w0 * r;
      c1 += w1 * r;
      c2 += w2 * r;
      c3 += w3 * r;
    }
    out[i] = a0;
    out[i + 1] = a1;
    out[i + 2] = a2;
    out[i + 3] = a3;
    out[m + i] = b0;
    out[m + i + 1] = b1;
    out[m + i + 2] = b2;
    out[m + i + 3] = b3;
    out[2 * m + i] = c0;
    out[2 * m + i + 1] = c1;
    out[2 * m + i + 2] = c2;
    out[2 * m + i + 3] = c3;
  }
  for (let i = m4; i < m; i++) {
    let a = bias[i];
    let b = 0;
    let c = 0;
    for (let k = 0; k < count; k++) {
      const w = WT[active[k] * m + i];
      a += w * x0[k];
      b += w * x1[k];
      c += w * x2[k];
    }
    out[i] = a;
    out[m + i] = b;
    out[2 * m + i] = c;
  }
}

/** The JavaScript version of denseColumns2 (no WebAssembly SIMD, few outputs, or WT too large). */
function denseColumns2Js(WT: Float64Array, m: number, bias: Float64Array, active: Int32Array, count: number, x0: Float64Array, x1: Float64Array, out: Float64Array): void {
  const m4 = m & ~3;
  for (let i = 0; i < m4; i += 4) {
    let a0 = bias[i];
    let a1 = bias[i + 1];
    let a2 = bias[i + 2];
    let a3 = bias[i + 3];
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let k = 0; k < count; k++) {
      const base = active[k] * m + i;
      const w0 = WT[base];
      const w1 = WT[base + 1];
      const w2 = WT[base + 2];
      const w3 = WT[base + 3];
      const p = x0[k];
      const q = x1[k];
      a0 += w0 * p;
      a1 += w1 * p;
      a2 += w2 * p;
      a3 += w3 * p;
      b0 += w0 * q;
      b1 += w1 * q;
      b2 += w2 * q;
      b3 += w3 * q;
    }
    out[i] = a0;
    out[i + 1] = a1;
    out[i + 2] = a2;
    out[i + 3] = a3;
    out[m + i] = b0;
    out[m + i + 1] = b1;
    out[m + i + 2] = b2;
    out[m + i + 3] = b3;
  }
  for (let i = m4; i < m; i++) {
    let a = bias[i];
    let b = 0;
    for (let k = 0; k < count; k++) {
      const w = WT[active[k] * m + i];
      a += w * x0[k];
      b += w * x1[k];
    }
    out[i] = a;
    out[m + i] = b;
  }
}
