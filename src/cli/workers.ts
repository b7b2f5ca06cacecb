/**
 * `--workers N` for the commands that partition: the threads an exact count runs on (default: the
 * machine's cores when the network is large enough to gain from them, else 1). Results are the
 * same whatever N is (docs/scale.md).
 */
import type { Command } from "commander";
import { DomainError } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import { chooseEngine, EngineRefusal } from "../regions/engines.ts";
import type { LimitOptions } from "../regions/limits.ts";
import type { Partition } from "../regions/partition.ts";
import { wholeArguments } from "../regions/whole-domain.ts";
import type { WholeSplitDomain } from "../sweep/whole-split.ts";
import { parseInteger, UserError } from "./errors.ts";
import { commandProgress } from "./limits.ts";
import type { CliDomain } from "./region-domain.ts";
import { refusalMessage } from "./run-partition.ts";

export function workersOption(command: Command): Command {
  return command
    .option("--queue <redis://HOST:PORT>", "split a plane or whole-domain count into share jobs on a BullMQ queue, run by `tessera worker` on any machines, joined here")
    .option(
      "--split <N>",
      "with --queue: the number of share jobs (plane counts: default 8; whole-domain counts: 2^k, k = log2 N rounded up, default 4 per worker thread serving the queue)",
    )
    .option(
      "--workers <N>",
      "threads for the plane, line, space and whole-domain engines (default: the machine's cores for plane domains of networks with 512 units or more, else 1; results are identical)",
    );
}

/** The threads asked for, or the default for this network. */
export async function workersFor(flag: string | undefined, compiled: Compiled, where: CliDomain): Promise<number> {
  if (flag !== undefined) return parseInteger(flag, "--workers", 1);
  const [{ defaultWorkers }, { worthParallel }] = await Promise.all([import("../parallel/pool.ts"), import("../parallel/partition.ts")]);
  return worthParallel(compiled, where.domain) ? defaultWorkers() : 1;
}

/**
 * `timedPartition` on `workers` threads: the limits of the whole count, and the progress line of
 * all threads' cells on a terminal.
 */
export async function timedPartitionOnThreads(
  compiled: Compiled,
  where: CliDomain,
  workers: number,
  limits: LimitOptions & { engine?: string; points?: boolean },
): Promise<{ partition: Partition; seconds: number }> {
  const [{ withPool, engineModules }, { partitionParallel }] = await Promise.all([import("../parallel/pool.ts"), import("../parallel/partition.ts")]);
  const progress = commandProgress();
  const t0 = performance.now();
  try {
    // The plane, line and space engines count on this thread too: a pool of N - 1 threads for N cores.
    const name = chooseEngine(compiled, where.domain, limits.engine).name;
    const mainThread = name === "plane" || name === "line" || name === "space";
    const partition = await withPool(mainThread ? workers - 1 : workers, (pool) => partitionParallel(pool, compiled, where.domain, { ...limits, ...progress.limits, mainThread }), {
      preload: engineModules(),
    });
    return { partition, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (e instanceof EngineRefusal) throw new UserError(refusalMessage(e));
    if (e instanceof DomainError) throw new UserError(e.message);
    throw e;
  } finally {
    progress.done();
  }
}

/**
 * A plane or whole-domain count split into `split` share jobs on the queue at `url`
 * (docs/scale.md); `points` as for the whole-domain engine on this machine (--cells, --check);
 * `--max-cells` and `--timeout` over the whole count, as on one machine: at a limit the result
 * is partial and marked stopped (the caller says so and exits with code 3).
 */
export async function timedSplitCount(
  compiled: Compiled,
  where: CliDomain,
  url: string,
  split: string | undefined,
  options: { engine?: string; points?: boolean; limits?: Pick<LimitOptions, "maxCells" | "timeout"> } = {},
): Promise<{ partition: Partition; seconds: number }> {
  // Whole-domain counts without --split: sized by the threads serving the queue (split-count.ts).
  const asked = split === undefined ? undefined : parseInteger(split, "--split", 1);
  const { planeOf } = await import("../regions/engines.ts");
  const plane = planeOf(where.domain);
  const whole = plane === null ? wholeSplitDomain(compiled, where, options) : null;
  const { DEFAULT_SPLIT, planeCountOnQueue, wholeCountOnQueue } = await import("../sweep/split-count.ts");
  const t0 = performance.now();
  try {
    const splitOptions = { ...(options.limits ? { limits: options.limits } : {}) };
    const run = whole
      ? await wholeCountOnQueue(url, compiled, whole, asked, splitOptions)
      : await planeCountOnQueue(url, compiled, plane as NonNullable<typeof plane>, (plane as NonNullable<typeof plane>).polygon, asked ?? DEFAULT_SPLIT, splitOptions);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = run.perJob.map((j) => j.cpuSeconds.toFixed(2)).join(", ");
    const unit = whole ? "regions" : "cells";
    const back = run.stopped
      ? `; stopped (${run.stopped}) with ${run.perJob.length} of ${run.jobs} jobs back, ${run.removed} removed from the queue unstarted, ${run.abandoned} cancelled`
      : "";
    process.stderr.write(
      `split into ${run.jobs} jobs: ${run.perJob.map((j) => j.regions).join(", ")} ${unit}; CPU s per job ${cpu}; queue ${run.queueSeconds.toFixed(2)} s, join ${run.joinSeconds.toFixed(2)} s${back}\n`,
    );
    return { partition: run.partition, seconds };
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/** The domain of a whole-domain count to split (the engine `count` would choose must be the whole-domain one). */
function wholeSplitDomain(compiled: Compiled, where: CliDomain, options: { engine?: string; points?: boolean }): WholeSplitDomain {
  let name: string;
  try {
    name = chooseEngine(compiled, where.domain, options.engine).name;
  } catch (e) {
    if (e instanceof EngineRefusal) throw new UserError(refusalMessage(e));
    throw e;
  }
  const args = name === "whole" ? wholeArguments(where.domain) : null;
  if (args === null)
    throw new UserError(
      "--queue splits plane counts (--box of a 2-input network, or --plane) and whole-domain ones (--box of more than 8 inputs, or --engine whole); other domains count on this machine",
    );
  if (typeof args === "string") throw new UserError(args);
  return { ...args, points: options.points ?? false };
}
