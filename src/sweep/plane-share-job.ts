/**
 * One plane share of a count split across machines (split-count.ts), on a pool thread of `tessera
 * worker`: the share's cells (regions/plane.ts `planePartitionShare`) under the count's limits and
 * the job's stop switch, which the worker throws when the coordinator cancels the count (a limit
 * hit: the coordinator no longer needs the share).
 */
import { parseNetwork } from "../io/network-json.ts";
import { prepare } from "../model/forward.ts";
import type { PlaneShareTask } from "../parallel/plane.ts";
import { SharedBudget, type SharedControl, type SharedLimits, sharedControl } from "../parallel/shared-budget.ts";
import { buffersOf, movable, threadCpuSeconds } from "../parallel/worker.ts";
import { type PlaneShareResult, planePartitionShare } from "../regions/plane.ts";

/** A plane share as it travels: PlaneShareTask with the count's limits, and on the worker its stop switch. */
export interface PlaneShareJob extends Omit<PlaneShareTask, "limits"> {
  limits?: SharedLimits;
  control?: SharedControl;
}

/** Worker side: the share's cells (stopped early at a limit or a cancellation), with the thread's CPU seconds. */
export function planeShareJob(task: PlaneShareJob): PlaneShareResult & { cpuSeconds: number } {
  const cpu0 = threadCpuSeconds();
  // Without limits and a switch nobody can throw, no budget: the share runs as it always did.
  const budget = task.limits || task.control ? new SharedBudget(task.control ?? sharedControl(), task.limits ?? {}) : null;
  const share = planePartitionShare(prepare(parseNetwork(task.model)), task.slice, task.domain, task.share, budget);
  const r = { ...share, cpuSeconds: threadCpuSeconds() - cpu0 };
  return movable(r, [...buffersOf(r.partition), ...buffersOf(r)]);
}
