/**
 * A sweep's results folder:
 *   jobs/<id>.parquet      the rows of a finished job (written whole, by rename: all or nothing)
 *   jobs/<id>.failed.json  a failed job's error
 *   jobs/<id>.running.json a job being run (who and since when; removed when it ends)
 *   sweep.json             the spec's jobs (ids, models, seeds), for `sweep status`
 *   summary.csv            job, measurement, value: every row of every finished job
 *   superseded/            results of jobs the folder's spec no longer has (a changed spec, or a
 *                          changed tessera: job ids carry the code, code-id.ts), moved aside
 * The Parquet files share one schema, so a reader takes the folder as one table:
 * pandas.read_parquet("DIR/jobs"), or DuckDB's read_parquet('DIR/jobs/*.parquet').
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Row } from "./job.ts";
import type { Job } from "./spec.ts";

export const jobsDir = (dir: string): string => join(dir, "jobs");
const resultFile = (dir: string, id: string) => join(jobsDir(dir), `${id}.parquet`);
const failedFile = (dir: string, id: string) => join(jobsDir(dir), `${id}.failed.json`);
const runningFile = (dir: string, id: string) => join(jobsDir(dir), `${id}.running.json`);

/** Write to a temporary name in the same folder, then rename: readers see the whole file or none. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Makes the folder hold this spec's jobs. Results of jobs the spec does not have (an earlier
 * spec's, or the same spec's made by another tessera) move to superseded/, not deleted: they
 * would otherwise stand beside the new rows in jobs/ and in summary.csv, the same measurement
 * twice. Returns how many job files moved.
 */
export function prepareDir(dir: string, name: string, jobs: readonly Job[]): number {
  mkdirSync(jobsDir(dir), { recursive: true });
  const ids = new Set(jobs.map((j) => j.id));
  let moved = 0;
  for (const f of readdirSync(jobsDir(dir))) {
    const id = f.replace(/\.(parquet|failed\.json)$/, "");
    if (id === f || ids.has(id)) continue;
    mkdirSync(join(dir, "superseded"), { recursive: true });
    renameSync(join(jobsDir(dir), f), join(dir, "superseded", f));
    if (f.endsWith(".parquet")) moved++;
  }
  writeAtomic(join(dir, "sweep.json"), `${JSON.stringify({ name, jobs: jobs.map((j) => ({ id: j.id, model: j.model, seed: j.seed })) }, null, 1)}\n`);
  return moved;
}

export function isDone(dir: string, id: string): boolean {
  return existsSync(resultFile(dir, id));
}

/** The Parquet bytes of a job's rows (one schema for every job). */
export function rowsToParquet(rows: readonly Row[]): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "job", data: rows.map((r) => r.job), type: "STRING", nullable: false },
      { name: "model", data: rows.map((r) => r.model), type: "STRING", nullable: false },
      { name: "seed", data: Int32Array.from(rows, (r) => r.seed), type: "INT32", nullable: false },
      { name: "epoch", data: Int32Array.from(rows, (r) => r.epoch), type: "INT32", nullable: false },
      { name: "measurement", data: rows.map((r) => r.measurement), type: "STRING", nullable: false },
      { name: "value", data: Float64Array.from(rows, (r) => r.value), type: "DOUBLE", nullable: false },
      { name: "exact", data: rows.map((r) => r.exact), type: "STRING" },
      { name: "seconds", data: Float64Array.from(rows, (r) => r.seconds), type: "DOUBLE", nullable: false },
    ],
  });
  return new Uint8Array(buffer);
}

/** Records a finished job: its rows land whole (one rename), then its marks go. */
export function writeJobRows(dir: string, id: string, rows: readonly Row[]): void {
  mkdirSync(jobsDir(dir), { recursive: true });
  writeAtomic(resultFile(dir, id), rowsToParquet(rows));
  rmSync(failedFile(dir, id), { force: true });
  rmSync(runningFile(dir, id), { force: true });
}

export function writeJobFailure(dir: string, id: string, error: string, attempts = 1): void {
  mkdirSync(jobsDir(dir), { recursive: true });
  writeAtomic(failedFile(dir, id), `${JSON.stringify({ id, error, attempts, at: new Date().toISOString() })}\n`);
  rmSync(runningFile(dir, id), { force: true });
}

export function markRunning(dir: string, id: string, where = `${hostname()}:${process.pid}`): void {
  mkdirSync(jobsDir(dir), { recursive: true });
  writeAtomic(runningFile(dir, id), `${JSON.stringify({ id, where, since: new Date().toISOString() })}\n`);
}

export function clearRunning(dir: string, id: string): void {
  rmSync(runningFile(dir, id), { force: true });
}

export async function readJobRows(path: string): Promise<Row[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const objects = (await parquetReadObjects({ file })) as Record<string, unknown>[];
  return objects.map((o) => ({
    job: String(o.job),
    model: String(o.model),
    seed: Number(o.seed),
    epoch: Number(o.epoch),
    measurement: String(o.measurement),
    value: Number(o.value),
    exact: o.exact === null || o.exact === undefined ? null : String(o.exact),
    seconds: Number(o.seconds),
  }));
}

/** Every row of every finished job of the folder, by job id then in each job's order. */
export async function readResults(dir: string): Promise<Row[]> {
  if (!existsSync(jobsDir(dir))) return [];
  const files = readdirSync(jobsDir(dir))
    .filter((f) => f.endsWith(".parquet"))
    .sort();
  const out: Row[] = [];
  for (const f of files) out.push(...(await readJobRows(join(jobsDir(dir), f))));
  return out;
}

/** summary.csv from the finished jobs' files: job, measurement, value (plus seed and epoch to tell rows apart). */
export async function writeSummary(dir: string): Promise<number> {
  const rows = await readResults(dir);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ["job,measurement,value,model,seed,epoch"];
  for (const r of rows) lines.push([quote(r.job), quote(r.measurement), r.exact ?? String(r.value), quote(r.model), r.seed, r.epoch].join(","));
  writeAtomic(join(dir, "summary.csv"), `${lines.join("\n")}\n`);
  return rows.length;
}

export interface SweepStatus {
  name: string;
  total: number;
  done: string[];
  running: { id: string; where: string; since: string }[];
  failed: { id: string; error: string }[];
  pending: string[];
}

export function sweepStatus(dir: string): SweepStatus {
  const file = join(dir, "sweep.json");
  if (!existsSync(file)) throw new Error(`${dir}: not a sweep results folder (no sweep.json)`);
  const sweep = JSON.parse(readFileSync(file, "utf8")) as { name: string; jobs: { id: string }[] };
  const status: SweepStatus = { name: sweep.name, total: sweep.jobs.length, done: [], running: [], failed: [], pending: [] };
  for (const { id } of sweep.jobs) {
    if (isDone(dir, id)) status.done.push(id);
    else if (existsSync(failedFile(dir, id))) status.failed.push({ id, error: (JSON.parse(readFileSync(failedFile(dir, id), "utf8")) as { error: string }).error });
    else if (existsSync(runningFile(dir, id))) {
      const r = JSON.parse(readFileSync(runningFile(dir, id), "utf8")) as { where: string; since: string };
      status.running.push({ id, where: r.where, since: r.since });
    } else status.pending.push(id);
  }
  return status;
}
