/**
 * The operations every engine shares: push a k-channel affine map through a step, find the
 * state of piecewise-linear units at a point, apply fixed states. A forward pass is the same
 * code with one channel, so the engines and the forward pass cannot disagree.
 */

import { compile } from "./compile.ts";
import { denseColumns3, transposedWeights } from "./dense-kernel.ts";
import type { Network } from "./layers.ts";
import { NumericalRefusal } from "./numerical-refusal.ts";
import { type PatternLayout, patternLayout, setState } from "./pattern.ts";
import { type AffineStep, applyStack, type PiecewiseStep, type Step, stepInSize, stepOutSize, unitCount } from "./steps.ts";

const identities = new Map<number, Int32Array>();
function identityIndex(n: number): Int32Array {
  let idx = identities.get(n);
  if (!idx) {
    idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    identities.set(n, idx);
  }
  return idx;
}

/**
 * Refuse a forward pass whose values overflowed at step s: comparisons with infinity or NaN would
 * give activation patterns and outputs that look like answers. (x - x is NaN exactly when x is
 * not finite, so one sum tests them all.)
 */
function refuseNonFinite(values: Float64Array, length: number, s: number): void {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += values[i] - values[i];
  if (sum !== 0) throw new NumericalRefusal(`a forward pass overflows float64 at step ${s + 1} (infinite or NaN values): rescale the weights or the input`);
}

/** A network ready for the engines: steps, sizes and pattern layout. */
export interface Compiled {
  network: Network;
  inputSize: number;
  outputSize: number;
  steps: Step[];
  layout: PatternLayout;
  /** Largest vector size anywhere in the network (for scratch buffers). */
  maxWidth: number;
}

/** Compile a network for the engines and the forward pass (do it once, reuse the result). */
export function prepare(network: Network): Compiled {
  const steps = compile(network);
  let size = network.inputSize;
  let maxWidth = size;
  const saved: number[] = [];
  for (const step of steps) {
    if (step.kind === "save") saved.push(size);
    if (step.kind === "swap" || step.kind === "drop" || step.kind === "concat-saved" || step.kind === "add-saved") {
      const top = saved.pop();
      if (step.kind === "swap") saved.push(size);
      if (step.kind !== "add-saved" && top !== step.savedSize) throw new Error(`internal: ${step.kind} expects a saved vector of ${step.savedSize}, has ${top}`);
    }
    if (stepInSize(step) !== size) throw new Error(`internal: step ${step.kind} expects ${stepInSize(step)} inputs, gets ${size}`);
    size = stepOutSize(step);
    maxWidth = Math.max(maxWidth, size);
  }
  return { network, inputSize: network.inputSize, outputSize: size, steps, layout: patternLayout(steps), maxWidth };
}

/** dst (channels x outSize) = step(src (channels x inSize)); bias goes to channel 0. */
export function pushAffine(step: AffineStep, src: Float64Array, dst: Float64Array, channels: number): void {
  const n = step.inSize;
  const m = step.outSize;
  for (let c = 0; c < channels; c++) step.applyLinear(src, c * n, dst, c * m);
  const b = step.bias;
  for (let i = 0; i < m; i++) dst[i] += b[i];
}

/** State of unit j of a piecewise step, given the step's input values z (channel 0). */
export function unitState(step: PiecewiseStep, z: Float64Array, zOff: number, j: number): number {
  if (step.kind === "elementwise") {
    const x = z[zOff + j];
    const t = step.breakpoints;
    let s = 0;
    while (s < t.length && x > t[s]) s++;
    return s;
  }
  const start = step.offsets[j];
  const end = step.offsets[j + 1];
  let best = 0;
  let bestValue = z[zOff + step.indices[start]];
  for (let p = start + 1; p < end; p++) {
    const v = z[zOff + step.indices[p]];
    if (v > bestValue) {
      bestValue = v;
      best = p - start;
    }
  }
  return best;
}

/** dst = the step with fixed `states` applied to the k-channel map src. */
export function applyStates(step: PiecewiseStep, states: Uint8Array, src: Float64Array, dst: Float64Array, channels: number): void {
  const units = step.kind === "elementwise" ? step.size : step.outSize;
  for (let j = 0; j < units; j++) applyUnit(step, j, states[j], src, dst, channels);
}

/** applyStates for unit j alone, in state `state` (the space engine re-applies only the units that changed). */
export function applyUnit(step: PiecewiseStep, j: number, state: number, src: Float64Array, dst: Float64Array, channels: number): void {
  if (step.kind === "elementwise") {
    const n = step.size;
    const slope = step.slopes[state];
    dst[j] = slope * src[j] + step.intercepts[state];
    for (let c = 1; c < channels; c++) dst[c * n + j] = slope * src[c * n + j];
    return;
  }
  const n = step.inSize;
  const m = step.outSize;
  const i = step.indices[step.offsets[j] + state];
  for (let c = 0; c < channels; c++) dst[c * m + j] = src[c * n + i];
}

/** The output of one point and its activation pattern. */
export interface ForwardResult {
  output: Float64Array;
  /** Bit-packed pattern (see pattern.ts). */
  pattern: Uint32Array;
}

/** Output and activation pattern of one point. */
export function forward(compiled: Compiled, x: ArrayLike<number>): ForwardResult {
  if (x.length !== compiled.inputSize) throw new Error(`input has ${x.length} numbers, the network expects ${compiled.inputSize}`);
  const pattern = new Uint32Array(compiled.layout.words);
  let cur: Float64Array = Float64Array.from(x);
  const stack: Float64Array[] = [];
  const states = new Uint8Array(compiled.maxWidth);
  compiled.steps.forEach((step, s) => {
    switch (step.kind) {
      case "affine": {
        const next = new Float64Array(step.outSize);
        pushAffine(step, cur, next, 1);
        refuseNonFinite(next, next.length, s);
        cur = next;
        break;
      }
      case "elementwise":
      case "max": {
        const units = unitCount(step);
        for (let j = 0; j < units; j++) {
          states[j] = unitState(step, cur, 0, j);
          setState(compiled.layout, pattern, 0, s, j, states[j]);
        }
        const next = new Float64Array(units);
        applyStates(step, states, cur, next, 1);
        cur = next;
        break;
      }
      default:
        cur = applyStack(step, cur, stack, 1);
    }
  });
  return { output: cur, pattern };
}

/**
 * Forward pass of many points at once (row-major batch x inputSize); returns batch x outputSize.
 * Dense steps run as one matrix product over the batch; this is also the benchmarks' floor
 * ("one forward pass per region"), so it is kept tight.
 */
export function forwardBatch(compiled: Compiled, xs: Float64Array, batch: number): Float64Array {
  let size = compiled.inputSize;
  let cur: Float64Array = xs.slice(0, batch * size);
  const stack: { data: Float64Array; size: number }[] = [];
  const states = new Uint8Array(compiled.maxWidth);
  const row = new Float64Array(compiled.maxWidth);
  for (const step of compiled.steps) {
    switch (step.kind) {
      case "affine": {
        const m = step.outSize;
        const out = new Float64Array(batch * m);
        const W = step.weight;
        if (W) {
          // Three points at a time through the engines' register-blocked kernel (as 3 channels).
          const WT = transposedWeights(step);
          const all = identityIndex(size);
          const block = new Float64Array(3 * m);
          const zero = new Float64Array(size);
          for (let b = 0; b < batch; b += 3) {
            const x0 = cur.subarray(b * size, (b + 1) * size);
            const x1 = b + 1 < batch ? cur.subarray((b + 1) * size, (b + 2) * size) : zero;
            const x2 = b + 2 < batch ? cur.subarray((b + 2) * size, (b + 3) * size) : zero;
            denseColumns3(WT, m, step.bias, all, size, x0, x1, x2, block);
            for (let c = 0; c < 3 && b + c < batch; c++) {
              const row = (b + c) * m;
              for (let i = 0; i < m; i++) out[row + i] = block[c * m + i] + (c > 0 ? step.bias[i] : 0);
            }
          }
        } else {
          for (let b = 0; b < batch; b++) {
            step.applyLinear(cur, b * size, out, b * m);
            for (let i = 0; i < m; i++) out[b * m + i] += step.bias[i];
          }
        }
        refuseNonFinite(out, out.length, compiled.steps.indexOf(step));
        cur = out;
        size = m;
        break;
      }
      case "elementwise": {
        const t = step.breakpoints;
        for (let k = 0; k < cur.length; k++) {
          const x = cur[k];
          let s = 0;
          while (s < t.length && x > t[s]) s++;
          cur[k] = step.slopes[s] * x + step.intercepts[s];
        }
        break;
      }
      case "max": {
        const m = step.outSize;
        const out = new Float64Array(batch * m);
        for (let b = 0; b < batch; b++) {
          row.set(cur.subarray(b * size, (b + 1) * size));
          for (let j = 0; j < m; j++) states[j] = unitState(step, row, 0, j);
          applyStates(step, states, row, out.subarray(b * m, (b + 1) * m), 1);
        }
        cur = out;
        size = m;
        break;
      }
      case "save":
        stack.push({ data: cur.slice(), size });
        break;
      case "swap": {
        const top = stack.pop() as { data: Float64Array; size: number };
        stack.push({ data: cur, size });
        cur = top.data;
        size = top.size;
        break;
      }
      case "drop": {
        const top = stack.pop() as { data: Float64Array; size: number };
        cur = top.data;
        size = top.size;
        break;
      }
      case "add-saved": {
        const top = stack.pop() as { data: Float64Array; size: number };
        for (let k = 0; k < cur.length; k++) cur[k] += top.data[k];
        break;
      }
      case "concat-saved": {
        const top = stack.pop() as { data: Float64Array; size: number };
        const width = top.size + size;
        const out = new Float64Array(batch * width);
        for (let b = 0; b < batch; b++) {
          out.set(top.data.subarray(b * top.size, (b + 1) * top.size), b * width);
          out.set(cur.subarray(b * size, (b + 1) * size), b * width + top.size);
        }
        cur = out;
        size = width;
        break;
      }
    }
  }
  return cur;
}
