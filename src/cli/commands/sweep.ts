/**
 * `tessera sweep SPEC [--out DIR] [--workers N] [--queue redis://HOST:PORT]`: expand a sweep spec
 * into jobs, run those not finished yet (on this machine's threads, or on a BullMQ queue served
 * by `tessera worker`), and write one row per measurement to DIR (Parquet per job + summary.csv).
 * `tessera sweep status --out DIR`: done / running / failed / pending. See docs/scale.md.
 */
import { basename } from "node:path";
import type { Command } from "commander";
import { defaultWorkers } from "../../parallel/pool.ts";
import { sweepProgress } from "../../sweep/progress.ts";
import { DEFAULT_QUEUE, runQueue } from "../../sweep/queue.ts";
import { isDone, prepareDir, sweepStatus, writeSummary } from "../../sweep/results.ts";
import { runLocal } from "../../sweep/run-local.ts";
import { expandJobs, readSpec } from "../../sweep/spec.ts";
import { parseInteger, UserError } from "../errors.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

interface SweepOptions {
  out?: string;
  workers?: string;
  queue?: string;
  queueName: string;
  json?: boolean;
}

export const register: Register = (program: Command) => {
  program
    .command("sweep")
    .description("run a sweep (models x seeds x checkpoints x measurements) into a Parquet dataset; `sweep status --out DIR` shows its progress")
    .argument("<spec>", "sweep spec (.json or .yaml; docs/scale.md), or `status`")
    .option("--out <dir>", "results folder (default: SPEC's name + .results)")
    .option("--workers <n>", "threads on this machine (default: its cores)")
    .option("--queue <url>", "run the jobs on a BullMQ queue in Redis (redis://HOST:PORT), served by `tessera worker`")
    .option("--queue-name <name>", "queue name", DEFAULT_QUEUE)
    .option("--json", "print the outcome (or the status) as JSON")
    .action(async (specPath: string, options: SweepOptions) => {
      if (specPath === "status") return status(options);
      let spec: ReturnType<typeof readSpec>;
      try {
        spec = readSpec(specPath);
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      const jobs = expandJobs(spec.spec, spec.base);
      const name = spec.spec.name ?? basename(specPath).replace(/\.[^.]*$/, "");
      const out = options.out ?? `${specPath.replace(/\.[^./]*$/, "")}.results`;
      const workers = options.workers === undefined ? defaultWorkers() : parseInteger(options.workers, "--workers", 1);
      const superseded = prepareDir(out, name, jobs);
      if (superseded > 0)
        process.stderr.write(`sweep: ${superseded} finished job(s) of another spec or tessera version moved to ${out}/superseded (their rows are not in this sweep's results)\n`);
      const todo = jobs.filter((j) => !isDone(out, j.id));
      const t0 = performance.now();
      const progress = sweepProgress(todo.length, `sweep ${name}`);
      let counts: { done: number; failed: number };
      try {
        counts = options.queue ? await runQueue(todo, out, options.queue, progress, { queueName: options.queueName }) : await runLocal(todo, out, workers, progress);
      } catch (e) {
        throw new UserError((e as Error).message);
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - t0) / 1000;
      const rows = await writeSummary(out);
      const outcome = {
        name,
        jobs: jobs.length,
        skipped: jobs.length - todo.length,
        done: counts.done,
        failed: counts.failed,
        rows,
        seconds,
        jobsPerSecond: todo.length > 0 ? counts.done / seconds : 0,
        out,
        runner: options.queue ? `queue ${options.queueName}` : `${workers} threads`,
      };
      if (options.json) output.write(`${JSON.stringify(outcome)}\n`);
      else
        output.write(
          `sweep ${name}: ${jobs.length} jobs, ${counts.done} run now, ${outcome.skipped} already done, ${counts.failed} failed, in ${seconds.toFixed(1)} s` +
            ` (${outcome.jobsPerSecond.toFixed(2)} jobs/s on ${outcome.runner}); ${rows} rows in ${out} (jobs/*.parquet, summary.csv)\n`,
        );
      if (counts.failed > 0) throw new UserError(`${counts.failed} of ${jobs.length} jobs failed; \`tessera sweep status --out ${out}\` shows why`);
    });
};

function status(options: SweepOptions): void {
  if (!options.out) throw new UserError("sweep status needs --out DIR (the results folder)");
  let s: ReturnType<typeof sweepStatus>;
  try {
    s = sweepStatus(options.out);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  if (options.json) {
    output.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const lines = [`sweep ${s.name}: ${s.total} jobs: ${s.done.length} done, ${s.running.length} running, ${s.failed.length} failed, ${s.pending.length} pending`];
  for (const r of s.running) lines.push(`  running ${r.id} on ${r.where} since ${r.since}`);
  for (const f of s.failed) lines.push(`  failed  ${f.id}: ${f.error}`);
  output.write(`${lines.join("\n")}\n`);
}
