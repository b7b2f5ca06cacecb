/**
 * Adjacency of a planar partition from its edge tags: every interior edge lies on a cut line
 * and knows its side (see PlanePartition.edgeLine). Edges of the same line from opposite sides
 * that overlap over a positive length belong to adjacent cells. Matching by line id is
 * combinatorial, so vertices of neighbours that differ by rounding (T-junctions) do not matter.
 */
import { growableUint32 } from "./buffers.ts";

export function planeAdjacency(cellCount: number, cellStart: Uint32Array, vertices: Float64Array, edgeLine: Int32Array, lines: Float64Array): Uint32Array {
  let m = 0;
  for (let k = 0; k < edgeLine.length; k++) if (edgeLine[k] >= 0) m++;
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
      if (tag < 0) continue;
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
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  order.sort((x, y) => line[x] - line[y] || t0[x] - t0[y]);
  // Two convex cells share at most one edge, so each pair is found once: no de-duplication.
  const pairs = growableUint32();
  const plus: number[] = [];
  const minus: number[] = [];
  for (let g = 0; g < m; ) {
    let h = g;
    const id = line[order[g]];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    plus.length = 0;
    minus.length = 0;
    while (h < m && line[order[h]] === id) {
      const x = order[h];
      (side[x] === 0 ? plus : minus).push(x);
      lo = Math.min(lo, t0[x]);
      hi = Math.max(hi, t1[x]);
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
