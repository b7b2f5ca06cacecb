/**
 * Counting the faces of the complex formed by the cells of a space partition: distinct vertices
 * (cells share them), distinct edges (pairs of vertices adjacent in some cell) and distinct facets
 * (sets of vertices of a cell facet; a facet between two cells counts once).
 *
 * Vertices are identified by their coordinates quantised to a grid of 1e-7 times the domain
 * radius; copies of one vertex computed in different cells differ by rounding (~1e-13 relative),
 * so when a coordinate falls near a rounding boundary we also look in the neighbouring bucket.
 */
import { type Polytope, popcount } from "./polytope.ts";

/** Open-addressing hash table of integer k-tuples -> ids, on typed arrays. */
class TupleTable {
  private keys: Int32Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;
  constructor(
    private readonly k: number,
    expected: number,
  ) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.keys = new Int32Array(cap * k);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }
  private slot(key: Int32Array): number {
    let h = 0x811c9dc5;
    for (let j = 0; j < this.k; j++) h = Math.imul(h ^ key[j], 0x01000193);
    let i = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      if (this.ids[i] < 0) return i;
      let same = true;
      for (let j = 0; j < this.k; j++) {
        if (this.keys[i * this.k + j] !== key[j]) {
          same = false;
          break;
        }
      }
      if (same) return i;
      i = (i + 1) & this.mask;
    }
  }
  get(key: Int32Array): number {
    return this.ids[this.slot(key)];
  }
  insert(key: Int32Array, id: number): void {
    const i = this.slot(key);
    if (this.ids[i] >= 0) return;
    this.ids[i] = id;
    this.keys.set(key, i * this.k);
    this.size++;
  }
}

export function complexCounts(polys: Polytope[], facetRows: number[][], k: number, radius: number): { vertices: number; edges: number; facets: number } {
  let total = 0;
  for (const p of polys) total += p.nv;
  const table = new TupleTable(k, total);
  const q = 1e-7 * radius;
  const key = new Int32Array(k);
  const alt = new Int32Array(k);
  const ambiguous: number[] = [];
  let next = 0;
  const gid = (verts: Float64Array, v: number): number => {
    ambiguous.length = 0;
    for (let j = 0; j < k; j++) {
      const s = verts[v * k + j] / q;
      const r = Math.round(s);
      key[j] = r;
      const frac = s - Math.floor(s);
      if (Math.abs(frac - 0.5) < 0.01) ambiguous.push(j);
    }
    let id = table.get(key);
    if (id >= 0) return id;
    // Near a rounding boundary: try the other rounding of the ambiguous coordinates.
    for (let m = 1; m < 1 << ambiguous.length; m++) {
      alt.set(key);
      ambiguous.forEach((j, b) => {
        if ((m >> b) & 1) {
          const s = verts[v * k + j] / q;
          alt[j] = key[j] === Math.floor(s) ? key[j] + 1 : key[j] - 1;
        }
      });
      id = table.get(alt);
      if (id >= 0) return id;
    }
    id = next++;
    table.insert(key, id);
    return id;
  };

  const edges = new Set<number>();
  const facets = new Set<string>();
  polys.forEach((p, i) => {
    const ids = new Int32Array(p.nv);
    for (let v = 0; v < p.nv; v++) ids[v] = gid(p.verts, v);
    const W = p.words;
    for (let u = 0; u < p.nv; u++) {
      for (let v = u + 1; v < p.nv; v++) {
        if (!adjacentIn(p, u, v, k)) continue;
        const a = Math.min(ids[u], ids[v]);
        const b = Math.max(ids[u], ids[v]);
        edges.add(a * 67108864 + b);
      }
    }
    for (const row of facetRows[i]) {
      const r = p.cons.indexOf(row);
      const word = r >>> 5;
      const bit = 1 << (r & 31);
      const members: number[] = [];
      for (let v = 0; v < p.nv; v++) if (p.inc[v * W + word] & bit) members.push(ids[v]);
      members.sort((x, y) => x - y);
      facets.add(members.join(","));
    }
  });
  return { vertices: next, edges: edges.size, facets: facets.size };
}

/** Combinatorial adjacency of vertices u, v within p (see polytope.ts). */
function adjacentIn(p: Polytope, u: number, v: number, k: number): boolean {
  const W = p.words;
  let bits = 0;
  for (let w = 0; w < W; w++) bits += popcount(p.inc[u * W + w] & p.inc[v * W + w]);
  if (bits < k - 1) return false;
  for (let x = 0; x < p.nv; x++) {
    if (x === u || x === v) continue;
    let contains = true;
    for (let w = 0; w < W; w++) {
      if ((p.inc[u * W + w] & p.inc[v * W + w] & ~p.inc[x * W + w]) !== 0) {
        contains = false;
        break;
      }
    }
    if (contains) return false;
  }
  return true;
}
