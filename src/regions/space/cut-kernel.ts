/**
 * The WebAssembly instance of the space engine's 3-D cut (src/regions/space-cut.as, embedded as
 * space-cut-wasm.ts) and the regions of its memory: a 3-D PolytopeArena keeps its arrays there
 * (space/polytope.ts), so that the kernel cuts a polytope where it lies, and the cut's scratch
 * sits beside them. Regions are placed by a bump allocator; one that grows is placed again at the
 * top and its contents copied (the old place is not reused: the arena's arrays double, so the
 * waste is at most what is live). When the memory itself grows, every view of it is stale:
 * `buffer` tells, and the owners view their regions again.
 *
 * One walk at a time holds an instance; a finished walk leaves it to the next on the thread
 * (`release`), as SpaceKernel does: a new instance per count gave V8 new export functions each
 * time, called through its generic wrapper until they warmed up (docs/performance-history.md, "Space
 * engine, Dec 7 fifth round"). Where WebAssembly is unavailable `create` returns null and the arena
 * keeps its arrays in JavaScript, running the same operations there.
 */
import { instantiateEmbedded } from "../../model/wasm-module.ts";
import { SPACE_CUT_WASM_BASE64 } from "../space-cut-wasm.ts";

export interface CutExports {
  /** A WebAssembly.Memory (written out: the declarations of the package name no DOM or WebAssembly types). */
  memory: { readonly buffer: ArrayBuffer; grow(delta: number): number };
  heapBase(): number;
  layout(
    nv: number,
    nc: number,
    words: number,
    vertAt: number,
    consAt: number,
    incAt: number,
    radMax: number,
    box: number,
    verts: number,
    rad: number,
    name: number,
    cons: number,
    inc: number,
  ): void;
  scratch(
    values: number,
    bounds: number,
    signs: number,
    h: number,
    e: number,
    newVerts: number,
    newInc: number,
    newRad: number,
    newName: number,
    columns: number,
    rowsAtNew: number,
    pairs: number,
    solve: number,
    kept: number,
    keepRow: number,
    out: number,
  ): void;
  values3(p: number, rel: number): void;
  crossings3(p: number, posBits: number, negBits: number, label: number, size: number): number;
  names(head: number, next: number, label: number, lesser: number, greater: number, corners: number): void;
  child3(p: number, q: number, other: number, same: number, added: number, row: number, named: number, vertTop: number, consTop: number, incTop: number): void;
  rows(coef: number, scale: number): void;
  facets3(p: number, rows: number, start: number, verts: number): number;
}

/** The kernel's path takes polytopes of at most this many vertices (and rows: one incidence word). */
export const KERNEL_VERTICES = 32;
/** Room for the crossings of one cut of such a polytope (at most 16 x 16 edges between the sides). */
export const CROSSINGS = 256;
const SCRATCH_VERTICES = 64;
const SCRATCH_ROWS = 64;

/** The instance the last walk on this thread released, with its memory. */
let spare: CutExports | null = null;
const SPARE_BYTES = 64 * 2 ** 20;

/** The cut's scratch in the kernel's memory (views; made again when the memory grows). */
export class CutScratch {
  values!: Float64Array;
  bounds!: Float64Array;
  signs!: Int8Array;
  h!: Float64Array;
  e!: Float64Array;
  newVerts!: Float64Array;
  newInc!: Uint32Array;
  newRad!: Float64Array;
  newName!: Int32Array;
  columns!: Uint32Array;
  rowsAtNew!: Int32Array;
  pairs!: Int32Array;
  solve!: Uint8Array;
  kept!: Int32Array;
  keepRow!: Int32Array;
  out!: Int32Array;
  /** A FacetList's arrays (`facets3`): rows, start, verts. */
  facetRows!: Int32Array;
  facetStart!: Int32Array;
  facetVerts!: Int32Array;
}

export class CutKernel {
  readonly wasm: CutExports;
  /** The memory's buffer when the views were last made. */
  buffer: ArrayBuffer;
  readonly scratch = new CutScratch();
  private top: number;
  private readonly at: number[] = [];

  private constructor(wasm: CutExports) {
    this.wasm = wasm;
    this.top = wasm.heapBase();
    // The scratch: fixed sizes (the kernel's path has at most KERNEL_VERTICES vertices and rows).
    const sizes = [
      8 * SCRATCH_VERTICES, // values
      8 * SCRATCH_VERTICES, // bounds
      SCRATCH_VERTICES, // signs
      8 * 4, // h
      8 * 4, // e
      8 * 3 * CROSSINGS, // newVerts
      4 * CROSSINGS, // newInc
      8 * CROSSINGS, // newRad
      4 * CROSSINGS, // newName
      4 * SCRATCH_ROWS, // columns
      4 * SCRATCH_ROWS, // rowsAtNew
      8 * CROSSINGS, // pairs
      CROSSINGS, // solve
      4 * SCRATCH_VERTICES, // kept
      4 * SCRATCH_ROWS, // keepRow
      4 * 4, // out
      4 * SCRATCH_ROWS, // facetRows
      4 * (SCRATCH_ROWS + 1), // facetStart
      4 * KERNEL_VERTICES * SCRATCH_ROWS, // facetVerts
    ];
    for (const bytes of sizes) this.at.push(this.place(bytes));
    const a = this.at;
    wasm.scratch(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
    this.buffer = wasm.memory.buffer;
    this.view();
  }

  /** A kernel for one walk: the instance the last walk on this thread released, else a new one (null without WebAssembly). */
  static create(): CutKernel | null {
    const reused = spare;
    spare = null;
    const wasm = reused ?? instantiateEmbedded<CutExports & { memory: WebAssembly.Memory }>(SPACE_CUT_WASM_BASE64);
    return wasm === null ? null : new CutKernel(wasm);
  }

  /** The walk is done with this kernel: its instance goes to the next walk on this thread (at most SPARE_BYTES of memory kept). */
  release(): void {
    if (this.wasm.memory.buffer.byteLength <= SPARE_BYTES) spare = this.wasm;
  }

  /** Bytes placed so far (the next region's offset). */
  get placed(): number {
    return this.top;
  }

  /** `bytes` of the memory (16-byte aligned, contents unspecified), growing it when needed. Returns the byte offset. */
  place(bytes: number): number {
    const at = this.top;
    this.top = (this.top + bytes + 15) & ~15;
    const memory = this.wasm.memory;
    const have = memory.buffer.byteLength;
    // By a quarter of the memory at least: each grow replaces the buffer (every view is made again).
    if (this.top > have) memory.grow(Math.max(Math.ceil((this.top - have) / 65536), have >>> 18));
    return at;
  }

  /** Those with views of the memory (the arena, the RowStore): told when it grew, with the former buffer. */
  private readonly owners: ((old: ArrayBuffer) => void)[] = [];

  /** `view` is called with the former buffer whenever the memory has grown (`refresh`). */
  watch(view: (old: ArrayBuffer) => void): void {
    this.owners.push(view);
  }

  /** After `place`: when the memory grew, every view made again (the scratch's, then each owner's). */
  refresh(): void {
    const old = this.buffer;
    if (this.wasm.memory.buffer === old) return;
    this.view();
    for (const view of this.owners) view(old);
  }

  /** The scratch's views on the current buffer. */
  view(): void {
    const b = this.wasm.memory.buffer;
    this.buffer = b;
    const a = this.at;
    const s = this.scratch;
    s.values = new Float64Array(b, a[0], SCRATCH_VERTICES);
    s.bounds = new Float64Array(b, a[1], SCRATCH_VERTICES);
    s.signs = new Int8Array(b, a[2], SCRATCH_VERTICES);
    s.h = new Float64Array(b, a[3], 4);
    s.e = new Float64Array(b, a[4], 4);
    s.newVerts = new Float64Array(b, a[5], 3 * CROSSINGS);
    s.newInc = new Uint32Array(b, a[6], CROSSINGS);
    s.newRad = new Float64Array(b, a[7], CROSSINGS);
    s.newName = new Int32Array(b, a[8], CROSSINGS);
    s.columns = new Uint32Array(b, a[9], SCRATCH_ROWS);
    s.rowsAtNew = new Int32Array(b, a[10], SCRATCH_ROWS);
    s.pairs = new Int32Array(b, a[11], 2 * CROSSINGS);
    s.solve = new Uint8Array(b, a[12], CROSSINGS);
    s.kept = new Int32Array(b, a[13], SCRATCH_VERTICES);
    s.keepRow = new Int32Array(b, a[14], SCRATCH_ROWS);
    s.out = new Int32Array(b, a[15], 4);
    s.facetRows = new Int32Array(b, a[16], SCRATCH_ROWS);
    s.facetStart = new Int32Array(b, a[17], SCRATCH_ROWS + 1);
    s.facetVerts = new Int32Array(b, a[18], KERNEL_VERTICES * SCRATCH_ROWS);
  }
}
