/**
 * The space engine's affine steps in WebAssembly SIMD (space/kernel.wat): the full product of a
 * cell's (k+1)-channel map with the sums of |terms| its per-unit rounding bounds need, and the
 * family update (a piece's map from its family's first piece, space/affine-maps.ts). Where WebAssembly SIMD
 * is available, the engine's per-step maps, bounds and family references live in the memory of
 * its own instance (views made once, before any call, so they never go stale; one walk at a time
 * holds an instance, and a finished walk leaves it to the next on the thread: `release`), with the
 * transposed weights beside them. On a piecewise step's input map and bounds there the kernel also
 * makes the range checks before the step (step-maps.ts's inRange), applies an elementwise step's
 * states to a piece's map (applyElementwise; the states, slopes and intercepts placed there) and,
 * in 3-D, tests every unit against the cell's bounding box (box-sides.ts's boxSides3; the
 * breakpoints and the sides placed there). Elsewhere `spaceKernel` returns null and the engine
 * runs the same operations in JavaScript. Both give the same bits (same operations in the same
 * order; a NaN's sign excepted, which WebAssembly leaves to the hardware: a map with a NaN is
 * refused, with a message that does not show it, before any decision or output uses it).
 */
import { instantiateEmbedded } from "../../model/wasm-module.ts";
import { SPACE_KERNEL_WASM_BASE64 } from "./kernel-wasm.ts";

interface Exports {
  memory: WebAssembly.Memory;
  product(x: number, n: number, m: number, C: number, wt: number, bias: number, out: number, abs: number, stats: number): void;
  family(x: number, ref: number, n: number, m: number, C: number, wt: number, after: number, famErr: number, out: number, err: number, list: number): void;
  stats(x: number, n: number, C: number, out: number): void;
  boxSides3(z: number, e: number, n: number, t: number, T: number, sides: number, box: number): void;
  inRange(z: number, n: number, length: number, e: number, elength: number, reach: number): number;
  elementwise(states: number, slopes: number, intercepts: number, src: number, dst: number, n: number, C: number, scratch: number): void;
}

/** The instance of the last walk on this thread that finished with it (see `SpaceKernel.release`). */
let spare: Exports | null = null;
const SPARE_BYTES = 64 * 2 ** 20;

/** A region of the kernel's memory, in doubles (offset), to be viewed once every region is placed. */
export class SpaceKernel {
  private readonly wasm: Exports;
  private top = 0;
  private views: { at: number; length: number; set: (v: Float64Array) => void }[] = [];

  private constructor(wasm: Exports, reused: boolean) {
    this.wasm = wasm;
    this.reused = reused;
  }

  /** A new instance, or null where WebAssembly SIMD is unavailable. */
  /** Whether the instance served an earlier count (its memory then holds that count's values). */
  private readonly reused: boolean;

  /** A kernel for one walk: the instance the last walk on this thread released (`release`), else a new one. */
  static create(): SpaceKernel | null {
    const reused = spare;
    spare = null;
    const wasm = reused ?? instantiateEmbedded<Exports>(SPACE_KERNEL_WASM_BASE64);
    return wasm === null ? null : new SpaceKernel(wasm, reused !== null);
  }

  /**
   * The walk is done with this kernel: its instance goes to the next walk on this thread (at most
   * SPARE_BYTES of memory kept). A new instance per count gave V8 new export functions each time:
   * their calls went through its generic JS-to-WebAssembly wrapper until they warmed up again,
   * and the engine's call sites saw a different function per count, so none was inlined
   * (3-32x3-1: about 3-5% of a count's CPU, docs/performance-history.md).
   */
  release(): void {
    if (this.wasm.memory.buffer.byteLength <= SPARE_BYTES) spare = this.wasm;
  }

  /** Place `length` doubles (16-byte aligned); `set` receives their view once `commit` has run. Returns the offset in doubles. */
  place(length: number, set: (v: Float64Array) => void): number {
    const at = this.top;
    this.top += length + (length & 1);
    this.views.push({ at, length, set });
    return at;
  }

  /** Grow the memory to hold every placed region and hand out their views (valid from now on: the memory never grows again). */
  commit(): void {
    const memory = this.wasm.memory;
    const bytes = 8 * this.top;
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    // A reused instance starts as a new one would: every placed region zero (some are scratch).
    if (this.reused) new Uint8Array(memory.buffer, 0, bytes).fill(0);
    for (const { at, length, set } of this.views) set(new Float64Array(memory.buffer, 8 * at, length));
    this.views = [];
  }

  /** Offsets in doubles; the input's `stats` (below) go to `stats` (4 C doubles). */
  product(x: number, n: number, m: number, C: number, wt: number, bias: number, out: number, abs: number, stats: number): void {
    this.wasm.product(8 * x, n, m, C, 8 * wt, 8 * bias, 8 * out, 8 * abs, 8 * stats);
  }

  /** Offsets in doubles; `list` holds 2 n doubles of scratch. */
  family(x: number, ref: number, n: number, m: number, C: number, wt: number, after: number, famErr: number, out: number, err: number, list: number): void {
    this.wasm.family(8 * x, 8 * ref, n, m, C, 8 * wt, 8 * after, 8 * famErr, 8 * out, 8 * err, 8 * list);
  }

  /**
   * Offsets in doubles: per channel c of the C n-vectors at x, what affineError reads of them, into
   * out[4 c ..]: non-zero entries, 1 when all are powers of two (else 0), largest and smallest
   * non-zero |entry|.
   */
  stats(x: number, n: number, C: number, out: number): void {
    this.wasm.stats(8 * x, n, C, 8 * out);
  }

  /**
   * box-sides.ts's boxSides3 (the same decisions, the same operations): z, e (the input map and its
   * bounds, 4 channels of n), t (T breakpoints) and box (8 doubles: the box's lo and hi, its
   * vertices' error bound r, and gammaOf(3) + eps) are offsets in doubles, `sides` in bytes.
   */
  boxSides3(z: number, e: number, n: number, t: number, T: number, sides: number, box: number): void {
    this.wasm.boxSides3(8 * z, 8 * e, n, 8 * t, T, sides, 8 * box);
  }

  /**
   * step-maps.ts's inRange (the same verdict): z (C channels of n, `length` doubles), e (`elength`
   * doubles) and reach (one double: the domain's radius) are offsets in doubles.
   */
  inRange(z: number, n: number, length: number, e: number, elength: number, reach: number): boolean {
    return this.wasm.inRange(8 * z, n, length, 8 * e, elength, 8 * reach) === 1;
  }

  /**
   * step-maps.ts's applyElementwise (the same operations): `states` (n bytes) is an offset in
   * bytes; slopes and intercepts (per state), src and dst (C channels of n) and scratch (n doubles)
   * are offsets in doubles.
   */
  elementwise(states: number, slopes: number, intercepts: number, src: number, dst: number, n: number, C: number, scratch: number): void {
    this.wasm.elementwise(states, 8 * slopes, 8 * intercepts, 8 * src, 8 * dst, n, C, 8 * scratch);
  }
}
