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

/**
 * The module's memory during a staged product. Offsets count doubles; `scratch` is the first of
 * the `scratch` doubles asked for, after A, B and C, free for the caller (for instance the images
 * and index tables of gather). `int32` views the same memory (index tables).
 */
export interface Stage {
  heap: Float64Array;
  int32: Int32Array;
  scratch: number;
  /** The index moves of a convolution (gemm.wat): f64[dst + o dOuter + m dMid + i] = f64[src + m sMid + i32[tab + o tOuter + i]]. */
  gather(dst: number, src: number, tab: number, outer: number, mid: number, inner: number, dOuter: number, dMid: number, sMid: number, tOuter: number): void;
  /** The same moves backwards, adding: f64[src + m sMid + i32[tab + ...]] += f64[dst + ...]. */
  scatterAdd(dst: number, src: number, tab: number, outer: number, mid: number, inner: number, dOuter: number, dMid: number, sMid: number, tOuter: number): void;
}

/**
 * Writes one operand straight into the module's memory: `rows` rows of `kp` doubles from
 * `offset` (kp is k rounded up to even; the caller writes the k numbers and the zero padding of
 * every row, and may leave the padding rows, up to a multiple of 4 for A, unwritten).
 */
export type Fill = (stage: Stage, offset: number, kp: number) => void;

/** Where a staged product left C = A B^T: entry (r, q) at heap[offset + r stride + q]. */
export interface Staged extends Stage {
  offset: number;
  stride: number;
}

/**
 * C = A B^T with the operands written in place by the callers (no intermediate arrays, no
 * copies): convolutions gather their windows directly into the kernel's memory. The result and
 * the scratch are valid until the next product.
 */
export type StagedGemm = (rows: number, cols: number, k: number, fillA: Fill, fillB: Fill, scratch?: number) => Staged;

type IndexMove = (dst: number, src: number, tab: number, outer: number, mid: number, inner: number, dOuter: number, dMid: number, sMid: number, tOuter: number) => void;

function instantiate(): { gemm: Gemm; staged: StagedGemm } | null {
  const exports = instantiateEmbedded<{
    memory: WebAssembly.Memory;
    gemm: (a: number, b: number, c: number, rows: number, cols: number, k: number) => void;
    gather: IndexMove;
    scatter_add: IndexMove;
  }>(GEMM_WASM_BASE64);
  if (exports === null) return null;
  const memory = exports.memory;
  // Offsets in doubles (tables in int32s) to bytes for the module.
  const bytes =
    (move: IndexMove): IndexMove =>
    (dst, src, tab, outer, mid, inner, dOuter, dMid, sMid, tOuter) => {
      if (outer > 0 && mid > 0 && inner > 0) move(dst * 8, src * 8, tab * 4, outer, mid, inner, dOuter * 8, dMid * 8, sMid * 8, tOuter * 4);
    };
  const stage: Stage = {
    heap: new Float64Array(memory.buffer),
    int32: new Int32Array(memory.buffer),
    scratch: 0,
    gather: bytes(exports.gather),
    scatterAdd: bytes(exports.scatter_add),
  };
  const reserve = (doubles: number): void => {
    if (growMemory(memory, doubles * 8)) {
      stage.heap = new Float64Array(memory.buffer);
      stage.int32 = new Int32Array(memory.buffer);
    }
  };
  const staged: StagedGemm = (rows, cols, k, fillA, fillB, scratch = 0) => {
    const rp = (rows + 3) & ~3;
    const cp = (cols + 1) & ~1;
    const kp = (k + 1) & ~1;
    const aOff = 0;
    const bOff = rp * kp;
    const cOff = bOff + cp * kp;
    stage.scratch = cOff + rp * cp;
    reserve(stage.scratch + scratch);
    fillA(stage, aOff, kp);
    fillB(stage, bOff, kp);
    exports.gemm(aOff * 8, bOff * 8, cOff * 8, rp, cp, kp);
    return { ...stage, offset: cOff, stride: cp };
  };
  const gemm: Gemm = (a, b, c, rows, cols, k, accumulate) => {
    const out = staged(
      rows,
      cols,
      k,
      (st, offset, kp) => copyPadded(a, st.heap, offset, rows, k, kp),
      (st, offset, kp) => copyPadded(b, st.heap, offset, cols, k, kp),
    );
    for (let r = 0; r < rows; r++) {
      const src = out.offset + r * out.stride;
      const dst = r * cols;
      if (accumulate) for (let q = 0; q < cols; q++) c[dst + q] += out.heap[src + q];
      else for (let q = 0; q < cols; q++) c[dst + q] = out.heap[src + q];
    }
  };
  return { gemm, staged };
}

function copyPadded(src: Float64Array, heap: Float64Array, offset: number, rows: number, k: number, kp: number): void {
  if (k === kp) {
    heap.set(src.subarray(0, rows * k), offset);
    return;
  }
  // Odd k: row by row, without a subarray per row.
  for (let r = 0; r < rows; r++) {
    const s = r * k;
    const d = offset + r * kp;
    for (let j = 0; j < k; j++) heap[d + j] = src[s + j];
    heap[d + k] = 0;
  }
}

const kernel = instantiate();

/** The WebAssembly kernel, or null where WebAssembly SIMD is unavailable. */
export const wasmGemm: Gemm | null = kernel?.gemm ?? null;

/** The same kernel with operands written in place (`StagedGemm`), or null. */
export const wasmGemmStaged: StagedGemm | null = kernel?.staged ?? null;
