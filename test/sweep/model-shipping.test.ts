/**
 * Model files travel with the queue's jobs (model-store.ts): the coordinator stores the network
 * in Redis, the file is then moved away, and a worker started in another folder runs the job from
 * Redis alone, with the local run's rows. A model file the coordinator cannot read (it appears
 * only later, on the "shared folder") is still read by the worker at its path. Skipped, saying
 * so, where redis-server is not installed.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import type { Row } from "../../src/sweep/job.ts";
import { redisConnection, runQueue } from "../../src/sweep/queue.ts";
import { readResults } from "../../src/sweep/results.ts";
import { runLocal } from "../../src/sweep/run-local.ts";
import { expandJobs, type SweepSpec } from "../../src/sweep/spec.ts";
import { freePort, redisServer, watch } from "./redis.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const silent = { tick() {}, stop() {} };
const server = redisServer();
const comparable = (rows: Row[]) => rows.map((r) => `${r.job}|${r.epoch}|${r.measurement}|${r.value}|${r.exact}`).sort();

test("queued model files: a worker that cannot see the file runs the job from Redis; a later file on the shared folder is read at its path", {
  skip: server === null ? "redis-server is not installed (.ci/run installs it): the queue tests did not run" : false,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-ship-"));
  const elsewhere = mkdtempSync(join(tmpdir(), "tessera-ship-worker-"));
  const port = await freePort();
  const redis = spawn(server as string, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let worker: ChildProcess | null = null;
  try {
    mkdirSync(join(dir, "models"));
    mkdirSync(join(dir, "shared"));
    const shipped = stringifyNetwork(mlp([2, 12, 12, 2], { init: "he", seed: 3 }));
    const late = stringifyNetwork(mlp([2, 10, 10, 1], { init: "he", seed: 4 }));
    const spec: SweepSpec = {
      name: "ship-test",
      models: [
        { name: "shipped", file: "models/m.json" },
        { name: "late", file: "shared/late.json" },
      ],
      measurements: [
        { name: "box", count: { box: [-2, 2] } },
        { name: "bounds", bounds: {} },
      ],
    };
    writeFileSync(join(dir, "models", "m.json"), shipped);
    const jobs = expandJobs(spec, dir);
    assert.equal(jobs.length, 2);

    // The expected rows, with both files in place.
    writeFileSync(join(dir, "shared", "late.json"), late);
    const localDir = join(dir, "local");
    assert.deepEqual(await runLocal(jobs, localDir, 1, silent), { done: 2, failed: 0 });
    const expected = await readResults(localDir);
    rmSync(join(dir, "shared", "late.json"));

    const url = `redis://127.0.0.1:${port}`;
    const queueDir = join(dir, "queue");
    const coordinator = runQueue(jobs, queueDir, url, silent, { queueName: "ship" });
    // Once both jobs are on the queue (the network stored before), the file goes away and the
    // late one appears: the worker must take the first from Redis and read the second's path.
    const queue = new Queue("ship", { connection: redisConnection(url) });
    try {
      for (let tries = 0; (await queue.getJobCounts("waiting")).waiting < 2; tries++) {
        assert.ok(tries < 600, "the coordinator did not queue the jobs");
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await queue.close();
    }
    renameSync(join(dir, "models"), join(dir, "moved"));
    writeFileSync(join(dir, "shared", "late.json"), late);
    worker = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(root, "src/cli/main.ts"), "worker", url, "--queue-name", "ship", "--concurrency", "1", "--exit-when-idle"],
      {
        cwd: elsewhere,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const lines = watch(worker).lines;
    const counts = await coordinator;
    assert.deepEqual(counts, { done: 2, failed: 0 }, lines.join("\n"));
    assert.deepEqual(comparable(await readResults(queueDir)), comparable(expected));
  } finally {
    if (worker && worker.exitCode === null) worker.kill("SIGKILL");
    redis.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
