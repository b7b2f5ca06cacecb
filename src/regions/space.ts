/**
 * The space engine: every activation region of a network inside a box or convex polytope of a
 * k-dimensional affine slice x(y) = origin + sum_c y_c basis_c of input space (k = n0 with the
 * identity basis: the whole input space), for k up to about 8.
 *
 * Depth-first over the compiled steps (so every step kind works: affine, elementwise with any
 * number of breakpoints, max groups, stack steps for branches), each cell is a convex polytope
 * held with its vertices and constraint rows (space/polytope.ts) and the (k+1)-channel affine map
 * of the current activations. At a piecewise step every unit's breakpoint hyperplanes (affine in
 * y inside the cell) cut the cell; a cut is decided by interval arithmetic over the cell's
 * bounding box first, then by the signs at the cell's vertices, which is exact combinatorics:
 * a hyperplane that only touches a cell, a duplicated hyperplane or a zero row never splits.
 * A max group keeps, for each candidate winner p, the part of the cell where z_p >= z_q for all q.
 * Each piece then goes through the remaining steps before the next piece starts.
 *
 * Results (space/cells.ts): minimal H-representation, vertices, an interior point (the Chebyshev
 * centre when an LP solver is given, else the vertex mean), pattern, output affine map and facet
 * adjacency per cell; activationRegions and linearPieces; for k <= 4 the numbers of vertices,
 * edges and facets of the complex (space/complex.ts). Numerical policy and algorithms:
 * docs/space.md.
 *
 * This file sets a walk up (the slice, the domain's polytope, the kernels, the cells' sink) and
 * runs it; the walk itself is space/engine.ts's `SpaceEngine`, the options and the limit errors
 * are in space/options.ts.
 */
import type { Compiled } from "../model/forward.ts";
import { caughtLimit, type LimitReached, markStopped } from "./limits.ts";
import type { CountSummary, SpacePartition } from "./partition.ts";
import { refuseSubnormalParameters } from "./refusal.ts";
import { subtractionError } from "./space/box-sides.ts";
import { CellSink } from "./space/cells.ts";
import { ComplexCounter } from "./space/complex.ts";
import { CutKernel } from "./space/cut-kernel.ts";
import { domainBox } from "./space/domain-box.ts";
import { SpaceEngine } from "./space/engine.ts";
import { SPACE_MAX_DIM, SpaceDimensionError, type SpaceOptions, type SpaceShare } from "./space/options.ts";
import { PolytopeArena } from "./space/polytope.ts";
import { RowStore } from "./space/row-store.ts";
import { Side, type SignTolerance } from "./space/side.ts";
import { identitySlice, type SpaceSlice } from "./space/slice.ts";
import { VertexNames } from "./space/vertex-names.ts";

export { SPACE_MAX_DIM, SpaceDimensionError, SpaceLimitError, type SpaceOptions, type SpaceShare } from "./space/options.ts";
export { identitySlice, type SpaceSlice, sliceThroughPoints } from "./space/slice.ts";

export function spacePartition(compiled: Compiled, options: SpaceOptions = {}): SpacePartition {
  const walk = spaceWalk(compiled, options);
  return markStopped(walk.sink.finish(walk.slice, walk.radius, walk.stopped === null), walk.stopped);
}

/** What spaceWalk leaves: the cells (not yet finished: adjacency, linear pieces), their rows, the slice and the domain's radius. */
export interface SpaceWalk {
  sink: CellSink;
  /** The vertices' names (null: not named, see space/complex.ts). */
  names: VertexNames | null;
  rows: RowStore;
  slice: SpaceSlice;
  radius: number;
  stopped: LimitReached | null;
}

/** spacePartition's walk, or one share's (parallel/space.ts joins the shares' cells and finishes them). */
export function spaceWalk(compiled: Compiled, options: SpaceOptions & { share?: SpaceShare } = {}): SpaceWalk {
  const n0 = compiled.inputSize;
  const slice = options.slice ?? identitySlice(n0);
  const k = slice.basis.length;
  if (k < 1) throw new Error("the space engine needs a slice of dimension at least 1");
  if (k > SPACE_MAX_DIM)
    throw new SpaceDimensionError(
      `the exact space engine handles at most ${SPACE_MAX_DIM} dimensions, this domain has ${k} (a box in ${k} dimensions has 2^${k} corners); count along a segment (--line) or in a plane (--plane), or estimate with stats`,
    );
  if (slice.origin.length !== n0) throw new Error(`slice origin has ${slice.origin.length} coordinates, the network has ${n0} inputs`);
  slice.basis.forEach((b, c) => {
    if (b.length !== n0) throw new Error(`slice direction ${c + 1} has ${b.length} coordinates, the network has ${n0} inputs`);
  });
  refuseSubnormalParameters(compiled.steps);
  const C = k + 1;
  const eps = options.eps ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new Error(`eps must be in [0, 1), got ${eps}`);
  const lp = options.lp ?? null;

  // Domain: a box, cut by the polytope's rows.
  const rows = new RowStore(k);
  const [lo, hi] = domainBox(options, k, lp);
  const share = options.share ?? null;
  const withComplex = share ? share.complex !== null : (options.complex ?? k <= 4);
  // Vertices named combinatorially (space/vertex-names.ts) for the complex, except after max steps.
  const names = withComplex && !compiled.steps.some((step) => step.kind === "max") ? new VertexNames(2 ** k) : null;
  const domain = new PolytopeArena(k);
  domain.names = names;
  // In 3-D the arena lives in the cut kernel's memory, which cuts it there (space/cut-kernel.ts).
  const cutKernel = k === 3 ? CutKernel.create() : null;
  if (cutKernel !== null) {
    domain.useKernel(cutKernel);
    rows.useKernel(cutKernel);
    names?.useKernel(cutKernel);
  }
  let poly = domain.addBox(new Float64Array(k).fill(lo), new Float64Array(k).fill(hi), rows);
  const radius = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  if (options.polytope) {
    const { A, b } = options.polytope;
    const m = b.length;
    if (A.length !== m * k) throw new Error(`polytope matrix has ${A.length} entries, expected ${m} x ${k}`);
    const h = new Float64Array(C);
    // The domain's rows are exact as given.
    const exact: SignTolerance = { err: new Float64Array(C), eps };
    for (let i = 0; i < m; i++) {
      h[0] = -b[i];
      for (let j = 0; j < k; j++) h[j + 1] = A[i * k + j];
      const side = domain.cut(poly, h, exact, 1, rows, -1, 2 * k + i, 0, -1 - i);
      if (side === Side.Above) throw new Error("the domain polytope is empty (or has no interior)");
      if (side === Side.Split) poly = domain.below;
    }
  }

  // The input map of the slice: channel 0 the origin, channel c the direction c.
  const map0 = new Float64Array(C * n0);
  map0.set(slice.origin, 0);
  slice.basis.forEach((b, c) => {
    map0.set(b, (c + 1) * n0);
  });
  // A slice through points: its directions are the points' differences rounded, by this much.
  const err0 = new Float64Array(C * n0);
  const points = slice.points ?? null;
  if (points !== null) {
    if (points.length !== k + 1 || points.some((p) => p.length !== n0) || points[0].some((x, i) => x !== slice.origin[i]))
      throw new Error("a slice's points must be its origin and one more per direction");
    slice.basis.forEach((b, c) => {
      for (let i = 0; i < n0; i++) err0[(c + 1) * n0 + i] = subtractionError(points[c + 1][i], points[0][i], b[i]);
    });
  }
  const whole = !(options.budget?.canStop ?? false);
  const eulerEdges = names !== null && k === 3 && options.countEdges !== true && whole;
  const derivedFacets = names !== null && eps === 0 && options.countFacets !== true && whole;
  const complex = share === null && withComplex ? new ComplexCounter(k, radius, rows, eulerEdges, derivedFacets) : null;
  const counter = share !== null ? share.complex : complex;
  const sink = new CellSink(compiled, k, rows, lp, counter, share?.sharing);
  const engine = new SpaceEngine(compiled, k, rows, radius, eps, options.maxCells ?? 2_000_000, sink);
  engine.useBudget(options.budget ?? null);
  engine.share = share;
  engine.exactFrom(map0, points);
  let stopped: LimitReached | null = null;
  try {
    engine.descend(0, domain, poly, map0, err0, [], []);
  } catch (e) {
    stopped = caughtLimit(e);
  }
  if (complex !== null) complex.decidedExactly = domain.undecided === 0;
  engine.release();
  if (cutKernel !== null) {
    // What the walk's results still read (the rows) back in JavaScript, then the kernel to the next walk.
    rows.release();
    names?.release();
    domain.release();
    cutKernel.release();
  }
  return { sink, names, rows, slice, radius, stopped };
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
