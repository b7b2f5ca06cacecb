/**
 * A plane count too large for one machine, split across the machines of a BullMQ queue: the
 * count's top pieces are dealt to `parts` share jobs (the shares of parallel/plane.ts), any
 * `tessera worker` runs them, and the coordinator joins the shares into the partition one engine
 * makes alone (regions/plane-merge.ts). Shares travel as JSON with their arrays in base64
 * (wire.ts); a share retried after a worker died is the same share, joined once.
 */
import { createHash } from "node:crypto";
import { Queue, QueueEvents } from "bullmq";
import { stringifyNetwork } from "../io/network-json.ts";
import type { Compiled } from "../model/forward.ts";
import type { PlaneShareTask } from "../parallel/plane.ts";
import type { PlanePartition } from "../regions/partition.ts";
import type { PlaneShareResult, PlaneSlice } from "../regions/plane.ts";
import { mergePlaneShares } from "../regions/plane-merge.ts";
import { DEFAULT_QUEUE, reachRedis, redisConnection } from "./queue.ts";
import { fromWire, toWire } from "./wire.ts";

/** The kind of a queue job that is a share of a split count (sweep jobs have none). */
export const SHARE_KIND = "plane-share";

export async function planeCountOnQueue(
  url: string,
  compiled: Compiled,
  slice: PlaneSlice,
  domain: Float64Array,
  parts: number,
  queueName = DEFAULT_QUEUE,
): Promise<PlanePartition> {
  const connection = redisConnection(url);
  await reachRedis(url, connection);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  queue.setMaxListeners(parts + 10);
  events.setMaxListeners(parts + 10);
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const model = stringifyNetwork(compiled.network);
    const key = createHash("sha256")
      .update(JSON.stringify({ model, slice: toWire(slice), domain: toWire(domain), parts }))
      .digest("hex")
      .slice(0, 12);
    const shares = await Promise.all(
      Array.from({ length: parts }, async (_, part) => {
        const task: PlaneShareTask = { model, slice, domain, share: { parts, part, chunk: 16 } };
        const id = `count-${key}-${part + 1}of${parts}`;
        let job = await queue.getJob(id);
        if (job && (await job.getState()) === "failed") {
          await job.remove();
          job = undefined;
        }
        job ??= await queue.add(
          id,
          { kind: SHARE_KIND, task: toWire(task) },
          { jobId: id, attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
        );
        return fromWire(await job.waitUntilFinished(events)) as PlaneShareResult;
      }),
    );
    return mergePlaneShares(shares, slice, domain, compiled.layout, compiled.outputSize);
  } finally {
    await events.close();
    await queue.close();
  }
}
