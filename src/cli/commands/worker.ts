/**
 * `tessera worker redis://HOST:PORT [--concurrency N] [--out DIR] [--exit-when-idle]`: take sweep
 * jobs from the BullMQ queue and run them, one per thread, until stopped (Ctrl-C), or until the
 * queue is empty with --exit-when-idle. See docs/scale.md.
 */
import type { Command } from "commander";
import { defaultWorkers } from "../../parallel/pool.ts";
import { DEFAULT_QUEUE, runWorker } from "../../sweep/queue.ts";
import { parseInteger, UserError } from "../errors.ts";
import type { Register } from "./index.ts";

interface WorkerCliOptions {
  concurrency?: string;
  out?: string;
  exitWhenIdle?: boolean;
  queueName: string;
  lockSeconds: string;
  quiet?: boolean;
}

export const register: Register = (program: Command) => {
  program
    .command("worker")
    .description("run sweep jobs from a BullMQ queue in Redis (start one per machine; see `sweep --queue`)")
    .argument("<redis>", "the queue's Redis server, redis://HOST:PORT")
    .option("--concurrency <n>", "jobs at a time, one per thread (default: the machine's cores)")
    .option("--out <dir>", "also write each job's rows into this folder (shared with the coordinator)")
    .option("--exit-when-idle", "stop when no job is waiting or running")
    .option("--queue-name <name>", "queue name", DEFAULT_QUEUE)
    .option("--lock-seconds <s>", "a job whose worker is silent this long is run again elsewhere", "30")
    .option("--quiet", "no line per job on stderr")
    .action(async (url: string, options: WorkerCliOptions) => {
      const concurrency = options.concurrency === undefined ? defaultWorkers() : parseInteger(options.concurrency, "--concurrency", 1);
      const lockSeconds = Number(options.lockSeconds);
      if (!(lockSeconds >= 1)) throw new UserError(`--lock-seconds: expected a number of at least 1, got "${options.lockSeconds}"`);
      const log = options.quiet ? undefined : (line: string) => process.stderr.write(`tessera worker: ${line}\n`);
      try {
        await runWorker(url, { queueName: options.queueName, concurrency, out: options.out, exitWhenIdle: options.exitWhenIdle, lockMs: lockSeconds * 1000, log });
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    });
};
