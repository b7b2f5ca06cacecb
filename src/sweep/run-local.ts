/**
 * The embedded default: a sweep's jobs on a pool of worker threads of this machine, nothing to
 * install or start. Each finished job's rows are written at once (whole, by rename), so an
 * interrupted sweep keeps every job it finished and the next run of the same spec skips them.
 */
import { hostname } from "node:os";
import { moduleUrl } from "../parallel/module-url.ts";
import { createPool } from "../parallel/pool.ts";
import type { JobOutcome } from "./job.ts";
import type { SweepProgress } from "./progress.ts";
import { markRunning, writeJobFailure, writeJobRows } from "./results.ts";
import type { Job } from "./spec.ts";

export const jobModule = moduleUrl("sweep/job");

export interface RunCounts {
  done: number;
  failed: number;
}

export async function runLocal(jobs: readonly Job[], dir: string, workers: number, progress: SweepProgress): Promise<RunCounts> {
  const counts: RunCounts = { done: 0, failed: 0 };
  if (jobs.length === 0) return counts;
  const pool = createPool(Math.min(workers, jobs.length));
  try {
    await Promise.all(
      jobs.map(async (job) => {
        let outcome: JobOutcome;
        try {
          markRunning(dir, job.id, `${hostname()}:${process.pid} (local)`);
          outcome = await pool.run<JobOutcome>(jobModule, "runJobTask", job);
        } catch (e) {
          // The thread itself failed (out of memory, crash): recorded like the job's own failure.
          outcome = { ok: false, error: `worker thread: ${(e as Error).message}`, jobFault: false };
        }
        if (outcome.ok) {
          writeJobRows(dir, job.id, outcome.rows);
          counts.done++;
        } else {
          writeJobFailure(dir, job.id, outcome.error);
          counts.failed++;
        }
        progress.tick(outcome.ok);
      }),
    );
  } finally {
    await pool.close();
  }
  return counts;
}
