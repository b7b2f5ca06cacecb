/**
 * The space engine on every core: each thread makes the same first cut of the domain (by the
 * first piecewise step's hyperplanes: the top pieces) and descends only into the top pieces it
 * claims as it reaches them (a counter in shared memory, in order: a thread slowed by start-up or
 * by other programs takes fewer). Regions never cross the first step's hyperplanes, so no cell is
 * split between threads: the join puts the cells back in the order of their top pieces, with
 * each thread's rows one store after another, and finishes them as one walk's (adjacency across
 * facets, linear pieces); meanwhile a pool thread counts the complex's vertices, edges and facets by replaying the cells
 * through one counter: by their vertices' names (space/vertex-names.ts), each thread's names
 * translated into one table at the join (a crossing's name is its hyperplane and its edge's ends'
 * names, the same in every thread), or for networks with max steps by their coordinates on a grid.
 * The result is spacePartition's, array for array.
 */
import { threadId } from "node:worker_threads";
import type { Compiled } from "../model/forward.ts";
import { isPiecewise } from "../model/steps.ts";
import { growableInt32 } from "../regions/buffers.ts";
import { Budget, type LimitOptions, type StopReason } from "../regions/limits.ts";
import type { SpacePartition } from "../regions/partition.ts";
import { type CellComplex, CellSink, MISMATCHED, type SinkParts, shareNeighbours, UNKNOWN, WITHHELD } from "../regions/space/cells.ts";
import { ComplexCounter } from "../regions/space/complex.ts";
import type { FacetList } from "../regions/space/facet-list.ts";
import type { PolytopeArena } from "../regions/space/polytope.ts";
import { RowStore } from "../regions/space/row-store.ts";
import { VertexNames } from "../regions/space/vertex-names.ts";
import { identitySlice, SpaceLimitError, type SpaceOptions, type SpaceShare, type SpaceWalk, spacePartition, spaceWalk } from "../regions/space.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { claimChunk, SharedBudget, type SharedControl, type SharedLimits, sharedControl, sharedLimits, sharedStop, watchControl } from "./shared-budget.ts";
import { buffersOf, movable, threadSchedule } from "./worker.ts";

const self = moduleUrl("parallel/space");

/** What a split space count takes: spacePartition's options but the LP solver and the budget (the limits are the whole count's). */
export type ParallelSpaceOptions = Omit<SpaceOptions, "lp" | "budget">;

/** Options of spacePartitionParallel besides the count's. */
export interface ParallelSpaceRun {
  /** Limits of the whole count, over all threads (see shared-budget.ts). */
  limits?: Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress" | "progressEvery">;
  /** The calling thread computes a share too (see ParallelPlaneOptions.mainThread). */
  mainThread?: boolean;
  /** Called with each thread's CPU and waiting seconds and the join's CPU seconds (benchmarks). */
  onStats?: (stats: SpaceStats) => void;
}

export interface SpaceStats {
  /** Per share: CPU seconds, seconds waiting for a core, cells. */
  shares: { cpuSeconds: number; waitingSeconds: number; cells: number }[];
  /** The calling thread's CPU seconds in the join. */
  joinCpuSeconds: number;
  /** A pool thread's CPU seconds counting the complex's faces (the cells replayed), meanwhile (0 without). */
  complexCpuSeconds: number;
}

export interface SpaceShareTask {
  model: ModelRef;
  options: ParallelSpaceOptions;
  /**
   * Claims from both ends (`claimFront`, `claimBack`) when the calling thread takes a share: it
   * takes top pieces from the first up, the pool's threads from the last down; else null, and
   * every share takes the next piece in order (claimChunk).
   */
  ends: BigInt64Array | null;
  /** Threads sharing the count (the calling thread included when it takes a share). */
  threads: number;
  /** The complex's edges by Euler's relation at the join (ComplexCounter.eulerEdges): the shares do not find them. */
  eulerEdges: boolean;
  control: SharedControl;
  limits: SharedLimits | null;
}

/** One thread's cells, rows and top pieces. */
interface SpaceShareDone {
  parts: SinkParts;
  rows: Pick<RowStore, "count" | "coef" | "step" | "unit" | "other" | "side" | "exact">;
  /** Pairs (top piece, its first cell), ascending. */
  tops: Int32Array;
  /** Each cell's edges (pairs of its vertices): cell i's are pairs edgeStart[i] .. edgeStart[i + 1]. */
  edgeStart: Int32Array;
  edges: Int32Array;
  /** The cells' vertices' names, as `parts.vertices` holds the vertices (empty when not named: max steps). */
  names: Int32Array;
  /** Per facet of `parts` (when named): 1 when it lies on the domain's boundary. */
  boundary: Uint8Array;
  /** Per facet of `parts`: its neighbour as this share finds it (space/cells.ts, shareNeighbours); empty for the front (the join finds them). */
  neighbours: Int32Array;
  /** Per facet of `parts`: its unit row (k + 1 numbers, CellSink.unitFacets), made here rather than in the join; empty for the front (the join writes them). */
  facets: Float64Array;
  /** This share's name table (crossing i, named corners + i: its hyperplane's label and its ends) and the corners' count. */
  table: { label: Int32Array; lesser: Int32Array; greater: Int32Array; corners: number } | null;
  radius: number;
  stopReason: StopReason | null;
  cpuSeconds: number;
  waitingSeconds: number;
  thread: number;
}

/** `spacePartition(compiled, options)` on the pool's threads: the same partition, array for array. */
export async function spacePartitionParallel(pool: TaskPool, compiled: Compiled, options: ParallelSpaceOptions = {}, run: ParallelSpaceRun = {}): Promise<SpacePartition> {
  const main = run.mainThread === true;
  const limits = run.limits ?? {};
  if (pool.size + (main ? 1 : 0) === 1 || !compiled.steps.some(isPiecewise)) return spacePartition(compiled, { ...options, ...(run.limits ? { budget: new Budget(limits) } : {}) });
  // As one thread: edges by Euler's relation in 3-D with named vertices, when no limit can cut the count short.
  const k = options.slice?.basis.length ?? compiled.inputSize;
  const canStop = limits.maxCells !== undefined || limits.timeout !== undefined || limits.signal !== undefined;
  const eulerEdges = k === 3 && options.countEdges !== true && !canStop && !compiled.steps.some((step) => step.kind === "max");
  const task: SpaceShareTask = {
    model: modelRef(compiled.network),
    options,
    ends: main ? endsControl() : null,
    threads: pool.size + (main ? 1 : 0),
    eulerEdges,
    control: sharedControl(),
    limits: sharedLimits(limits),
  };
  const stopWatch = watchControl(task.control, limits);
  let done: SpaceShareDone[];
  // The calling thread's walk: its cells are the joined ones' beginning, finished in place.
  let ownWalk: SpaceWalk | null = null;
  try {
    const running = Promise.all(Array.from({ length: pool.size }, () => pool.run<SpaceShareDone>(self, "spaceShareTask", task)));
    let own: SpaceShareDone | null = null;
    try {
      if (main) {
        const front = spaceShare(compiled, task, "front", limits);
        own = front.done;
        ownWalk = front.walk;
      }
    } catch (e) {
      // The same count fails the same way on the pool's threads: their errors are this one.
      await running.catch(() => undefined);
      throw e;
    }
    done = await running;
    if (own) done.unshift(own);
  } finally {
    stopWatch();
  }
  const cpu0 = threadSchedule().cpu;
  const counted = { complexCpuSeconds: 0 };
  const partition = await joinShares(pool, compiled, options, done, counted, eulerEdges, ownWalk);
  run.onStats?.({
    shares: done.map((d) => ({ cpuSeconds: d.cpuSeconds, waitingSeconds: d.waitingSeconds, cells: d.parts.count })),
    joinCpuSeconds: threadSchedule().cpu - cpu0,
    complexCpuSeconds: counted.complexCpuSeconds,
  });
  const stopped = sharedStop(task.control) ?? done.find((d) => d.stopReason !== null)?.stopReason ?? undefined;
  return stopped === undefined ? partition : { ...partition, stopped };
}

/** Worker side: one share; its arrays moved back without a copy. */
export function spaceShareTask(task: SpaceShareTask): SpaceShareDone {
  const { done } = spaceShare(compiledOfRef(task.model), task, task.ends ? "back" : "any");
  return movable(done, [
    ...buffersOf(done.parts),
    ...buffersOf(done.rows),
    done.tops.buffer,
    done.edgeStart.buffer,
    done.edges.buffer,
    done.names.buffer,
    done.boundary.buffer,
    done.neighbours.buffer,
    done.facets.buffer,
    ...(done.table ? [done.table.label.buffer, done.table.lesser.buffer, done.table.greater.buffer] : []),
  ]);
}

/** Each cell's edges (and its vertices' names, when named), recorded for the join instead of counted here. */
class EdgeRecorder implements CellComplex {
  readonly start = growableInt32(256);
  readonly pairs = growableInt32();
  readonly names = growableInt32();
  private scratch = new Int32Array(256);

  /** `eulerEdges`: the edges are not found (the join derives their number). */
  constructor(private readonly eulerEdges: boolean) {
    this.start.push(0);
  }

  addCell(arena: PolytopeArena, p: number, _facets: FacetList): void {
    const nv = arena.nv[p];
    if (this.scratch.length < nv * nv) this.scratch = new Int32Array(2 * nv * nv);
    const edges = this.eulerEdges ? 0 : arena.edges(p, this.scratch);
    this.pairs.reserve(2 * edges);
    this.pairs.data.set(this.scratch.subarray(0, 2 * edges), this.pairs.length);
    this.pairs.length += 2 * edges;
    this.start.push(this.pairs.length / 2);
    if (arena.names === null) return;
    const at = arena.vertAt[p] / arena.k;
    this.names.reserve(nv);
    this.names.data.set(arena.name.subarray(at, at + nv), this.names.length);
    this.names.length += nv;
  }

  counts(): { vertices: number; edges: number; facets: number } {
    return { vertices: -1, edges: -1, facets: -1 };
  }
}

/**
 * Two-ended claims of top pieces in one 64-bit word (lock-free: compare and exchange): the low
 * half is the front's next piece, the high half the lowest piece taken from the back. The front
 * asks for 0, 1, 2, ... and takes a piece below the back's lowest; the back asks from the last
 * piece down and takes one at or above the front's next. So the front takes a prefix, the back
 * the rest, every piece once: a thread slowed by start-up or other programs takes fewer.
 */
function endsControl(): BigInt64Array {
  const ends = new BigInt64Array(new SharedArrayBuffer(8));
  ends[0] = BigInt(0x7fffffff) << 32n;
  return ends;
}

export function claimFront(ends: BigInt64Array, piece: number): boolean {
  for (;;) {
    const word = Atomics.load(ends, 0);
    const back = Number(word >> 32n);
    if (piece >= back) return false;
    if (Atomics.compareExchange(ends, 0, word, (BigInt(back) << 32n) | BigInt(piece + 1)) === word) return true;
  }
}

export function claimBack(ends: BigInt64Array, piece: number): boolean {
  for (;;) {
    const word = Atomics.load(ends, 0);
    const front = Number(word & 0xffffffffn);
    const back = Number(word >> 32n);
    if (piece < front || piece >= back) return false;
    if (Atomics.compareExchange(ends, 0, word, (BigInt(piece) << 32n) | BigInt(front)) === word) return true;
  }
}

/**
 * One share: the walk into the top pieces this thread claims (on a pool thread, or on the calling
 * thread with its limits' progress): from the front, from the back, or the next in order ("any").
 */
function spaceShare(
  compiled: Compiled,
  task: SpaceShareTask,
  role: "front" | "back" | "any",
  progress?: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal">,
): { done: SpaceShareDone; walk: SpaceWalk } {
  const t0 = threadSchedule();
  const tops = growableInt32(64);
  const k = task.options.slice?.basis.length ?? compiled.inputSize;
  const recorder = (task.options.complex ?? k <= 4) ? new EdgeRecorder(task.eulerEdges) : null;
  const ends = task.ends;
  const share: SpaceShare = {
    descending: role === "back",
    claim(piece, cells) {
      const mine = ends === null ? claimChunk(task.control, piece) : role === "front" ? claimFront(ends, piece) : claimBack(ends, piece);
      if (mine) {
        tops.push(piece);
        tops.push(cells);
      }
      return mine;
    },
    complex: recorder,
    // The faces (and for the grid, the vertices) go to the thread that counts the complex at the
    // join as they are, while the join copies the cells: on shared memory, not copied.
    sharing: {
      faces: recorder !== null,
      vertices: recorder !== null && compiled.steps.some((step) => step.kind === "max"),
    },
  };
  const budget = task.limits ? new SharedBudget(task.control, task.limits, progress) : undefined;
  const walk = spaceWalk(compiled, { ...task.options, ...(budget ? { budget } : {}), share });
  const { rows } = walk;
  const { names } = walk;
  // The front's buffers are extended at the join, by exactly the others' cells: room reserved
  // here, while the others still work, would not be: the shares end within one top piece of each
  // other, and slack is not free (large buffers from the C library's heap are zero-filled in full).
  const parts = walk.sink.parts();
  // Which facets lie on the domain's boundary (their rows are the domain's), for the check of named facets.
  const boundary = new Uint8Array(recorder !== null && names !== null ? parts.facetRow.length : 0);
  for (let f = 0; f < boundary.length; f++) boundary[f] = rows.step[parts.facetRow[f]] < 0 ? 1 : 0;
  // The neighbours within this share's top pieces, and its facets' unit rows, found here rather
  // than in the join; but the front's: the join writes its unit rows straight into the joined
  // array (they are its beginning) and finish looks its neighbours up (see joinShares).
  const front = role === "front";
  const neighbours = front ? new Int32Array(0) : shareNeighbours(compiled, parts, rows.step, rows.unit, rows.other, rows.side, compiled.steps.findIndex(isPiecewise));
  const facets = front ? new Float64Array(0) : walk.sink.unitFacets();
  const t1 = threadSchedule();
  const done: SpaceShareDone = {
    parts,
    rows: {
      count: rows.count,
      coef: rows.coef.subarray(0, rows.count * (rows.dim + 1)),
      step: rows.step.subarray(0, rows.count),
      unit: rows.unit.subarray(0, rows.count),
      other: rows.other.subarray(0, rows.count),
      side: rows.side.subarray(0, rows.count),
      exact: rows.exact.subarray(0, rows.count),
    },
    tops: tops.toArray(),
    edgeStart: recorder ? recorder.start.toArray() : new Int32Array(0),
    edges: recorder ? recorder.pairs.toArray() : new Int32Array(0),
    names: recorder ? recorder.names.toArray() : new Int32Array(0),
    boundary,
    neighbours,
    facets,
    table: names
      ? { label: names.label.slice(0, names.size), lesser: names.lesser.slice(0, names.size), greater: names.greater.slice(0, names.size), corners: names.corners }
      : null,
    radius: walk.radius,
    stopReason: walk.stopped?.reason ?? null,
    cpuSeconds: t1.cpu - t0.cpu,
    waitingSeconds: t1.waiting - t0.waiting,
    thread: threadId,
  };
  return { done, walk };
}

/** One share's cells' faces, for the complex's count (its facets' arrays on shared memory: the join reads them too). */
export interface ShareFaces {
  vertexStart: Uint32Array;
  /** The vertices (k each; only for the grid: networks with max steps). */
  vertices: Float64Array | null;
  edgeStart: Int32Array;
  edges: Int32Array;
  facetStart: Uint32Array;
  facetVertexStart: Uint32Array;
  facetVertices: Int32Array;
  /** Named: the vertices' names in this share's table, each facet's boundary flag, and the table. */
  names: Int32Array;
  boundary: Uint8Array;
  table: SpaceShareDone["table"];
}

/** The complex's faces of the shares' cells, counted on a pool thread while the join finishes the cells. */
export interface SpaceComplexTask {
  k: number;
  radius: number;
  shares: ShareFaces[];
  /** Runs of cells (share, from, to), three numbers each, in the order of their top pieces. */
  runs: Int32Array;
  /** Vertices named (else matched on the grid), and whether the count ran to the end (unmatched facets then withhold the counts). */
  named: boolean;
  /** Edges by Euler's relation (ComplexCounter.eulerEdges). */
  eulerEdges: boolean;
  complete: boolean;
}

/**
 * Worker side: the shares' name tables translated into one (a crossing's definition refers only to
 * names made before it), then the cells replayed in order through one ComplexCounter, as the walk
 * of one thread adds them.
 */
export function spaceComplexTask(task: SpaceComplexTask): { vertices: number; edges: number; facets: number; mismatched: boolean; cpuSeconds: number } {
  const cpu0 = threadSchedule().cpu;
  const { k, shares, runs, named } = task;
  const counter = new ComplexCounter(k, task.radius, null, task.eulerEdges);
  counter.checkFacets = named;
  if (named) {
    const table = new VertexNames((shares[0].table as { corners: number }).corners);
    for (const d of shares) {
      const { label, lesser, greater, corners } = d.table as NonNullable<SpaceShareDone["table"]>;
      const g = new Int32Array(corners + label.length);
      for (let v = 0; v < corners; v++) g[v] = v;
      for (let i = 0; i < label.length; i++) g[corners + i] = table.crossing(label[i], g[lesser[i]], g[greater[i]]);
      // The share's names, in place: its own array (moved here).
      const names = d.names;
      for (let v = 0; v < names.length; v++) names[v] = g[names[v]];
    }
  }
  for (let r = 0; r < runs.length; r += 3) {
    const d = shares[runs[r]];
    const { vertexStart, edgeStart, edges, facetStart, facetVertexStart, facetVertices } = d;
    for (let c = runs[r + 1]; c < runs[r + 2]; c++) {
      const e0 = edgeStart[c];
      if (named) {
        counter.addNamedCell(
          d.names,
          vertexStart[c],
          vertexStart[c + 1] - vertexStart[c],
          edges.subarray(2 * e0),
          edgeStart[c + 1] - e0,
          facetVertexStart,
          facetVertices,
          facetStart[c],
          facetStart[c + 1],
          d.boundary.subarray(facetStart[c]),
        );
        continue;
      }
      counter.addCellOf(
        d.vertices as Float64Array,
        vertexStart[c] * k,
        vertexStart[c + 1] - vertexStart[c],
        edges.subarray(2 * e0),
        edgeStart[c + 1] - e0,
        facetVertexStart,
        facetVertices,
        facetStart[c],
        facetStart[c + 1],
      );
    }
  }
  return { ...counter.counts(), mismatched: named && task.complete && counter.mismatched(), cpuSeconds: threadSchedule().cpu - cpu0 };
}

/**
 * The shares' cells in the order of their top pieces, finished as one walk's; the complex's
 * faces counted meanwhile on a pool thread (the shares are done: it is idle), from the shares'
 * own arrays: their faces on shared memory, their edges and names moved.
 */
async function joinShares(
  pool: TaskPool,
  compiled: Compiled,
  options: ParallelSpaceOptions,
  done: readonly SpaceShareDone[],
  stats: { complexCpuSeconds: number },
  eulerEdges: boolean,
  /** The first share's walk, on this thread (its top pieces come first): its sink and rows are extended in place. */
  front: SpaceWalk | null,
): Promise<SpacePartition> {
  const k = options.slice?.basis.length ?? compiled.inputSize;
  const maxCells = options.maxCells ?? 2_000_000;
  const cells = done.reduce((n, d) => n + d.parts.count, 0);
  if (cells > maxCells) throw new SpaceLimitError(`more than ${maxCells} regions; use a smaller box or slice`);
  // Runs of cells (share, top piece, from, to), in top-piece order.
  const runs: [number, number, number, number][] = [];
  done.forEach((d, s) => {
    const { tops } = d;
    for (let i = 0; i < tops.length; i += 2) runs.push([s, tops[i], tops[i + 1], i + 2 < tops.length ? tops[i + 3] : d.parts.count]);
  });
  runs.sort((x, y) => x[1] - y[1]);
  const radius = done[0].radius;
  const complex = options.complex ?? k <= 4;
  const complete = done.every((d) => d.stopReason === null);
  let counting: Promise<{ vertices: number; edges: number; facets: number; mismatched: boolean; cpuSeconds: number }> | null = null;
  if (complex) {
    // Vertices named (no max steps), or matched on the grid.
    const named = done.every((d) => d.table !== null);
    const order = new Int32Array(3 * runs.length);
    runs.forEach(([s, , from, to], i) => {
      order.set([s, from, to], 3 * i);
    });
    const shares: ShareFaces[] = done.map((d) => ({
      vertexStart: d.parts.vertexStart,
      vertices: named ? null : d.parts.vertices,
      edgeStart: d.edgeStart,
      edges: d.edges,
      facetStart: d.parts.facetStart,
      facetVertexStart: d.parts.facetVertexStart,
      facetVertices: d.parts.facetVertices,
      names: d.names,
      boundary: d.boundary,
      table: d.table,
    }));
    // The join no longer reads the edges, names and tables: moved (the faces are on shared memory).
    const moved = done.flatMap((d) => [
      d.edgeStart.buffer,
      d.edges.buffer,
      d.names.buffer,
      d.boundary.buffer,
      ...(d.table ? [d.table.label.buffer, d.table.lesser.buffer, d.table.greater.buffer] : []),
    ]);
    const task: SpaceComplexTask = { k, radius, shares, runs: order, named, eulerEdges, complete };
    counting = pool.run(self, "spaceComplexTask", task, [...new Set(moved)].filter((b) => b.byteLength > 0 && !(b instanceof SharedArrayBuffer)) as ArrayBuffer[]);
  }
  // Every share's rows, one store after another: the front share's store extended, or a new one.
  const rows =
    front?.rows ??
    new RowStore(
      k,
      Math.max(
        1,
        done.reduce((n, d) => n + d.rows.count, 0),
      ),
    );
  const rowBase = done.map((d, s) => (front !== null && s === 0 ? 0 : rows.append(d.rows)));
  // The front share's cells are the first runs (its pieces a prefix of the top pieces): they stay
  // where they are, and the others' are appended after them (copying only those).
  const inPlace = front === null ? 0 : runs.findIndex(([s]) => s !== 0) < 0 ? runs.length : runs.findIndex(([s]) => s !== 0);
  if (front !== null && runs.slice(inPlace).some(([s]) => s === 0)) throw new Error("the front share's top pieces are not a prefix (two-ended claims broken)");
  const sink = front?.sink ?? new CellSink(compiled, k, rows, null, null);
  sink.dropComplex();
  sink.reserveFor(done.filter((_, s) => front === null || s > 0).map((d) => d.parts));
  // The neighbours the shares found (a found one is an offset from its facet's cell, which finish reads as such).
  const total = done.reduce((n, d) => n + d.parts.facetRow.length, 0);
  const known = new Int32Array(total);
  // The facets' unit rows, as the shares made them, in the joined order.
  const C = k + 1;
  const facets = new Float64Array(C * total);
  let at = 0;
  if (front !== null) {
    // The front's facets' unit rows, written here into the joined array's beginning (its cells
    // come first). Its neighbours are left to finish: the lookups shareNeighbours would make in
    // the front's own pattern index find the same first cells in the joined one (the front's
    // cells are its beginning), and finish builds that index anyway.
    const nf = done[0].parts.facetRow.length;
    sink.unitFacets(facets, nf);
    known.fill(UNKNOWN, 0, nf);
    at = nf;
  }
  for (let r = 0; r < runs.length; r++) {
    const [s, , from, to] = runs[r];
    // In place: the front share's cells, facets and neighbours are already there.
    if (r < inPlace) continue;
    const { parts, neighbours } = done[s];
    const f0 = parts.facetStart[from];
    const f1 = parts.facetStart[to];
    facets.set(done[s].facets.subarray(C * f0, C * f1), C * at);
    known.set(neighbours.subarray(f0, f1), at);
    at += f1 - f0;
    sink.appendCells(parts, from, to, rowBase[s], false);
  }
  const partition = sink.finish(options.slice ?? identitySlice(compiled.inputSize), radius, complete, known, facets);
  if (counting === null) return partition;
  const counts = await counting;
  stats.complexCpuSeconds = counts.cpuSeconds;
  // As one thread: unmatched facets withhold the counts, and say why.
  if (counts.mismatched) return { ...partition, vertexCount: -1, edgeCount: -1, facetCount: -1, complexWithheld: MISMATCHED };
  // As one thread: counts the grid could not name are withheld, and said to be.
  return { ...partition, vertexCount: counts.vertices, edgeCount: counts.edges, facetCount: counts.facets, ...(counts.vertices < 0 ? { complexWithheld: WITHHELD } : {}) };
}
