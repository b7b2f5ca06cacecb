/**
 * The space engine: every activation region of a network inside a box or convex polytope of a
 * k-dimensional affine slice x(y) = origin + sum_c y_c basis_c of input space (k = n0 with the
 * identity basis: the whole input space), for k up to about 8.
 *
 * Layer by layer (over the compiled steps, so every step kind works: affine, elementwise with any
 * number of breakpoints, max groups, stack steps for branches), each cell is a convex polytope
 * held with its vertices and constraint rows (space/polytope.ts) and the (k+1)-channel affine map
 * of the current activations. At a piecewise step every unit's breakpoint hyperplanes (affine in
 * y inside the cell) cut the cells; a cut is decided by interval arithmetic over the cell's
 * bounding box first, then by the signs at the cell's vertices, which is exact combinatorics:
 * a hyperplane that only touches a cell, a duplicated hyperplane or a zero row never splits.
 * A max group keeps, for each candidate winner p, the part of the cell where z_p >= z_q for all q.
 *
 * Results: minimal H-representation, vertices, an interior point (the Chebyshev centre when an
 * LP solver is given, else the vertex mean), pattern, output affine map and facet adjacency per
 * cell; activationRegions and linearPieces; for k <= 4 the numbers of vertices, edges and facets
 * of the complex. Numerical policy and algorithms: docs/space.md.
 */
import { chebyshevCentre, type LpSolver } from "../geometry/lp.ts";
import { applyStates, type Compiled, forward, pushAffine } from "../model/forward.ts";
import { getState, patternHash, patternsEqual, setState } from "../model/pattern.ts";
import { type AffineStep, applyStack, type ElementwiseStep, type MaxStep } from "../model/steps.ts";
import { type CountSummary, linearPieces, type SpacePartition } from "./partition.ts";
import { complexCounts } from "./space/complex.ts";
import { boxPolytope, boxSide, cut, hyperplaneTolerance, isFacet, type Polytope, RowStore, Side } from "./space/polytope.ts";

export interface SpaceSlice {
  origin: Float64Array;
  /** k direction vectors of input dimension. */
  basis: Float64Array[];
}

export interface SpaceOptions {
  /** The slice (default: the whole input space, y = x). */
  slice?: SpaceSlice;
  /** Domain box [lo, hi]^k in slice coordinates (default [-1, 1]^k, or the polytope's bounding box). */
  box?: [number, number];
  /** Domain polytope {y : A y <= b} (A rows x k, row-major), intersected with the box if given. */
  polytope?: { A: Float64Array; b: Float64Array };
  /** LP solver (`await loadLp()`): Chebyshev centres, and the bounding box of a polytope domain. */
  lp?: LpSolver | null;
  /** Stop with an error beyond this many cells (default 2,000,000). */
  maxCells?: number;
  /** Relative tolerance of hyperplane signs (default 1e-10; see docs/space.md). */
  eps?: number;
  /** Count vertices, edges and facets of the complex (default: when k <= 4). */
  complex?: boolean;
}

interface Cell {
  poly: Polytope;
  /** (k+1) x width, channel-major affine map of the current activations. */
  map: Float64Array;
  pattern: Uint32Array;
  stack: Float64Array[];
  /** Cells cut from one parent at the last piecewise step: their maps differ in a few units. */
  family: Family | null;
}

interface Family {
  step: number;
  /** A member's map before and after the affine step being applied. */
  before: Float64Array | null;
  after: Float64Array | null;
}

interface Piece {
  poly: Polytope;
  states: Uint8Array;
}

export class SpaceLimitError extends Error {
  override name = "SpaceLimitError";
}

/** The identity slice of an n0-input network (y = x). */
export function identitySlice(n0: number): SpaceSlice {
  const basis: Float64Array[] = [];
  for (let c = 0; c < n0; c++) {
    const e = new Float64Array(n0);
    e[c] = 1;
    basis.push(e);
  }
  return { origin: new Float64Array(n0), basis };
}

/** The k-dimensional slice through points P0..Pk: y in [0, 1]^k maps to P0 + sum y_c (P_c - P0). */
export function sliceThroughPoints(points: readonly Float64Array[]): {
  slice: SpaceSlice;
  box: [number, number];
} {
  if (points.length < 2) throw new Error(`a slice needs at least 2 points, got ${points.length}`);
  const p0 = points[0];
  const basis = points.slice(1).map((p) => p.map((x, i) => x - p0[i]));
  return { slice: { origin: p0.slice(), basis }, box: [0, 1] };
}

export function spacePartition(compiled: Compiled, options: SpaceOptions = {}): SpacePartition {
  const n0 = compiled.inputSize;
  const slice = options.slice ?? identitySlice(n0);
  const k = slice.basis.length;
  if (k < 1) throw new Error("the space engine needs a slice of dimension at least 1");
  if (slice.origin.length !== n0) throw new Error(`slice origin has ${slice.origin.length} coordinates, the network has ${n0} inputs`);
  slice.basis.forEach((b, c) => {
    if (b.length !== n0) throw new Error(`slice direction ${c + 1} has ${b.length} coordinates, the network has ${n0} inputs`);
  });
  const C = k + 1;
  const eps = options.eps ?? 1e-10;
  const maxCells = options.maxCells ?? 2_000_000;
  const lp = options.lp ?? null;
  const layout = compiled.layout;

  // Domain: a box, cut by the polytope's rows.
  const rows = new RowStore(k);
  const [lo, hi] = domainBox(options, k, lp);
  let poly = boxPolytope(new Float64Array(k).fill(lo), new Float64Array(k).fill(hi), rows);
  const radius = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  if (options.polytope) {
    const { A, b } = options.polytope;
    const m = b.length;
    if (A.length !== m * k) throw new Error(`polytope matrix has ${A.length} entries, expected ${m} x ${k}`);
    const h = new Float64Array(C);
    for (let i = 0; i < m; i++) {
      h[0] = -b[i];
      for (let j = 0; j < k; j++) h[j + 1] = A[i * k + j];
      const tol = hyperplaneTolerance(h, radius, eps);
      const res = cut(poly, h, tol, 1, rows, -1, 2 * k + i, 0);
      if (res.side === Side.Above) throw new Error("the domain polytope is empty (or has no interior)");
      if (res.side === Side.Split && res.below) poly = res.below;
    }
  }

  // The input map of the slice: channel 0 the origin, channel c the direction c.
  const map0 = new Float64Array(C * n0);
  map0.set(slice.origin, 0);
  slice.basis.forEach((b, c) => {
    map0.set(b, (c + 1) * n0);
  });
  let cells: Cell[] = [
    {
      poly,
      map: map0,
      pattern: new Uint32Array(layout.words),
      stack: [],
      family: null,
    },
  ];

  compiled.steps.forEach((step, s) => {
    switch (step.kind) {
      case "affine":
        for (const cell of cells) cell.map = pushFromSibling(step, cell, s, C);
        break;
      case "elementwise":
      case "max": {
        const next: Cell[] = [];
        for (const cell of cells) {
          const family: Family = { step: -1, before: null, after: null };
          const pieces = step.kind === "elementwise" ? splitElementwise(cell, step, s, rows, radius, eps) : splitMax(cell, step, s, rows, radius, eps);
          for (const piece of pieces) {
            const units = piece.states.length;
            const pattern = cell.pattern.slice();
            for (let j = 0; j < units; j++) setState(layout, pattern, 0, s, j, piece.states[j]);
            const map = new Float64Array(C * units);
            applyStates(step, piece.states, cell.map, map, C);
            next.push({
              poly: piece.poly,
              map,
              pattern,
              stack: cell.stack,
              family,
            });
          }
          if (next.length > maxCells) throw new SpaceLimitError(`more than ${maxCells} regions at step ${step.label}; use a smaller box or slice`);
        }
        cells = next;
        break;
      }
      default:
        for (const cell of cells) {
          cell.stack = cell.stack.slice(); // siblings share stacks until one of them changes it
          cell.map = applyStack(step, cell.map, cell.stack, C);
        }
    }
  });

  return assemble(compiled, cells, rows, slice, k, radius, lp, options.complex ?? k <= 4);
}

/**
 * The map after an affine step. Siblings' maps differ only in the units whose state differs,
 * and the step is linear, so with an explicit matrix a sibling's result is the first sibling's
 * plus the columns of the differing units: O(changes x outSize) instead of O(inSize x outSize).
 */
function pushFromSibling(step: AffineStep, cell: Cell, s: number, C: number): Float64Array {
  const n = step.inSize;
  const m = step.outSize;
  const fam = cell.family;
  const W = step.weight;
  if (W && fam && fam.step === s && fam.before && fam.after && fam.before.length === cell.map.length) {
    const next = fam.after.slice();
    const ref = fam.before;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < n; i++) {
        const d = cell.map[c * n + i] - ref[c * n + i];
        if (d === 0) continue;
        for (let r = 0; r < m; r++) next[c * m + r] += W[r * n + i] * d;
      }
    }
    return next;
  }
  const next = new Float64Array(C * m);
  pushAffine(step, cell.map, next, C);
  if (fam) {
    fam.step = s;
    fam.before = cell.map;
    fam.after = next;
  }
  return next;
}

function domainBox(options: SpaceOptions, k: number, lp: LpSolver | null): [number, number] {
  if (options.box) {
    const [lo, hi] = options.box;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`box needs finite lo < hi, got ${lo}, ${hi}`);
    return [lo, hi];
  }
  if (!options.polytope) return [-1, 1];
  if (!lp) throw new Error("a polytope domain without a box needs an LP solver (options.lp = await loadLp()) for its bounding box");
  const { A, b } = options.polytope;
  let lo = Infinity;
  let hi = -Infinity;
  const c = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (const sign of [1, -1]) {
      c.fill(0);
      c[j] = sign;
      const r = lp.solve({
        numCols: k,
        numRows: b.length,
        cost: c,
        matrix: A,
        rowUpper: b,
        maximize: true,
      });
      if (r.status === "infeasible") throw new Error("the domain polytope is empty");
      if (r.status !== "optimal") throw new Error("the domain polytope is unbounded: give a box as well");
      if (sign > 0) hi = Math.max(hi, r.objective);
      else lo = Math.min(lo, -r.objective);
    }
  }
  const pad = 1e-9 * Math.max(1, hi - lo);
  return [lo - pad, hi + pad];
}

/** Cut a cell by every breakpoint hyperplane z_j = t_b of an elementwise step. */
function splitElementwise(cell: Cell, step: ElementwiseStep, s: number, rows: RowStore, radius: number, eps: number): Piece[] {
  const n = step.size;
  const C = cell.map.length / n;
  const t = step.breakpoints;
  const h = new Float64Array(C);
  let pieces: Piece[] = [{ poly: cell.poly, states: new Uint8Array(n) }];
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < C; c++) h[c] = cell.map[c * n + j];
    const z0 = h[0];
    for (let b = 0; b < t.length; b++) {
      h[0] = z0 - t[b];
      const tol = hyperplaneTolerance(h, radius, eps);
      const next: Piece[] = [];
      for (const piece of pieces) {
        let side = boxSide(piece.poly, h, tol);
        let res = null;
        if (side === Side.Split) {
          res = cut(piece.poly, h, tol, 3, rows, s, j, b);
          side = res.side;
        }
        if (side === Side.Split && res?.below && res.above) {
          next.push({ poly: res.below, states: piece.states });
          const states = piece.states.slice();
          states[j]++;
          next.push({ poly: res.above, states });
        } else {
          // A unit's state counts the breakpoints strictly below its value; on Flat (z = t on the
          // whole cell) the forward pass's strict comparison says "not above".
          if (side === Side.Above) piece.states[j]++;
          next.push(piece);
        }
      }
      pieces = next;
    }
  }
  return pieces;
}

/** Split a cell by the winners of each max group: for candidate p, the part where z_p >= z_q. */
function splitMax(cell: Cell, step: MaxStep, s: number, rows: RowStore, radius: number, eps: number): Piece[] {
  const n = step.inSize;
  const C = cell.map.length / n;
  const h = new Float64Array(C);
  let pieces: Piece[] = [{ poly: cell.poly, states: new Uint8Array(step.outSize) }];
  for (let j = 0; j < step.outSize; j++) {
    const start = step.offsets[j];
    const g = step.offsets[j + 1] - start;
    if (g === 1) continue;
    const next: Piece[] = [];
    for (const piece of pieces) {
      for (let p = 0; p < g; p++) {
        let cur: Polytope | null = piece.poly;
        const ip = step.indices[start + p];
        for (let q = 0; q < g && cur; q++) {
          if (q === p) continue;
          const iq = step.indices[start + q];
          for (let c = 0; c < C; c++) h[c] = cell.map[c * n + iq] - cell.map[c * n + ip];
          const tol = hyperplaneTolerance(h, radius, eps);
          let side = boxSide(cur, h, tol);
          let below: Polytope | null = null;
          if (side === Side.Split) {
            const res = cut(cur, h, tol, 1, rows, s, j, q);
            side = res.side;
            below = res.below;
          }
          // z_q - z_p: Below keeps p, Above kills it, Flat (tied on the whole cell) goes to the
          // first index as in the forward pass, Split keeps the part where p wins.
          if (side === Side.Above || (side === Side.Flat && q < p)) cur = null;
          else if (side === Side.Split) cur = below;
        }
        if (cur) {
          const states = piece.states.slice();
          states[j] = p;
          next.push({ poly: cur, states });
        }
      }
    }
    pieces = next;
  }
  return pieces;
}

/** Flat arrays, minimal H-representation, adjacency, centres, counts. */
function assemble(compiled: Compiled, cells: Cell[], rows: RowStore, slice: SpaceSlice, k: number, radius: number, lp: LpSolver | null, withComplex: boolean): SpacePartition {
  const layout = compiled.layout;
  const words = layout.words;
  const n = cells.length;
  const C = k + 1;
  const out = compiled.outputSize;
  const n0 = compiled.inputSize;

  const patterns = new Uint32Array(n * words);
  const outputMaps = new Float64Array(n * out * C);
  const vertexStart = new Uint32Array(n + 1);
  let totalVerts = 0;
  cells.forEach((cell, i) => {
    patterns.set(cell.pattern, i * words);
    for (let o = 0; o < out; o++) for (let c = 0; c < C; c++) outputMaps[(i * out + o) * C + c] = cell.map[c * out + o];
    vertexStart[i] = totalVerts;
    totalVerts += cell.poly.nv;
  });
  vertexStart[n] = totalVerts;
  const vertices = new Float64Array(totalVerts * k);
  cells.forEach((cell, i) => {
    vertices.set(cell.poly.verts, vertexStart[i] * k);
  });

  // Minimal H-representation: rows that are facets, one per distinct hyperplane.
  const facetRows: number[][] = cells.map((cell) => minimalRows(cell.poly, k));
  const facetStart = new Uint32Array(n + 1);
  let nf = 0;
  facetRows.forEach((list, i) => {
    facetStart[i] = nf;
    nf += list.length;
  });
  facetStart[n] = nf;
  const facets = new Float64Array(nf * C);
  facetRows.forEach((list, i) => {
    list.forEach((r, f) => {
      const off = (facetStart[i] + f) * C;
      let norm = 0;
      for (let j = 1; j < C; j++) norm += rows.coef[r * C + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < k; j++) facets[off + j] = rows.coef[r * C + 1 + j] / norm;
      facets[off + k] = -rows.coef[r * C] / norm;
    });
  });

  // Adjacency: across a facet of unit u the neighbour's pattern differs in u's state only
  // (generically); look it up, and probe just across the facet when that fails (coincident units).
  const index = new Map<number, number[]>();
  const lookup = (pattern: Uint32Array): number => {
    const list = index.get(patternHash(pattern, 0, words));
    if (list) for (const id of list) if (patternsEqual(patterns, id * words, pattern, 0, words)) return id;
    return -1;
  };
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const key = patternHash(patterns, i * words, words);
    let list = index.get(key);
    if (!list) {
      list = [];
      index.set(key, list);
    }
    if (!list.some((id) => patternsEqual(patterns, id * words, patterns, i * words, words))) distinct++;
    list.push(i);
  }
  const facetNeighbour = new Int32Array(nf).fill(-1);
  const probe = new Float64Array(k);
  const x = new Float64Array(n0);
  facetRows.forEach((list, i) => {
    const cell = cells[i];
    list.forEach((r, f) => {
      const step = rows.step[r];
      if (step < 0) return;
      const pattern = cell.pattern.slice();
      const unit = rows.unit[r];
      const state = getState(layout, pattern, 0, step, unit);
      const target = compiled.steps[step].kind === "max" ? rows.other[r] : state - rows.side[r];
      setState(layout, pattern, 0, step, unit, target);
      let nb = lookup(pattern);
      if (nb < 0 || nb === i) {
        facetPoint(cell.poly, cell.poly.cons.indexOf(r), k, probe);
        const off = (facetStart[i] + f) * C;
        const delta = 1e-7 * radius;
        for (let j = 0; j < k; j++) probe[j] += delta * facets[off + j];
        x.set(slice.origin);
        for (let c = 0; c < k; c++) for (let d = 0; d < n0; d++) x[d] += probe[c] * slice.basis[c][d];
        nb = lookup(forward(compiled, x).pattern);
      }
      if (nb >= 0 && nb !== i) facetNeighbour[facetStart[i] + f] = nb;
    });
  });
  const pairs = new Set<number>();
  for (let i = 0; i < n; i++) {
    for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
      const j = facetNeighbour[f];
      if (j >= 0) pairs.add(Math.min(i, j) * n + Math.max(i, j));
    }
  }
  const adjacency = new Uint32Array(2 * pairs.size);
  let p = 0;
  for (const key of [...pairs].sort((a, b) => a - b)) {
    adjacency[p++] = Math.floor(key / n);
    adjacency[p++] = key % n;
  }
  const pieces = linearPieces(n, adjacency, outputMaps, out * C);

  // Interior points.
  const centres = new Float64Array(n * k);
  const radii = new Float64Array(n);
  cells.forEach((cell, i) => {
    const f0 = facetStart[i];
    const m = facetStart[i + 1] - f0;
    if (lp) {
      const A = new Float64Array(m * k);
      const b = new Float64Array(m);
      for (let f = 0; f < m; f++) {
        for (let j = 0; j < k; j++) A[f * k + j] = facets[(f0 + f) * C + j];
        b[f] = facets[(f0 + f) * C + k];
      }
      const cheb = chebyshevCentre(lp, A, b, m, k);
      if (cheb.radius > 0) {
        centres.set(cheb.centre, i * k);
        radii[i] = cheb.radius;
        return;
      }
    }
    const c = centres.subarray(i * k, (i + 1) * k);
    for (let v = 0; v < cell.poly.nv; v++) for (let j = 0; j < k; j++) c[j] += cell.poly.verts[v * k + j] / cell.poly.nv;
    let r = Infinity;
    for (let f = 0; f < m; f++) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot += facets[(f0 + f) * C + j] * c[j];
      r = Math.min(r, facets[(f0 + f) * C + k] - dot);
    }
    radii[i] = r;
  });

  const counts = withComplex
    ? complexCounts(
        cells.map((cell) => cell.poly),
        facetRows,
        k,
        radius,
      )
    : { vertices: -1, edges: -1, facets: -1 };
  const basis = new Float64Array(k * n0);
  slice.basis.forEach((b, c) => {
    basis.set(b, c * n0);
  });
  return {
    kind: "space",
    cellCount: n,
    patterns,
    layout,
    outputSize: out,
    activationRegions: distinct,
    linearPieces: pieces.count,
    pieceOf: pieces.pieceOf,
    adjacency,
    dim: k,
    origin: slice.origin.slice(),
    basis,
    facetStart,
    facets,
    facetNeighbour,
    vertexStart,
    vertices,
    centres,
    radii,
    centreKind: lp ? "chebyshev" : "vertex-mean",
    outputMaps,
    vertexCount: counts.vertices,
    edgeCount: counts.edges,
    facetCount: counts.facets,
  };
}

/** Row ids of p that are facets, keeping one row per distinct facet (coincident hyperplanes). */
function minimalRows(p: Polytope, k: number): number[] {
  const keep: number[] = [];
  const local: number[] = [];
  for (let r = 0; r < p.nc; r++) {
    if (!isFacet(p, r, k)) continue;
    if (local.some((q) => sameTightSet(p, q, r))) continue;
    local.push(r);
    keep.push(p.cons[r]);
  }
  return keep;
}

function sameTightSet(p: Polytope, a: number, b: number): boolean {
  const W = p.words;
  for (let v = 0; v < p.nv; v++) {
    const ta = (p.inc[v * W + (a >>> 5)] >>> (a & 31)) & 1;
    const tb = (p.inc[v * W + (b >>> 5)] >>> (b & 31)) & 1;
    if (ta !== tb) return false;
  }
  return true;
}

/** Mean of the vertices tight at local row r: a point in the facet's relative interior. */
function facetPoint(p: Polytope, r: number, k: number, out: Float64Array): void {
  out.fill(0);
  let count = 0;
  const word = r >>> 5;
  const bit = 1 << (r & 31);
  for (let v = 0; v < p.nv; v++) {
    if (!(p.inc[v * p.words + word] & bit)) continue;
    for (let j = 0; j < k; j++) out[j] += p.verts[v * k + j];
    count++;
  }
  for (let j = 0; j < k; j++) out[j] /= count || 1;
}

/** Bytes held by a space partition's arrays, per cell (the memory report of the benchmark). */
export function bytesPerCell(part: SpacePartition): number {
  const arrays = [
    part.patterns,
    part.pieceOf,
    part.adjacency,
    part.facetStart,
    part.facets,
    part.facetNeighbour,
    part.vertexStart,
    part.vertices,
    part.centres,
    part.radii,
    part.outputMaps,
  ];
  let bytes = 0;
  for (const a of arrays) bytes += a.byteLength;
  return bytes / Math.max(1, part.cellCount);
}

/** What `tessera count` needs from the space engine (n0 >= 3 with --box, or --slice P0;...;Pk). */
export function spaceCount(
  compiled: Compiled,
  options: SpaceOptions = {},
): CountSummary & {
  cells: number;
  dim: number;
  vertices: number;
  edges: number;
  facets: number;
} {
  const t0 = performance.now();
  const part = spacePartition(compiled, options);
  return {
    engine: "space",
    activationRegions: part.activationRegions,
    linearPieces: part.linearPieces,
    seconds: (performance.now() - t0) / 1000,
    cells: part.cellCount,
    dim: part.dim,
    vertices: part.vertexCount,
    edges: part.edgeCount,
    facets: part.facetCount,
  };
}
