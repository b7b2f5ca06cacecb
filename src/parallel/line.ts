/**
 * The line engine on every core. Segments are independent (each starts from its own input map),
 * so a polyline's segments, or a list of paths, are dealt to the workers in contiguous groups and
 * joined back in order: the same pieces, array for array, as one engine alone.
 */
import { threadId } from "node:worker_threads";
import { parseNetwork, stringifyNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import { Budget, type LimitOptions } from "../regions/limits.ts";
import { type LinePieces, linePartition, linePartitionOf } from "../regions/line.ts";
import type { LinePartition } from "../regions/partition.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { buffersOf, movable, threadCpuSeconds } from "./worker.ts";

const self = moduleUrl("parallel/line");

export interface LinePathsTask {
  /**
   * The network as tessera JSON text: written and read without recursion, whereas the structured
   * clone that carries objects to a thread recurses, and overflows on networks thousands of
   * layers deep.
   */
  model: string;
  paths: Float64Array[];
  /** Limits of each task (its pieces, the time). */
  limits?: Pick<LimitOptions, "maxCells" | "timeout">;
}

/** `paths.map((p) => linePartition(compiled, p))`, on the pool's threads. */
export async function linePartitionsParallel(
  pool: TaskPool,
  compiled: Compiled,
  paths: readonly Float64Array[],
  groupsPerWorker = 4,
  limits?: LinePathsTask["limits"],
  /** Called with the CPU seconds each thread spent (for benchmarks on a busy machine). */
  onStats?: (threadCpuSeconds: number[]) => void,
): Promise<LinePartition[]> {
  if (pool.size === 1 || paths.length < 2) {
    const budget = limits ? new Budget(limits) : undefined;
    return paths.map((p) => linePartition(compiled, p, { budget }));
  }
  const model = stringifyNetwork(compiled.network);
  const groups = contiguousGroups(paths.length, pool.size * groupsPerWorker, (i) => paths[i].length);
  const parts = await Promise.all(
    groups.map(([a, b]) =>
      pool.run<LinePathsResult>(self, "linePathsTask", { model: stringifyNetwork(compiled.network), paths: paths.slice(a, b), limits } satisfies LinePathsTask),
    ),
  );
  if (onStats) {
    const perThread = new Map<number, number>();
    for (const p of parts) perThread.set(p.thread, (perThread.get(p.thread) ?? 0) + p.cpuSeconds);
    onStats([...perThread.values()]);
  }
  return parts.flatMap((p) => p.partitions);
}

/** `linePartition(compiled, path)` for a polyline, its segments split among the pool's threads. */
export async function linePartitionParallel(pool: TaskPool, compiled: Compiled, path: Float64Array, limits?: LinePathsTask["limits"]): Promise<LinePartition> {
  const n0 = compiled.inputSize;
  const segments = path.length / n0 - 1;
  if (pool.size === 1 || !Number.isInteger(segments) || segments < 2) return linePartition(compiled, path, limits ? { budget: new Budget(limits) } : {});
  const groups = contiguousGroups(segments, pool.size * 4, () => 1);
  // Group [a, b) is the sub-path through vertices a .. b.
  const subPaths = groups.map(([a, b]) => path.slice(a * n0, (b + 1) * n0));
  const parts = await linePartitionsParallel(pool, compiled, subPaths, 1, limits);
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

interface LinePathsResult {
  partitions: LinePartition[];
  /** The thread's CPU seconds for the group, and which thread it was. */
  cpuSeconds: number;
  thread: number;
}

/** Worker side: the partitions of a group of paths, their arrays moved back without a copy. */
export function linePathsTask(task: LinePathsTask): LinePathsResult {
  const cpu0 = threadCpuSeconds();
  const compiled = prepare(parseNetwork(task.model));
  const budget = task.limits ? new Budget(task.limits) : undefined;
  const partitions = task.paths.map((p) => linePartition(compiled, p, { budget }));
  return movable(
    { partitions, cpuSeconds: threadCpuSeconds() - cpu0, thread: threadId },
    partitions.flatMap((p) => buffersOf(p)),
  );
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
