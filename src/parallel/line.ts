/**
 * The line engine on every core. Segments are independent (each starts from its own input map),
 * so a polyline's segments, or a list of paths, are dealt to the workers in contiguous groups and
 * joined back in order: the same pieces, array for array, as one engine alone.
 */
import { threadId } from "node:worker_threads";
import type { Compiled } from "../model/forward.ts";
import { growableFloat64, growableInt32, growableUint32 } from "../regions/buffers.ts";
import { Budget, type LimitOptions } from "../regions/limits.ts";
import { type LinePieces, linePartition, linePartitionOf } from "../regions/line.ts";
import type { LinePartition } from "../regions/partition.ts";
import { compiledOfRef, type ModelRef, modelRef } from "./model-ref.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { claimChunk, SharedBudget, type SharedControl, type SharedLimits, sharedControl, sharedLimits, sharedStop, watchControl } from "./shared-budget.ts";
import { buffersOf, movable, threadCpuSeconds } from "./worker.ts";

const self = moduleUrl("parallel/line");

/** Limits of a parallel line count: over all paths and threads together (see shared-budget.ts). */
export type LineLimits = Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress" | "progressEvery">;

export interface LinePathsTask {
  model: ModelRef;
  paths: Float64Array[];
  /** Group g is paths [groups[g], groups[g + 1]); threads claim groups in turn. */
  groups: Int32Array;
  control: SharedControl;
  limits: SharedLimits | null;
}

/** `paths.map((p) => linePartition(compiled, p))`, on the pool's threads. */
export async function linePartitionsParallel(
  pool: TaskPool,
  compiled: Compiled,
  paths: readonly Float64Array[],
  groupsPerWorker = 16,
  limits?: LineLimits,
  /** Called with the CPU seconds each thread spent (for benchmarks on a busy machine). */
  onStats?: (threadCpuSeconds: number[]) => void,
  /** The calling thread claims groups too (see ParallelPlaneOptions.mainThread). */
  mainThread = false,
): Promise<LinePartition[]> {
  if (pool.size + (mainThread ? 1 : 0) === 1 || paths.length < 2) {
    const budget = limits ? new Budget(limits) : undefined;
    return paths.map((p) => linePartition(compiled, p, { budget }));
  }
  const ranges = contiguousGroups(paths.length, (pool.size + (mainThread ? 1 : 0)) * groupsPerWorker, (i) => paths[i].length);
  const groups = Int32Array.from([0, ...ranges.map(([, b]) => b)]);
  const control = sharedControl();
  const shared = sharedLimits(limits);
  const stopWatch = watchControl(control, limits ?? {});
  let parts: PackedPaths[];
  try {
    const task: LinePathsTask = { model: modelRef(compiled.network), paths: paths as Float64Array[], groups, control, limits: shared };
    const running = Promise.all(Array.from({ length: pool.size }, () => pool.run<PackedPaths>(self, "linePathsTask", task)));
    const own = mainThread ? claimPaths(compiled, task, limits) : null;
    parts = await running;
    if (own) parts.push(own);
  } finally {
    stopWatch();
  }
  if (onStats) {
    const perThread = new Map<number, number>();
    for (const p of parts) perThread.set(p.thread, (perThread.get(p.thread) ?? 0) + p.cpuSeconds);
    onStats([...perThread.values()]);
  }
  const out: LinePartition[] = new Array(paths.length);
  for (const part of parts) unpack(part, paths, groups, compiled, out);
  // Paths a limit left out (a stopped count): empty partitions marked stopped, as one thread's.
  const stopped = sharedStop(control) ?? "aborted";
  for (let i = 0; i < paths.length; i++) {
    out[i] ??= { ...linePartitionOf(paths[i], paths[i].length / compiled.inputSize - 1, compiled.layout, compiled.outputSize, emptyPieces()), stopped };
  }
  return out;
}

/** `linePartition(compiled, path)` for a polyline, its segments split among the pool's threads. */
export async function linePartitionParallel(pool: TaskPool, compiled: Compiled, path: Float64Array, limits?: LineLimits, mainThread = false): Promise<LinePartition> {
  const n0 = compiled.inputSize;
  const segments = path.length / n0 - 1;
  const threads = pool.size + (mainThread ? 1 : 0);
  if (threads === 1 || !Number.isInteger(segments) || segments < 2) return linePartition(compiled, path, limits ? { budget: new Budget(limits) } : {});
  const groups = contiguousGroups(segments, threads * 8, () => 1);
  // Group [a, b) is the sub-path through vertices a .. b.
  const subPaths = groups.map(([a, b]) => path.slice(a * n0, (b + 1) * n0));
  const parts = await linePartitionsParallel(pool, compiled, subPaths, 1, limits, undefined, mainThread);
  const total = parts.reduce((sum, p) => sum + p.cellCount, 0);
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
    pieces.tStart.set(p.tStart, at);
    pieces.tEnd.set(p.tEnd, at);
    for (let i = 0; i < p.cellCount; i++) pieces.segmentOf[at + i] = p.segmentOf[i] + groups[g][0];
    pieces.lengths.set(p.lengths, at);
    pieces.patterns.set(p.patterns, at * words);
    pieces.outputMaps.set(p.outputMaps, at * mapSize);
    at += p.cellCount;
  });
  const joined = linePartitionOf(path, segments, compiled.layout, compiled.outputSize, pieces);
  const stopped = parts.find((p) => p.stopped !== undefined)?.stopped;
  return stopped === undefined ? joined : { ...joined, stopped };
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
  /** Per path of the claimed groups, in order: cells, activation regions, linear pieces, adjacency entries, stopped (0 or 1). */
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
  thread: number;
}

/** Worker side: claims groups of paths until none is left; their partitions packed and moved back. */
export function linePathsTask(task: LinePathsTask): PackedPaths {
  const packed = claimPaths(compiledOfRef(task.model), task);
  return movable(packed, buffersOf(packed));
}

/** Claims groups of paths until none is left (on a pool thread, or on the calling thread with its limits' progress). */
function claimPaths(compiled: Compiled, task: LinePathsTask, progress?: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal">): PackedPaths {
  const cpu0 = threadCpuSeconds();
  const budget = task.limits ? new SharedBudget(task.control, task.limits, progress) : undefined;
  const claimed = growableInt32(16);
  const counts = growableInt32(64);
  const tStart = growableFloat64();
  const tEnd = growableFloat64();
  const segmentOf = growableInt32();
  const lengths = growableFloat64();
  const patterns = growableUint32();
  const outputMaps = growableFloat64();
  const pieceOf = growableInt32();
  const adjacency = growableUint32();
  const append = <T extends Float64Array | Int32Array | Uint32Array>(to: { reserve(n: number): void; data: T; length: number }, from: T) => {
    to.reserve(from.length);
    to.data.set(from as never, to.length);
    to.length += from.length;
  };
  let stopReason: string | null = null;
  const groupCount = task.groups.length - 1;
  for (let g = 0; g < groupCount && stopReason === null; g++) {
    if (!claimChunk(task.control, g)) continue;
    claimed.push(g);
    for (let i = task.groups[g]; i < task.groups[g + 1]; i++) {
      const p = linePartition(compiled, task.paths[i], { budget });
      counts.push(p.cellCount);
      counts.push(p.activationRegions);
      counts.push(p.linearPieces);
      counts.push(p.adjacency.length);
      counts.push(p.stopped === undefined ? 0 : 1);
      append(tStart, p.tStart);
      append(tEnd, p.tEnd);
      append(segmentOf, p.segmentOf);
      append(lengths, p.lengths);
      append(patterns, p.patterns);
      append(outputMaps, p.outputMaps);
      append(pieceOf, p.pieceOf);
      append(adjacency, p.adjacency);
      if (p.stopped !== undefined) {
        stopReason = p.stopped;
        break;
      }
    }
  }
  const packed: PackedPaths = {
    claimed: claimed.toArray(),
    counts: counts.toArray(),
    tStart: tStart.toArray(),
    tEnd: tEnd.toArray(),
    segmentOf: segmentOf.toArray(),
    lengths: lengths.toArray(),
    patterns: patterns.toArray(),
    outputMaps: outputMaps.toArray(),
    pieceOf: pieceOf.toArray(),
    adjacency: adjacency.toArray(),
    stopReason,
    cpuSeconds: threadCpuSeconds() - cpu0,
    thread: threadId,
  };
  return packed;
}

const COUNTS = 5;

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
      out[i] = partition;
      cell = b;
      pair += pairs;
    }
  }
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
