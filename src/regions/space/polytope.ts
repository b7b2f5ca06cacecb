/**
 * Convex polytopes in R^k held in both representations at once (double description): the
 * constraint rows g(y) <= 0 and the vertices, with for each vertex the bit set of rows tight
 * at it (its incidence). Cutting by a hyperplane is then exact combinatorics plus one
 * interpolation per crossing edge, with no LP:
 *
 * - the sign of h at the vertices decides whether h cuts the interior (vertices strictly on both
 *   sides), only touches the polytope (signs of one side and zeros: a lower-dimensional
 *   intersection, no split), misses it, or vanishes on it (a zero row or a coincident hyperplane);
 * - the crossing edges are the pairs (u, v), h(u) > 0 > h(v), that pass the combinatorial
 *   adjacency test of the double description method (Fukuda & Prodon 1996): no third vertex is
 *   tight at every row tight at both. The test is exact for any H-representation, redundant or
 *   degenerate (vertices on more than k rows), so degenerate input needs no special case.
 *
 * Rows that stop being facets after a cut (fewer than k tight vertices) are dropped at once, so
 * the lists stay short; `isFacet` gives the exact test for the minimal H-representation.
 */

/** Constraint rows g(y) = c_0 + c . y <= 0 shared by all polytopes of one partition, with labels. */
export class RowStore {
  readonly dim: number;
  coef: Float64Array;
  /** Which hyperplane a row comes from: piecewise step index (-1: domain), unit, and detail. */
  step: Int32Array;
  unit: Int32Array;
  /** Elementwise: breakpoint index; max: the competing group member (the neighbour's state). */
  other: Int32Array;
  /** Elementwise: -1 when the cell is below the breakpoint (z <= t), +1 above. */
  side: Int8Array;
  count = 0;

  constructor(dim: number, capacity = 1024) {
    this.dim = dim;
    this.coef = new Float64Array(capacity * (dim + 1));
    this.step = new Int32Array(capacity);
    this.unit = new Int32Array(capacity);
    this.other = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
  }

  /** Add the row sign * h <= 0; returns its id. */
  add(h: Float64Array, sign: number, step: number, unit: number, other: number, side: number): number {
    const n = this.dim + 1;
    if (this.count === this.step.length) this.grow();
    const id = this.count++;
    for (let j = 0; j < n; j++) this.coef[id * n + j] = sign * h[j];
    this.step[id] = step;
    this.unit[id] = unit;
    this.other[id] = other;
    this.side[id] = side;
    return id;
  }

  private grow(): void {
    const cap = this.step.length * 2;
    const n = this.dim + 1;
    const coef = new Float64Array(cap * n);
    coef.set(this.coef);
    this.coef = coef;
    for (const key of ["step", "unit", "other"] as const) {
      const a = new Int32Array(cap);
      a.set(this[key]);
      this[key] = a;
    }
    const side = new Int8Array(cap);
    side.set(this.side);
    this.side = side;
  }

  /** Bytes held (for the memory report). */
  bytes(): number {
    return this.coef.byteLength + 3 * this.step.byteLength + this.side.byteLength;
  }
}

export interface Polytope {
  nv: number;
  /** nv x dim, row-major. */
  verts: Float64Array;
  nc: number;
  /** Row ids (into the RowStore) of the constraints. */
  cons: Int32Array;
  /** Words per incidence bit set: ceil(nc / 32). */
  words: number;
  /** nv x words: bit r of vertex v is set when row cons[r] is tight at v. */
  inc: Uint32Array;
  /** Bounding box of the vertices (for interval tests). */
  lo: Float64Array;
  hi: Float64Array;
}

/** The box [lo_d, hi_d]^k with its 2^k corners; rows get labels step -1, unit 2d (lower) / 2d+1 (upper). */
export function boxPolytope(lo: Float64Array, hi: Float64Array, rows: RowStore): Polytope {
  const k = lo.length;
  const nv = 1 << k;
  const nc = 2 * k;
  const words = Math.ceil(nc / 32);
  const cons = new Int32Array(nc);
  const h = new Float64Array(k + 1);
  for (let d = 0; d < k; d++) {
    h.fill(0);
    h[0] = lo[d];
    h[1 + d] = -1; // lo - y_d <= 0
    cons[2 * d] = rows.add(h, 1, -1, 2 * d, 0, 0);
    h[0] = -hi[d];
    h[1 + d] = 1; // y_d - hi <= 0
    cons[2 * d + 1] = rows.add(h, 1, -1, 2 * d + 1, 0, 0);
  }
  const verts = new Float64Array(nv * k);
  const inc = new Uint32Array(nv * words);
  for (let v = 0; v < nv; v++) {
    for (let d = 0; d < k; d++) {
      const up = (v >> d) & 1;
      verts[v * k + d] = up ? hi[d] : lo[d];
      const r = 2 * d + up;
      inc[v * words + (r >>> 5)] |= 1 << (r & 31);
    }
  }
  return { nv, verts, nc, cons, words, inc, lo: lo.slice(), hi: hi.slice() };
}

/**
 * Outcome of testing a hyperplane against a polytope: Below / Above (h < 0 / h > 0 on the
 * interior; the polytope may touch h = 0), Flat (h vanishes on the whole polytope: a zero row or a
 * numerically coincident hyperplane), Split (h changes sign inside: both parts full-dimensional).
 */
export const Side = { Below: -1, Flat: 0, Above: 1, Split: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

export interface Cut {
  side: Side;
  /** The part with h <= 0 / h >= 0, present when side is Split (and requested). */
  below: Polytope | null;
  above: Polytope | null;
}

/** Scratch buffers reused between calls (grown as needed), so the hot loop does not allocate. */
let values = new Float64Array(64);
let signs = new Int8Array(64);
let common = new Uint32Array(8);

/**
 * Tolerance of the sign of h = c_0 + c . y over a domain of radius `radius`: values within it
 * count as zero. Relative to the size of the terms summed, so it scales with the hyperplane.
 */
export function hyperplaneTolerance(h: Float64Array, radius: number, eps: number): number {
  let s = Math.abs(h[0]);
  for (let j = 1; j < h.length; j++) s += Math.abs(h[j]) * radius;
  return eps * s + 1e-300;
}

/** Sign of h over the bounding box when it decides (interval arithmetic), else Split (undecided). */
export function boxSide(p: Polytope, h: Float64Array, tol: number): Side {
  let min = h[0];
  let max = h[0];
  for (let j = 0; j < p.lo.length; j++) {
    const c = h[j + 1];
    if (c >= 0) {
      min += c * p.lo[j];
      max += c * p.hi[j];
    } else {
      min += c * p.hi[j];
      max += c * p.lo[j];
    }
  }
  if (min > tol) return Side.Above;
  if (max < -tol) return Side.Below;
  return Side.Split;
}

/**
 * Cut p by the hyperplane h(y) = h_0 + h . y = 0. `want` selects the children to build
 * (1: below, 2: above, 3: both). Only when p really splits are rows added to `rows`: h <= 0 for
 * the part below (labelled side -1) and -h <= 0 for the part above (side +1).
 */
export function cut(p: Polytope, h: Float64Array, tol: number, want: number, rows: RowStore, step: number, unit: number, other: number): Cut {
  const k = h.length - 1;
  const { nv, verts } = p;
  if (values.length < nv) {
    values = new Float64Array(2 * nv);
    signs = new Int8Array(2 * nv);
  }
  let pos = 0;
  let neg = 0;
  for (let v = 0; v < nv; v++) {
    let x = h[0];
    for (let j = 0; j < k; j++) x += h[j + 1] * verts[v * k + j];
    values[v] = x;
    const s = x > tol ? 1 : x < -tol ? -1 : 0;
    signs[v] = s;
    if (s > 0) pos++;
    else if (s < 0) neg++;
  }
  if (pos === 0 && neg === 0) return { side: Side.Flat, below: null, above: null };
  if (neg === 0) return { side: Side.Above, below: null, above: null };
  if (pos === 0) return { side: Side.Below, below: null, above: null };

  // Crossing edges and their intersection points, into scratch buffers.
  const W = p.words;
  if (common.length < W) common = new Uint32Array(2 * W);
  const inc = p.inc;
  let added = 0;
  for (let u = 0; u < nv; u++) {
    if (signs[u] <= 0) continue;
    for (let v = 0; v < nv; v++) {
      if (signs[v] >= 0) continue;
      if (!adjacent(inc, W, nv, u, v, k)) continue;
      if ((added + 1) * k > newVerts.length) {
        const grown = new Float64Array(2 * newVerts.length + 8 * k);
        grown.set(newVerts);
        newVerts = grown;
      }
      if ((added + 1) * W > newInc.length) {
        const grown = new Uint32Array(2 * newInc.length + 8 * W);
        grown.set(newInc);
        newInc = grown;
      }
      const t = values[u] / (values[u] - values[v]);
      for (let j = 0; j < k; j++) newVerts[added * k + j] = verts[u * k + j] + t * (verts[v * k + j] - verts[u * k + j]);
      for (let w = 0; w < W; w++) newInc[added * W + w] = inc[u * W + w] & inc[v * W + w];
      added++;
    }
  }
  const below = want & 1 ? child(p, -1, added, rows.add(h, 1, step, unit, other, -1), k) : null;
  const above = want & 2 ? child(p, 1, added, rows.add(h, -1, step, unit, other, 1), k) : null;
  return { side: Side.Split, below, above };
}

let newVerts = new Float64Array(256);
let newInc = new Uint32Array(64);
let keepRow = new Int32Array(64);
let kept = new Int32Array(64);

/** Combinatorial adjacency of vertices u, v (Fukuda & Prodon): rows common to both hold no third vertex. */
function adjacent(inc: Uint32Array, W: number, nv: number, u: number, v: number, k: number): boolean {
  let bits = 0;
  for (let w = 0; w < W; w++) {
    const c = inc[u * W + w] & inc[v * W + w];
    common[w] = c;
    bits += popcount(c);
  }
  if (bits < k - 1) return false;
  for (let x = 0; x < nv; x++) {
    if (x === u || x === v) continue;
    let contains = true;
    for (let w = 0; w < W; w++) {
      if ((common[w] & ~inc[x * W + w]) !== 0) {
        contains = false;
        break;
      }
    }
    if (contains) return false;
  }
  return true;
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * The side `sign` of p (vertices of that sign or zero, plus the `added` new ones) with the new
 * row, dropping rows tight at fewer than k of its vertices (never facets).
 */
function child(p: Polytope, sign: number, added: number, row: number, k: number): Polytope {
  const W = p.words;
  const nc1 = p.nc + 1;
  if (kept.length < p.nv) kept = new Int32Array(2 * p.nv);
  if (keepRow.length < nc1) keepRow = new Int32Array(2 * nc1);
  let old = 0;
  for (let v = 0; v < p.nv; v++) if (signs[v] === sign || signs[v] === 0) kept[old++] = v;
  const nv = old + added;
  // Rows tight at >= k vertices of the child; the new row is tight at the zeros and new vertices.
  let nc = 0;
  for (let r = 0; r < p.nc; r++) {
    const word = r >>> 5;
    const bit = 1 << (r & 31);
    let c = 0;
    for (let i = 0; i < old && c < k; i++) if (p.inc[kept[i] * W + word] & bit) c++;
    for (let a = 0; a < added && c < k; a++) if (newInc[a * W + word] & bit) c++;
    if (c >= k) keepRow[nc++] = r;
  }
  keepRow[nc++] = p.nc;
  const W1 = Math.ceil(nc / 32);
  const verts = new Float64Array(nv * k);
  const inc = new Uint32Array(nv * W1);
  const cons = new Int32Array(nc);
  for (let i = 0; i < nc - 1; i++) cons[i] = p.cons[keepRow[i]];
  cons[nc - 1] = row;
  const lo = new Float64Array(k).fill(Infinity);
  const hi = new Float64Array(k).fill(-Infinity);
  const newBit = nc - 1;
  for (let n = 0; n < nv; n++) {
    const fresh = n >= old;
    const src = fresh ? newVerts : p.verts;
    const srcInc = fresh ? newInc : p.inc;
    const sv = fresh ? n - old : kept[n];
    for (let j = 0; j < k; j++) {
      const x = src[sv * k + j];
      verts[n * k + j] = x;
      if (x < lo[j]) lo[j] = x;
      if (x > hi[j]) hi[j] = x;
    }
    for (let i = 0; i < nc - 1; i++) {
      const r = keepRow[i];
      if (srcInc[sv * W + (r >>> 5)] & (1 << (r & 31))) inc[n * W1 + (i >>> 5)] |= 1 << (i & 31);
    }
    if (fresh || signs[sv] === 0) inc[n * W1 + (newBit >>> 5)] |= 1 << (newBit & 31);
  }
  return { nv, verts, nc, cons, words: W1, inc, lo, hi };
}

/**
 * Whether row r of p is a facet: the vertices tight at it span a (k-1)-dimensional affine hull.
 * For k <= 3, k tight vertices suffice (a lower-dimensional face of a 3-polytope is an edge with
 * two vertices); from k = 4 on, a 2-face can hold many vertices, so we compute the rank.
 */
export function isFacet(p: Polytope, r: number, k: number): boolean {
  const W = p.words;
  const word = r >>> 5;
  const bit = 1 << (r & 31);
  const tight: number[] = [];
  for (let v = 0; v < p.nv; v++) if (p.inc[v * W + word] & bit) tight.push(v);
  if (tight.length < k) return false;
  if (k <= 3) return true;
  return affineRank(p.verts, tight, k) >= k - 1;
}

/** Rank of the differences of the chosen points from the first (Gaussian elimination, relative pivot). */
export function affineRank(verts: Float64Array, ids: number[], k: number): number {
  const rows = ids.length - 1;
  const m = new Float64Array(rows * k);
  let scale = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < k; j++) {
      const d = verts[ids[i + 1] * k + j] - verts[ids[0] * k + j];
      m[i * k + j] = d;
      scale = Math.max(scale, Math.abs(d));
    }
  }
  const tol = 1e-9 * scale;
  let rank = 0;
  for (let c = 0; c < k && rank < rows; c++) {
    let piv = rank;
    for (let i = rank + 1; i < rows; i++) if (Math.abs(m[i * k + c]) > Math.abs(m[piv * k + c])) piv = i;
    if (Math.abs(m[piv * k + c]) <= tol) continue;
    for (let j = 0; j < k; j++) {
      const t = m[rank * k + j];
      m[rank * k + j] = m[piv * k + j];
      m[piv * k + j] = t;
    }
    for (let i = rank + 1; i < rows; i++) {
      const f = m[i * k + c] / m[rank * k + c];
      if (f === 0) continue;
      for (let j = c; j < k; j++) m[i * k + j] -= f * m[rank * k + j];
    }
    rank++;
  }
  return rank;
}
