/**
 * The line engine on every core. Segments are independent (each starts from its own input map),
 * so a polyline's segments, or a list of paths, are claimed in small contiguous groups by the
 * threads as they reach them (a counter in shared memory: a thread that starts later or gets less
 * CPU takes fewer), and joined back in order: the same pieces, array for array, as one engine
 * alone. The paths travel once, in shared memory; a pool thread packs its partitions into a few
 * buffers moved back without a copy; the calling thread, which claims groups too, keeps its own
 * partitions as they are.
 */
import { threadId } from "node:worker_threads";
import type { Compiled } from "../model/forward.ts";
import { isPiecewise } from "../model/steps.ts";
import { growableInt32, growableUint32 } from "../regions/buffers.ts";
import { Budget, type LimitOptions } from "../regions/limits.ts";
import { LineEngine, linePartition } from "../regions/line.ts";
import { pathSegments, walkPath } from "../regions/line-path.ts";
import { type LinePieces, linePartitionOf } from "../regions/line-pieces.ts";
import type { LinePartition } from "../regions/partition.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { claimChunk, SharedBudget, type SharedControl, type SharedLimits, sharedControl, sharedLimits, sharedStop, takeChunk, watchControl } from "./shared-budget.ts";
import { buffersOf, movable, threadSchedule } from "./worker.ts";

const self = moduleUrl("parallel/line");

/** Limits of a parallel line count: over all paths and threads together (see shared-budget.ts). */
export type LineLimits = Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress" | "progressEvery">;

export interface LinePathsTask {
  model: ModelRef;
  /** Every path's points, one path after another, in shared memory: path i is points[start[i] .. start[i + 1]). */
  points: Float64Array;
  start: Int32Array;
  /** Group g is paths [groups[g], groups[g + 1]); threads take groups in turn. */
  groups: Int32Array;
  control: SharedControl;
  limits: SharedLimits | null;
}

/** What one thread did in a parallel line count (for benchmarks on a busy machine). */
export interface LineThreadStats {
  /** The calling thread's, or a pool thread's. */
  main: boolean;
  /** CPU seconds in its groups (the calling thread's: its groups, not the join). */
  cpuSeconds: number;
  /** Seconds it was ready to run but waited for a core (another program or thread had it). */
  waitingSeconds: number;
  /** Paths it computed. */
  paths: number;
}

/** Groups per thread: small, so that threads finish together (a claim is one atomic add). */
const GROUPS_PER_THREAD = 64;

/** `paths.map((p) => linePartition(compiled, p))`, on the pool's threads. */
export async function linePartitionsParallel(
  pool: TaskPool,
  compiled: Compiled,
  paths: readonly Float64Array[],
  groupsPerWorker = GROUPS_PER_THREAD,
  limits?: LineLimits,
  /** Called with what each thread did (a pool thread that ran two tasks: once, summed). */
  onStats?: (threads: LineThreadStats[]) => void,
  /** The calling thread claims groups too (see ParallelPlaneOptions.mainThread). */
  mainThread = false,
): Promise<LinePartition[]> {
  const threads = pool.size + (mainThread ? 1 : 0);
  if (threads === 1 || paths.length < 2) {
    const budget = limits ? new Budget(limits) : undefined;
    return paths.map((p) => linePartition(compiled, p, { budget }));
  }
  const n0 = compiled.inputSize;
  const ranges = guidedGroups(paths.length, threads, groupsPerWorker, (i) => pathWork(paths[i], n0));
  const task: LinePathsTask = {
    model: modelRef(compiled.network),
    ...sharedPaths(paths),
    groups: sharedInt32([0, ...ranges.map(([, b]) => b)]),
    control: sharedControl(),
    limits: sharedLimits(limits),
  };
  const out: LinePartition[] = new Array(paths.length);
  const stopWatch = watchControl(task.control, limits ?? {});
  let parts: PackedPaths[];
  let own: LineThreadStats | null = null;
  try {
    const running = Promise.all(Array.from({ length: pool.size }, () => pool.run<PackedPaths>(self, "linePathsTask", task)));
    try {
      if (mainThread) own = claimOwn(compiled, task, paths, out, limits);
    } catch (e) {
      // The same paths fail the same way on the pool's threads: their errors are this one.
      await running.catch(() => undefined);
      throw e;
    }
    parts = await running;
  } finally {
    stopWatch();
  }
  if (onStats) {
    const perThread = new Map<number, LineThreadStats>();
    for (const p of parts) {
      const seen = perThread.get(p.thread);
      const paths = p.counts.length / COUNTS;
      perThread.set(
        p.thread,
        seen
          ? { main: false, cpuSeconds: seen.cpuSeconds + p.cpuSeconds, waitingSeconds: seen.waitingSeconds + p.waitingSeconds, paths: seen.paths + paths }
          : { main: false, cpuSeconds: p.cpuSeconds, waitingSeconds: p.waitingSeconds, paths },
      );
    }
    onStats([...(own ? [own] : []), ...perThread.values()]);
  }
  for (const part of parts) unpack(part, paths, task.groups, compiled, out);
  // Paths a limit left out (a stopped count): empty partitions marked stopped, as one thread's.
  const stopped = sharedStop(task.control) ?? "aborted";
  for (let i = 0; i < paths.length; i++) {
    out[i] ??= { ...linePartitionOf(paths[i], paths[i].length / compiled.inputSize - 1, compiled.layout, compiled.outputSize, emptyPieces()), stopped };
  }
  return out;
}

/** The paths in shared memory, one after another (threads read them without a copy per task). */
function sharedPaths(paths: readonly Float64Array[]): { points: Float64Array; start: Int32Array } {
  let total = 0;
  for (const p of paths) total += p.length;
  const points = new Float64Array(new SharedArrayBuffer(total * Float64Array.BYTES_PER_ELEMENT));
  const start = new Int32Array(new SharedArrayBuffer((paths.length + 1) * Int32Array.BYTES_PER_ELEMENT));
  let at = 0;
  paths.forEach((p, i) => {
    points.set(p, at);
    at += p.length;
    start[i + 1] = at;
  });
  return { points, start };
}

function sharedInt32(values: readonly number[]): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(values.length * Int32Array.BYTES_PER_ELEMENT));
  out.set(values);
  return out;
}

/**
 * A polyline with at least this many segments per thread is split by segments (independent, so
 * nothing is repeated); with fewer, each segment is split by its top pieces.
 */
const SEGMENTS_PER_THREAD = 16;

/**
 * `linePartition(compiled, path)` for a polyline, on the pool's threads. Many segments: groups
 * of segments claimed in turn, as paths of their own. Few (one long segment): every thread walks
 * every segment's first piecewise step (its breakpoints along the segment: the top pieces) and
 * goes deeper only into the top pieces it claims (a shared counter, in order), so no piece
 * crosses a split; the pieces are put back in the order of their top pieces.
 */
export async function linePartitionParallel(pool: TaskPool, compiled: Compiled, path: Float64Array, limits?: LineLimits, mainThread = false): Promise<LinePartition> {
  const n0 = compiled.inputSize;
  const segments = path.length / n0 - 1;
  const threads = pool.size + (mainThread ? 1 : 0);
  if (threads === 1 || !Number.isInteger(segments) || segments < 1 || !compiled.steps.some(isPiecewise))
    return linePartition(compiled, path, limits ? { budget: new Budget(limits) } : {});
  return segments >= SEGMENTS_PER_THREAD * threads ? bySegments(pool, compiled, path, limits, mainThread) : byTopPieces(pool, compiled, path, limits, mainThread);
}

async function bySegments(pool: TaskPool, compiled: Compiled, path: Float64Array, limits: LineLimits | undefined, mainThread: boolean): Promise<LinePartition> {
  const n0 = compiled.inputSize;
  const segments = path.length / n0 - 1;
  const threads = pool.size + (mainThread ? 1 : 0);
  const groups = contiguousGroups(segments, threads * GROUPS_PER_THREAD, () => 1);
  // Group [a, b) is the sub-path through vertices a .. b; each is a group of its own below.
  const subPaths = groups.map(([a, b]) => path.subarray(a * n0, (b + 1) * n0));
  const parts = await linePartitionsParallel(pool, compiled, subPaths, GROUPS_PER_THREAD, limits, undefined, mainThread);
  const segmentBase = groups.map(([a]) => a);
  const joined = linePartitionOf(path, segments, compiled.layout, compiled.outputSize, joinPieces(parts, segmentBase, compiled));
  const uncertain = parts.reduce((sum, p) => sum + (p.uncertain ?? 0), 0);
  if (uncertain > 0) joined.uncertain = uncertain;
  const stopped = parts.find((p) => p.stopped !== undefined)?.stopped;
  return stopped === undefined ? joined : { ...joined, stopped };
}

/** Pieces of several runs, one after another, their segments shifted by `segmentBase` (per run). */
function joinPieces(parts: readonly LinePieces[], segmentBase: readonly number[], compiled: Compiled): LinePieces {
  const total = parts.reduce((sum, p) => sum + p.tStart.length, 0);
  const words = compiled.layout.words;
  const mapSize = 2 * compiled.outputSize;
  const pieces: LinePieces = {
    tStart: new Float64Array(total),
    tEnd: new Float64Array(total),
    segmentOf: new Int32Array(total),
    lengths: new Float64Array(total),
    patterns: new Uint32Array(total * words),
    outputMaps: new Float64Array(total * mapSize),
  };
  let at = 0;
  parts.forEach((p, g) => {
    const n = p.tStart.length;
    pieces.tStart.set(p.tStart, at);
    pieces.tEnd.set(p.tEnd, at);
    for (let i = 0; i < n; i++) pieces.segmentOf[at + i] = p.segmentOf[i] + segmentBase[g];
    pieces.lengths.set(p.lengths, at);
    pieces.patterns.set(p.patterns.subarray(0, n * words), at * words);
    pieces.outputMaps.set(p.outputMaps.subarray(0, n * mapSize), at * mapSize);
    at += n;
  });
  return pieces;
}

/** The task of one thread's share of a polyline split by top pieces. */
export interface LineSplitTask {
  model: ModelRef;
  /** The polyline's points, in shared memory. */
  path: Float64Array;
  control: SharedControl;
  limits: SharedLimits | null;
}

/** One thread's pieces of a polyline split by top pieces, and which top piece each run of them is. */
interface SplitShare {
  pieces: LinePieces;
  /** Pairs (top piece, its first piece in `pieces`), ascending. */
  tops: Int32Array;
  stopReason: string | null;
  /** The engine's uncertain decisions (LineEngine.uncertain). */
  uncertain: number;
  /** The part of `uncertain` met in the top step, which every share crosses (LineEngine.topUncertain). */
  topUncertain: number;
  cpuSeconds: number;
  thread: number;
}

async function byTopPieces(pool: TaskPool, compiled: Compiled, path: Float64Array, limits: LineLimits | undefined, mainThread: boolean): Promise<LinePartition> {
  const shared = new Float64Array(new SharedArrayBuffer(path.length * Float64Array.BYTES_PER_ELEMENT));
  shared.set(path);
  const task: LineSplitTask = { model: modelRef(compiled.network), path: shared, control: sharedControl(), limits: sharedLimits(limits) };
  const stopWatch = watchControl(task.control, limits ?? {});
  let shares: SplitShare[];
  try {
    const running = Promise.all(Array.from({ length: pool.size }, () => pool.run<SplitShare>(self, "lineSplitTask", task)));
    let own: SplitShare | null = null;
    try {
      if (mainThread) own = splitShare(compiled, task, limits);
    } catch (e) {
      // The same path fails the same way on the pool's threads: their errors are this one.
      await running.catch(() => undefined);
      throw e;
    }
    shares = await running;
    if (own) shares.push(own);
  } finally {
    stopWatch();
  }
  const pieces = joinTops(shares, compiled);
  const joined = linePartitionOf(path, path.length / compiled.inputSize - 1, compiled.layout, compiled.outputSize, pieces);
  // Decisions left uncertain (regions/line-exact.ts): every thread crossed the top step, so its
  // decisions count once; below it, each thread met only its own pieces'.
  const uncertain = shares.reduce((sum, share) => sum + share.uncertain - share.topUncertain, shares[0]?.topUncertain ?? 0);
  if (uncertain > 0) joined.uncertain = uncertain;
  const stopped = sharedStop(task.control) ?? shares.find((s) => s.stopReason !== null)?.stopReason;
  return stopped == null ? joined : { ...joined, stopped: stopped as LinePartition["stopped"] };
}

/** Worker side: one share of a polyline split by top pieces, its arrays moved back. */
export function lineSplitTask(task: LineSplitTask): SplitShare {
  const share = splitShare(compiledOfRef(task.model), task);
  return movable(share, [...buffersOf(share.pieces), share.tops.buffer]);
}

/** Walks the polyline, into the top pieces this thread claims (see LineEngine.topClaim). */
function splitShare(compiled: Compiled, task: LineSplitTask, progress?: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal">): SplitShare {
  const t0 = threadSchedule();
  const engine = new LineEngine(compiled);
  engine.budget = task.limits ? new SharedBudget(task.control, task.limits, progress) : null;
  const tops = growableInt32(64);
  let top = 0;
  engine.topClaim = (pieces) => {
    const mine = claimChunk(task.control, top);
    if (mine) {
      tops.push(top);
      tops.push(pieces);
    }
    top++;
    return mine;
  };
  walkPath(engine, compiled, task.path);
  return {
    pieces: engine.pieces(),
    tops: tops.toArray(),
    stopReason: engine.stopped?.reason ?? null,
    uncertain: engine.uncertain,
    topUncertain: engine.topUncertain,
    cpuSeconds: threadSchedule().cpu - t0.cpu,
    thread: threadId,
  };
}

/** The shares' pieces in the order of their top pieces: the order of one walk. */
function joinTops(shares: readonly SplitShare[], compiled: Compiled): LinePieces {
  // Every run of pieces (share, top piece, from, to), sorted by top piece.
  const runs: [number, number, number, number][] = [];
  shares.forEach((share, k) => {
    const { tops } = share;
    const n = share.pieces.tStart.length;
    for (let i = 0; i < tops.length; i += 2) runs.push([k, tops[i], tops[i + 1], i + 2 < tops.length ? tops[i + 3] : n]);
  });
  runs.sort((x, y) => x[1] - y[1]);
  const parts = runs.map(([k, , from, to]) => slicePieces(shares[k].pieces, from, to, compiled));
  return joinPieces(
    parts,
    parts.map(() => 0),
    compiled,
  );
}

/** Pieces [from, to) of a run, as views. */
function slicePieces(p: LinePieces, from: number, to: number, compiled: Compiled): LinePieces {
  const words = compiled.layout.words;
  const mapSize = 2 * compiled.outputSize;
  return {
    tStart: p.tStart.subarray(from, to),
    tEnd: p.tEnd.subarray(from, to),
    segmentOf: p.segmentOf.subarray(from, to),
    lengths: p.lengths.subarray(from, to),
    patterns: p.patterns.subarray(from * words, to * words),
    outputMaps: p.outputMaps.subarray(from * mapSize, to * mapSize),
  };
}

function emptyPieces(): LinePieces {
  return {
    tStart: new Float64Array(0),
    tEnd: new Float64Array(0),
    segmentOf: new Int32Array(0),
    lengths: new Float64Array(0),
    patterns: new Uint32Array(0),
    outputMaps: new Float64Array(0),
  };
}

/**
 * One thread's partitions, packed: the groups it claimed, and every piece's arrays concatenated
 * path after path (a few buffers moved back, not nine per path).
 */
interface PackedPaths {
  claimed: Int32Array;
  /** Per path of the claimed groups, in order: cells, activation regions, linear pieces, adjacency entries, stopped (0 or 1), uncertain decisions. */
  counts: Int32Array;
  tStart: Float64Array;
  tEnd: Float64Array;
  segmentOf: Int32Array;
  lengths: Float64Array;
  patterns: Uint32Array;
  outputMaps: Float64Array;
  pieceOf: Int32Array;
  adjacency: Uint32Array;
  stopReason: string | null;
  cpuSeconds: number;
  waitingSeconds: number;
  thread: number;
}

/** Worker side: claims groups of paths until none is left; their partitions packed and moved back. */
export function linePathsTask(task: LinePathsTask): PackedPaths {
  const packed = claimPacked(compiledOfRef(task.model), task);
  return movable(packed, buffersOf(packed));
}

/** Path i of a task: a view of the shared points. */
function pathOf(task: LinePathsTask, i: number): Float64Array {
  return task.points.subarray(task.start[i], task.start[i + 1]);
}

/**
 * The calling thread's share: claims groups until none is left, its partitions written straight
 * into `out` (with the limits' progress and signal, as it is busy until its share is done).
 */
function claimOwn(
  compiled: Compiled,
  task: LinePathsTask,
  paths: readonly Float64Array[],
  out: LinePartition[],
  progress?: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal">,
): LineThreadStats {
  const t0 = threadSchedule();
  const budget = task.limits ? new SharedBudget(task.control, task.limits, progress) : undefined;
  const groupCount = task.groups.length - 1;
  let count = 0;
  for (let g = takeChunk(task.control); g < groupCount; g = takeChunk(task.control)) {
    let stopped = false;
    for (let i = task.groups[g]; i < task.groups[g + 1]; i++) {
      out[i] = linePartition(compiled, paths[i], { budget });
      count++;
      if (out[i].stopped !== undefined) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
  }
  const t1 = threadSchedule();
  return { main: true, cpuSeconds: t1.cpu - t0.cpu, waitingSeconds: t1.waiting - t0.waiting, paths: count };
}

const PACK = { growth: 4 };

/**
 * A pool thread's share: claims groups until none is left, their partitions packed. One engine
 * walks every path of the share into its own arrays, which are the packed pieces (no partition
 * per path to copy from): each path's partition is computed on views of its run of them, and
 * only its adjacency and linear pieces are appended.
 */
function claimPacked(compiled: Compiled, task: LinePathsTask): PackedPaths {
  const t0 = threadSchedule();
  const engine = new LineEngine(compiled, null, PACK);
  engine.budget = task.limits ? new SharedBudget(task.control, task.limits) : null;
  const claimed = growableInt32(16);
  const counts = growableInt32(64);
  const pieceOf = growableInt32(1024, PACK);
  const adjacency = growableUint32(1024, PACK);
  const append = <T extends Int32Array | Uint32Array>(to: { reserve(n: number): void; data: T; length: number }, from: T) => {
    to.reserve(from.length);
    to.data.set(from as never, to.length);
    to.length += from.length;
  };
  const groupCount = task.groups.length - 1;
  let from = 0;
  for (let g = takeChunk(task.control); g < groupCount && engine.stopped === null; g = takeChunk(task.control)) {
    claimed.push(g);
    for (let i = task.groups[g]; i < task.groups[g + 1]; i++) {
      const path = pathOf(task, i);
      const segments = pathSegments(compiled, path);
      const uncertain = engine.uncertain;
      walkPath(engine, compiled, path);
      const all = engine.pieces();
      const to = all.tStart.length;
      const p = linePartitionOf(path, segments, compiled.layout, compiled.outputSize, slicePieces(all, from, to, compiled));
      from = to;
      counts.push(p.cellCount);
      counts.push(p.activationRegions);
      counts.push(p.linearPieces);
      counts.push(p.adjacency.length);
      counts.push(engine.stopped === null ? 0 : 1);
      counts.push(engine.uncertain - uncertain);
      append(pieceOf, p.pieceOf);
      append(adjacency, p.adjacency);
      if (engine.stopped !== null) break;
    }
  }
  const t1 = threadSchedule();
  return {
    claimed: claimed.toArray(),
    counts: counts.toArray(),
    ...engine.pieces(),
    pieceOf: pieceOf.toArray(),
    adjacency: adjacency.toArray(),
    stopReason: engine.stopped?.reason ?? null,
    cpuSeconds: t1.cpu - t0.cpu,
    waitingSeconds: t1.waiting - t0.waiting,
    thread: threadId,
  };
}

const COUNTS = 6;

/** Calling thread: a thread's packed partitions as views into its arrays (no copy), at their paths' places. */
function unpack(part: PackedPaths, paths: readonly Float64Array[], groups: Int32Array, compiled: Compiled, out: LinePartition[]): void {
  const words = compiled.layout.words;
  const mapSize = 2 * compiled.outputSize;
  const n0 = compiled.inputSize;
  let k = 0;
  let cell = 0;
  let pair = 0;
  for (const g of part.claimed) {
    for (let i = groups[g]; i < groups[g + 1] && COUNTS * k < part.counts.length; i++, k++) {
      const n = part.counts[COUNTS * k];
      const a = cell;
      const b = cell + n;
      const pairs = part.counts[COUNTS * k + 3];
      const partition: LinePartition = {
        kind: "line",
        path: paths[i],
        segments: paths[i].length / n0 - 1,
        tStart: part.tStart.subarray(a, b),
        tEnd: part.tEnd.subarray(a, b),
        segmentOf: part.segmentOf.subarray(a, b),
        lengths: part.lengths.subarray(a, b),
        patterns: part.patterns.subarray(a * words, b * words),
        outputMaps: part.outputMaps.subarray(a * mapSize, b * mapSize),
        layout: compiled.layout,
        outputSize: compiled.outputSize,
        cellCount: n,
        activationRegions: part.counts[COUNTS * k + 1],
        linearPieces: part.counts[COUNTS * k + 2],
        pieceOf: part.pieceOf.subarray(a, b),
        adjacency: part.adjacency.subarray(pair, pair + pairs),
      };
      if (part.counts[COUNTS * k + 4] === 1 && part.stopReason !== null) partition.stopped = part.stopReason as LinePartition["stopped"];
      if (part.counts[COUNTS * k + 5] > 0) partition.uncertain = part.counts[COUNTS * k + 5];
      out[i] = partition;
      cell = b;
      pair += pairs;
    }
  }
}

/**
 * A path's estimated work: its pieces, about proportional to its length in input space (a line
 * crosses a region boundary every so often), plus a fixed part per segment (its start: a forward
 * pass, the first step's events). Only the groups' sizes depend on it, never the result.
 */
function pathWork(path: Float64Array, n0: number): number {
  let length = 0;
  const segments = path.length / n0 - 1;
  for (let s = 0; s < segments; s++) {
    let d2 = 0;
    for (let k = 0; k < n0; k++) d2 += (path[(s + 1) * n0 + k] - path[s * n0 + k]) ** 2;
    length += Math.sqrt(d2);
  }
  // Finite weights only (a path with an infinite coordinate is refused by the engine later).
  return Number.isFinite(length) ? length + 0.05 * segments : segments;
}

/**
 * [start, end) ranges over 0..count, claimed in order by `threads` threads: each about an eighth
 * of the remaining weight per thread, down to a quarter of what `groups` equal groups per thread
 * would weigh, so groups shrink towards the end (guided self-scheduling): the last group a thread
 * takes decides when the count ends, and a large one would leave the other threads idle while it
 * runs; early groups can be large (fewer claims and partitions to pack). Every range holds at
 * least one index.
 */
export function guidedGroups(count: number, threads: number, groups: number, weight: (i: number) => number): [number, number][] {
  const w = new Float64Array(count);
  let remaining = 0;
  for (let i = 0; i < count; i++) remaining += w[i] = weight(i);
  const least = remaining / (4 * groups * threads);
  const out: [number, number][] = [];
  let start = 0;
  while (start < count) {
    const target = Math.max(remaining / (8 * threads), least);
    let end = start;
    let taken = 0;
    do taken += w[end++];
    while (end < count && taken + w[end] <= target);
    out.push([start, end]);
    remaining -= taken;
    start = end;
  }
  return out;
}

/** [start, end) ranges splitting 0..count into at most `groups` runs of about equal total weight. */
export function contiguousGroups(count: number, groups: number, weight: (i: number) => number): [number, number][] {
  let total = 0;
  for (let i = 0; i < count; i++) total += weight(i);
  const out: [number, number][] = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < count; i++) {
    acc += weight(i);
    if (acc >= (total * (out.length + 1)) / groups || i === count - 1) {
      out.push([start, i + 1]);
      start = i + 1;
    }
  }
  return out;
}
