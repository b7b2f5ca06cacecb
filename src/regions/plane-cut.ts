/**
 * The plane engine's descent in WebAssembly for the common case (plane-cut.as, an AssemblyScript
 * source compiled by scripts/build-engine-wasm.ts): networks whose piecewise steps are all
 * elementwise (relu, leaky relu, hard tanh, ...) and each followed by a dense step, the last one
 * ending the network. Why: a count's first call in a fresh process otherwise runs plane.ts's
 * JavaScript cold (interpreted, then optimised while it runs: about 50 ms for 848 cells, against
 * 2 ms warm); WebAssembly runs compiled from its first instruction.
 *
 * The kernel does plane.ts's float64 operations in the same order, so its cells, lines, maps and
 * patterns are the JavaScript engine's to the bit. It decides only what the JavaScript decides by
 * its first float tests: when a vertex falls within a rounding bound (where plane.ts goes on to
 * per-unit bounds, exact predicates and tie settling) or a map leaves float64's normal range, it
 * gives up and plane.ts counts from the start, so exactness is plane.ts's. WebAssembly is
 * standard in browsers and Node, so the core stays portable; without it, plane.ts runs.
 */

import { transposedWeights } from "../model/dense-kernel.ts";
import type { PatternLayout } from "../model/pattern.ts";
import type { AffineStep, ElementwiseStep, Step } from "../model/steps.ts";
import { instantiateEmbedded } from "../model/wasm-module.ts";
import { biasMax, columnMaxima, normInfOf } from "./map-error.ts";
import type { PlanePartition } from "./partition.ts";
import { PLANE_CUT_WASM_BASE64 } from "./plane-cut-wasm.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  reset(): void;
  alloc(bytes: number): number;
  run(steps: number, count: number, lines: number, lineCount: number, root: number, vn: number, z: number, zErr: number, words: number, reach: number): number;
}

const kernel = instantiateEmbedded<Kernel>(PLANE_CUT_WASM_BASE64);

/** Runs of the kernel that made the cells, and that gave up (for tests: the kernel was used). */
export const kernelRuns = { made: 0, gaveUp: 0 };

/** Bytes per step struct, and its input fields' byte offsets (plane-cut.as: S_N ... S_BIASMAX). */
const STEP_BYTES = 256;
const EPS = 2 ** -53;

/** What the kernel hands back: the partition's raw arrays (copies) and the whole line table. */
export interface KernelCells extends Pick<PlanePartition, "cellStart" | "vertices" | "edgeLine" | "patterns" | "outputMaps" | "areas" | "lines"> {
  cellCount: number;
}

/** The domain polygon as plane.ts built it (one polygon of its root arena). */
export interface RootPolygon {
  uv: Float64Array;
  err: Float64Array;
  line: Int32Array;
  side: Uint8Array;
  start: number;
  size: number;
}

/**
 * The most piecewise units a network may have for the kernel to run it. Both paths give the same
 * partition to the bit, so this only chooses the faster one: the kernel wins where the count is
 * small enough for V8 to run plane.ts cold (2-32x2-1 first call 23 against 112 CPU ms) and still
 * warm on 2-64x4-1 (256 units, 7,556 cells: 0.029 against 0.036 CPU s, medians of 41), but
 * optimised JavaScript overtakes it beyond (2-128x4-1, 512 units: 0.30 against 0.24 CPU s;
 * 2-256x4-1 He: 1.6-1.9x slower; Dec 7, load 1-15).
 */
export const KERNEL_MAX_UNITS = 256;

/**
 * Whether steps[first ..] are elementwise steps each followed by a dense (explicit weight) step,
 * to the end, with at most KERNEL_MAX_UNITS units: what the kernel runs. Breakpoints at most 254
 * (states are bytes).
 */
export function kernelCovers(steps: readonly Step[], first: number): boolean {
  if (kernel === null || first >= steps.length) return false;
  let units = 0;
  for (let s = first; s < steps.length; s += 2) {
    const step = steps[s];
    const next = steps[s + 1];
    if (step.kind !== "elementwise" || step.breakpoints.length > 254) return false;
    if (next === undefined || next.kind !== "affine" || next.weight === null || next.inSize !== step.size) return false;
    units += step.size;
  }
  return units <= KERNEL_MAX_UNITS;
}

/**
 * Run the kernel from the first elementwise step `first` (map z, channel bounds zErr: what
 * plane.ts's walk reached from the domain) on the root polygon, with the line table's first
 * `lineCount` lines (the domain's). Null when it gave up (plane.ts then counts).
 */
export function kernelCells(
  steps: readonly Step[],
  first: number,
  layout: PatternLayout,
  lines: Float64Array,
  lineCount: number,
  root: RootPolygon,
  z: Float64Array,
  zErr: Float64Array,
  reach: number,
): KernelCells | null {
  const k = kernel as Kernel;
  const count = (steps.length - first) / 2;
  k.reset();
  // Room first (the memory may grow), then one set of views to write through.
  const stepsAt = k.alloc(count * STEP_BYTES);
  const arrays: { at: number; data: Float64Array }[] = [];
  const place = (data: Float64Array): number => {
    const at = k.alloc(8 * data.length);
    arrays.push({ at, data });
    return at;
  };
  const fields: number[][] = [];
  const doubles: number[][] = [];
  for (let p = 0; p < count; p++) {
    const step = steps[first + 2 * p] as ElementwiseStep;
    const next = steps[first + 2 * p + 1] as AffineStep;
    const s = first + 2 * p;
    fields.push([
      step.size,
      step.breakpoints.length,
      place(step.breakpoints),
      place(step.slopes),
      place(step.intercepts),
      next.outSize,
      place(transposedWeights(next)),
      place(next.bias),
      place(columnMaxima(next)),
      layout.stepBit[s],
      layout.stepBits[s],
    ]);
    doubles.push([normInfOf(next), (next.inSize + 2) * EPS, biasMax(next)]);
  }
  const linesAt = place(lines.subarray(0, 3 * lineCount));
  const vn = root.size;
  const rootAt = k.alloc(24 * vn + 8 * vn);
  const zAt = place(z);
  const zErrAt = place(zErr);
  const heap = new Float64Array(k.memory.buffer);
  const heapI32 = new Int32Array(k.memory.buffer);
  for (const { at, data } of arrays) heap.set(data, at / 8);
  for (let p = 0; p < count; p++) {
    const at = stepsAt + p * STEP_BYTES;
    const f = fields[p];
    for (let i = 0; i < f.length; i++) heapI32[at / 4 + i] = f[i];
    for (let i = 0; i < 3; i++) heap[(at + 48) / 8 + i] = doubles[p][i];
  }
  for (let v = 0; v < vn; v++) {
    const i = root.start + v;
    heap[rootAt / 8 + 3 * v] = root.uv[2 * i];
    heap[rootAt / 8 + 3 * v + 1] = root.uv[2 * i + 1];
    heap[rootAt / 8 + 3 * v + 2] = root.err[i];
    heapI32[(rootAt + 24 * vn) / 4 + 2 * v] = root.line[i];
    heapI32[(rootAt + 24 * vn) / 4 + 2 * v + 1] = root.side[i];
  }
  let header: number;
  try {
    header = k.run(stepsAt, count, linesAt, lineCount, rootAt, vn, zAt, zErrAt, layout.words, reach);
  } catch {
    kernelRuns.gaveUp++;
    return null; // out of memory: plane.ts counts
  }
  if (header === 0) {
    kernelRuns.gaveUp++;
    return null;
  }
  kernelRuns.made++;
  const buffer = k.memory.buffer;
  const h = new Int32Array(buffer, header, 15);
  const f64 = (i: number) => new Float64Array(buffer.slice(h[i], h[i] + h[i + 1]));
  return {
    cellCount: h[14],
    vertices: f64(0),
    edgeLine: new Int32Array(buffer.slice(h[2], h[2] + h[3])),
    cellStart: new Uint32Array(buffer.slice(h[4], h[4] + h[5])),
    patterns: new Uint32Array(buffer.slice(h[6], h[6] + h[7])),
    outputMaps: f64(8),
    areas: f64(10),
    lines: f64(12),
  };
}
