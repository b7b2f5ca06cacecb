/**
 * The storage of space/polytope.ts's polytopes: end to end in a few typed arrays, addressed by
 * index, used as a stack (`push`, `pop`), in the cut kernel's memory while a 3-D walk has one
 * (`useKernel`, `release`). The polytopes are made here (`alloc`, `addBox`) and cut in
 * `PolytopeArena`.
 */
import { type GrowableArray, grown } from "../../geometry/grown.ts";
import type { CutKernel } from "./cut-kernel.ts";
import type { RowStore } from "./row-store.ts";
import type { VertexNames } from "./vertex-names.ts";

/** The last generation given to an arena (unique over all arenas). */
let generations = 0;

/**
 * The arena's arrays, by index (`PolytopeStore.grow`; in the kernel's memory in this order; the
 * ones exported for the room `PolytopeArena.childInKernel` makes before the kernel writes a child).
 */
const NV = 0;
const NC = 1;
const WORDS = 2;
const VERT_AT = 3;
const CONS_AT = 4;
const INC_AT = 5;
const RAD_MAX = 6;
export const BOX = 7;
export const VERTS = 8;
export const RAD = 9;
export const NAME = 10;
export const CONS = 11;
export const INC = 12;
const FIELDS = ["nv", "nc", "words", "vertAt", "consAt", "incAt", "radMax", "box", "verts", "rad", "name", "cons", "inc"] as const;
type Field = (typeof FIELDS)[number];
const TYPES = [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Float64Array, Float64Array, Float64Array, Float64Array, Int32Array, Int32Array, Uint32Array];
/** Their first lengths in the kernel's memory (3-D: the walk of 3-32x3-1 stays within these, so nothing grows). */
const KERNEL_LENGTHS = [4096, 4096, 4096, 4096, 4096, 4096, 4096, 6 * 4096, 3 * 65536, 65536, 65536, 65536, 65536];

/**
 * Polytopes stored end to end: polytope p has nv[p] vertices (k coordinates each, from
 * vertAt[p] in `verts`), nc[p] rows (row ids into the RowStore, from consAt[p] in `cons`) and
 * per vertex words[p] = ceil(nc / 32) incidence words (from incAt[p] in `inc`; bit r of vertex v
 * is set when row r is tight at v), and the bounding box of its vertices (2k numbers from 2kp in
 * `box`: lo, then hi). The polytopes added after a `push` are dropped together by the matching
 * `pop`; the arrays grow and are then reused.
 */
export class PolytopeStore {
  readonly k: number;
  count = 0;
  nv: Int32Array = new Int32Array(64);
  nc: Int32Array = new Int32Array(64);
  words: Int32Array = new Int32Array(64);
  vertAt: Int32Array = new Int32Array(64);
  consAt: Int32Array = new Int32Array(64);
  incAt: Int32Array = new Int32Array(64);
  verts: Float64Array = new Float64Array(1024);
  cons: Int32Array = new Int32Array(256);
  inc: Uint32Array = new Uint32Array(256);
  box: Float64Array = new Float64Array(256);
  /** Per vertex slot (vertAt[p] / k + v): a bound on its coordinates' error; per polytope: their largest. */
  rad: Float64Array = new Float64Array(256);
  radMax: Float64Array = new Float64Array(64);
  /**
   * Per vertex slot: its name (space/vertex-names.ts), when `names` is set: the walk's table, shared
   * by all its arenas, so that copies of one vertex in different cells carry one name.
   */
  name: Int32Array = new Int32Array(256);
  names: VertexNames | null = null;
  protected vertTop = 0;
  protected consTop = 0;
  protected incTop = 0;
  /** `push`'s saved tops (count, vertTop, consTop, incTop each), and how many are saved. */
  private marks: Int32Array = new Int32Array(64);
  private depth = 0;
  /** Renewed by `pop`, so that cached vertex masks (space/polytope.ts) of a dropped polytope p are not reused. */
  protected generation = ++generations;

  /** The 3-D cut's WebAssembly (space/cut-kernel.ts), holding this arena's arrays; null: JavaScript only. */
  protected kernel: CutKernel | null = null;
  /** Per array (FIELDS' order), its byte offset in the kernel's memory. */
  private readonly where = new Int32Array(FIELDS.length);

  constructor(k: number) {
    this.k = k;
  }

  /**
   * Keep the arrays in `kernel`'s memory and cut there (3-D, before any polytope is added), until
   * `release`.
   */
  useKernel(kernel: CutKernel): void {
    if (this.k !== 3 || this.count !== 0) throw new Error("a cut kernel is for an empty 3-D arena");
    this.kernel = kernel;
    for (let i = 0; i < FIELDS.length; i++) this.where[i] = kernel.place(KERNEL_LENGTHS[i] * TYPES[i].BYTES_PER_ELEMENT);
    kernel.refresh();
    kernel.watch((old) => {
      this.viewAll();
      this.kernelGrew(old, kernel);
    });
    this.viewAll();
  }

  /**
   * The walk is done with this arena, before its kernel's memory goes to the next walk on the
   * thread: the arena holds no polytope any more (its counters, as `undecided`, stay readable).
   */
  release(): void {
    const kernel = this.kernel;
    if (kernel === null) return;
    this.kernel = null;
    for (let i = 0; i < FIELDS.length; i++) this.set(FIELDS[i], new TYPES[i](0));
    this.count = 0;
    this.kernelReleased(kernel);
  }

  /** After the kernel's memory grew (old: its former buffer), once the arrays are views of the new one: for what else viewed it. */
  protected kernelGrew(_old: ArrayBufferLike, _kernel: CutKernel): void {}

  /** At the end of `release`: for what else viewed the kernel's memory. */
  protected kernelReleased(_kernel: CutKernel): void {}

  private set(field: Field, a: GrowableArray): void {
    (this as unknown as Record<Field, GrowableArray>)[field] = a;
  }

  /** Every array's view on the kernel's memory as it is now, and the kernel told where they are. */
  private viewAll(): void {
    const kernel = this.kernel as CutKernel;
    const b = kernel.buffer;
    for (let i = 0; i < FIELDS.length; i++) this.set(FIELDS[i], new TYPES[i](b, this.where[i], this.lengthOf(i)));
    const w = this.where;
    kernel.wasm.layout(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12]);
  }

  /** Array i's length in the kernel's memory (from its first length and its growths: `lengths`). */
  private lengthOf(i: number): number {
    return this.lengths[i] === 0 ? KERNEL_LENGTHS[i] : this.lengths[i];
  }
  private readonly lengths = new Int32Array(FIELDS.length);

  /** The per-polytope arrays grown to `length`. */
  protected growPolytopes(length: number): void {
    for (const i of [NV, NC, WORDS, VERT_AT, CONS_AT, INC_AT, RAD_MAX]) this.grow(i, length);
  }

  /** Array i grown to `length` elements, its contents kept. */
  protected grow(i: number, length: number): void {
    const kernel = this.kernel;
    const field = FIELDS[i];
    if (kernel === null) {
      this.set(field, grown(this[field] as GrowableArray, length));
      return;
    }
    const size = TYPES[i].BYTES_PER_ELEMENT;
    const from = this.where[i];
    const bytes = this.lengthOf(i) * size;
    const at = kernel.place(length * size);
    kernel.refresh();
    new Uint8Array(kernel.buffer).copyWithin(at, from, from + bytes);
    this.where[i] = at;
    this.lengths[i] = length;
    this.viewAll();
  }

  /** Marks the polytopes so far: the next `pop` drops every polytope added after this. */
  push(): void {
    if (4 * (this.depth + 1) > this.marks.length) this.marks = grown(this.marks, 8 * (this.depth + 1));
    const at = 4 * this.depth++;
    this.marks[at] = this.count;
    this.marks[at + 1] = this.vertTop;
    this.marks[at + 2] = this.consTop;
    this.marks[at + 3] = this.incTop;
  }

  /** Drops the polytopes added since the matching `push` (their indices are given again). */
  pop(): void {
    const at = 4 * --this.depth;
    this.count = this.marks[at];
    this.vertTop = this.marks[at + 1];
    this.consTop = this.marks[at + 2];
    this.incTop = this.marks[at + 3];
    this.generation = ++generations;
  }

  /** Room for a polytope of nv vertices and nc rows; its incidence words are zeroed. */
  protected alloc(nv: number, nc: number): number {
    const k = this.k;
    const W = Math.ceil(nc / 32);
    const p = this.count++;
    if (p === this.nv.length) this.growPolytopes(2 * p);
    if (2 * k * (p + 1) > this.box.length) this.grow(BOX, 4 * k * (p + 1));
    if (this.vertTop + nv * k > this.verts.length) this.grow(VERTS, 2 * (this.vertTop + nv * k));
    if (this.vertTop / k + nv > this.rad.length) this.grow(RAD, 2 * (this.vertTop / k + nv));
    if (this.vertTop / k + nv > this.name.length) this.grow(NAME, 2 * (this.vertTop / k + nv));
    if (this.consTop + nc > this.cons.length) this.grow(CONS, 2 * (this.consTop + nc));
    if (this.incTop + nv * W > this.inc.length) this.grow(INC, 2 * (this.incTop + nv * W));
    this.nv[p] = nv;
    this.nc[p] = nc;
    this.words[p] = W;
    this.vertAt[p] = this.vertTop;
    this.consAt[p] = this.consTop;
    this.incAt[p] = this.incTop;
    // Loops, not fill: fill's call costs more than the few dozen words zeroed per polytope.
    const inc = this.inc;
    for (let i = this.incTop; i < this.incTop + nv * W; i++) inc[i] = 0;
    this.vertTop += nv * k;
    this.consTop += nc;
    this.incTop += nv * W;
    return p;
  }

  /** The box [lo_d, hi_d]^k with its 2^k corners; rows get labels step -1, unit 2d (lower) / 2d+1 (upper). */
  addBox(lo: Float64Array, hi: Float64Array, rows: RowStore): number {
    const k = this.k;
    // Vertex indices are 32-bit: 1 << k wraps from k = 31 on (1 << 64 is 1).
    if (k > 30) throw new RangeError(`a box in ${k} dimensions has 2^${k} corners, more than a polytope can hold`);
    const nv = 1 << k;
    const nc = 2 * k;
    const p = this.alloc(nv, nc);
    const W = this.words[p];
    const h = new Float64Array(k + 1);
    for (let d = 0; d < k; d++) {
      h.fill(0);
      h[0] = lo[d];
      h[1 + d] = -1; // lo - y_d <= 0
      this.cons[this.consAt[p] + 2 * d] = rows.add(h, 1, -1, 2 * d, 0, 0, true);
      h[0] = -hi[d];
      h[1 + d] = 1; // y_d - hi <= 0
      this.cons[this.consAt[p] + 2 * d + 1] = rows.add(h, 1, -1, 2 * d + 1, 0, 0, true);
    }
    const v0 = this.vertAt[p];
    const i0 = this.incAt[p];
    for (let v = 0; v < nv; v++) {
      for (let d = 0; d < k; d++) {
        const up = (v >> d) & 1;
        this.verts[v0 + v * k + d] = up ? hi[d] : lo[d];
        const r = 2 * d + up;
        this.inc[i0 + v * W + (r >>> 5)] |= 1 << (r & 31);
      }
    }
    for (let d = 0; d < k; d++) {
      this.box[2 * k * p + d] = lo[d];
      this.box[2 * k * p + k + d] = hi[d];
    }
    this.rad.fill(0, v0 / k, v0 / k + nv);
    this.radMax[p] = 0;
    for (let v = 0; v < nv; v++) this.name[v0 / k + v] = v;
    return p;
  }
}
