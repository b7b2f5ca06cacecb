/**
 * A count too large for one machine, split across the machines of a BullMQ queue; any `tessera
 * worker` runs the share jobs and the coordinator joins them into the partition one engine makes
 * alone. A plane count: its top pieces dealt to `parts` shares (parallel/plane.ts), joined by
 * regions/plane-merge.ts. A whole-domain count: 2^k jobs of a sign prefix of k first-layer
 * hyperplanes (whole-split.ts), joined there. Shares travel as JSON with their arrays in base64
 * (wire.ts); a share retried after a worker died is the same share, joined once.
 */
import { createHash } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { stringifyNetwork } from "../io/network-json.ts";
import type { Compiled } from "../model/forward.ts";
import type { PlaneShareTask } from "../parallel/plane.ts";
import type { PlanePartition, WholePartition } from "../regions/partition.ts";
import type { PlaneShareResult, PlaneSlice } from "../regions/plane.ts";
import { mergePlaneShares } from "../regions/plane-merge.ts";
import { DEFAULT_QUEUE, reachRedis, redisConnection } from "./queue.ts";
import { joinWholeShares, splitHyperplanes, type WholeShare, type WholeShareTask, type WholeSplitDomain } from "./whole-split.ts";
import { fromWire, toWire } from "./wire.ts";

/** The kind of a queue job that is a share of a split count (sweep jobs have none). */
export const SHARE_KIND = "plane-share";
/** The kind of a queue job that is one sign prefix of a split whole-domain count. */
export const WHOLE_SHARE_KIND = "whole-share";

/** The shares of a split count put on the queue (or found there: same ids), each's result when it completes. */
async function runShares<T>(url: string, queueName: string, key: string, kind: string, tasks: unknown[]): Promise<T[]> {
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  queue.setMaxListeners(tasks.length + 10);
  events.setMaxListeners(tasks.length + 10);
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return await Promise.all(
      tasks.map(async (task, part) => {
        const id = `count-${key}-${part + 1}of${tasks.length}`;
        let job = await queue.getJob(id);
        if (job && (await job.getState()) === "failed") {
          await job.remove();
          job = undefined;
        }
        job ??= await queue.add(
          id,
          { kind, task: toWire(task) },
          { jobId: id, attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
        );
        return fromWire(await job.waitUntilFinished(events)) as T;
      }),
    );
  } finally {
    await events.close();
    await queue.close();
  }
}

/** What a split whole-domain count reports besides its partition: the jobs and their times. */
export interface WholeSplitRun {
  partition: WholePartition;
  jobs: number;
  /** Per job (in job order): its regions and the CPU seconds of its worker thread. */
  perJob: { regions: number; cpuSeconds: number }[];
  /** Wall seconds from the first job put on the queue to the last result, and of the join. */
  queueSeconds: number;
  joinSeconds: number;
}

/**
 * A whole-domain count split into 2^k jobs, k = ceil(log2 parts) hyperplanes of the first layer
 * (fewer when fewer cut the box: whole-split.ts), on the queue at `url`, joined here.
 */
export async function wholeCountOnQueue(url: string, compiled: Compiled, domain: WholeSplitDomain, parts: number, queueName = DEFAULT_QUEUE): Promise<WholeSplitRun> {
  const { wholeNetwork } = await import("../regions/whole.ts");
  const net = wholeNetwork(compiled, { box: domain.box, ...(domain.slice ? { slice: domain.slice } : {}) });
  const hyperplanes = splitHyperplanes(net, domain.box[0], domain.box[1], Math.ceil(Math.log2(Math.max(1, parts))));
  const model = stringifyNetwork(compiled.network);
  const jobs = 2 ** hyperplanes.units.length;
  const tasks: WholeShareTask[] = Array.from({ length: jobs }, (_, job) => ({ model, domain, hyperplanes, job }));
  const key = createHash("sha256")
    .update(JSON.stringify({ whole: true, model, domain: toWire(domain), jobs }))
    .digest("hex")
    .slice(0, 12);
  const t0 = performance.now();
  const shares = await runShares<WholeShare>(url, queueName, key, WHOLE_SHARE_KIND, tasks);
  const t1 = performance.now();
  const partition = joinWholeShares(compiled, domain, shares);
  return {
    partition,
    jobs,
    perJob: shares.map((s) => ({ regions: s.count, cpuSeconds: s.cpuSeconds ?? Number.NaN })),
    queueSeconds: (t1 - t0) / 1000,
    joinSeconds: (performance.now() - t1) / 1000,
  };
}

export async function planeCountOnQueue(
  url: string,
  compiled: Compiled,
  slice: PlaneSlice,
  domain: Float64Array,
  parts: number,
  queueName = DEFAULT_QUEUE,
): Promise<PlanePartition> {
  const model = stringifyNetwork(compiled.network);
  const key = createHash("sha256")
    .update(JSON.stringify({ model, slice: toWire(slice), domain: toWire(domain), parts }))
    .digest("hex")
    .slice(0, 12);
  const tasks: PlaneShareTask[] = Array.from({ length: parts }, (_, part) => ({ model, slice, domain, share: { parts, part, chunk: 16 } }));
  const shares = await runShares<PlaneShareResult>(url, queueName, key, SHARE_KIND, tasks);
  return mergePlaneShares(shares, slice, domain, compiled.layout, compiled.outputSize);
}
