/**
 * C (+)= A B^T through the WebAssembly SIMD kernel of gemm.wat (f64x2 along k, 4 x 2 blocks),
 * about 3x the speed of the best plain JavaScript loop on this kind of machine. Operands are
 * copied into the module's memory, padded to the kernel's block sizes (k padding is zero, row
 * and column padding only produces entries that are never read), so callers keep ordinary
 * Float64Arrays. WebAssembly is standard in browsers and Node, so the core stays portable; where
 * it (or SIMD) is missing, `wasmGemm` is null and the JavaScript kernel is used.
 */
import { growMemory, instantiateEmbedded } from "../../model/wasm-module.ts";
import { GEMM_WASM_BASE64 } from "./gemm-binary.ts";

export type Gemm = (a: Float64Array, b: Float64Array, c: Float64Array, rows: number, cols: number, k: number, accumulate: boolean) => void;

function instantiate(): Gemm | null {
  const exports = instantiateEmbedded<{
    memory: WebAssembly.Memory;
    gemm: (a: number, b: number, c: number, rows: number, cols: number, k: number) => void;
  }>(GEMM_WASM_BASE64);
  if (exports === null) return null;
  const memory = exports.memory;
  let heap = new Float64Array(memory.buffer);
  const reserve = (doubles: number): void => {
    if (growMemory(memory, doubles * 8)) heap = new Float64Array(memory.buffer);
  };
  return (a, b, c, rows, cols, k, accumulate) => {
    const rp = (rows + 3) & ~3;
    const cp = (cols + 1) & ~1;
    const kp = (k + 1) & ~1;
    const aOff = 0;
    const bOff = rp * kp;
    const cOff = bOff + cp * kp;
    reserve(cOff + rp * cp);
    copyPadded(a, heap, aOff, rows, k, kp);
    copyPadded(b, heap, bOff, cols, k, kp);
    exports.gemm(aOff * 8, bOff * 8, cOff * 8, rp, cp, kp);
    for (let r = 0; r < rows; r++) {
      const src = cOff + r * cp;
      const dst = r * cols;
      if (accumulate) for (let q = 0; q < cols; q++) c[dst + q] += heap[src + q];
      else for (let q = 0; q < cols; q++) c[dst + q] = heap[src + q];
    }
  };
}

function copyPadded(src: Float64Array, heap: Float64Array, offset: number, rows: number, k: number, kp: number): void {
  if (k === kp) {
    heap.set(src.subarray(0, rows * k), offset);
    return;
  }
  for (let r = 0; r < rows; r++) {
    heap.set(src.subarray(r * k, (r + 1) * k), offset + r * kp);
    heap[offset + r * kp + k] = 0;
  }
}

/** The WebAssembly kernel, or null where WebAssembly SIMD is unavailable. */
export const wasmGemm: Gemm | null = instantiate();
