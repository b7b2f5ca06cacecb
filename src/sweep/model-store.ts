/**
 * Model files travel through Redis, so workers on other machines need no shared folder: the
 * coordinator reads each job's model file once, as its network in tessera JSON (a TensorFlow.js
 * model's weight files included), and stores it once per content hash under MODEL_PREFIX; the
 * job names the hash (`modelKey`), and a worker fetches the network by it (keeping the last
 * few it fetched). A model file the coordinator cannot read is not shipped: the worker reads the
 * path itself (a shared folder, as before), and a file nobody can read fails the job, once, with
 * the reader's error.
 */
import { createHash } from "node:crypto";
import { readModel } from "../io/files.ts";
import { stringifyNetwork } from "../io/network-json.ts";
import type { Job } from "./spec.ts";

/** The Redis key of a stored network: this prefix and the sha256 of its JSON. */
export const MODEL_PREFIX = "tessera:model:";

/** How long a stored network stays (refreshed by every coordinator that stores it again). */
const MODEL_TTL_SECONDS = 7 * 86400;

/** The part of BullMQ's Redis client this module uses. */
export interface ModelRedis {
  set(key: string, value: string, options: { EX: number }): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

/**
 * Stores the networks of the jobs' model files (each file read once) and returns, per job with a
 * readable model file, the key its worker fetches it by.
 */
export async function storeModels(redis: ModelRedis, jobs: readonly Job[]): Promise<Map<string, string>> {
  const byFile = new Map<string, string | null>();
  const keys = new Map<string, string>();
  for (const job of jobs) {
    if (job.file === undefined) continue;
    let key = byFile.get(job.file);
    if (key === undefined) {
      let json: string | null = null;
      try {
        json = stringifyNetwork(readModel(job.file).network);
      } catch {
        // Unreadable here: the worker tries the path, and the job fails with its error if it cannot.
      }
      key = json === null ? null : MODEL_PREFIX + createHash("sha256").update(json).digest("hex");
      if (key !== null) await redis.set(key, json as string, { EX: MODEL_TTL_SECONDS });
      byFile.set(job.file, key);
    }
    if (key !== null) keys.set(job.id, key);
  }
  return keys;
}

/** The worker's side: a job's network by its key, the last few kept here. */
export class ModelCache {
  private readonly kept = new Map<string, string>();
  constructor(
    private readonly redis: ModelRedis,
    private readonly size = 4,
  ) {}

  async get(key: string): Promise<string> {
    const hit = this.kept.get(key);
    if (hit !== undefined) return hit;
    const json = await this.redis.get(key);
    if (json === null) throw new Error(`the job's model (${key}) is no longer in Redis: run the sweep again to store it`);
    this.kept.set(key, json);
    if (this.kept.size > this.size) this.kept.delete(this.kept.keys().next().value as string);
    return json;
  }
}
