/**
 * The plane engine on every core: each worker makes the same top cut of the domain (the first
 * piecewise step's) and descends into its share of the top pieces; the shares are joined into
 * the partition one engine makes alone (regions/plane-merge.ts), array for array.
 */

import { parseNetwork, stringifyNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import { isPiecewise } from "../model/steps.ts";
import { Budget, type LimitOptions } from "../regions/limits.ts";
import type { PlanePartition } from "../regions/partition.ts";
import { type PlaneShare, type PlaneShareResult, type PlaneSlice, planePartition, planePartitionShare } from "../regions/plane.ts";
import { mergePlaneShares, type OwnPairs, ownPairs } from "../regions/plane-merge.ts";
import { moduleUrl } from "./module-url.ts";
import type { TaskPool } from "./pool.ts";
import { buffersOf, movable, threadCpuSeconds } from "./worker.ts";

/** Options of planePartitionParallel. */
export interface ParallelPlaneOptions {
  /** Convex domain polygon in (u, v), counter-clockwise (default: the unit square). */
  domain?: Float64Array;
  /** Shares per worker (default 1: each share repeats the top cut, so few shares cost least). */
  sharesPerWorker?: number;
  /** Top pieces per chunk; chunks are dealt to the shares in turn (default 16). */
  chunk?: number;
  /** Called with each share's thread CPU seconds and the join's (for benchmarks on a busy machine). */
  onStats?: (stats: { shareCpuSeconds: number[]; joinCpuSeconds: number }) => void;
  /** Limits of each share (its cells, the time); a share they stop marks the whole partition stopped. */
  limits?: Pick<LimitOptions, "maxCells" | "timeout">;
}

export interface PlaneShareTask {
  /**
   * The network as tessera JSON text: written and read without recursion, whereas the structured
   * clone that carries objects to a thread recurses, and overflows on networks thousands of
   * layers deep.
   */
  model: string;
  slice: PlaneSlice;
  domain: Float64Array;
  share: PlaneShare;
  limits?: Pick<LimitOptions, "maxCells" | "timeout">;
}

const self = moduleUrl("parallel/plane");

/** The partition of `planePartition(compiled, slice, options)`, computed on the pool's threads. */
export async function planePartitionParallel(pool: TaskPool, compiled: Compiled, slice: PlaneSlice, options: ParallelPlaneOptions = {}): Promise<PlanePartition> {
  const domain = options.domain ?? Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1);
  const parts = pool.size * (options.sharesPerWorker ?? 1);
  if (parts === 1 || !compiled.steps.some(isPiecewise)) return planePartition(compiled, slice, { domain, ...(options.limits ? { budget: new Budget(options.limits) } : {}) });
  const chunk = options.chunk ?? 16;
  const model = stringifyNetwork(compiled.network);
  const shares = await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      pool.run<PlaneShareResult & { cpuSeconds: number; own: OwnPairs }>(self, "planeShareTask", {
        model,
        slice,
        domain,
        share: { parts, part, chunk },
        limits: options.limits,
      } satisfies PlaneShareTask),
    ),
  );
  const joinStart = threadCpuSeconds();
  const merged = mergePlaneShares(
    shares,
    slice,
    domain,
    compiled.layout,
    compiled.outputSize,
    shares.map((s) => s.own),
  );
  options.onStats?.({ shareCpuSeconds: shares.map((s) => s.cpuSeconds), joinCpuSeconds: threadCpuSeconds() - joinStart });
  const stopped = shares.find((s) => s.partition.stopped !== undefined)?.partition.stopped;
  return stopped === undefined ? merged : { ...merged, stopped };
}

/** Worker side: one share's cells, its arrays moved back without a copy. */
export function planeShareTask(task: PlaneShareTask): PlaneShareResult & { cpuSeconds: number; own: OwnPairs } {
  const cpu0 = threadCpuSeconds();
  const share = planePartitionShare(prepare(parseNetwork(task.model)), task.slice, task.domain, task.share, task.limits ? new Budget(task.limits) : null);
  const own = ownPairs(share);
  const r = { ...share, own, cpuSeconds: threadCpuSeconds() - cpu0 };
  return movable(r, [...buffersOf(r.partition), ...buffersOf(r), ...buffersOf(own)]);
}
