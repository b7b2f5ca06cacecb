/**
 * A count too large for one machine, split across the machines of a BullMQ queue; any `tessera
 * worker` runs the share jobs and the coordinator joins them into the partition one engine makes
 * alone. A plane count: its top pieces dealt to `parts` shares (parallel/plane.ts), joined by
 * regions/plane-merge.ts. A whole-domain count: 2^k jobs of a sign prefix of k first-layer
 * hyperplanes (whole-split.ts), joined there. Shares travel as JSON with their arrays in base64
 * (wire.ts); a share retried after a worker died is the same share, joined once.
 */
import { createHash, randomUUID } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { stringifyNetwork } from "../io/network-json.ts";
import type { Compiled } from "../model/forward.ts";
import type { SharedLimits } from "../parallel/shared-budget.ts";
import type { LimitOptions, StopReason } from "../regions/limits.ts";
import type { PlanePartition, WholePartition } from "../regions/partition.ts";
import type { PlaneShareResult, PlaneSlice } from "../regions/plane.ts";
import { mergePlaneShares } from "../regions/plane-merge.ts";
import { codeId } from "./code-id.ts";
import { planeFirstCells } from "./plane-first-cells.ts";
import type { PlaneShareJob } from "./plane-share-job.ts";
import { DEFAULT_QUEUE, reachRedis, redisConnection } from "./queue.ts";
import { joinWholeShares, splitHyperplanes, type WholeShare, type WholeShareTask, type WholeSplitDomain } from "./whole-split.ts";
import { fromWire, toWire } from "./wire.ts";

/** The kind of a queue job that is a share of a split count (sweep jobs have none). */
export const SHARE_KIND = "plane-share";
/** The kind of a queue job that is one sign prefix of a split whole-domain count. */
export const WHOLE_SHARE_KIND = "whole-share";

/** The Redis key whose presence tells workers to stop the running shares of a count (its `cancel` field). */
export const cancelKey = (count: string): string => `tessera:cancel:${count}`;

/** The limits of a split count: the cells of all jobs together, and the seconds from the start. */
export type SplitLimits = Pick<LimitOptions, "maxCells" | "timeout">;

/** How the shares of a split count went: those back (in job order, absent ones left out) and why it stopped early. */
interface SharesRun<T> {
  shares: T[];
  stopped?: StopReason;
  /** Jobs removed from the queue before they started, and running jobs left behind (cancelled, not awaited). */
  removed: number;
  abandoned: number;
}

/** After a limit, how long the running jobs have to send back what they found (they stop at the same deadline). */
const GRACE_MS = 2000;

/**
 * The shares of a split count put on the queue (or found there: same ids), each's result when it
 * completes. With limits, the count stops at the first of: the cells of the shares back reach
 * `maxCells`, a share comes back stopped, the deadline passes. Then the jobs not started are
 * removed from the queue, the running ones are told to stop (cancelKey; each also carries the
 * count's limits, so even a worker that misses the word stops at the deadline or the cell
 * limit), and what they send back within GRACE_MS is joined too; later results are abandoned.
 * A limited count's jobs have ids of their own (a random part): its partial shares are never
 * taken for another count's, and it takes none of theirs.
 */
async function runShares<T>(
  url: string,
  queueName: string,
  key: string,
  code: string,
  kind: string,
  tasks: object[],
  limits: SplitLimits,
  cellsOf: (share: T) => { cells: number; stopped?: StopReason },
): Promise<SharesRun<T>> {
  const limited = limits.maxCells !== undefined || limits.timeout !== undefined;
  const count = limited ? `count-${key}-${randomUUID().slice(0, 8)}` : `count-${key}`;
  const shared: SharedLimits | undefined = limited
    ? { ...(limits.maxCells !== undefined ? { maxCells: limits.maxCells } : {}), ...(limits.timeout !== undefined ? { timeout: limits.timeout, sentAt: Date.now() } : {}) }
    : undefined;
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  queue.setMaxListeners(tasks.length + 10);
  events.setMaxListeners(tasks.length + 10);
  const ids = tasks.map((_, part) => `${count}-${part + 1}of${tasks.length}`);
  const back: (T | undefined)[] = new Array(tasks.length);
  let cells = 0;
  let stopped: StopReason | undefined;
  let failure: Error | undefined;
  let signal: () => void = () => {};
  const stopOrFail = new Promise<void>((resolve) => {
    signal = resolve;
  });
  const stop = (reason: StopReason) => {
    stopped ??= reason;
    signal();
  };
  const deadline = limits.timeout !== undefined ? setTimeout(() => stop("timeout"), limits.timeout * 1000) : null;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const waits = tasks.map(async (task, part) => {
      const id = ids[part];
      let job = await queue.getJob(id);
      if (job && (await job.getState()) === "failed") {
        await job.remove();
        job = undefined;
      }
      job ??= await queue.add(
        id,
        { kind, code, cancel: count, task: toWire(shared ? { ...task, limits: shared } : task) },
        { jobId: id, attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
      );
      try {
        const share = fromWire(await job.waitUntilFinished(events)) as T;
        back[part] = share;
        const got = cellsOf(share);
        cells += got.cells;
        if (got.stopped) stop(got.stopped);
        else if (limits.maxCells !== undefined && cells >= limits.maxCells) stop("max-cells");
      } catch (e) {
        // After a stop, a removed or cancelled job's end is no failure of the count.
        if (stopped === undefined) {
          failure ??= e as Error;
          signal();
        }
      }
    });
    void Promise.all(waits).then(() => signal());
    await stopOrFail;
    if (failure) throw failure;
    if (stopped === undefined) return { shares: back as T[], removed: 0, abandoned: 0 };
    // A limit: tell the running jobs to stop, take those not started off the queue, and give the
    // running ones a moment to send back what they found.
    const client = await queue.getBackend().client;
    await client.set(cancelKey(count), stopped, { EX: 86400 });
    let removed = 0;
    const running: Promise<void>[] = [];
    for (let part = 0; part < ids.length; part++) {
      if (back[part] !== undefined) continue;
      const state = await queue.getJobState(ids[part]);
      // An active job is locked (remove fails): it stops itself; one that ends meanwhile is kept.
      if ((state === "waiting" || state === "delayed" || state === "prioritized") && (await queue.remove(ids[part])) === 1) removed++;
      else running.push(waits[part]);
    }
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(running), new Promise((r) => (grace = setTimeout(r, GRACE_MS)))]);
    clearTimeout(grace);
    const shares = back.filter((s): s is T => s !== undefined);
    return { shares, stopped, removed, abandoned: tasks.length - shares.length - removed };
  } finally {
    if (deadline) clearTimeout(deadline);
    await events.close();
    await queue.close();
  }
}

/** What a split count reports besides its partition: the jobs, their times, and how a limit ended it. */
export interface SplitRun<P> {
  partition: P;
  jobs: number;
  /** Per job back (in job order): its regions (cells) and the CPU seconds of its worker thread. */
  perJob: { regions: number; cpuSeconds: number }[];
  /** Wall seconds from the first job put on the queue to the last result, and of the join. */
  queueSeconds: number;
  joinSeconds: number;
  /** Set when a limit stopped the count (the partition is marked stopped too: its counts are lower bounds). */
  stopped?: StopReason;
  /** After a limit: jobs removed from the queue unstarted, and running jobs cancelled and not awaited. */
  removed: number;
  abandoned: number;
}

export type WholeSplitRun = SplitRun<WholePartition>;

export interface SplitOptions {
  queueName?: string;
  limits?: SplitLimits;
  /** The code id the jobs are made with (default: the running tessera's, code-id.ts; tests change it). */
  code?: string;
}

/** The key of a count's jobs: what decides its result (the code that computes it included: code-id.ts). */
function countKey(what: object, code: string): string {
  return createHash("sha256")
    .update(JSON.stringify({ ...what, code }))
    .digest("hex")
    .slice(0, 12);
}

/** Jobs per worker thread when a whole-domain split is sized by the queue's workers (docs/scale.md, "Balance"). */
export const JOBS_PER_THREAD = 4;
/** Share jobs of a split count when neither --split nor the queue's worker threads size it. */
export const DEFAULT_SPLIT = 8;

/**
 * The worker threads serving the queue now: the sum of the `tessera worker` processes'
 * concurrency, read from their Redis client names (`HOST:PID:cN`, queue.ts); 0 when none is
 * connected (or the server hides its client list).
 */
export async function queueThreads(url: string, queueName = DEFAULT_QUEUE): Promise<number> {
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const queue = new Queue(queueName, { connection });
  try {
    const seen = new Map<string, number>();
    for (const w of await queue.getWorkers()) {
      const m = /:c(\d+)$/.exec(w.rawname ?? "");
      if (m) seen.set(w.rawname, Number(m[1]));
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

/**
 * A whole-domain count split into 2^k jobs, k = ceil(log2 parts) hyperplanes of the first layer
 * (fewer when fewer cut the box: whole-split.ts), on the queue at `url`, joined here. Without
 * `parts`, JOBS_PER_THREAD jobs per worker thread serving the queue (DEFAULT_SPLIT when none is connected):
 * the queue hands each free thread the next job, and jobs of uneven size even out when there are
 * a few per thread (docs/scale.md, "Balance").
 */
export async function wholeCountOnQueue(url: string, compiled: Compiled, domain: WholeSplitDomain, parts: number | undefined, options: SplitOptions = {}): Promise<WholeSplitRun> {
  if (parts === undefined) {
    const threads = await queueThreads(url, options.queueName ?? DEFAULT_QUEUE);
    parts = threads > 0 ? JOBS_PER_THREAD * threads : DEFAULT_SPLIT;
  }
  const { wholeNetwork } = await import("../regions/whole.ts");
  const net = wholeNetwork(compiled, { box: domain.box, ...(domain.slice ? { slice: domain.slice } : {}) });
  const hyperplanes = splitHyperplanes(net, domain.box[0], domain.box[1], Math.ceil(Math.log2(Math.max(1, parts))));
  const model = stringifyNetwork(compiled.network);
  const jobs = 2 ** hyperplanes.units.length;
  const tasks: WholeShareTask[] = Array.from({ length: jobs }, (_, job) => ({ model, domain, hyperplanes, job }));
  const code = options.code ?? codeId();
  const key = countKey({ whole: true, model, domain: toWire(domain), jobs }, code);
  const limits = options.limits ?? {};
  const t0 = performance.now();
  const run = await runShares<WholeShare>(url, options.queueName ?? DEFAULT_QUEUE, key, code, WHOLE_SHARE_KIND, tasks, limits, (s) => ({
    cells: s.count,
    ...(s.stopped ? { stopped: s.stopped } : {}),
  }));
  const t1 = performance.now();
  const partition = joinWholeShares(
    compiled,
    domain,
    run.shares,
    run.stopped ? { reason: run.stopped, ...(limits.maxCells !== undefined ? { maxCells: limits.maxCells } : {}) } : undefined,
  );
  return {
    partition,
    jobs,
    perJob: run.shares.map((s) => ({ regions: s.count, cpuSeconds: s.cpuSeconds ?? Number.NaN })),
    queueSeconds: (t1 - t0) / 1000,
    joinSeconds: (performance.now() - t1) / 1000,
    ...(run.stopped ? { stopped: run.stopped } : {}),
    removed: run.removed,
    abandoned: run.abandoned,
  };
}

/**
 * A plane count split into `parts` shares of its top pieces on the queue at `url`, joined here.
 * At a limit, the cells of the shares back; at the cell limit the first maxCells of them (each
 * share stops at the limit itself, so the shares back hold more), as one engine keeps.
 */
export async function planeCountOnQueue(
  url: string,
  compiled: Compiled,
  slice: PlaneSlice,
  domain: Float64Array,
  parts: number,
  options: SplitOptions = {},
): Promise<SplitRun<PlanePartition>> {
  const model = stringifyNetwork(compiled.network);
  const code = options.code ?? codeId();
  const key = countKey({ model, slice: toWire(slice), domain: toWire(domain), parts }, code);
  const tasks: PlaneShareJob[] = Array.from({ length: parts }, (_, part) => ({ model, slice, domain, share: { parts, part, chunk: 16 } }));
  const t0 = performance.now();
  const run = await runShares<PlaneShareResult & { cpuSeconds?: number }>(url, options.queueName ?? DEFAULT_QUEUE, key, code, SHARE_KIND, tasks, options.limits ?? {}, (s) => ({
    cells: s.partition.cellCount,
    ...(s.partition.stopped ? { stopped: s.partition.stopped } : {}),
  }));
  const t1 = performance.now();
  let partition: PlanePartition;
  if (run.shares.length > 0) partition = mergePlaneShares(run.shares, slice, domain, compiled.layout, compiled.outputSize);
  else {
    // Nothing back before the limit: the empty partition of this plane (one engine stopped at its first cell).
    const [{ planePartition }, { Budget }] = await Promise.all([import("../regions/plane.ts"), import("../regions/limits.ts")]);
    partition = planePartition(compiled, slice, { domain, budget: new Budget({ maxCells: 0 }) });
  }
  if (run.stopped === "max-cells" && options.limits?.maxCells !== undefined) partition = planeFirstCells(partition, options.limits.maxCells);
  if (run.stopped) partition.stopped = run.stopped;
  return {
    partition,
    jobs: parts,
    perJob: run.shares.map((s) => ({ regions: s.partition.cellCount, cpuSeconds: s.cpuSeconds ?? Number.NaN })),
    queueSeconds: (t1 - t0) / 1000,
    joinSeconds: (performance.now() - t1) / 1000,
    ...(run.stopped ? { stopped: run.stopped } : {}),
    removed: run.removed,
    abandoned: run.abandoned,
  };
}
