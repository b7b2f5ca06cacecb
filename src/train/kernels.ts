/**
 * The dense kernels of the trainer. Every product is one kernel, C (+)= A B^T on row-major
 * Float64Arrays (A is R x K, B is C x K): each entry is a dot product of two contiguous rows,
 * computed 4 rows of A x 2 rows of B at a time so each loaded number is used 2-4 times and
 * the 8 partial sums stay in registers. Backward products become the same kernel after a cheap
 * transpose (O(rows x cols), against O(rows x cols x K) for the product).
 *
 * Shapes in a dense layer: X is batch x n, W is m x n (one row per unit), Z and dZ batch x m.
 *   forward      Z  = X W^T + bias          matmulNT(X, W)
 *   weights      dW += dZ^T X               matmulNT(dZ^T, X^T)
 *   inputs       dX = dZ W                  matmulNT(dZ, W^T)
 */

import { type StagedGemm, wasmGemm, wasmGemmStaged } from "./wasm/gemm.ts";

/** Products smaller than this many multiply-adds stay in JavaScript (copying would dominate). */
const WASM_MIN_WORK = 2048;

let useWasm = true;

/** Choose the kernel ("wasm" when available, or "js"); for benchmarks and tests. Returns the kernel in use. */
export function setKernel(kernel: "wasm" | "js"): "wasm" | "js" {
  useWasm = kernel === "wasm";
  return useWasm && wasmGemm ? "wasm" : "js";
}

/** The WebAssembly kernel with operands written in place (wasm/gemm.ts), or null on the JavaScript kernel. */
export function stagedKernel(): StagedGemm | null {
  return useWasm ? wasmGemmStaged : null;
}

/**
 * c[r, q] (+)= sum_k a[r, k] b[q, k]; `accumulate` adds to c instead of overwriting it. Uses the
 * WebAssembly SIMD kernel when available (the choice depends only on the sizes, so a run is
 * deterministic on a given platform).
 */
export function matmulNT(a: Float64Array, b: Float64Array, c: Float64Array, rows: number, cols: number, k: number, accumulate: boolean): void {
  if (useWasm && wasmGemm && rows * cols * k >= WASM_MIN_WORK) wasmGemm(a, b, c, rows, cols, k, accumulate);
  else matmulNTScalar(a, b, c, rows, cols, k, accumulate);
}

/** The plain JavaScript kernel (the fallback, and the oracle in tests). */
export function matmulNTScalar(a: Float64Array, b: Float64Array, c: Float64Array, rows: number, cols: number, k: number, accumulate: boolean): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const a0 = r * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    const c0 = r * cols;
    const c1 = c0 + cols;
    const c2 = c1 + cols;
    const c3 = c2 + cols;
    let q = 0;
    for (; q + 1 < cols; q += 2) {
      const b0 = q * k;
      const b1 = b0 + k;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let j = 0; j < k; j++) {
        const y0 = b[b0 + j];
        const y1 = b[b1 + j];
        const x0 = a[a0 + j];
        const x1 = a[a1 + j];
        const x2 = a[a2 + j];
        const x3 = a[a3 + j];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      if (accumulate) {
        c[c0 + q] += s00;
        c[c0 + q + 1] += s01;
        c[c1 + q] += s10;
        c[c1 + q + 1] += s11;
        c[c2 + q] += s20;
        c[c2 + q + 1] += s21;
        c[c3 + q] += s30;
        c[c3 + q + 1] += s31;
      } else {
        c[c0 + q] = s00;
        c[c0 + q + 1] = s01;
        c[c1 + q] = s10;
        c[c1 + q + 1] = s11;
        c[c2 + q] = s20;
        c[c2 + q + 1] = s21;
        c[c3 + q] = s30;
        c[c3 + q + 1] = s31;
      }
    }
    for (; q < cols; q++) {
      for (let rr = r; rr < r + 4; rr++) dotInto(a, rr * k, b, q * k, c, rr * cols + q, k, accumulate);
    }
  }
  for (; r < rows; r++) for (let q = 0; q < cols; q++) dotInto(a, r * k, b, q * k, c, r * cols + q, k, accumulate);
}

function dotInto(a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, k: number, accumulate: boolean): void {
  let s = 0;
  for (let j = 0; j < k; j++) s += a[ao + j] * b[bo + j];
  c[co] = accumulate ? c[co] + s : s;
}

/** dst (cols x rows) = src (rows x cols)^T. */
export function transpose(src: Float64Array, dst: Float64Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let q = 0; q < cols; q++) dst[q * rows + r] = src[o + q];
  }
}

/** Z = X W^T + bias. */
export function denseForward(x: Float64Array, w: Float64Array, bias: Float64Array, z: Float64Array, batch: number, n: number, m: number): void {
  matmulNT(x, w, z, batch, m, n, false);
  for (let b = 0; b < batch; b++) {
    const o = b * m;
    for (let i = 0; i < m; i++) z[o + i] += bias[i];
  }
}

/** Scratch space for the backward products (transposes), grown on demand. */
export interface Scratch {
  a: Float64Array;
  b: Float64Array;
}

export function createScratch(): Scratch {
  return { a: new Float64Array(0), b: new Float64Array(0) };
}

function ensure(buf: Float64Array, size: number): Float64Array {
  return buf.length >= size ? buf : new Float64Array(size);
}

/** dW += dZ^T X and dBias += column sums of dZ. */
export function denseGradParams(dz: Float64Array, x: Float64Array, dw: Float64Array, dbias: Float64Array, batch: number, n: number, m: number, scratch: Scratch): void {
  scratch.a = ensure(scratch.a, m * batch);
  scratch.b = ensure(scratch.b, n * batch);
  transpose(dz, scratch.a, batch, m);
  transpose(x, scratch.b, batch, n);
  matmulNT(scratch.a, scratch.b, dw, m, n, batch, true);
  for (let b = 0; b < batch; b++) {
    const o = b * m;
    for (let i = 0; i < m; i++) dbias[i] += dz[o + i];
  }
}

/** dX = dZ W. */
export function denseGradInput(dz: Float64Array, w: Float64Array, dx: Float64Array, batch: number, n: number, m: number, scratch: Scratch): void {
  scratch.a = ensure(scratch.a, n * m);
  transpose(w, scratch.a, m, n);
  matmulNT(dz, scratch.a, dx, batch, n, m, false);
}
