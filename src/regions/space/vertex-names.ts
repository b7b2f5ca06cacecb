/**
 * Combinatorial names of the space engine's vertices, exact at every scale (docs/space.md,
 * "Naming vertices").
 *
 * The closures of the activation regions of a network, cut unit by unit (each breakpoint
 * hyperplane of each unit in the engine's order), form at every moment a face-to-face complex:
 * two cells meet in a face of both. Cutting by one more hyperplane H creates exactly the points
 * where H crosses the relative interior of an edge of the complex so far, and that edge is the
 * same one in every cell that holds the point. So a vertex is named, exactly and the same in every
 * cell, by (H, the names of that edge's two ends); the domain's corners are named 0 .. 2^k - 1,
 * and a vertex that H passes through keeps its name. Names are small integers in the order the
 * vertices are first met (corners first), so the complex's sets stay dense.
 *
 * The table also keeps each name's definition (hyperplane label, ends), so the names of a count
 * split among threads can be translated into one another's at the join (parallel/space.ts).
 */
import { grown } from "../../geometry/grown.ts";
import type { CutKernel } from "./cut-kernel.ts";

export class VertexNames {
  /** Names below this are the domain box's corners (vertex v of the box is named v). */
  readonly corners: number;
  /** Vertices named by crossings so far (names corners .. corners + size - 1). */
  size = 0;
  /**
   * End b -> the latest crossing whose greater end is b (-1: none); crossing i -> the previous one
   * with its b. By the greater end, which is mostly a recent name: its chain is short (a vertex is
   * the greater end of few edges, each crossed by few hyperplanes) and in memory written lately.
   * (Chained by the lesser end, the corners' and early names' chains grew long; a hash table over
   * the whole key missed the cache on most lookups.)
   */
  private head: Int32Array = new Int32Array(1024).fill(-1);
  private next: Int32Array = new Int32Array(1024);
  /** Crossing i: its hyperplane's label and its ends (lesser, greater). */
  label: Int32Array = new Int32Array(1024);
  lesser: Int32Array = new Int32Array(1024);
  greater: Int32Array = new Int32Array(1024);

  constructor(corners: number) {
    this.corners = corners;
  }

  /** All names given so far (corners included). */
  get count(): number {
    return this.corners + this.size;
  }

  /** The name of the point where the hyperplane `label` crosses the edge between the vertices named a and b. */
  crossing(label: number, a: number, b: number): number {
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (hi >= this.head.length) this.growHead(2 * (hi + 1));
    for (let i = this.head[hi]; i >= 0; i = this.next[i]) if (this.lesser[i] === lo && this.label[i] === label) return this.corners + i;
    const i = this.size++;
    if (i === this.next.length) this.growEntries(2 * i);
    this.label[i] = label;
    this.lesser[i] = lo;
    this.greater[i] = hi;
    this.next[i] = this.head[hi];
    this.head[hi] = i;
    return this.corners + i;
  }

  /**
   * The 3-D cut's WebAssembly (space/cut-kernel.ts), holding the arrays: its crossings name their
   * points there, by the same lookup and the same order of new names. Null: JavaScript only.
   */
  private kernel: CutKernel | null = null;
  /** Byte offsets of head, next, label, lesser, greater in the kernel's memory. */
  private readonly at = new Int32Array(5);

  /** Whether the arrays are in a kernel's memory (`useKernel`). */
  get inKernel(): boolean {
    return this.kernel !== null;
  }

  /** Keep the arrays in `kernel`'s memory (until `release`). */
  useKernel(kernel: CutKernel): void {
    const arrays = [this.head, this.next, this.label, this.lesser, this.greater];
    this.kernel = kernel;
    this.lengths[0] = this.head.length;
    this.lengths[1] = this.next.length;
    for (let i = 0; i < 5; i++) this.at[i] = kernel.place(arrays[i].byteLength);
    kernel.refresh();
    kernel.watch(() => this.view());
    this.view();
    this.head.set(arrays[0]);
    this.next.set(arrays[1]);
    this.label.set(arrays[2]);
    this.lesser.set(arrays[3]);
    this.greater.set(arrays[4]);
  }

  /** Room for `more` new names before a kernel call names crossings (the kernel cannot grow the arrays). */
  reserve(more: number): void {
    const count = this.corners + this.size;
    if (count + more > this.head.length) this.growHead(2 * (count + more));
    if (this.size + more > this.next.length) this.growEntries(2 * (this.size + more));
  }

  /** The walk is done with the kernel (its memory goes to the next walk): the arrays back in JavaScript. */
  release(): void {
    if (this.kernel === null) return;
    this.kernel = null;
    this.head = this.head.slice();
    this.next = this.next.slice();
    this.label = this.label.slice();
    this.lesser = this.lesser.slice();
    this.greater = this.greater.slice();
  }

  /** The views of the arrays on the kernel's memory as it is now, and the kernel told where they are. */
  private view(): void {
    const kernel = this.kernel as CutKernel;
    const b = kernel.buffer;
    const at = this.at;
    const n = this.lengths[1];
    this.head = new Int32Array(b, at[0], this.lengths[0]);
    this.next = new Int32Array(b, at[1], n);
    this.label = new Int32Array(b, at[2], n);
    this.lesser = new Int32Array(b, at[3], n);
    this.greater = new Int32Array(b, at[4], n);
    kernel.wasm.names(at[0], at[1], at[2], at[3], at[4], this.corners);
  }
  /** In the kernel's memory: the lengths of head and of the other four (views detach when the memory grows: kept here). */
  private readonly lengths = new Int32Array(2);

  /** head grown to `length` (the new entries -1: no crossing yet). */
  private growHead(length: number): void {
    const kernel = this.kernel;
    if (kernel === null) {
      const head = new Int32Array(length).fill(-1);
      head.set(this.head);
      this.head = head;
      return;
    }
    const old = this.lengths[0];
    const from = this.at[0];
    const to = kernel.place(4 * length);
    kernel.refresh();
    new Uint8Array(kernel.buffer).copyWithin(to, from, from + 4 * old);
    this.at[0] = to;
    this.lengths[0] = length;
    this.view();
    this.head.fill(-1, old);
  }

  /** next, label, lesser and greater grown to `length`. */
  private growEntries(length: number): void {
    const kernel = this.kernel;
    if (kernel === null) {
      this.next = grown(this.next, length);
      this.label = grown(this.label, length);
      this.lesser = grown(this.lesser, length);
      this.greater = grown(this.greater, length);
      return;
    }
    const old = this.lengths[1];
    const froms = [this.at[1], this.at[2], this.at[3], this.at[4]];
    const tos = froms.map(() => kernel.place(4 * length));
    kernel.refresh();
    const memory = new Uint8Array(kernel.buffer);
    for (let i = 0; i < 4; i++) {
      memory.copyWithin(tos[i], froms[i], froms[i] + 4 * old);
      this.at[1 + i] = tos[i];
    }
    this.lengths[1] = length;
    this.view();
  }
}
