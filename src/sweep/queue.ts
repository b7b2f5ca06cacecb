/**
 * Many machines: a sweep's jobs on a BullMQ queue in Redis. The coordinator (`tessera sweep SPEC
 * --queue redis://HOST:PORT`) adds the jobs under their stable ids and writes each job's rows as
 * it completes; `tessera worker redis://HOST:PORT`, on any number of machines, takes jobs and runs
 * each on a thread of its pool (so its main thread keeps renewing the job's lock).
 *
 * What is retried: a worker that dies (kill -9, a lost machine) stops renewing its job's lock;
 * BullMQ's stalled-job check, run by every live worker, puts the job back on the queue and another
 * worker runs it. A thread crash or a lost connection is an infrastructure failure: up to 5
 * attempts, with exponential backoff. A failure of the job itself (a bad model or domain) is an
 * UnrecoverableError: it fails once, with its error recorded. Rows land exactly once: a job's rows
 * are one file named by the job's id, written whole by rename, and a retried job writes the same
 * file.
 */
import { hostname } from "node:os";
import { type ConnectionOptions, Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { moduleUrl } from "../parallel/module-url.ts";
import { createPool } from "../parallel/pool.ts";
import { type SharedControl, sharedControl, stopShares } from "../parallel/shared-budget.ts";
import type { PlaneShareResult } from "../regions/plane.ts";
import { codeId } from "./code-id.ts";
import type { JobOutcome, Row } from "./job.ts";
import { ModelCache, storeModels } from "./model-store.ts";
import type { SweepProgress } from "./progress.ts";
import { markRunning, writeJobFailure, writeJobRows } from "./results.ts";
import type { RunCounts } from "./run-local.ts";
import { jobModule } from "./run-local.ts";
import type { Job } from "./spec.ts";
import { cancelKey, SHARE_KIND, WHOLE_SHARE_KIND } from "./split-count.ts";
import type { WholeShare } from "./whole-split.ts";
import { fromWire, toWire } from "./wire.ts";

export const DEFAULT_QUEUE = "tessera-sweep";

const planeModule = moduleUrl("sweep/plane-share-job");
const wholeSplitModule = moduleUrl("sweep/whole-split");

/** Connection options from redis://[:password@]HOST:PORT[/db]. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${url}: not a redis://HOST:PORT address`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`${url}: not a redis://HOST:PORT address`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`${url}: the database (after the /) must be a number`);
  return {
    host: u.hostname || "localhost",
    port: u.port ? Number(u.port) : 6379,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    db,
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's workers block on Redis: no per-request retry limit; give up connecting after a while.
    maxRetriesPerRequest: null,
  } as ConnectionOptions;
}

/**
 * Fails at once, with one line, when no Redis answers at `url`: BullMQ's own connections retry
 * forever (right for a server that restarts, wrong for a mistyped address).
 */
export async function reachRedis(url: string, connection: ConnectionOptions): Promise<void> {
  const probe = new Queue("tessera-probe", { connection: { ...(connection as object), retryStrategy: () => null, enableOfflineQueue: false } as ConnectionOptions });
  probe.on("error", () => {});
  try {
    await probe.waitUntilReady();
  } catch (e) {
    throw new Error(`cannot reach Redis at ${url} (${(e as Error).message}): is redis-server running there?`);
  } finally {
    await probe.close().catch(() => {});
  }
}

export interface QueueRunOptions {
  queueName?: string;
}

/** Coordinator: puts the jobs on the queue and writes each job's rows when it completes. */
export async function runQueue(jobs: readonly Job[], dir: string, url: string, progress: SweepProgress, options: QueueRunOptions = {}): Promise<RunCounts> {
  const counts: RunCounts = { done: 0, failed: 0 };
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const name = options.queueName ?? DEFAULT_QUEUE;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  // Every job waited on listens for the queue closing: one listener per job, not a leak.
  queue.setMaxListeners(jobs.length + 10);
  events.setMaxListeners(jobs.length + 10);
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    // Model files travel through Redis: workers need no shared folder.
    const modelKeys = await storeModels(await queue.getBackend().client, jobs);
    const ids = new Set(jobs.map((j) => j.id));
    events.on("active", ({ jobId }) => {
      if (ids.has(jobId)) markRunning(dir, jobId, "queue");
    });
    await Promise.all(
      jobs.map(async (job) => {
        let q = await queue.getJob(job.id);
        // A failed job of an earlier run is tried again (its cause may be fixed); any other
        // state (waiting, active, completed) is the same job: wait for it.
        if (q && (await q.getState()) === "failed") {
          await q.remove();
          q = undefined;
        }
        const modelKey = modelKeys.get(job.id);
        q ??= await queue.add(job.id, modelKey ? { ...job, modelKey } : job, {
          jobId: job.id,
          attempts: 5,
          backoff: { type: "exponential", delay: 1000 },
          removeOnComplete: { age: 7 * 86400 },
          removeOnFail: { age: 7 * 86400 },
        });
        try {
          const rows = (await q.waitUntilFinished(events)) as Row[];
          writeJobRows(dir, job.id, rows);
          counts.done++;
          progress.tick(true);
        } catch (e) {
          writeJobFailure(dir, job.id, (e as Error).message, q.attemptsMade);
          counts.failed++;
          progress.tick(false);
        }
      }),
    );
  } finally {
    await events.close();
    await queue.close();
  }
  return counts;
}

export interface WorkerOptions {
  queueName?: string;
  /** Jobs at a time (threads; default: the machine's cores). */
  concurrency: number;
  /** Also write each job's rows into this folder (a folder shared with the coordinator). */
  out?: string;
  /** Stop when the queue has no waiting, delayed or active job left. */
  exitWhenIdle?: boolean;
  /** A job whose worker stops renewing its lock for this long is run again elsewhere (default 30 s). */
  lockMs?: number;
  /** Say what happens, one line per job. */
  log?: (line: string) => void;
  /** Stop when this signal aborts (a program running a worker among other work), as Ctrl-C does. */
  signal?: AbortSignal;
  /** The code id this worker runs jobs of (default: the running tessera's, code-id.ts; tests change it). */
  code?: string;
}

/** `tessera worker`: takes jobs from the queue until stopped (or, with exitWhenIdle, until none is left). */
export async function runWorker(url: string, options: WorkerOptions): Promise<{ done: number; failed: number }> {
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const name = options.queueName ?? DEFAULT_QUEUE;
  const log = options.log ?? (() => {});
  const pool = createPool(options.concurrency);
  const tally = { done: 0, failed: 0 };
  const lockDuration = options.lockMs ?? 30_000;
  // The networks of model files, fetched from Redis by the key the coordinator gave (model-store.ts).
  let cache: ModelCache | null = null;
  const models = async (): Promise<ModelCache> => {
    cache ??= new ModelCache(await worker.getBackend().client);
    return cache;
  };
  const code = options.code ?? codeId();
  /**
   * A share of a split count on a pool thread, with a stop switch in shared memory that this
   * thread throws when the coordinator cancels the count (split-count.ts cancelKey: a limit was
   * hit, the share is no longer needed), polled every 250 ms while the share runs.
   */
  const runShare = async <T>(module: string, fn: string, data: { task: unknown; cancel?: string }): Promise<T> => {
    const control: SharedControl = sharedControl();
    const task = { ...(fromWire(data.task) as object), control };
    const client = await worker.getBackend().client;
    const poll = data.cancel
      ? setInterval(() => {
          client.get(cancelKey(data.cancel as string)).then(
            (word) => {
              if (word !== null) stopShares(control, "aborted");
            },
            () => {},
          );
        }, 250)
      : null;
    try {
      return await pool.run<T>(module, fn, task);
    } finally {
      if (poll) clearInterval(poll);
    }
  };
  const worker: Worker = new Worker(
    name,
    async (job) => {
      const madeBy = (job.data as { code?: string }).code;
      if (madeBy !== code) {
        // Another tessera made the job: its result could differ from what the coordinator's code
        // would give. Retried (another worker may match), and failed after the attempts with this line.
        const why = `job ${job.id} was made by tessera ${madeBy ?? "(before code ids)"}, this worker runs ${code}: run workers of the coordinator's tessera`;
        log(why);
        throw new Error(why);
      }
      if ((job.data as { kind?: string }).kind === SHARE_KIND) {
        // A share of a count split across machines (split-count.ts).
        log(`${job.id}: share of a split count started (attempt ${job.attemptsMade + 1})`);
        const share = await runShare<PlaneShareResult & { cpuSeconds: number }>(planeModule, "planeShareJob", job.data);
        log(
          `${job.id}: done, ${share.partition.cellCount} cells in ${share.cpuSeconds.toFixed(2)} CPU s${share.partition.stopped ? ` (stopped: ${share.partition.stopped})` : ""}`,
        );
        return toWire(share);
      }
      if ((job.data as { kind?: string }).kind === WHOLE_SHARE_KIND) {
        // A sign prefix of a whole-domain count split across machines (whole-split.ts).
        log(`${job.id}: share of a split count started (attempt ${job.attemptsMade + 1})`);
        const share = await runShare<WholeShare>(wholeSplitModule, "wholeShareTask", job.data);
        log(`${job.id}: done, ${share.count} regions in ${share.cpuSeconds?.toFixed(2)} CPU s${share.stopped ? ` (stopped: ${share.stopped})` : ""}`);
        return toWire(share);
      }
      const data = job.data as Job;
      log(`${data.id}: started (attempt ${job.attemptsMade + 1})`);
      const task: Job = data.modelKey ? { ...data, modelJson: await (await models()).get(data.modelKey) } : data;
      const outcome = await pool.run<JobOutcome>(jobModule, "runJobTask", task);
      if (outcome.ok) {
        if (options.out) writeJobRows(options.out, data.id, outcome.rows);
        tally.done++;
        log(`${data.id}: done, ${outcome.rows.length} rows`);
        return outcome.rows;
      }
      tally.failed++;
      log(`${data.id}: failed: ${outcome.error}`);
      if (outcome.jobFault) throw new UnrecoverableError(outcome.error);
      throw new Error(outcome.error);
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: 3,
      // The threads in the name: a coordinator sizes a split count by the threads serving the queue (split-count.ts).
      name: `${hostname()}:${process.pid}:c${options.concurrency}`,
    },
  );
  worker.on("error", (e) => log(`queue error: ${e.message}`));
  await worker.waitUntilReady();
  log(`worker ${hostname()}:${process.pid} on ${name}, ${options.concurrency} at a time`);
  try {
    if (options.exitWhenIdle) {
      const queue = new Queue(name, { connection });
      try {
        // Idle: nothing waiting, delayed or active anywhere (an active job of a dead worker comes
        // back after its lock expires, and this worker must still be there to take it).
        let idleChecks = 0;
        while (idleChecks < 2) {
          await new Promise((r) => setTimeout(r, 500));
          const c = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
          idleChecks = Object.values(c).every((n) => n === 0) ? idleChecks + 1 : 0;
        }
      } finally {
        await queue.close();
      }
    } else {
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        if (options.signal) {
          if (options.signal.aborted) stop();
          options.signal.addEventListener("abort", stop);
        } else {
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        }
      });
    }
  } finally {
    await worker.close();
    await pool.close();
  }
  return tally;
}
