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

export class VertexNames {
  /** Names below this are the domain box's corners (vertex v of the box is named v). */
  readonly corners: number;
  /** Vertices named by crossings so far (names corners .. corners + size - 1). */
  size = 0;
  /**
   * Open addressing over (label, lesser, greater), at most half full: slot i holds its key and
   * crossing + 1 (0: empty) in slots[4i .. 4i + 3], so that a probe reads one cache line. (Chains
   * by the lesser end grew long at the first names, the corners and the early crossings, which
   * are ends of many edges: the lookups were a quarter of a crossing's time.)
   */
  private slots: Int32Array = new Int32Array(4 * 2048);
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
    const slots = this.slots;
    const mask = (slots.length >>> 2) - 1;
    let at = 4 * (hash(label, lo, hi) & mask);
    for (let id = slots[at + 3]; id !== 0; id = slots[at + 3]) {
      if (slots[at + 1] === lo && slots[at + 2] === hi && slots[at] === label) return this.corners + id - 1;
      at = (at + 4) & (4 * mask + 3);
    }
    const i = this.size++;
    if (i === this.label.length) {
      this.label = grown(this.label, 2 * i);
      this.lesser = grown(this.lesser, 2 * i);
      this.greater = grown(this.greater, 2 * i);
    }
    this.label[i] = label;
    this.lesser[i] = lo;
    this.greater[i] = hi;
    slots[at] = label;
    slots[at + 1] = lo;
    slots[at + 2] = hi;
    slots[at + 3] = i + 1;
    if (8 * this.size > slots.length) this.rehash();
    return this.corners + i;
  }

  /** Twice the slots, every crossing placed again. */
  private rehash(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = (slots.length >>> 2) - 1;
    for (let i = 0; i < this.size; i++) {
      const label = this.label[i];
      const lo = this.lesser[i];
      const hi = this.greater[i];
      let at = 4 * (hash(label, lo, hi) & mask);
      while (slots[at + 3] !== 0) at = (at + 4) & (4 * mask + 3);
      slots[at] = label;
      slots[at + 1] = lo;
      slots[at + 2] = hi;
      slots[at + 3] = i + 1;
    }
    this.slots = slots;
  }
}

/** A hash of a crossing's key (FNV-1a over three words, then mixed: the low bits pick the slot). */
function hash(label: number, lo: number, hi: number): number {
  let h = Math.imul(0x811c9dc5 ^ label, 16777619);
  h = Math.imul(h ^ lo, 16777619);
  h = Math.imul(h ^ hi, 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
