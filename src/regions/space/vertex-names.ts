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
    if (hi >= this.head.length) {
      const head = new Int32Array(2 * (hi + 1)).fill(-1);
      head.set(this.head);
      this.head = head;
    }
    for (let i = this.head[hi]; i >= 0; i = this.next[i]) if (this.lesser[i] === lo && this.label[i] === label) return this.corners + i;
    const i = this.size++;
    if (i === this.next.length) {
      this.next = grown(this.next, 2 * i);
      this.label = grown(this.label, 2 * i);
      this.lesser = grown(this.lesser, 2 * i);
      this.greater = grown(this.greater, 2 * i);
    }
    this.label[i] = label;
    this.lesser[i] = lo;
    this.greater[i] = hi;
    this.next[i] = this.head[hi];
    this.head[hi] = i;
    return this.corners + i;
  }
}
