/**
 * Adjacency of a planar partition from its edge tags: every interior edge lies on a cut line
 * and knows its side (see PlanePartition.edgeLine). Edges of the same line from opposite sides
 * that overlap over a positive length belong to adjacent cells. Matching by line id is
 * combinatorial, so vertices of neighbours that differ by rounding (T-junctions) do not matter.
 */
import { growableUint32 } from "./buffers.ts";
import { adjacencyKernel } from "./plane-adjacency-kernel.ts";

/** Interior edges on cut lines, sorted by line id, then by start along the line, ties in cell order. */
export interface LineEdges {
  line: Int32Array;
  side: Uint8Array;
  /** Start and end along the line (projection on its direction (-c, b)). */
  t0: Float64Array;
  t1: Float64Array;
  cell: Int32Array;
}

/**
 * The edges of a partition that lie on lines with ids below `lineLimit` (all by default), sorted
 * (see LineEdges): what the adjacency sweep reads, here and when threads join plane shares.
 */
export function sortedLineEdges(cellCount: number, cellStart: Uint32Array, vertices: Float64Array, edgeLine: Int32Array, lines: Float64Array, lineLimit = 2 ** 30): LineEdges {
  let m = 0;
  for (let k = 0; k < edgeLine.length; k++) if (edgeLine[k] >= 0 && edgeLine[k] >> 1 < lineLimit) m++;
  const line = new Int32Array(m);
  const side = new Uint8Array(m);
  const t0 = new Float64Array(m);
  const t1 = new Float64Array(m);
  const cell = new Int32Array(m);
  let e = 0;
  for (let i = 0; i < cellCount; i++) {
    const start = cellStart[i];
    const end = cellStart[i + 1];
    for (let k = start; k < end; k++) {
      const tag = edgeLine[k];
      if (tag < 0 || tag >> 1 >= lineLimit) continue;
      const next = k + 1 < end ? k + 1 : start;
      const id = tag >> 1;
      // Position along the line: projection on its direction (-c, b).
      const b = lines[3 * id + 1];
      const c = lines[3 * id + 2];
      const ta = -c * vertices[2 * k] + b * vertices[2 * k + 1];
      const tb = -c * vertices[2 * next] + b * vertices[2 * next + 1];
      line[e] = id;
      side[e] = tag & 1;
      t0[e] = Math.min(ta, tb);
      t1[e] = Math.max(ta, tb);
      cell[e] = i;
      e++;
    }
  }
  // Edges by line, then by start along it; ties keep the edge order. Counting sort by line id,
  // then a stable sort of each line's edges by t0: the same order as a stable comparison sort
  // on (line, t0), without a call per comparison.
  let lineCount = 0;
  for (let k = 0; k < m; k++) if (line[k] >= lineCount) lineCount = line[k] + 1;
  const first = new Int32Array(lineCount + 1);
  for (let k = 0; k < m; k++) first[line[k] + 1]++;
  for (let l = 0; l < lineCount; l++) first[l + 1] += first[l];
  const order = new Int32Array(m);
  const fill = first.slice(0, lineCount);
  for (let k = 0; k < m; k++) order[fill[line[k]]++] = k;
  // Runs of RUN edges by insertion, then bottom-up merges for the lines that have more (most
  // lines have a few edges, a first-layer line can have thousands).
  const RUN = 16;
  const spare = new Int32Array(m);
  for (let l = 0; l < lineCount; l++) {
    const lo = first[l];
    const hi = first[l + 1];
    for (let r = lo; r < hi; r += RUN) {
      const end = Math.min(r + RUN, hi);
      for (let h = r + 1; h < end; h++) {
        const x = order[h];
        const key = t0[x];
        let g = h - 1;
        while (g >= r && t0[order[g]] > key) {
          order[g + 1] = order[g];
          g--;
        }
        order[g + 1] = x;
      }
    }
    let src = order;
    let dst = spare;
    for (let width = RUN; width < hi - lo; width *= 2) {
      for (let r = lo; r < hi; r += 2 * width) {
        const mid = Math.min(r + width, hi);
        const end = Math.min(r + 2 * width, hi);
        let i = r;
        let j = mid;
        let o = r;
        // Equal keys take the left run first: stable.
        while (i < mid && j < end) dst[o++] = t0[src[j]] < t0[src[i]] ? src[j++] : src[i++];
        while (i < mid) dst[o++] = src[i++];
        while (j < end) dst[o++] = src[j++];
      }
      dst = src;
      src = src === order ? spare : order;
    }
    if (src !== order) for (let k = lo; k < hi; k++) order[k] = src[k];
  }
  const gather = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(m);
    for (let k = 0; k < m; k++) out[k] = a[order[k]];
    return out;
  };
  return { line: gather(line), side: gather(side), t0: gather(t0), t1: gather(t1), cell: gather(cell) };
}

/**
 * Pairs (a < b) of cells that share an edge of positive length, by line, then along it. In
 * WebAssembly where it is available (plane-adjacency-kernel.ts: the same steps, the same pairs);
 * `kernel: false` runs the JavaScript below (the tests compare the two).
 */
export function planeAdjacency(cellCount: number, cellStart: Uint32Array, vertices: Float64Array, edgeLine: Int32Array, lines: Float64Array, kernel = true): Uint32Array {
  const fast = kernel ? adjacencyKernel(cellCount, cellStart, vertices, edgeLine, lines) : null;
  if (fast !== null) return fast;
  const { line, side, t0, t1, cell } = sortedLineEdges(cellCount, cellStart, vertices, edgeLine, lines);
  const m = line.length;
  // Two convex cells share at most one edge, so each pair is found once: no de-duplication.
  const pairs = growableUint32();
  const plus: number[] = [];
  const minus: number[] = [];
  for (let g = 0; g < m; ) {
    let h = g;
    const id = line[g];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    plus.length = 0;
    minus.length = 0;
    while (h < m && line[h] === id) {
      (side[h] === 0 ? plus : minus).push(h);
      lo = Math.min(lo, t0[h]);
      hi = Math.max(hi, t1[h]);
      h++;
    }
    // Overlaps shorter than this are rounding at shared endpoints, not shared edges.
    const tol = 1e-10 * (hi - lo);
    let i = 0;
    let j = 0;
    while (i < plus.length && j < minus.length) {
      const a = plus[i];
      const b = minus[j];
      if (Math.min(t1[a], t1[b]) - Math.max(t0[a], t0[b]) > tol) {
        pairs.push(Math.min(cell[a], cell[b]));
        pairs.push(Math.max(cell[a], cell[b]));
      }
      if (t1[a] < t1[b]) i++;
      else j++;
    }
    g = h;
  }
  return pairs.toArray();
}
