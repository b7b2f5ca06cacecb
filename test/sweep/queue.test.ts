/**
 * Many machines, for real: a Redis server on a free local port, a sweep of 21 jobs (one with a
 * bad model) on its BullMQ queue, two `tessera worker` processes, the first killed with SIGKILL in
 * the middle of a job. The results must hold exactly the local run's rows, each once; the bad
 * job fails once, not retried; a plane count split into 3 share jobs on the same queue joins
 * into the one-engine partition, and a whole-domain count split into 4 sign-prefix jobs into one
 * engine's count (regions, facets, adjacency pairs, linear pieces). Skipped, saying so, where redis-server is not installed.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import type { Row } from "../../src/sweep/job.ts";
import { runQueue } from "../../src/sweep/queue.ts";
import { readResults } from "../../src/sweep/results.ts";
import { runLocal } from "../../src/sweep/run-local.ts";
import { expandJobs, type SweepSpec } from "../../src/sweep/spec.ts";
import { planeCountOnQueue, wholeCountOnQueue } from "../../src/sweep/split-count.ts";
import { freePort, redisServer, watch } from "./redis.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const silent = { tick() {}, stop() {} };

const key = (r: Row) => `${r.job}|${r.epoch}|${r.measurement}`;
const comparable = (rows: Row[]) => rows.map((r) => `${key(r)}|${r.value}|${r.exact}`).sort();

const server = redisServer();

test("sweep on a BullMQ queue: 2 workers, one killed mid-job, same rows as the local run, each once", {
  skip: server === null ? "redis-server is not installed (.ci/run installs it): the queue tests did not run" : false,
  timeout: 240_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-queue-"));
  const port = await freePort();
  const redis = spawn(server as string, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const workers: ChildProcess[] = [];
  try {
    writeFileSync(join(dir, "bad.json"), "{ not a model");
    const spec: SweepSpec = {
      name: "queue-test",
      models: [
        { name: "a", build: { widths: [2, 24, 24, 2], init: "he" } },
        { name: "b", build: { widths: [2, 16, 16, 16, 2], init: "he" } },
        { name: "bad", file: "bad.json" },
      ],
      seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      measurements: [
        { name: "box", count: { box: [-2, 2] } },
        {
          name: "diagonal",
          count: {
            line: [
              [-2, -2],
              [2, 2],
            ],
          },
        },
        { name: "bounds", bounds: {} },
      ],
    };
    const jobs = expandJobs(spec, dir);
    assert.equal(jobs.length, 21);
    const good = jobs.filter((j) => j.model !== "bad");

    const localDir = join(dir, "local");
    let t0 = performance.now();
    const local = await runLocal(good, localDir, 2, silent);
    const localSeconds = (performance.now() - t0) / 1000;
    assert.deepEqual(local, { done: 20, failed: 0 });
    const expected = await readResults(localDir);

    const url = `redis://127.0.0.1:${port}`;
    const queueDir = join(dir, "queue");
    t0 = performance.now();
    const coordinator = runQueue(jobs, queueDir, url, silent, { queueName: "test" });
    // A plane count split into 3 share jobs on the same queue, joined here.
    const splitNet = prepare(mlp([2, 16, 16, 16, 1], { init: "he", seed: 7 }));
    const { slice, domain } = boxSlice(-1.5, 1.5);
    const split = planeCountOnQueue(url, splitNet, slice, domain, 3, { queueName: "test" });
    // A whole-domain count (12 inputs) split into 4 sign-prefix jobs on the same queue.
    const wholeNet = prepare(mlp([12, 6, 4, 1], { init: "he", seed: 3 }));
    const wholeSplit = wholeCountOnQueue(url, wholeNet, { box: [0, 1], points: false }, 4, { queueName: "test" });
    const worker = () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(root, "src/cli/main.ts"), "worker", url, "--queue-name", "test", "--concurrency", "1", "--lock-seconds", "2", "--exit-when-idle"],
        { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
      );
      workers.push(child);
      return watch(child);
    };
    // Worker A takes a job; then B starts; A is killed as it starts its second job.
    const a = worker();
    await a.until(/started/, 60_000);
    const b = worker();
    const done = await a.until(/: done,/, 60_000);
    const second = await a.until(/worker: (?!bad-)\S+: started/, 60_000, a.lines.indexOf(done) + 1);
    workers[0].kill("SIGKILL");
    const killedJob = (second.match(/worker: (\S+): started/) as RegExpMatchArray)[1];
    const counts = await coordinator;
    const joined = (await split).partition;
    const wholeJoined = await wholeSplit;
    const queueSeconds = (performance.now() - t0) / 1000;
    const exitB = await new Promise<number | null>((resolve) => {
      if (workers[1].exitCode !== null) resolve(workers[1].exitCode);
      else workers[1].once("exit", (code) => resolve(code));
    });

    assert.deepEqual(counts, { done: 20, failed: 1 });
    assert.equal(exitB, 0, b.lines.join("\n"));
    const rows = await readResults(queueDir);
    const keys = rows.map(key);
    assert.equal(new Set(keys).size, keys.length, "a row appears twice");
    assert.deepEqual(comparable(rows), comparable(expected));
    // The killed worker's job was run again by B, after its lock expired; unless A had already
    // finished it in the instant between its "started" line and the kill (a job of a few
    // milliseconds), in which case its rows are A's, still exactly once (checked above).
    const finishedByA = a.lines.some((l) => l.includes(`${killedJob}: done`));
    assert.ok(
      finishedByA || b.lines.some((l) => l.includes(`${killedJob}: done`)),
      `${killedJob} finished by neither worker:\nA:\n${a.lines.join("\n")}\nB:\n${b.lines.join("\n")}`,
    );
    // The bad model failed once, its error recorded, never retried.
    const bad = jobs.find((j) => j.model === "bad")?.id as string;
    const failure = JSON.parse(readFileSync(join(queueDir, "jobs", `${bad}.failed.json`), "utf8"));
    assert.match(failure.error, /bad/);
    const alone = planePartition(splitNet, slice, { domain });
    assert.equal(joined.activationRegions, alone.activationRegions);
    assert.equal(joined.linearPieces, alone.linearPieces);
    assert.deepEqual(joined.patterns, alone.patterns);
    assert.deepEqual(joined.adjacency, alone.adjacency);
    assert.deepEqual(joined.areas, alone.areas);
    const wholeAlone = wholePartition(wholeNet, { box: [0, 1], points: false });
    assert.equal(wholeJoined.jobs, 4);
    assert.equal(wholeJoined.partition.uncertain, 0);
    assert.equal(wholeJoined.partition.activationRegions, wholeAlone.activationRegions);
    assert.equal(wholeJoined.partition.facetCount, wholeAlone.facetCount);
    assert.equal(wholeJoined.partition.linearPieces, wholeAlone.linearPieces);
    const patternPairs = (p: typeof wholeAlone) => {
      const name = (i: number) => Array.from(p.patterns.subarray(i * p.layout.words, (i + 1) * p.layout.words)).join(".");
      return Array.from({ length: p.adjacency.length / 2 }, (_, e) => [name(p.adjacency[2 * e]), name(p.adjacency[2 * e + 1])].sort().join(" ")).sort();
    };
    assert.deepEqual(patternPairs(wholeJoined.partition), patternPairs(wholeAlone));
    const byA = a.lines.filter((l) => l.includes(": done,")).length;
    const byB = b.lines.filter((l) => l.includes(": done,")).length;
    t.diagnostic(`split count: ${joined.activationRegions} regions from 3 share jobs, the same arrays as one engine's`);
    t.diagnostic(
      `whole split: ${wholeJoined.partition.activationRegions} regions (${wholeJoined.perJob.map((j) => j.regions).join(" + ")}) from 4 jobs, join ${wholeJoined.joinSeconds.toFixed(2)} s, the one engine's count`,
    );
    t.diagnostic(
      `local: 20 jobs on 2 threads in ${localSeconds.toFixed(1)} s; queue: 21 jobs in ${queueSeconds.toFixed(1)} s (worker start-up included), A finished ${byA} (jobs and shares) before being killed in ${killedJob}, B finished ${byB}; ${rows.length} rows, none twice`,
    );
    const badStarts = [...a.lines, ...b.lines].filter((l) => l.includes(`${bad}: started`)).length;
    assert.equal(badStarts, 1);
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
    redis.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});
