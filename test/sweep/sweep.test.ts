/**
 * `tessera sweep` on this machine's threads: a YAML spec expands into jobs with stable ids, each
 * job's rows land in one Parquet file that reads back, summary.csv holds the same rows, a second
 * run skips what is done, `sweep status` says so, and a bad spec is one line.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { prepareDir, readResults, writeJobFailure, writeJobRows, writeSummary } from "../../src/sweep/results.ts";
import { checkSpec, expandJobs, type SweepSpec } from "../../src/sweep/spec.ts";
import { tessera } from "../cli/cli-harness.ts";

const spec: SweepSpec = {
  models: [{ build: { widths: [2, 6, 6, 1], init: "he" } }, { name: "wide", build: { widths: [2, 12, 1] } }],
  seeds: [0, 1],
  measurements: [
    { name: "box", count: { box: [-1, 1] } },
    {
      name: "segment",
      count: {
        line: [
          [-1, 0],
          [1, 0.5],
        ],
      },
    },
    { name: "density", lineDensity: { segments: 5, box: [-1, 1] } },
  ],
};

test("job ids are stable, and change with what determines the rows", () => {
  const a = expandJobs(spec, "/tmp");
  assert.deepEqual(
    a.map((j) => j.id.replace(/-[0-9a-f]{12}$/, "")),
    ["2-6-6-1-s0", "2-6-6-1-s1", "wide-s0", "wide-s1"],
  );
  assert.deepEqual(
    expandJobs(structuredClone(spec), "/tmp").map((j) => j.id),
    a.map((j) => j.id),
  );
  const changed = structuredClone(spec);
  changed.measurements[0].count = { box: [-2, 2] };
  assert.ok(expandJobs(changed, "/tmp").every((j, i) => j.id !== a[i].id));
  assert.throws(() => checkSpec({ models: [{ build: { widths: [2] } }], measurements: [{ name: "x", bounds: {} }] }), /models\[0\]\.build\.widths/);
  assert.throws(() => checkSpec({ models: [{ file: "m.json" }], measurements: [{ name: "x", bounds: {}, count: { box: [0, 1] } }] }), /exactly one of/);
});

test("tessera sweep: Parquet per job, summary.csv, a second run skips, status", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-sweep-"));
  try {
    const yaml = [
      "models:",
      "  - build: { widths: [2, 6, 6, 1], init: he }",
      "  - name: wide",
      "    build: { widths: [2, 12, 1] }",
      "seeds: [0, 1]",
      "measurements:",
      "  - { name: box, count: { box: [-1, 1] } }",
      "  - { name: segment, count: { line: [[-1, 0], [1, 0.5]] } }",
      "  - { name: density, lineDensity: { segments: 5, box: [-1, 1] } }",
    ].join("\n");
    writeFileSync(join(dir, "s.yaml"), yaml);
    const first = await tessera(["sweep", "s.yaml", "--out", "res", "--workers", "2", "--json"], dir);
    assert.equal(first.code, 0, first.stderr);
    const outcome = JSON.parse(first.stdout);
    assert.equal(outcome.jobs, 4);
    assert.equal(outcome.done, 4);
    assert.equal(outcome.rows, 4 * 6);
    const files = readdirSync(join(dir, "res", "jobs"));
    assert.equal(files.filter((f) => f.endsWith(".parquet")).length, 4);
    assert.ok(
      files.every((f) => f.endsWith(".parquet")),
      files.join(" "),
    );

    const rows = await readResults(join(dir, "res"));
    assert.equal(rows.length, 24);
    const ids = expandJobs(spec, dir).map((j) => j.id);
    assert.deepEqual([...new Set(rows.map((r) => r.job))].sort(), [...ids].sort());
    for (const r of rows) assert.ok(r.value > 0 && Number.isFinite(r.value), `${r.job} ${r.measurement} ${r.value}`);
    const summary = readFileSync(join(dir, "res", "summary.csv"), "utf8")
      .trim()
      .split("\n");
    assert.equal(summary[0], "job,measurement,value,model,seed,epoch");
    assert.equal(summary.length, 25);
    assert.ok(summary.includes(`${rows[0].job},${rows[0].measurement},${rows[0].value},${rows[0].model},${rows[0].seed},0`));

    const again = await tessera(["sweep", "s.yaml", "--out", "res", "--json"], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).skipped, 4);
    const status = await tessera(["sweep", "status", "--out", "res"], dir);
    assert.match(status.stdout, /4 jobs: 4 done, 0 running, 0 failed, 0 pending/);

    writeFileSync(join(dir, "bad.json"), JSON.stringify({ models: [{ build: { widths: [2, 3, 1] } }], measurements: [{ name: "m" }] }));
    const bad = await tessera(["sweep", "bad.json"], dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    assert.match(bad.stderr, /^tessera: bad\.json: measurements\[0\] \(m\): exactly one of/);
    assert.ok(!existsSync(join(dir, "bad.results")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a folder reused by another tessera: the old jobs' results move to superseded/, summary.csv holds no row twice", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-sweep-code-"));
  try {
    const row = (job: string) => ({ job, model: "m", seed: 0, epoch: 0, measurement: "box", value: 1, exact: null, seconds: 0 });
    const before = expandJobs(spec, "/tmp", "0.1.0+aaaaaaaaaaaa");
    assert.equal(prepareDir(dir, "s", before), 0);
    for (const j of before) writeJobRows(dir, j.id, [row(j.id)]);
    writeJobFailure(dir, "stale-job", "boom");
    const after = expandJobs(spec, "/tmp", "0.1.0+bbbbbbbbbbbb");
    writeJobRows(dir, after[0].id, [row(after[0].id)]);
    assert.equal(prepareDir(dir, "s", after), before.length);
    assert.deepEqual(readdirSync(join(dir, "jobs")), [`${after[0].id}.parquet`]);
    assert.equal(readdirSync(join(dir, "superseded")).length, before.length + 1);
    assert.equal(await writeSummary(dir), 1);
    assert.deepEqual(
      (await readResults(dir)).map((r) => r.job),
      [after[0].id],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
