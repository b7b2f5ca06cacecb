/**
 * The long-command rules on the queue, with a real Redis (skipped, saying so, without
 * redis-server): a split count stops at `maxCells` or `timeout` and returns a partial result
 * marked stopped whose regions are regions of the full count (exactly maxCells of them at the
 * cell limit, as one engine keeps), the jobs not started are removed from
 * the queue and the running ones stopped; and job ids carry the code that runs them: a queue
 * used by one tessera hands nothing to another (its jobs get other ids, and a worker of another
 * tessera refuses them). Workers run in this process (runWorker, one thread each).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Queue } from "bullmq";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import type { Partition } from "../../src/regions/partition.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { runQueue, runWorker } from "../../src/sweep/queue.ts";
import { expandJobs, type SweepSpec } from "../../src/sweep/spec.ts";
import { planeCountOnQueue, queueThreads, wholeCountOnQueue } from "../../src/sweep/split-count.ts";
import { freePort, redisServer } from "./redis.ts";

const server = redisServer();
const skip = server === null ? "redis-server is not installed (.ci/run installs it): the queue tests did not run" : false;
const silent = { tick() {}, stop() {} };

/** Redis on a free port for the body; stopped after. */
async function withRedis(body: (url: string) => Promise<void>): Promise<void> {
  const port = await freePort();
  const redis = spawn(server as string, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 200));
    await body(`redis://127.0.0.1:${port}`);
  } finally {
    redis.kill("SIGTERM");
  }
}

/** A worker in this process until `stop` aborts; its lines. */
function worker(url: string, stop: AbortSignal, code?: string): { lines: string[]; done: Promise<unknown> } {
  const lines: string[] = [];
  const done = runWorker(url, { queueName: "limits", concurrency: 1, signal: stop, log: (l) => lines.push(l), ...(code ? { code } : {}) });
  return { lines, done };
}

function patternSet(p: Partition & { patterns: Uint32Array; layout: { words: number } }): Set<string> {
  const w = p.layout.words;
  return new Set(Array.from({ length: p.cellCount }, (_, i) => Array.from(p.patterns.subarray(i * w, (i + 1) * w)).join(".")));
}

function assertSubset(part: Partition & { patterns: Uint32Array; layout: { words: number } }, full: Set<string>, label: string): void {
  for (const key of patternSet(part)) assert.ok(full.has(key), `${label}: a region the full count does not have`);
}

async function waitingOf(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts("waiting", "delayed", "prioritized");
  return c.waiting + c.delayed + c.prioritized;
}

test("split counts stop at --max-cells and --timeout (partial, marked, the queue cleared); job ids carry the code", { skip, timeout: 90_000 }, async (t) => {
  const before = "0.1.0+aaaaaaaaaaaa";
  const after = "0.1.1+bbbbbbbbbbbb";
  await withRedis(async (url) => {
    const stopA = new AbortController();
    const stopB = new AbortController();
    const a = worker(url, stopA.signal, before);
    let b: ReturnType<typeof worker> | null = null;
    const options = (limits: { maxCells?: number; timeout?: number }) => ({ queueName: "limits", limits, code: before });
    const queue = new Queue("limits", { connection: { host: new URL(url).hostname, port: Number(new URL(url).port) } });
    try {
      // The coordinator sees the threads serving the queue (a whole count without --split makes 4 jobs per thread).
      for (let i = 0; i < 100 && (await queueThreads(url, "limits")) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await queueThreads(url, "limits"), 1);
      // Whole-domain, cell limit: 8 jobs of 15-26 regions (152 in all), one worker taking them in turn.
      const net: Compiled = prepare(mlp([12, 6, 4, 1], { init: "he", seed: 3 }));
      const full = patternSet(wholePartition(net, { box: [0, 1], points: false }));
      const capped = await wholeCountOnQueue(url, net, { box: [0, 1], points: false }, 8, options({ maxCells: 40 }));
      assert.equal(capped.stopped, "max-cells");
      assert.equal(capped.partition.stopped, "max-cells");
      assert.equal(capped.partition.activationRegions, 40, "the first maxCells regions, as one engine keeps");
      assert.equal(capped.partition.uncertain, 0, "facets toward unfinished jobs are left out, not uncertain");
      assertSubset(capped.partition, full, "max-cells");
      assert.ok(capped.removed >= 1, `jobs not started are removed (removed ${capped.removed}, back ${capped.perJob.length})`);
      assert.equal(capped.removed + capped.abandoned + capped.perJob.length, 8);
      assert.equal(await waitingOf(queue), 0, "nothing of the count left waiting");

      // Plane, cell limit: 3 shares, each stops at 100 cells itself; the first 100 are kept.
      const plane = prepare(mlp([2, 16, 16, 16, 1], { init: "he", seed: 7 }));
      const { slice, domain } = boxSlice(-1.5, 1.5);
      const planeFull = planePartition(plane, slice, { domain });
      const planeCapped = await planeCountOnQueue(url, plane, slice, domain, 3, options({ maxCells: 100 }));
      assert.equal(planeCapped.partition.stopped, "max-cells");
      assert.equal(planeCapped.partition.cellCount, 100, "the first maxCells cells, as one engine keeps");
      assert.equal(planeCapped.partition.cellStart.length, 101);
      for (const v of planeCapped.partition.adjacency) assert.ok(v < 100, "adjacency among the cells kept");
      assertSubset(planeCapped.partition, patternSet(planeFull), "plane max-cells");

      // Whole-domain, time limit: jobs of seconds each (16-10-8-1, 27,714 regions), stopped at 1 s.
      const big = prepare(mlp([16, 10, 8, 1], { init: "he", seed: 3 }));
      const t0 = performance.now();
      const timed = await wholeCountOnQueue(url, big, { box: [0, 1], points: false }, 8, options({ timeout: 1 }));
      const seconds = (performance.now() - t0) / 1000;
      assert.equal(timed.stopped, "timeout");
      assert.equal(timed.partition.stopped, "timeout");
      assert.ok(timed.partition.activationRegions < 27714);
      assert.ok(timed.removed >= 1, `the unstarted jobs are removed (${timed.removed})`);
      assert.equal(timed.removed + timed.abandoned + timed.perJob.length, 8);
      assert.equal(await waitingOf(queue), 0);
      t.diagnostic(
        `max-cells 40: ${capped.perJob.length} of 8 jobs back (${capped.perJob.map((j) => j.regions).join(", ")}), ${capped.removed} removed; plane: ${planeCapped.partition.cellCount} cells; timeout 1 s: ${timed.partition.activationRegions} regions from ${timed.perJob.length} jobs in ${seconds.toFixed(1)} s, ${timed.removed} removed, ${timed.abandoned} abandoned`,
      );

      // The code in the ids: a sweep and a count run by the old tessera...
      const spec: SweepSpec = { name: "code", models: [{ name: "a", build: { widths: [2, 8, 8, 1], init: "he" } }], seeds: [0, 1], measurements: [{ name: "bounds", bounds: {} }] };
      const old = expandJobs(spec, "/tmp", before);
      const now = expandJobs(spec, "/tmp", after);
      for (const j of now) assert.ok(!old.some((o) => o.id === j.id), "a changed tessera changes every job id");
      const dir = mkdtempSync(join(tmpdir(), "tessera-code-"));
      try {
        assert.deepEqual(await runQueue(old, join(dir, "a"), url, silent, { queueName: "limits" }), { done: 2, failed: 0 });
        const first = await wholeCountOnQueue(url, net, { box: [0, 1], points: false }, 2, { queueName: "limits", code: before });
        // ...are not found by the new one: its jobs are not in the queue under their ids,
        for (const j of now) assert.equal(await queue.getJob(j.id), undefined);
        const completedBefore = (await queue.getJobs(["completed"])).length;
        // a worker of the old tessera refuses them, and one of the new tessera runs them.
        const sweep = runQueue(now, join(dir, "b"), url, silent, { queueName: "limits" });
        const count = wholeCountOnQueue(url, net, { box: [0, 1], points: false }, 2, { queueName: "limits", code: after });
        for (let i = 0; i < 400 && !a.lines.some((l) => l.includes(`made by tessera ${after}`)); i++) await new Promise((r) => setTimeout(r, 25));
        assert.ok(
          a.lines.some((l) => l.includes(`made by tessera ${after}`) && l.includes(`runs ${before}`)),
          a.lines.join("\n"),
        );
        stopA.abort();
        await a.done;
        b = worker(url, stopB.signal, after);
        assert.deepEqual(await sweep, { done: 2, failed: 0 });
        const second = await count;
        assert.equal(second.partition.activationRegions, first.partition.activationRegions);
        // Two sweep jobs and two shares ran again under new ids, none taken from the old ones.
        assert.equal((await queue.getJobs(["completed"])).length, completedBefore + 4);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await queue.close();
      stopA.abort();
      stopB.abort();
      await Promise.all([a.done, b?.done]);
    }
  });
});
