/**
 * A whole-domain count split across `tessera worker` processes (docs/scale.md, "Measured: a split
 * count on 1 and 2 workers"): the same count on a queue served by one worker process and on one
 * served by two (each one job at a time), alternated, after a warm-up round on each. Starts its
 * own redis-server on a free local port and its three workers, and stops them.
 *
 *   node --import tsx bench/split-queue.ts [MODEL.json|trained] [JOBS=8] [ROUNDS=3]
 *
 * `trained` (the default): the trained 784-6-6-10 of bench/whole-lp.bench.ts (MNIST, 2 epochs;
 * 1,258 regions over [0,1]^784), trained first (about 5 CPU s).
 *
 * Per round: the coordinator's wall time from the first job queued to the last result, the CPU
 * seconds of every job (its worker thread), the CPU of the worker processes (from /proc: the jobs
 * plus the queue's work), and the load average. Run it on a quiet machine: the two workers need
 * both cores.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { loadModel } from "../src/io/files.ts";
import { prepare } from "../src/model/forward.ts";
import { wholeCountOnQueue } from "../src/sweep/split-count.ts";
import { freePort, redisServer } from "../test/sweep/redis.ts";
import { trainedWhole, wholeTrainingSet } from "./whole-trained.ts";

const [path = "trained", jobsText = "8", roundsText = "3"] = process.argv.slice(2);
const server = redisServer();
if (server === null) {
  console.error("split-queue: redis-server is not installed: nothing measured");
  process.exit(1);
}
const root = fileURLToPath(new URL("..", import.meta.url));
const compiled = prepare(path === "trained" ? trainedWhole(6, await wholeTrainingSet()) : loadModel(path));
const domain = { box: [0, 1] as [number, number], points: false };
const jobs = Number(jobsText);
const rounds = Number(roundsText);

/** User + system CPU seconds of a process, from /proc (Linux). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const port = await freePort();
const redis = spawn(server, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
const url = `redis://127.0.0.1:${port}`;
const workers: { queue: string; child: ChildProcess }[] = [];
const startWorker = (queue: string) => {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), "worker", url, "--queue-name", queue, "--concurrency", "1"], {
    cwd: root,
    stdio: "ignore",
  });
  workers.push({ queue, child });
};
try {
  await new Promise((r) => setTimeout(r, 300));
  startWorker("split-1");
  startWorker("split-2");
  startWorker("split-2");
  const rows: string[] = [];
  const walls: Record<string, number[]> = { "split-1": [], "split-2": [] };
  for (let round = 0; round <= rounds; round++) {
    for (const queueName of ["split-1", "split-2"]) {
      // Completed shares would be found again under the same ids: a fresh count every round.
      const q = new Queue(queueName, { connection: { host: "127.0.0.1", port } });
      await q.clean(0, 100_000, "completed");
      await q.close();
      const pids = workers.filter((w) => w.queue === queueName).map((w) => w.child.pid as number);
      const cpu0 = pids.map(processCpu);
      const load0 = loadavg()[0];
      const run = await wholeCountOnQueue(url, compiled, domain, jobs, { queueName });
      const cpu = pids.map((pid, i) => processCpu(pid) - cpu0[i]);
      const perJob = run.perJob.map((j) => j.cpuSeconds);
      const sum = perJob.reduce((a, b) => a + b, 0);
      const label = round === 0 ? "warm-up" : String(round);
      if (round > 0) walls[queueName].push(run.queueSeconds);
      rows.push(
        `| ${label} | ${queueName === "split-1" ? 1 : 2} | ${run.queueSeconds.toFixed(2)} | ${sum.toFixed(2)} (${Math.min(...perJob).toFixed(2)}-${Math.max(...perJob).toFixed(2)}) | ${cpu.map((c) => c.toFixed(2)).join(" + ")} | ${run.partition.activationRegions} | ${load0.toFixed(1)}-${loadavg()[0].toFixed(1)} |`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${path}: ${jobs} jobs, ${rounds} rounds alternated\n`);
  console.log("| round | workers | wall s (queue to last result) | jobs' CPU s: sum (min-max) | worker processes' CPU s | regions | load |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
  const w1 = median(walls["split-1"]);
  const w2 = median(walls["split-2"]);
  console.log(`\nmedian wall: 1 worker ${w1.toFixed(2)} s, 2 workers ${w2.toFixed(2)} s: ${(w1 / w2).toFixed(2)}x`);
} finally {
  for (const w of workers) w.child.kill("SIGTERM");
  redis.kill("SIGTERM");
}
