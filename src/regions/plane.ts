/**
 * The plane engine: the exact partition of a convex polygon in a 2D affine slice
 * x(u, v) = origin + u e1 + v e2 of input space into the convex cells on which the network is
 * affine.
 *
 * Depth-first over the compiled steps. Each cell carries the affine map (3 channels: constant,
 * d/du, d/dv) of the current activations. At a piecewise-linear step the cell is cut by the
 * breakpoint lines of its units (exact sign tests, geometry/polygon.ts); every piece knows its
 * units' states. When the next step is a dense layer, the pieces' next pre-activation maps are
 * computed once in full for one piece and then by walking the pieces' adjacency: neighbours
 * across a breakpoint line differ in one unit, so a neighbour's map is the other's plus a
 * rank-one term (one column of the weight matrix): O(n) instead of O(n^2) per piece.
 *
 * Here: the count's entry points, the WebAssembly kernel's path (plane-cut.ts) and the engine's
 * driver (PlaneEngine: the descent's frames, a piecewise step's frame and the walk of its pieces'
 * maps and bounds, a share's record). Its parts: the slice and the domain polygon (plane-slice.ts,
 * plane-domain.ts), the cuts (plane-elementwise-cut.ts, plane-max-cut.ts, the lines' bounds in
 * plane-line-bounds.ts), the exact tie decisions (plane-ties.ts), the units' adjoint bounds
 * (plane-adjoint-bounds.ts), the pieces' row sums and maps (plane-row-sums.ts, plane-products.ts)
 * and the reported cells (plane-cells.ts).
 */

import { LineTable, PolygonArena } from "../geometry/polygon.ts";
import { transposedWeights } from "../model/dense-kernel.ts";
import { applyStates, type Compiled } from "../model/forward.ts";
import { setState, setStepStates } from "../model/pattern.ts";
import { type AffineStep, type PiecewiseStep, type Step, unitCount } from "../model/steps.ts";
import { type Growable, growableInt32, growableUint32 } from "./buffers.ts";
import { dyadicOfSum } from "./exact-maps.ts";
import { type Budget, caughtLimit, type LimitReached, markStopped } from "./limits.ts";
import { type Branches, biasMax, columnMaxima, largestSlope, maxAbs, normInfOf, SATURATED, saturate, type Walk, walkAffine } from "./map-error.ts";
import { linearPieces, type PlanePartition } from "./partition.ts";
import { planeAdjacency } from "./plane-adjacency.ts";
import { adjacencyKernel, linearPiecesKernel } from "./plane-adjacency-kernel.ts";
import type { PlaneAdjointProbe } from "./plane-adjoint.ts";
import { AdjointBounds } from "./plane-adjoint-bounds.ts";
import { EmittedCells } from "./plane-cells.ts";
import { type KernelCells, type KernelShare, kernelCells, kernelCovers } from "./plane-cut.ts";
import { domainPolygon, inexactDomainEdges } from "./plane-domain.ts";
import { ElementwiseCut } from "./plane-elementwise-cut.ts";
import type { CellFrame } from "./plane-frame.ts";
import { LineBounds } from "./plane-line-bounds.ts";
import { MaxCut } from "./plane-max-cut.ts";
import { planePartitionOf } from "./plane-partition.ts";
import { PieceProducts } from "./plane-products.ts";
import { RowSums } from "./plane-row-sums.ts";
import { checkSlice, type PlaneSlice, sliceError, sliceLow, sliceMap } from "./plane-slice.ts";
import { SliverTest } from "./plane-sliver.ts";
import { TieDecisions } from "./plane-ties.ts";
import { refuseOutOfRange } from "./refusal.ts";
import { UnitBounds } from "./unit-error.ts";

export { boxSlice, type PlaneSlice, parallelogramSlice } from "./plane-slice.ts";

export interface PlaneOptions {
  /** Convex domain polygon in (u, v), counter-clockwise (default: the unit square). */
  domain?: Float64Array;
  /** Limits and progress (regions/limits.ts): stops early with the cells found so far. */
  budget?: Budget;
  /** Tests only: watches (or switches off) the adjoint bounds of the engine and the kernel (plane-adjoint.ts). */
  adjointProbe?: PlaneAdjointProbe;
}

export function planePartition(compiled: Compiled, slice: PlaneSlice, options: PlaneOptions = {}): PlanePartition {
  checkSlice(compiled, slice);
  const domain = options.domain ?? Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1);
  const budget = options.budget ?? null;
  const probe = options.adjointProbe ?? null;
  // The kernel makes every cell when it covers the network and the budget checks nothing (no
  // limit or signal could stop the walk half-way, and no progress callback waits for news).
  if (budget === null || budget.unlimited) {
    const cells = kernelPartition(compiled, slice, domain, budget, probe);
    if (cells !== null) return cells;
  }
  const engine = new PlaneEngine(compiled, null, probe);
  engine.budget = budget;
  return engine.run(slice, domain);
}

/**
 * The whole partition made by the WebAssembly kernel (plane-cut.ts), or null when the network is
 * not what the kernel covers or it gives up (PlaneEngine then counts, from the start). The walk
 * from the domain to the first piecewise step is the engine's, and so are the domain polygon and
 * the result; the engine itself is not made: a small count's first call compiled its
 * constructor and descent set-up in a fresh process only to hand the work to the kernel.
 */
function kernelPartition(compiled: Compiled, slice: PlaneSlice, domain: Float64Array, budget: Budget | null, probe: PlaneAdjointProbe | null): PlanePartition | null {
  const out = kernelRun(compiled, slice, domain, null, probe);
  if (out === null) return null;
  // The cells, counted as the engine's emit would have (a shared budget adds them up).
  if (budget !== null) for (let c = 0; c < out.cells.cellCount; c++) budget.tick();
  return planeResult(compiled, slice, domain, out.cells, out.lines, true, inexactDomainEdges(domain));
}

/**
 * A share's cells made by the kernel, with the record PlaneEngine's descent makes (the same top
 * pieces, cells, lines and bits: the kernel walks the first step's pieces as advance() does), or
 * null when the kernel does not cover the network or gives up. Its claims of chunks are then in
 * `claimed` (the fallback must be answered the same: a chunk claimed cannot be claimed again).
 */
function kernelShare(compiled: Compiled, slice: PlaneSlice, domain: Float64Array, share: PlaneShare, claimed: boolean[], probe: PlaneAdjointProbe | null): PlaneShareResult | null {
  const claim = share.claim;
  const asked: KernelShare = {
    parts: share.parts,
    part: share.part,
    chunk: share.chunk,
    ...(claim ? { claim: (c: number) => (claimed[c] = claim(c)) } : {}),
    ...(share.output ? { output: share.output } : {}),
  };
  const out = kernelRun(compiled, slice, domain, asked, probe);
  if (out === null) {
    if (share.output) for (const g of Object.values(share.output) as Growable<Float64Array>[]) g.length = 0;
    return null;
  }
  const record = out.cells.shareRecord as Int32Array;
  const taken = record.length / 3;
  const topPieces = new Int32Array(taken);
  const cellAt = new Uint32Array(taken + 1);
  const lineAt = new Uint32Array(taken + 1);
  for (let i = 0; i < taken; i++) {
    topPieces[i] = record[3 * i];
    cellAt[i] = record[3 * i + 1];
    lineAt[i] = record[3 * i + 2];
  }
  cellAt[taken] = out.cells.cellCount;
  lineAt[taken] = out.lines.count;
  // The domain's uncertain edges are before the top cut: every share has them, the join counts them once.
  const uncertain = inexactDomainEdges(domain);
  const partition = planeResult(compiled, slice, domain, out.cells, out.lines, false, uncertain);
  return { partition, topPieces, cellAt, lineAt, baseLines: out.cells.shareLinesBefore, baseUncertain: uncertain };
}

/** The kernel's cells (of a share, or all) and the line table they use, or null (see kernelPartition). */
function kernelRun(
  compiled: Compiled,
  slice: PlaneSlice,
  domain: Float64Array,
  share: KernelShare | null,
  probe: PlaneAdjointProbe | null,
): { cells: KernelCells; lines: LineTable } | null {
  const { steps } = compiled;
  const lines = new LineTable();
  const root = new PolygonArena();
  const p = domainPolygon(lines, root, domain);
  const walk: Walk = {
    s: 0,
    map: sliceMap(compiled.inputSize, slice),
    err: sliceError(slice),
    stack: null,
    reach: maxAbs(domain),
    inputErr: slice.rounding !== undefined,
    carried: new Float64Array(3),
  };
  walkAffine(steps, walk, 3, affineOutputs(steps), affineErrors(steps));
  if (!kernelCovers(steps, walk.s)) return null;
  const root0 = { uv: root.uv, err: root.err, line: root.line, side: root.side, start: root.start[p], size: root.size[p] };
  // The kernel appends its lines to `lines` part by part, as the JavaScript cut would have added
  // them (the domain's first): no view of its memory outlives the run.
  const out = kernelCells(steps, walk.s, compiled.layout, lines, root0, walk.map, walk.err, walk.reach ?? 0, share, probe);
  return out === null ? null : { cells: out, lines };
}

/** Every affine step's output map (3 channels), for walkAffine; empty for the other steps. */
function affineOutputs(steps: readonly Step[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const step of steps) out.push(new Float64Array(step.kind === "affine" ? 3 * step.outSize : 0));
  return out;
}

/** Every step's channel bounds, for walkAffine. */
function affineErrors(steps: readonly Step[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let s = 0; s < steps.length; s++) out.push(new Float64Array(3));
  return out;
}

/**
 * Refuse when a cell's output may overflow float64 somewhere in the domain: |c0| + (|c1| + |c2|)
 * reach not finite for an output's map c0 + c1 u + c2 v (the maps themselves are finite). The
 * maps' bounds against the exact map saturate rather than overflow (map-error.ts SATURATED), so
 * they do not catch it, and an output of infinity is no count (the line engine's check, per piece).
 */
function refuseOutputOverflow(outputMaps: Float64Array, cellCount: number, outputs: number, reach: number): void {
  // cellCount x outputSize x 3: [constant, d/du, d/dv] (PlanePartition.outputMaps)
  for (let at = 0; at < 3 * outputs * cellCount; at += 3) {
    const largest = Math.abs(outputMaps[at]) + (Math.abs(outputMaps[at + 1]) + Math.abs(outputMaps[at + 2])) * reach;
    if (!(largest - largest === 0)) refuseOutOfRange(Float64Array.of(largest), 1, "in the output over the domain", false);
  }
}

/** The cell arrays of a partition, from the kernel or the engine's sink. */
export type PlaneCells = Pick<PlanePartition, "cellCount" | "cellStart" | "vertices" | "edgeLine" | "patterns" | "outputMaps" | "areas">;

/**
 * The partition of the domain from its cells and the line table they use (copied to the
 * partition's length; the adjacency reads the table itself, only the ids the cells use). A share
 * (`whole` false) leaves adjacency and linear pieces to the merge of all shares.
 */
function planeResult(compiled: Compiled, slice: PlaneSlice, domain: Float64Array, cells: PlaneCells, lines: LineTable, whole: boolean, uncertain: number): PlanePartition {
  const { cellCount, cellStart, vertices, edgeLine, outputMaps } = cells;
  const mapSize = 3 * compiled.outputSize;
  // Adjacency and pieces in WebAssembly where available (plane-adjacency-kernel.ts: the same
  // pairs and pieces), called here rather than through planeAdjacency, whose JavaScript a first
  // call would compile although the kernel serves it.
  const adjacency = whole
    ? (adjacencyKernel(cellCount, cellStart, vertices, edgeLine, lines.coef) ?? planeAdjacency(cellCount, cellStart, vertices, edgeLine, lines.coef, false))
    : new Uint32Array(0);
  const reach = maxAbs(domain);
  refuseOutputOverflow(outputMaps, cellCount, compiled.outputSize, reach);
  const pieces = whole
    ? (linearPiecesKernel(cellCount, adjacency, outputMaps, mapSize, 3, reach) ?? linearPieces(cellCount, adjacency, outputMaps, mapSize, 3, reach))
    : { count: 0, pieceOf: new Int32Array(0) };
  return planePartitionOf(slice, domain, compiled.layout, compiled.outputSize, {
    cellCount,
    cellStart,
    vertices,
    edgeLine,
    lines: lines.coef.slice(0, 3 * lines.count),
    areas: cells.areas,
    outputMaps,
    patterns: cells.patterns,
    linearPieces: pieces.count,
    uncertain,
    pieceOf: pieces.pieceOf,
    adjacency,
  });
}

/**
 * One share of a run split among workers (parallel/plane.ts): the pieces of the first piecewise
 * step's cut of the domain (the top pieces, in the engine's order) in chunks of `chunk`, chunk c
 * going to part c mod parts. Every part makes the same cut; each descends only into its own pieces.
 */
export interface PlaneShare {
  parts: number;
  part: number;
  /** Top pieces per chunk; 0: runs between the walk's full products when there are many pieces (see shareChunk). */
  chunk: number;
  /**
   * Instead of chunk c mod parts: whether chunk c is this share's, asked once per chunk, in
   * ascending order (threads claim chunks as they reach them, so a slower thread takes fewer).
   */
  claim?: (chunk: number) => boolean;
  /**
   * Buffers to write the cells into, empty (parallel/plane.ts keeps them per thread between
   * counts: a share's cells are copied into the joined arrays, so its buffers are scratch, and
   * memory written before costs no page faults, which cost more than the writes on this kind of
   * machine). Default: new ones.
   */
  output?: PlaneOutput;
}

/** The cell arrays an engine writes (see PlaneShare.output). */
export interface PlaneOutput {
  cellStart: Growable<Uint32Array>;
  vertices: Growable<Float64Array>;
  edgeLine: Growable<Int32Array>;
  patterns: Growable<Uint32Array>;
  outputMaps: Growable<Float64Array>;
  areas: Growable<Float64Array>;
}

/** A share's cells (adjacency and linear pieces left to the merge) and where each top piece's cells and lines start. */
export interface PlaneShareResult {
  partition: PlanePartition;
  /** The top pieces this share descended into, ascending. */
  topPieces: Int32Array;
  /** Cells and lines before each of them (one entry more than topPieces: the totals). */
  cellAt: Uint32Array;
  lineAt: Uint32Array;
  /** Lines made before any descent (the domain's and the top cut's), the same in every share. */
  baseLines: number;
  /** Uncertain decisions before any descent (the top cut's), the same in every share: count them once. */
  baseUncertain: number;
}

/** The cells of one share of the top pieces (regions/plane-merge.ts joins the shares); `probe`: a test's (PlaneOptions.adjointProbe). */
export function planePartitionShare(
  compiled: Compiled,
  slice: PlaneSlice,
  domain: Float64Array,
  share: PlaneShare,
  budget: Budget | null = null,
  probe: PlaneAdjointProbe | null = null,
): PlaneShareResult {
  checkSlice(compiled, slice);
  // On the kernel when it covers the network and there is no budget (a share's budget may count
  // cells against the other shares' as they come, which the kernel's parts do not).
  const claimed: boolean[] = [];
  if (budget === null) {
    const made = kernelShare(compiled, slice, domain, share, claimed, probe);
    if (made !== null) return made;
  }
  // The kernel gave up: the chunks it asked about are answered as they were (claims are taken once).
  const claim = share.claim;
  if (claim && claimed.length > 0) share = { ...share, claim: (c) => (c < claimed.length ? claimed[c] : claim(c)) };
  const engine = new PlaneEngine(compiled, share, probe);
  engine.budget = budget;
  const partition = engine.run(slice, domain);
  return { partition, ...engine.shareRecord() };
}

const EPS = 2 ** -53;
/** Rounds a sum of two bounds up (the line engine's globalErr). */
const GROW = 1 + 4 * EPS;

/** Pieces between full recomputations of the next layer's map (rank-one updates in between). */
const REFRESH = 256;

/**
 * A share's chunk of top pieces. Automatic (0): the runs between full products of the walk
 * (REFRESH + 1 pieces), so a share computes no map of another share's pieces, when there are at
 * least 16 such runs; else 16 pieces (a share then walks the maps of every piece, cheap when few).
 */
function shareChunk(share: PlaneShare, pieces: number): number {
  if (share.chunk > 0) return share.chunk;
  return pieces >= 16 * (REFRESH + 1) ? REFRESH + 1 : 16;
}

class PlaneEngine {
  private readonly steps;
  private readonly layout;
  private readonly lines = new LineTable();
  /** One per piecewise step (made when the step is first cut) and the root's at steps.length. */
  private readonly arenas: (PolygonArena | undefined)[];
  private readonly affineOut: Float64Array[];
  private readonly affineErr: Float64Array[];
  private readonly pieceMaps: Float64Array[];
  private readonly pieceErrs: Float64Array[];
  private readonly pattern: Uint32Array;
  /** The cells reported (plane-cells.ts). */
  private readonly cells: EmittedCells;
  budget: Budget | null = null;
  // A share's record (see PlaneShare): whether the top cut has happened, and per top piece taken.
  private topSeen = false;
  private baseLines = 0;
  private baseUncertain = 0;
  private readonly topPieces = growableInt32(0);
  private readonly cellAt = growableUint32(0);
  private readonly lineAt = growableUint32(0);

  constructor(
    private readonly compiled: Compiled,
    private readonly share: PlaneShare | null,
    /** A test's (PlaneOptions.adjointProbe), or null. */
    private readonly probe: PlaneAdjointProbe | null = null,
  ) {
    this.steps = compiled.steps;
    this.layout = compiled.layout;
    // What only the JavaScript descent uses (the arenas of the piecewise steps, the pieces' maps,
    // the cells' arrays) starts empty and is made or grown when used: when the WebAssembly kernel
    // makes the cells, a small count's first call spent a tenth of a millisecond or more
    // allocating and zeroing about 100 KB of it in a fresh process.
    this.arenas = new Array(this.steps.length + 1);
    this.arenas[this.steps.length] = new PolygonArena(); // the root (domain)
    this.affineOut = affineOutputs(this.steps);
    this.affineErr = affineErrors(this.steps);
    this.pieceMaps = this.steps.map(() => new Float64Array(0)); // sized by piecewise
    this.pieceErrs = this.steps.map(() => new Float64Array(3));
    this.pattern = new Uint32Array(this.layout.words);
    this.lineBounds = new LineBounds(this.lines);
    this.ties = new TieDecisions(this.steps, this.layout, this.pattern, this.lines, this.walk);
    this.maxCut = new MaxCut(this.lines, this.lineBounds, this.ties);
    this.adjoint = new AdjointBounds(this.steps, this.units, this.unitCarried, (k) => this.ties.stepStates(k), probe);
    this.elementwiseCut = new ElementwiseCut(this.lines, this.lineBounds, this.ties, this.adjoint, this.units, this.unitCarried);
    this.cells = new EmittedCells(share?.output);
  }

  run(slice: PlaneSlice, domain: Float64Array): PlanePartition {
    const root = this.arenas[this.steps.length] as PolygonArena;
    const p = domainPolygon(this.lines, root, domain);
    this.walk.reach = maxAbs(domain);
    const map = sliceMap(this.compiled.inputSize, slice);
    const low = sliceLow(this.compiled.inputSize, slice);
    this.sliceRounded = low !== null;
    this.ties.exactMaps.segment(map, low === null ? null : () => dyadicOfSum(map, low));
    this.slivers = new SliverTest(this.lines, root, p, domain);
    this.ties.domainRows = this.slivers.domainRows;
    // The domain's uncertain edges come first: a share's record of the top cut includes them, so
    // joined shares count them once (plane-merge.ts).
    this.ties.uncertain = inexactDomainEdges(domain);
    this.baseUncertain = this.ties.uncertain;
    let stopped: LimitReached | null = null;
    try {
      this.descend(0, root, p, map, sliceError(slice), null);
    } catch (e) {
      stopped = caughtLimit(e);
    }
    return markStopped(this.result(slice, domain), stopped);
  }

  /**
   * Run steps from s on polygon p (in arena) with activation map `map`, whose coefficients are
   * within `err` (one bound per channel) of the exact maps of the network (not only of the
   * computed predecessor: docs/numerics.md, "Bounds relative to the exact map").
   */
  private descend(s: number, arena: PolygonArena, p: number, map: Float64Array, err: Float64Array, stack: Branches | null): void {
    // Depth first with an explicit stack of the piecewise steps being walked (one frame per
    // step, not one call), so the depth of a network is bounded by memory, not the call stack.
    const frames: CellFrame[] = [];
    this.adjoint.frames = frames;
    const first = this.enter(s, arena, p, map, err, stack, null);
    if (first) frames.push(first);
    while (frames.length > 0) {
      const f = frames[frames.length - 1];
      const piece = this.advance(f);
      if (piece < 0) {
        frames.pop();
        continue;
      }
      const child = this.enter(f.resume, f.arena, piece, f.map, f.globalErr, f.stack, f);
      if (child) frames.push(child);
    }
  }

  /**
   * Affine steps from s on, then the next piecewise step's frame (or the finished cell, emitted).
   * `from` is the frame whose map `map` is (null for the domain).
   */
  private enter(s: number, arena: PolygonArena, p: number, map: Float64Array, err: Float64Array, stack: Branches | null, from: CellFrame | null): CellFrame | null {
    const walk = this.walk;
    walk.s = s;
    walk.map = map;
    walk.err = err;
    walk.stack = stack;
    // From the domain of a plane whose directions rounded: the first affine step adds that to
    // its bounds (map-error.ts inputErr), and no line relative to its computed input is taken as
    // exact (unit-error.ts would leave the rounding out), so its ties are reported, not trusted.
    const rounded = from === null && s === 0 && this.sliceRounded;
    walk.inputErr = rounded;
    walkAffine(this.steps, walk, 3, this.affineOut, this.affineErr);
    if (walk.s < this.steps.length) {
      // Where the map came from, for the per-unit bounds of the units left undecided (local),
      // and the carried part of the channel's bound they add (plane-elementwise-cut.ts unitBound).
      const carried = this.unitCarried;
      carried.fill(0);
      if (rounded) this.units.none();
      else if (walk.lastAffine) {
        this.units.affine(walk.lastAffine, walk.lastInput as Float64Array);
        carried.set(walk.carried as Float64Array);
      } else if (walk.s === s && from !== null && from.next !== null) {
        this.units.fused(from.step, from.z, from.next, from.updates, from.full);
        carried.set(from.carried);
      } else this.units.none();
      // A map made by a fused elementwise step from the map above it, with no branch saved: the
      // end of a chain the adjoint bound can follow up (AdjointBounds.chainFrom). The cut may
      // lower its channel bounds (plane-adjoint-bounds.ts makeAll): they are the frame above's
      // globalErr, made again for its next piece.
      this.adjoint.chainFrom =
        walk.s === s && from !== null && from.next !== null && from.step.kind === "elementwise" && walk.stack === null && from.stack === null && !this.probe?.off ? from : null;
      return this.piecewise(walk.s, arena, p, walk.map, walk.err, walk.stack);
    }
    this.emit(arena, p, walk.map);
    return null;
  }

  // Every field from the start (lastAffine too), so the walk keeps one shape. Against the exact map: every
  // affine step adds what its input's bound becomes through it (map-error.ts Walk.carried).
  private readonly walk: Walk = {
    s: 0,
    map: new Float64Array(0),
    err: new Float64Array(0),
    stack: null,
    lastAffine: null,
    lastInput: new Float64Array(0),
    inputErr: false,
    carried: new Float64Array(3),
  };
  /** The bounds of the cut lines, and the widening of the vertices their splits make (plane-line-bounds.ts). */
  private readonly lineBounds: LineBounds;
  /** An elementwise step's cut (plane-elementwise-cut.ts). */
  private readonly elementwiseCut: ElementwiseCut;
  /** A max group step's cut (plane-max-cut.ts). */
  private readonly maxCut: MaxCut;
  /** The pieces' maps in full (plane-products.ts). */
  private readonly products = new PieceProducts();
  /** The adjoint bounds of the cut's units (plane-adjoint-bounds.ts). */
  private readonly adjoint: AdjointBounds;
  /** The exact decisions of rounding ties, and the exact lines they use (plane-ties.ts). */
  private readonly ties: TieDecisions;
  /** Where the map of the piecewise step being cut came from, and one unit's bounds (unit-error.ts). */
  private readonly units = new UnitBounds(3);
  /** Whether the slice's directions rounded (PlaneSlice.rounding). */
  private sliceRounded = false;
  /**
   * The carried part of the channel bounds of the map being cut (its bound relative to the exact
   * map minus its local one): per-unit bounds (unit-error.ts, local) add it (plane-elementwise-cut.ts unitBound).
   */
  private readonly unitCarried = new Float64Array(3);
  /** Per piecewise step, its frame's carried and global bounds (one frame per step is alive at a time). */
  private readonly carriedOf: Float64Array[] = [];
  private readonly globalOf: Float64Array[] = [];
  /** Per piecewise step, its pieces' row sums (plane-row-sums.ts). */
  private readonly rowSums = new RowSums(REFRESH);

  /**
   * Cut polygon p by the breakpoint lines of step s's units, then continue with every piece.
   * z is the step's input map (3 x size).
   */
  private piecewise(s: number, parentArena: PolygonArena, p: number, z: Float64Array, zErr: Float64Array, stack: Branches | null): CellFrame {
    const step = this.steps[s] as PiecewiseStep;
    let arena = this.arenas[s];
    if (arena === undefined) this.arenas[s] = arena = new PolygonArena();
    arena.reset();
    const root = arena.copyFrom(parentArena, p);
    const units = unitCount(step);
    this.ties.cutStep = s;
    this.adjoint.lowered = false;
    const cut = step.kind === "elementwise" ? this.elementwiseCut.cut(step, s, arena, root, z, zErr) : this.maxCut.cut(step, s, arena, root, z, zErr);
    // The first piecewise step is reached once, by the whole domain: its pieces are what shares split.
    const share = this.topSeen ? null : this.share;
    this.topSeen = true;
    if (share !== null) {
      this.baseLines = this.lines.count;
      this.baseUncertain = this.ties.uncertain;
    }

    // The next step's input map, one piece at a time (one map alive, whatever the piece count).
    const next = this.steps[s + 1];
    const fast = next !== undefined && next.kind === "affine" && next.weight !== null;
    const outSize = fast ? (next as AffineStep).outSize : units;
    const mapSize = 3 * outSize;
    if (this.pieceMaps[s].length !== mapSize) this.pieceMaps[s] = new Float64Array(mapSize);
    const map = this.pieceMaps[s];
    const err = this.pieceErrs[s];
    const full = cut.fullStates;
    const slopeMax = largestSlope(step);
    const resume = fast ? s + 2 : s + 1;
    const WT = fast ? transposedWeights(next as AffineStep) : map;
    const colMax = fast ? columnMaxima(next as AffineStep) : map;
    let carried = this.carriedOf[s];
    if (carried === undefined) {
      this.carriedOf[s] = carried = new Float64Array(3);
      this.globalOf[s] = new Float64Array(3);
    }
    // Without a fused dense step the pieces' maps carry zErr themselves (carried 0).
    carried.fill(0);
    const rowAbs = this.rowSums.of(s, outSize, units);
    const normSlope = fast ? normInfOf(next as AffineStep) * slopeMax : 0;
    const gainMax = fast ? normSlope * (1 + ((next as AffineStep).inSize + 16) * EPS) : 0;
    return {
      s,
      step,
      arena,
      z,
      zErr,
      stack,
      cut,
      share,
      next: fast ? (next as AffineStep) : null,
      outSize,
      map,
      err,
      full,
      slopeMax,
      resume,
      WT,
      colMax,
      q: 0,
      chunk: share === null ? 1 : shareChunk(share, cut.pieceCount),
      chunkSeen: -1,
      chunkMine: false,
      sinceFull: REFRESH,
      previousWritten: false,
      updates: 0,
      carried,
      globalErr: this.globalOf[s] as Float64Array,
      rowAbs,
      gainMax,
      normSlope,
      lowered: this.adjoint.lowered,
    };
  }

  /**
   * The next piece of a frame to descend into, with its map (and its part of the pattern)
   * ready, or -1 when the frame's pieces are done.
   */
  private advance(f: CellFrame): number {
    const { step, z, zErr, share, outSize, map, err, full, slopeMax, WT, colMax, s } = f;
    const { pieces, states, crossing, nc, pieceCount } = f.cut;
    const fast = f.next !== null;
    const next = f.next;
    // The map cut is exact (a box's first layer): its pieces carry no bound from it, and need no
    // row sums; nor do the pieces' maps that no step cuts (the output's: only their range is checked).
    const exact = (zErr[0] === 0 && zErr[1] === 0 && zErr[2] === 0) || f.resume === this.steps.length;
    for (; f.q < pieceCount; f.q++) {
      const q = f.q;
      const mine = share === null || this.ownChunk(f, share, Math.floor(q / f.chunk));
      // Another share's piece. Its map is needed only when the next piece's builds on it: not
      // when chunks are whole runs between full products (the next chunk starts with one).
      if (!mine && (!fast || f.chunk % (REFRESH + 1) === 0)) {
        f.sinceFull = REFRESH;
        f.previousWritten = false;
        continue;
      }
      if (fast && q > 0 && f.sinceFull < REFRESH) {
        // Pieces come in the cut's depth-first order, so neighbours in the list differ in few
        // units: the next dense layer's map is the previous piece's plus rank-one terms.
        for (let c = 0; c < nc; c++) {
          const from = states[(q - 1) * nc + c];
          const to = states[q * nc + c];
          if (from !== to) {
            this.products.rankOne(step, WT, colMax, outSize, z, crossing[c], from, to, map, err);
            if (step.kind === "elementwise" && !exact) {
              this.rowSums.update(s, step, WT, outSize, crossing[c], from, to, f.rowAbs);
            }
            f.updates++;
          }
        }
        f.sinceFull++;
      } else {
        for (let c = 0; c < nc; c++) full[crossing[c]] = states[q * nc + c];
        if (fast) {
          // In full, now and then, so rounding does not accumulate along a long list.
          const largest = this.products.denseAfterStates(step, full, z, next as AffineStep, map);
          const norm = normInfOf(next as AffineStep);
          const gamma = ((next as AffineStep).inSize + 2) * EPS;
          for (let c = 0; c < 3; c++) err[c] = norm * gamma * largest[c] + (c === 0 ? 2 * EPS * biasMax(next as AffineStep) : 0);
          if (step.kind === "elementwise" && !exact) this.rowSums.at(s, step, full, WT, outSize);
          f.sinceFull = 0;
          f.updates = 0;
        } else {
          applyStates(step, full, z, map, 3);
          for (let c = 0; c < 3; c++) err[c] = slopeMax * zErr[c];
        }
      }
      // The map's bound relative to the exact map: its local part and the carried one. z is
      // within zErr of the exact map, the step's outputs within |slope| times that on this piece,
      // the dense step's within |W D|_inf times zErr (D the piece's |slopes|: its largest row
      // sum, widened for that sum's rounding and the product's), at most |W|_inf times the
      // largest |slope| (any states, a max group's).
      const globalErr = f.globalErr;
      const carried = f.carried;
      if (fast && exact) carried.fill(0);
      else if (fast) {
        let gain = f.gainMax;
        if (step.kind === "elementwise") {
          const rowAbs = f.rowAbs;
          let g = 0;
          for (let i = 0; i < outSize; i++) g = Math.max(g, rowAbs[i]);
          const n = step.size;
          gain = Math.min(gain, (g + (n + 4 + 2 * this.rowSums.updatesOf[s]) * EPS * f.normSlope) * (1 + (n + 16) * EPS));
        }
        const open = !(zErr[0] < SATURATED && zErr[1] < SATURATED && zErr[2] < SATURATED);
        for (let c = 0; c < 3; c++) carried[c] = open ? SATURATED : gain * zErr[c];
      }
      for (let c = 0; c < 3; c++) globalErr[c] = (err[c] + carried[c]) * GROW;
      if (!(globalErr[0] < SATURATED && globalErr[1] < SATURATED && globalErr[2] < SATURATED)) saturate(globalErr, 3);
      if (!mine) {
        f.previousWritten = false;
        continue;
      }
      // The step's part of the pattern: in full for the first piece, then only the units whose
      // state changed from the previous piece (deeper steps write only their own words).
      if (!f.previousWritten) {
        f.previousWritten = true;
        for (let c = 0; c < nc; c++) full[crossing[c]] = states[q * nc + c];
        setStepStates(this.layout, this.pattern, 0, s, full);
      } else {
        for (let c = 0; c < nc; c++) {
          const to = states[q * nc + c];
          if (to !== states[(q - 1) * nc + c]) {
            full[crossing[c]] = to;
            setState(this.layout, this.pattern, 0, s, crossing[c], to);
          }
        }
      }
      if (share !== null) {
        this.topPieces.push(q);
        this.cellAt.push(this.cells.cellCount);
        this.lineAt.push(this.lines.count);
      }
      f.q++;
      return pieces[q];
    }
    return -1;
  }

  private ownChunk(f: CellFrame, share: PlaneShare, chunk: number): boolean {
    if (chunk !== f.chunkSeen) {
      f.chunkSeen = chunk;
      f.chunkMine = share.claim ? share.claim(chunk) : chunk % share.parts === share.part;
    }
    return f.chunkMine;
  }

  shareRecord(): Omit<PlaneShareResult, "partition"> {
    return {
      topPieces: this.topPieces.toArray(),
      cellAt: Uint32Array.from([...this.cellAt.toArray(), this.cells.cellCount]),
      lineAt: Uint32Array.from([...this.lineAt.toArray(), this.lines.count]),
      baseLines: this.baseLines,
      baseUncertain: this.baseUncertain,
    };
  }

  private emit(arena: PolygonArena, p: number, map: Float64Array): void {
    this.budget?.tick();
    // A cell far thinner than rounding may be one only by rounding (plane-sliver.ts): its edges'
    // exact lines decide. No area, no cell (counted as uncertain, as the decisions that made it
    // were not all exact).
    const area = arena.area(p);
    if ((this.slivers as SliverTest).noCell(arena, p, area, this.exactRow)) {
      this.ties.uncertain++;
      return;
    }
    this.cells.add(arena, p, area, this.pattern, this.layout.words, map, this.compiled.outputSize);
  }

  /** The test of slivers on this count's domain (made by run), and plane-ties.ts exactRowOf for it. */
  private slivers: SliverTest | null = null;
  private readonly exactRow = (id: number): bigint[] => this.ties.exactRowOf(id);

  private result(slice: PlaneSlice, domain: Float64Array): PlanePartition {
    return planeResult(this.compiled, slice, domain, this.cells.cells(), this.lines, this.share === null, this.ties.uncertain);
  }
}
