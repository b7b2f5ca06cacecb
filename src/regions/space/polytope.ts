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
 * the lists stay short; `facets` gives the exact test for the minimal H-representation.
 *
 * Polytopes live in arenas (`PolytopeArena`): end to end in a few typed arrays, addressed by
 * index, so the engine's walk allocates nothing per cell once the arenas have grown. The walk
 * uses one arena as a stack (`push`, `pop`): a piecewise step cuts its parent where it lies and
 * puts the pieces above it, and drops them when they are done.
 *
 * This file holds the cut and its scratch, the crossings, the child's rows and incidences, the
 * adjacency tests and the facets; the arrays, `push` / `pop` and the kernel's memory are in
 * space/polytope-store.ts, the bounding-box test in space/interval-side.ts, the exact decisions
 * in space/exact-cut.ts, the child's vertices in space/child-vertices.ts and the facets' rank
 * test in space/affine-rank.ts.
 */
import { grown } from "../../geometry/grown.ts";
import { EPS } from "../map-error.ts";
import { affineRankAtLeast } from "./affine-rank.ts";
import { popcount as popcountOf } from "./bit-sets.ts";
import { childVertices3 as childVertices3Of, childVertices as childVerticesOf } from "./child-vertices.ts";
import { CROSSINGS, type CutKernel, type CutScratch, KERNEL_VERTICES } from "./cut-kernel.ts";
import { exactCrossingPoint, exactSignAt, UNDECIDED as UNDECIDED_SIGN } from "./exact-cut.ts";
import type { FacetList } from "./facet-list.ts";
import { boxSideOf } from "./interval-side.ts";
import { BOX, CONS, INC, NAME, PolytopeStore, RAD, VERTS } from "./polytope-store.ts";
import type { RowStore } from "./row-store.ts";
import { type ExactHyperplane, gammaOf as gammaOfK, Side, type SignTolerance } from "./side.ts";
import { solveVertex } from "./vertex-solve.ts";

// Module-local copies of what the cut's loops call from other files: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const gammaOf = gammaOfK;
const popcount = popcountOf;
const rankAtLeast = affineRankAtLeast;
const exactSign = exactSignAt;
const intervalSide = boxSideOf;
const childVertices = childVerticesOf;
const childVertices3 = childVertices3Of;
const UNDECIDED = UNDECIDED_SIGN;

/** A crossing is solved from its rows when its interpolation bound exceeds this, relative to its size. */
const SOLVE_ABOVE = 2 ** -40;

/**
 * Scratch of `cut` (one call at a time, grown as needed): the values and signs of h at the
 * parent's vertices, the crossing points with their incidences, and the child's bookkeeping.
 */
let values: Float64Array = new Float64Array(64);
let signs: Int8Array = new Int8Array(64);
let positive: Int32Array = new Int32Array(64);
let negative: Int32Array = new Int32Array(64);
/**
 * Per row: the bit set of the vertices tight at it (`vertexMasks`), and whose they are (polytope
 * columnsOf of the arena in generation columnsGeneration): a finished cell's facets and edges both
 * use them, and a polytope never changes until it is dropped (`pop`), which starts a new generation.
 */
let columns: Uint32Array = new Uint32Array(64);
let columnsOf = -1;
let columnsGeneration = -1;
let newVerts: Float64Array = new Float64Array(256);
let newInc: Uint32Array = new Uint32Array(64);
let newRad: Float64Array = new Float64Array(64);
let newName: Int32Array = new Int32Array(64);
/**
 * Per vertex of the polytope being cut: how far h's computed value there may be from the value of
 * the computed h at the exact vertex (the sign's tolerance adds h's own uncertainty).
 */
let bounds: Float64Array = new Float64Array(64);
/** The rows common to an edge's two ends (global ids), for solving a crossing. */
let edgeRows: Int32Array = new Int32Array(64);
let keepRow: Int32Array = new Int32Array(64);
/** Per parent row: the child's tight-vertex count, then the row's new index. */
let rowCount: Int32Array = new Int32Array(64);
/** Per row of the polytope being cut: how many of the crossing points lie on it (both children get them all). */
let rowsAtNew: Int32Array = new Int32Array(64);
/** The last cut's vertices with h > 0 and h < 0, as bit sets (meaningful when it has at most 32 vertices). */
let cutPositive = 0;
let cutNegative = 0;
let kept: Int32Array = new Int32Array(64);
/** Scratch of `sharing`: per count t, the vertices on at least t of a vertex's rows. */
let atLeast: Int32Array = new Int32Array(16);

/**
 * The cut's scratch in the kernel's memory: while a 3-D arena with a kernel cuts, the module's
 * scratch arrays are these views (the kernel reads and writes them there). `bindScratch` points
 * them there before a kernel cut; a JavaScript cut that needs more room replaces one by a larger
 * array of its own, which the next kernel cut points back.
 */
function bindScratch(s: CutScratch): void {
  if (values !== s.values) values = s.values;
  if (bounds !== s.bounds) bounds = s.bounds;
  if (signs !== s.signs) signs = s.signs;
  if (newVerts !== s.newVerts) newVerts = s.newVerts;
  if (newInc !== s.newInc) newInc = s.newInc;
  if (newRad !== s.newRad) newRad = s.newRad;
  if (newName !== s.newName) newName = s.newName;
  if (rowsAtNew !== s.rowsAtNew) rowsAtNew = s.rowsAtNew;
  if (kept !== s.kept) kept = s.kept;
  if (keepRow !== s.keepRow) keepRow = s.keepRow;
  if (columns !== s.columns) {
    columns = s.columns;
    columnsOf = -1;
  }
}

/**
 * A walk is done with its kernel (its memory may go to the next walk, or be dropped): the scratch
 * arrays that are views of it become arrays of their own, so that a walk in JavaScript does not
 * write into that memory and nothing keeps a dropped memory alive.
 */
function unbindScratch(memory: ArrayBufferLike): void {
  if (values.buffer === memory) values = values.slice();
  if (bounds.buffer === memory) bounds = bounds.slice();
  if (signs.buffer === memory) signs = signs.slice();
  if (newVerts.buffer === memory) newVerts = newVerts.slice();
  if (newInc.buffer === memory) newInc = newInc.slice();
  if (newRad.buffer === memory) newRad = newRad.slice();
  if (newName.buffer === memory) newName = newName.slice();
  if (rowsAtNew.buffer === memory) rowsAtNew = rowsAtNew.slice();
  if (kept.buffer === memory) kept = kept.slice();
  if (keepRow.buffer === memory) keepRow = keepRow.slice();
  if (columns.buffer === memory) columns = columns.slice();
}

/** After the kernel's memory grew (old: its former buffer): the scratch arrays that were views of it, made again. */
function rebindScratch(old: ArrayBufferLike, s: CutScratch): void {
  if (values.buffer === old) values = s.values;
  if (bounds.buffer === old) bounds = s.bounds;
  if (signs.buffer === old) signs = s.signs;
  if (newVerts.buffer === old) newVerts = s.newVerts;
  if (newInc.buffer === old) newInc = s.newInc;
  if (newRad.buffer === old) newRad = s.newRad;
  if (newName.buffer === old) newName = s.newName;
  if (rowsAtNew.buffer === old) rowsAtNew = s.rowsAtNew;
  if (kept.buffer === old) kept = s.kept;
  if (keepRow.buffer === old) keepRow = s.keepRow;
  if (columns.buffer === old) columns = s.columns;
}

/**
 * The polytopes of a `PolytopeStore` (space/polytope-store.ts: their arrays, `push` and `pop`)
 * cut by hyperplanes, with the counters and children of the last cut, the adjacency of their
 * vertices, and their facets.
 */
export class PolytopeArena extends PolytopeStore {
  /**
   * How many vertex signs `cut` left at 0 (on the hyperplane) within rounding without deciding them
   * exactly (eps > 0, or a row the exact stage cannot compute). Only such a decision can differ
   * between the cells on either side of a facet (docs/space.md): while it stays 0, the cells form
   * the face-to-face complex that the complex's derived facet count relies on (space/complex.ts).
   */
  undecided = 0;
  /** The children built by the last `cut` that split (-1 when not requested). */
  below = -1;
  above = -1;

  /** The cut's scratch arrays that were views of the kernel's memory, made again on the grown one. */
  protected override kernelGrew(old: ArrayBufferLike, kernel: CutKernel): void {
    rebindScratch(old, kernel.scratch);
  }

  /** The cut's scratch arrays that were views of the kernel's memory, arrays of their own. */
  protected override kernelReleased(kernel: CutKernel): void {
    unbindScratch(kernel.buffer);
  }

  /**
   * Sign of h over p's bounding box when it decides (interval arithmetic: space/interval-side.ts),
   * else Split (undecided).
   */
  boxSide(p: number, h: Float64Array, t: SignTolerance): Side {
    return intervalSide(this, p, h, t);
  }

  /**
   * Cut p by the hyperplane h(y) = h_0 + h . y = 0. `want` selects the children to build
   * (1: below, 2: above, 3: both), left in `below` / `above`. Only when p really splits are rows
   * added to `rows`: h <= 0 for the part below (labelled side -1) and -h <= 0 for the part above
   * (side +1). `label` names the hyperplane among all the walk's cuts (the new vertices' names,
   * when the arena names them: space/vertex-names.ts).
   */
  cut(p: number, h: Float64Array, t: SignTolerance, want: number, rows: RowStore, step: number, unit: number, other: number, label = 0): Side {
    const k = this.k;
    const nv = this.nv[p];
    if (this.kernel !== null && nv <= KERNEL_VERTICES && this.words[p] === 1) return this.cutInKernel(p, h, t, want, rows, step, unit, other, label);
    const v0 = this.vertAt[p];
    const r0 = v0 / k;
    const verts = this.verts;
    const rad = this.rad;
    const e = t.err;
    const rel = gammaOf(k) + t.eps;
    if (values.length < nv) {
      values = new Float64Array(2 * nv);
      signs = new Int8Array(2 * nv);
      positive = new Int32Array(2 * nv);
      negative = new Int32Array(2 * nv);
      bounds = new Float64Array(2 * nv);
    }
    let hNorm = 0;
    for (let j = 1; j <= k; j++) hNorm += Math.abs(h[j]);
    let exactH = true;
    for (let j = 0; j <= k; j++) if (e[j] !== 0) exactH = false;
    let pos = 0;
    let neg = 0;
    // The positive and negative vertices as bit sets too (used when nv <= 32).
    let posBits = 0;
    let negBits = 0;
    const h0 = h[0];
    const h1 = h[1];
    const h2 = h[2];
    const h3 = k >= 3 ? h[3] : 0;
    for (let v = 0; v < nv; v++) {
      let x = h0;
      let mag = Math.abs(h0);
      let coefBound = e[0];
      if (k === 3) {
        // Unrolled in 3-D: the loop below, operation for operation.
        const at = v0 + 3 * v;
        const y0 = verts[at];
        const y1 = verts[at + 1];
        const y2 = verts[at + 2];
        const t0 = h1 * y0;
        x += t0;
        mag += Math.abs(t0);
        coefBound += e[1] * Math.abs(y0);
        const t1 = h2 * y1;
        x += t1;
        mag += Math.abs(t1);
        coefBound += e[2] * Math.abs(y1);
        const t2 = h3 * y2;
        x += t2;
        mag += Math.abs(t2);
        coefBound += e[3] * Math.abs(y2);
      } else {
        for (let j = 0; j < k; j++) {
          const y = verts[v0 + v * k + j];
          const term = h[j + 1] * y;
          x += term;
          mag += Math.abs(term);
          coefBound += e[j + 1] * Math.abs(y);
        }
      }
      values[v] = x;
      // The error of the computed h at this point, against the computed h at the exact vertex.
      const atVertex = 2 * hNorm * rad[r0 + v] + rel * mag + Number.MIN_VALUE;
      bounds[v] = atVertex;
      const tol = atVertex + 2 * coefBound;
      let s = x > tol ? 1 : x < -tol ? -1 : 0;
      if (s === 0) {
        // Within the bounds of an exact h at a vertex of exact rows: decide exactly. Within the
        // bounds of a rounded h (a deeper layer's) at such a vertex: h exactly decides. Either
        // way the value used for the crossings takes the decided sign (the vertex is that near
        // h): a value of the other sign, or two zeros, would put the crossing off its edge.
        if (t.eps === 0 && (exactH || t.exact)) {
          s = exactH ? exactSign(this, p, v, h, rows, t.exact ?? null) : exactSign(this, p, v, null, rows, t.exact ?? null);
          if (s !== 0 && s !== UNDECIDED && !(s * x > 0)) values[v] = s * Number.MIN_VALUE;
        } else s = UNDECIDED;
        // Left on h within rounding, not decided exactly (see `undecided`).
        if (s === UNDECIDED) {
          s = 0;
          this.undecided++;
        }
      }
      signs[v] = s;
      if (s > 0) {
        positive[pos++] = v;
        posBits |= 1 << v;
      } else if (s < 0) {
        negative[neg++] = v;
        negBits |= 1 << v;
      }
    }
    this.below = -1;
    this.above = -1;
    if (pos === 0 && neg === 0) return Side.Flat;
    if (neg === 0) return Side.Above;
    if (pos === 0) return Side.Below;

    // Crossing edges and their intersection points, into scratch buffers.
    this.cutExactH = exactH;
    this.cutExact = t.exact ?? null;
    this.cutEps = t.eps;
    const i0 = this.incAt[p];
    const inc = this.inc;
    const vw = this.vertexMasks(p);
    cutPositive = posBits;
    cutNegative = negBits;
    if (rowsAtNew.length < this.nc[p]) rowsAtNew = new Int32Array(2 * this.nc[p]);
    for (let r = 0; r < this.nc[p]; r++) rowsAtNew[r] = 0;
    let added = 0;
    for (let pi = 0; pi < pos; pi++) {
      const u = positive[pi];
      if (vw === 1) {
        // One-word masks: only the negative vertices sharing k - 1 rows with u can be adjacent
        // to it (taken in increasing order, as in the list).
        for (let c = this.sharing(inc[i0 + u], nv) & negBits; c !== 0; c &= c - 1) {
          const v = 31 - Math.clz32(c & -c);
          if (this.holdsOnly(nv, inc[i0 + u] & inc[i0 + v], u, v)) this.crossing(p, u, v, added++, h, rows, label);
        }
        continue;
      }
      for (let ni = 0; ni < neg; ni++) {
        const v = negative[ni];
        if (vw > 0 ? this.adjacentMasked(vw, nv, inc[i0 + u] & inc[i0 + v], u, v) : this.adjacent(p, u, v)) this.crossing(p, u, v, added++, h, rows, label);
      }
    }
    // A rounded h's exact row, when known (computed for a vertex above, or always for the first layer's).
    const exactRow = !exactH && t.exact ? t.exact.known() : null;
    if (want & 1) this.below = this.child(p, -1, added, rows.add(h, 1, step, unit, other, -1, exactH, exactRow));
    if (want & 2) this.above = this.child(p, 1, added, rows.add(h, -1, step, unit, other, 1, exactH, exactRow));
    return Side.Split;
  }

  /**
   * `cut` of a 3-D polytope of at most 32 vertices and rows by the kernel (space-cut.as), on the
   * arena where it lies: the same operations in the same order, so the same values and decisions.
   * The vertex signs within rounding are decided here, exactly, as `cut` decides them.
   */
  private cutInKernel(p: number, h: Float64Array, t: SignTolerance, want: number, rows: RowStore, step: number, unit: number, other: number, label: number): Side {
    const kernel = this.kernel as CutKernel;
    const scratch = kernel.scratch;
    bindScratch(scratch);
    const e = t.err;
    const hk = scratch.h;
    const ek = scratch.e;
    hk[0] = h[0];
    hk[1] = h[1];
    hk[2] = h[2];
    hk[3] = h[3];
    ek[0] = e[0];
    ek[1] = e[1];
    ek[2] = e[2];
    ek[3] = e[3];
    kernel.wasm.values3(p, gammaOf(3) + t.eps);
    const out = scratch.out;
    let posBits = out[0];
    let negBits = out[1];
    const exactH = e[0] === 0 && e[1] === 0 && e[2] === 0 && e[3] === 0;
    if (out[2] !== 0) {
      // Signs within the bounds: decided as `cut` decides them (see there), in the same order.
      const nv = this.nv[p];
      for (let v = 0; v < nv; v++) {
        if (signs[v] !== 0) continue;
        let s = 0;
        if (t.eps === 0 && (exactH || t.exact)) {
          s = exactH ? exactSign(this, p, v, h, rows, t.exact ?? null) : exactSign(this, p, v, null, rows, t.exact ?? null);
          if (s !== 0 && s !== UNDECIDED && !(s * values[v] > 0)) values[v] = s * Number.MIN_VALUE;
        } else s = UNDECIDED;
        if (s === UNDECIDED) {
          s = 0;
          this.undecided++;
        }
        signs[v] = s;
        if (s > 0) posBits |= 1 << v;
        else if (s < 0) negBits |= 1 << v;
      }
    }
    this.below = -1;
    this.above = -1;
    if (posBits === 0 && negBits === 0) return Side.Flat;
    if (negBits === 0) return Side.Above;
    if (posBits === 0) return Side.Below;
    // The crossings by the kernel (the vertex masks too: `columns` is its scratch, now p's).
    this.cutExactH = exactH;
    this.cutExact = t.exact ?? null;
    this.cutEps = t.eps;
    cutPositive = posBits;
    cutNegative = negBits;
    // Named there too when the names are in its memory (room made first: the kernel cannot grow them).
    const names = this.names;
    const namedThere = names?.inKernel === true;
    if (namedThere) names.reserve(CROSSINGS);
    const added = kernel.wasm.crossings3(p, posBits, negBits, label, namedThere ? names.size : -1);
    if (namedThere) names.size = out[3];
    columnsOf = p;
    columnsGeneration = this.generation;
    // Names here otherwise, and the crossings the kernel could not place exactly, crossing by crossing as `crossing` does.
    const pairs = scratch.pairs;
    const solve = scratch.solve;
    const r0 = this.vertAt[p] / 3;
    for (let a = 0; a < added; a++) {
      if (names !== null && !namedThere) newName[a] = names.crossing(label, this.name[r0 + pairs[2 * a]], this.name[r0 + pairs[2 * a + 1]]);
      if (solve[a] !== 0) this.crossingExactly(p, a, h, rows);
    }
    const exactRow = !exactH && t.exact ? t.exact.known() : null;
    if (want & 1) this.below = this.childInKernel(p, negBits, posBits, added, rows.add(h, 1, step, unit, other, -1, exactH, exactRow));
    if (want & 2) this.above = this.childInKernel(p, posBits, negBits, added, rows.add(h, -1, step, unit, other, 1, exactH, exactRow));
    return Side.Split;
  }

  /**
   * `child` by the kernel, after `cutInKernel`: the side of p's vertices `same` (the vertices not
   * in `other`, then the `added` crossings) with the new row, placed at the arena's tops.
   */
  private childInKernel(p: number, same: number, other: number, added: number, row: number): number {
    // Room for the most the child can hold (all p's vertices and rows, two incidence words), as `alloc` makes it.
    const nvMost = this.nv[p] + added;
    const ncMost = this.nc[p] + 1;
    const q = this.count;
    if (q === this.nv.length) this.growPolytopes(2 * q);
    if (6 * (q + 1) > this.box.length) this.grow(BOX, 12 * (q + 1));
    if (this.vertTop + nvMost * 3 > this.verts.length) this.grow(VERTS, 2 * (this.vertTop + nvMost * 3));
    if (this.vertTop / 3 + nvMost > this.rad.length) this.grow(RAD, 2 * (this.vertTop / 3 + nvMost));
    if (this.vertTop / 3 + nvMost > this.name.length) this.grow(NAME, 2 * (this.vertTop / 3 + nvMost));
    if (this.consTop + ncMost > this.cons.length) this.grow(CONS, 2 * (this.consTop + ncMost));
    if (this.incTop + 2 * nvMost > this.inc.length) this.grow(INC, 2 * (this.incTop + 2 * nvMost));
    (this.kernel as CutKernel).wasm.child3(p, q, other, same, added, row, this.names !== null ? 1 : 0, this.vertTop, this.consTop, this.incTop);
    this.count = q + 1;
    const nv = this.nv[q];
    this.vertTop += 3 * nv;
    this.consTop += this.nc[q];
    this.incTop += nv * this.words[q];
    return q;
  }

  /**
   * `crossing`'s end for crossing `added` of p (3-D, one incidence word) that the kernel could
   * neither interpolate nor solve (its point and bound interpolated, in newVerts and newRad): the
   * exact crossing, else that point with that bound.
   */
  private crossingExactly(p: number, added: number, h: Float64Array, rows: RowStore): void {
    const interpolated = newRad[added];
    const cons = this.cons;
    const c0 = this.consAt[p];
    let common = 0;
    for (let x = newInc[added]; x !== 0; x &= x - 1) {
      if (common === edgeRows.length) edgeRows = grown(edgeRows, 2 * common);
      edgeRows[common++] = cons[c0 + 31 - Math.clz32(x & -x)];
    }
    if (this.exactCrossing(h, rows, common, added)) return;
    newRad[added] = interpolated;
    if (!(interpolated <= Number.MAX_VALUE)) this.undecided++;
  }

  /**
   * The point where h (its values at p's vertices in `values`) crosses edge (u, v), its incidence
   * and its error bound, as new vertex `added`: interpolated, then solved from h and the edge's
   * rows (space/vertex-solve.ts), so that its error is relative to its own size.
   */
  private crossing(p: number, u: number, v: number, added: number, h: Float64Array, rows: RowStore, label: number): void {
    const k = this.k;
    const W = this.words[p];
    const v0 = this.vertAt[p];
    const i0 = this.incAt[p];
    const { verts, inc } = this;
    if ((added + 1) * k > newVerts.length) newVerts = grown(newVerts, 2 * newVerts.length + 8 * k);
    if ((added + 1) * W > newInc.length) newInc = grown(newInc, 2 * newInc.length + 8 * W);
    if (added + 1 > newRad.length) newRad = grown(newRad, 2 * newRad.length + 8);
    if (added + 1 > newName.length) newName = grown(newName, 2 * newName.length + 8);
    if (this.names !== null) newName[added] = this.names.crossing(label, this.name[v0 / k + u], this.name[v0 / k + v]);
    const t = values[u] / (values[u] - values[v]);
    const a = v0 + u * k;
    const b = v0 + v * k;
    // Interpolated, with its bound: the ends' errors, the uncertainty of t from h's values there
    // (|dt| <= (B_u + B_v) / |h(u) - h(v)| to first order, as h(u), h(v) have opposite signs),
    // and the rounding. The vertex lies on the computed h (it becomes the cell's row), so only
    // the values' errors count, not h's own.
    let span = 0;
    let size = 0;
    let here = 0;
    if (k === 3) {
      // Unrolled in 3-D: the loop below, operation for operation.
      const a0 = verts[a];
      const a1 = verts[a + 1];
      const a2 = verts[a + 2];
      const b0 = verts[b];
      const b1 = verts[b + 1];
      const b2 = verts[b + 2];
      const x0 = a0 + t * (b0 - a0);
      const x1 = a1 + t * (b1 - a1);
      const x2 = a2 + t * (b2 - a2);
      const o = 3 * added;
      newVerts[o] = x0;
      newVerts[o + 1] = x1;
      newVerts[o + 2] = x2;
      span = Math.max(Math.max(Math.max(0, Math.abs(b0 - a0)), Math.abs(b1 - a1)), Math.abs(b2 - a2));
      size = Math.max(Math.max(Math.max(0, Math.abs(a0), Math.abs(b0)), Math.abs(a1), Math.abs(b1)), Math.abs(a2), Math.abs(b2));
      here = Math.max(Math.max(Math.max(0, Math.abs(x0)), Math.abs(x1)), Math.abs(x2));
    } else
      for (let j = 0; j < k; j++) {
        const x = verts[a + j] + t * (verts[b + j] - verts[a + j]);
        newVerts[added * k + j] = x;
        span = Math.max(span, Math.abs(verts[b + j] - verts[a + j]));
        size = Math.max(size, Math.abs(verts[a + j]), Math.abs(verts[b + j]));
        here = Math.max(here, Math.abs(x));
      }
    const r0 = v0 / k;
    const dt = (bounds[u] + bounds[v]) / Math.max(Math.abs(values[u] - values[v]) - bounds[u] - bounds[v], Number.MIN_VALUE);
    const interpolated = Math.max(this.rad[r0 + u], this.rad[r0 + v]) + Math.min(1, dt) * span + 4 * EPS * (size + span);
    let common = 0;
    const cons = this.cons;
    const c0 = this.consAt[p];
    for (let w = 0; w < W; w++) {
      const bits = inc[i0 + u * W + w] & inc[i0 + v * W + w];
      newInc[added * W + w] = bits;
      for (let x = bits; x !== 0; x &= x - 1) {
        if (common === edgeRows.length) edgeRows = grown(edgeRows, 2 * common);
        const r = (w << 5) + 31 - Math.clz32(x & -x);
        rowsAtNew[r]++;
        edgeRows[common++] = cons[c0 + r];
      }
    }
    // Good enough relative to the vertex itself (the ends were near it): keep it. Otherwise (far
    // ends, a vertex near the origin of a large domain) solve it from its rows.
    if (interpolated <= SOLVE_ABOVE * here) {
      newRad[added] = interpolated;
      return;
    }
    if (solveVertex(k, h, rows.coef, rows.scale, edgeRows, common, newVerts, added * k, newRad, added)) return;
    // h and the edge's rows numerically of rank < k (h nearly parallel to a row of the edge, as a
    // scaled copy of a unit whose product rounded): the point exactly when every row is known
    // exactly, else the interpolated point and its bound.
    if (this.exactCrossing(h, rows, common, added)) return;
    newRad[added] = interpolated;
    // Not even a bound (no crossing could be placed): the cut is not to be trusted (see `undecided`).
    if (!(interpolated <= Number.MAX_VALUE)) this.undecided++;
  }

  /** `exactCrossingPoint` (space/exact-cut.ts) of the hyperplane being cut and crossing `added`, on the edge's rows edgeRows[0 .. common). */
  private exactCrossing(h: Float64Array, rows: RowStore, common: number, added: number): boolean {
    return exactCrossingPoint(this.k, h, this.cutExactH, this.cutExact, this.cutEps, rows, edgeRows, common, this.names !== null, newVerts, newRad, newName, added);
  }

  /** The hyperplane being cut: whether its doubles are exact, its exact form, and the tolerance's eps (set by `cut` for `exactCrossing`). */
  private cutExactH = false;
  private cutExact: ExactHyperplane | null = null;
  private cutEps = 0;

  /** Combinatorial adjacency of vertices u, v of p (Fukuda & Prodon): rows common to both hold no third vertex. */
  adjacent(p: number, u: number, v: number): boolean {
    const W = this.words[p];
    const nv = this.nv[p];
    const i0 = this.incAt[p];
    const inc = this.inc;
    const a = i0 + u * W;
    const b = i0 + v * W;
    let bits = 0;
    for (let w = 0; w < W; w++) bits += popcount(inc[a + w] & inc[b + w]);
    if (bits < this.k - 1) return false;
    for (let x = 0; x < nv; x++) {
      if (x === u || x === v) continue;
      const c = i0 + x * W;
      let contains = true;
      for (let w = 0; w < W && contains; w++) if ((inc[a + w] & inc[b + w] & ~inc[c + w]) !== 0) contains = false;
      if (contains) return false;
    }
    return true;
  }

  /**
   * For polytopes with at most 32 rows, the bit set of the vertices tight at each row (row r's
   * words from r * vw in `columns`, vw = ceil(nv / 32)), so that the vertices holding a set of rows
   * are one AND per row. Returns vw, or 0 when p has more rows.
   */
  private vertexMasks(p: number): number {
    const nv = this.nv[p];
    const nc = this.nc[p];
    if (this.words[p] !== 1) return 0;
    const vw = Math.ceil(nv / 32);
    if (columnsOf === p && columnsGeneration === this.generation) return vw;
    columnsOf = p;
    columnsGeneration = this.generation;
    if (columns.length < nc * vw) columns = new Uint32Array(2 * nc * vw);
    for (let i = 0; i < nc * vw; i++) columns[i] = 0;
    const i0 = this.incAt[p];
    for (let v = 0; v < nv; v++) {
      const at = v >>> 5;
      const bit = 1 << (v & 31);
      for (let x = this.inc[i0 + v]; x !== 0; x &= x - 1) columns[(31 - Math.clz32(x & -x)) * vw + at] |= bit;
    }
    return vw;
  }

  /** `adjacent` with the vertex masks of p's rows (`vertexMasks`, vw words), given the rows common to u and v. */
  private adjacentMasked(vw: number, nv: number, common: number, u: number, v: number): boolean {
    if (popcount(common) < this.k - 1) return false;
    // The vertices holding every common row: u, v and no other.
    for (let w = 0; w < vw; w++) {
      let holding = w < vw - 1 || (nv & 31) === 0 ? -1 : (1 << (nv & 31)) - 1;
      for (let c = common; c !== 0; c &= c - 1) holding &= columns[(31 - Math.clz32(c & -c)) * vw + w];
      if (u >>> 5 === w) holding &= ~(1 << (u & 31));
      if (v >>> 5 === w) holding &= ~(1 << (v & 31));
      if (holding !== 0) return false;
    }
    return true;
  }

  /**
   * One-word masks (vw = 1): the vertices that share at least k - 1 rows with a vertex on the
   * rows `rowsOfU`, as a bit set (the necessary condition of adjacency, for all vertices at once:
   * atLeast[t] gathers the vertices on t of the rows scanned so far).
   */
  private sharing(rowsOfU: number, nv: number): number {
    const need = this.k - 1;
    if (need === 2) {
      // 3-D: atLeast[0..2] in locals (the loop below, unrolled).
      const all = nv === 32 ? -1 : (1 << nv) - 1;
      let one = 0;
      let two = 0;
      for (let x = rowsOfU; x !== 0; x &= x - 1) {
        const col = columns[31 - Math.clz32(x & -x)];
        two |= one & col;
        one |= all & col;
      }
      return two;
    }
    if (atLeast.length <= need) atLeast = new Int32Array(2 * need + 2);
    atLeast[0] = nv === 32 ? -1 : (1 << nv) - 1;
    atLeast.fill(0, 1, need + 1);
    for (let x = rowsOfU; x !== 0; x &= x - 1) {
      const col = columns[31 - Math.clz32(x & -x)];
      for (let t = need; t >= 1; t--) atLeast[t] |= atLeast[t - 1] & col;
    }
    return atLeast[need];
  }

  /** One-word masks (vw = 1): whether no vertex other than u and v holds every row of `common`. */
  private holdsOnly(nv: number, common: number, u: number, v: number): boolean {
    let holding = (nv === 32 ? -1 : (1 << nv) - 1) & ~((1 << u) | (1 << v));
    for (let c = common; c !== 0 && holding !== 0; c &= c - 1) holding &= columns[31 - Math.clz32(c & -c)];
    return holding === 0;
  }

  /** The edges of p: pairs u < v of adjacent vertices, 2 entries each into `out` (room for nv (nv - 1)); returns their number. */
  edges(p: number, out: Int32Array): number {
    const nv = this.nv[p];
    const i0 = this.incAt[p];
    const inc = this.inc;
    const vw = this.vertexMasks(p);
    let count = 0;
    if (vw === 1) {
      for (let u = 0; u < nv; u++) {
        // Candidates v > u sharing k - 1 rows with u, in increasing order.
        for (let c = this.sharing(inc[i0 + u], nv) & ~((2 << u) - 1); c !== 0; c &= c - 1) {
          const v = 31 - Math.clz32(c & -c);
          if (!this.holdsOnly(nv, inc[i0 + u] & inc[i0 + v], u, v)) continue;
          out[count++] = u;
          out[count++] = v;
        }
      }
      return count / 2;
    }
    for (let u = 0; u < nv; u++) {
      for (let v = u + 1; v < nv; v++) {
        if (vw > 0 ? !this.adjacentMasked(vw, nv, inc[i0 + u] & inc[i0 + v], u, v) : !this.adjacent(p, u, v)) continue;
        out[count++] = u;
        out[count++] = v;
      }
    }
    return count / 2;
  }

  /**
   * The side `sign` of p (vertices of that sign or zero, plus the `added` new ones) with the new
   * row, dropping rows tight at fewer than k of its vertices (never facets).
   */
  private child(p: number, sign: number, added: number, row: number): number {
    const k = this.k;
    const W = this.words[p];
    const pnv = this.nv[p];
    const pnc = this.nc[p];
    if (kept.length < pnv) kept = new Int32Array(2 * pnv);
    if (keepRow.length < pnc + 1) {
      keepRow = new Int32Array(2 * (pnc + 1));
      rowCount = new Int32Array(2 * (pnc + 1));
    }
    let old = 0;
    // Rows tight at >= k vertices of the child; the new row is tight at the zeros and new vertices.
    let nc = 0;
    if (W === 1 && pnv <= 32) {
      // The vertex masks of p's rows are at hand (`cut` made them): a row's count among the kept
      // vertices is one popcount, and among the new ones was counted by `crossing`.
      const keptMask = ~(sign < 0 ? cutPositive : cutNegative) & (pnv === 32 ? -1 : (1 << pnv) - 1);
      for (let x = keptMask; x !== 0; x &= x - 1) kept[old++] = 31 - Math.clz32(x & -x);
      for (let r = 0; r < pnc; r++) if (popcount(columns[r] & keptMask) + rowsAtNew[r] >= k) keepRow[nc++] = r;
    } else {
      // The vertices of sign `sign` or 0 (signs are -1, 0, 1).
      const other = -sign;
      for (let v = 0; v < pnv; v++) if (signs[v] !== other) kept[old++] = v;
      const inc = this.inc;
      const i0 = this.incAt[p];
      if (W === 1) {
        // One word per vertex: count the rows through each vertex's set bits.
        const count = rowCount;
        for (let r = 0; r < pnc; r++) count[r] = 0;
        for (let i = 0; i < old; i++) for (let x = inc[i0 + kept[i]]; x !== 0; x &= x - 1) count[31 - Math.clz32(x & -x)]++;
        for (let a = 0; a < added; a++) for (let x = newInc[a]; x !== 0; x &= x - 1) count[31 - Math.clz32(x & -x)]++;
        for (let r = 0; r < pnc; r++) if (count[r] >= k) keepRow[nc++] = r;
      } else {
        for (let r = 0; r < pnc; r++) {
          const word = r >>> 5;
          const bit = 1 << (r & 31);
          let c = 0;
          for (let i = 0; i < old && c < k; i++) if (inc[i0 + kept[i] * W + word] & bit) c++;
          for (let a = 0; a < added && c < k; a++) if (newInc[a * W + word] & bit) c++;
          if (c >= k) keepRow[nc++] = r;
        }
      }
    }
    const nv = old + added;
    keepRow[nc++] = pnc;
    const q = this.alloc(nv, nc);
    // alloc may have replaced the arrays: read them (and p's offsets into them) only now.
    const { inc, cons } = this;
    const pi = this.incAt[p];
    const pc = this.consAt[p];
    const qi = this.incAt[q];
    const qc = this.consAt[q];
    const W1 = this.words[q];
    for (let i = 0; i < nc - 1; i++) cons[qc + i] = cons[pc + keepRow[i]];
    cons[qc + nc - 1] = row;
    // The vertices (kept, then new) with their error bounds, names and bounding box.
    if (k === 3) childVertices3(this, p, q, old, added, kept, newVerts, newRad, newName);
    else childVertices(this, p, q, old, added, kept, newVerts, newRad, newName);
    const newBit = nc - 1;
    if (W === 1 && W1 === 1) {
      // Kept rows keep their order, so a vertex's new word is its old word with the dropped rows'
      // bits taken out (the bits above each one shifted down by one), highest first; few are.
      const dropped = rowCount;
      let nd = 0;
      for (let i = nc - 2, r = pnc - 1; r >= 0; r--) {
        if (i >= 0 && keepRow[i] === r) i--;
        else dropped[nd++] = r;
      }
      for (let n = 0; n < nv; n++) {
        const fresh = n >= old;
        let word = fresh ? newInc[n - old] : inc[pi + kept[n]];
        for (let i = 0; i < nd; i++) {
          const d = dropped[i];
          word = (word & ((1 << d) - 1)) | (((word >>> d) >>> 1) << d);
        }
        if (fresh || signs[kept[n]] === 0) word |= 1 << newBit;
        inc[qi + n] = word;
      }
      return q;
    }
    for (let n = 0; n < nv; n++) {
      const fresh = n >= old;
      const srcInc = fresh ? newInc : inc;
      const at = fresh ? (n - old) * W : pi + kept[n] * W;
      const out = qi + n * W1;
      for (let i = 0; i < nc - 1; i++) {
        const r = keepRow[i];
        if (srcInc[at + (r >>> 5)] & (1 << (r & 31))) inc[out + (i >>> 5)] |= 1 << (i & 31);
      }
      if (fresh || signs[kept[n]] === 0) inc[out + (newBit >>> 5)] |= 1 << (newBit & 31);
    }
    return q;
  }

  /**
   * The minimal H-representation of p into `out`: its local rows that are facets, one per distinct
   * facet (coincident hyperplanes give rows with equal tight sets), with their tight vertices.
   */
  facets(p: number, out: FacetList): void {
    const k = this.k;
    const nc = this.nc[p];
    const nv = this.nv[p];
    if (this.kernel !== null && nv <= KERNEL_VERTICES && this.words[p] === 1) {
      this.facetsInKernel(p, out);
      return;
    }
    out.reserve(nc, nc * nv);
    const { rows, start, verts } = out;
    const vw = this.vertexMasks(p);
    let count = 0;
    start[0] = 0;
    for (let r = 0; r < nc; r++) {
      const at = start[count];
      let m = 0;
      if (vw === 1) {
        // One word: a row with the vertex mask of a facet already listed is that facet (see below).
        const mask = columns[r];
        if (popcount(mask) < k) continue;
        let seen = false;
        for (let f = 0; f < count && !seen; f++) seen = columns[rows[f]] === mask;
        if (seen) continue;
        for (let x = mask; x !== 0; x &= x - 1) verts[at + m++] = 31 - Math.clz32(x & -x);
        if (k > 3 && !rankAtLeast(k, this.verts, this.vertAt[p], verts, at, m, k - 1)) continue;
        rows[count++] = r;
        start[count] = at + m;
        continue;
      }
      if (vw > 0) {
        // The set bits of row r's vertex mask, in increasing order (as `tightAt` lists them).
        for (let w = 0; w < vw; w++) for (let x = columns[r * vw + w]; x !== 0; x &= x - 1) verts[at + m++] = (w << 5) + 31 - Math.clz32(x & -x);
      } else m = this.tightAt(p, r, verts, at);
      if (m < k) continue;
      // A row with the tight set of a facet already listed is the same facet, and would pass the
      // rank test as that facet did (same vertices, same arithmetic): compare first, it is cheaper.
      let seen = false;
      for (let f = 0; f < count && !seen; f++) {
        const from = start[f];
        if (start[f + 1] - from !== m) continue;
        seen = true;
        for (let i = 0; i < m && seen; i++) if (verts[from + i] !== verts[at + i]) seen = false;
      }
      if (seen) continue;
      if (k > 3 && !rankAtLeast(k, this.verts, this.vertAt[p], verts, at, m, k - 1)) continue;
      rows[count++] = r;
      start[count] = at + m;
    }
    out.count = count;
  }

  /**
   * `facets` by the kernel (3-D, at most 32 vertices and rows): the same facets in the same order,
   * into the kernel's facet scratch, which `out`'s arrays then are (until a larger polytope's
   * `reserve` gives it arrays of its own).
   */
  private facetsInKernel(p: number, out: FacetList): void {
    const kernel = this.kernel as CutKernel;
    const s = kernel.scratch;
    bindScratch(s);
    out.rows = s.facetRows;
    out.start = s.facetStart;
    out.verts = s.facetVerts;
    out.count = kernel.wasm.facets3(p, s.facetRows.byteOffset, s.facetStart.byteOffset, s.facetVerts.byteOffset);
    columnsOf = p;
    columnsGeneration = this.generation;
  }

  /** The vertices of p tight at its local row r, in order, into out[at ..]; returns their number. */
  tightAt(p: number, r: number, out: Int32Array, at: number): number {
    const W = this.words[p];
    const i0 = this.incAt[p] + (r >>> 5);
    const bit = 1 << (r & 31);
    let count = 0;
    for (let v = 0; v < this.nv[p]; v++) if (this.inc[i0 + v * W] & bit) out[at + count++] = v;
    return count;
  }
}
