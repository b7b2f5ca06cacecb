import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { spread } from "../../src/report/html-report.ts";
import { tesseraInProcess } from "../cli/cli-harness.ts";

/** Run the CLI in this process, through the shared harness. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await tesseraInProcess(argv);
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

test("report of a run: one self-contained page with maps, animation, charts and PNG buttons", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-report-"));
  try {
    const dir = join(base, "run");
    const t = await cli([
      "train",
      "--data",
      "moons",
      "--count",
      "200",
      "--widths",
      "2,8,8,2",
      "--epochs",
      "3",
      "--track",
      "plane,lines,distance",
      "--lines",
      "4",
      "--out",
      dir,
      "--json",
    ]);
    assert.equal(t.code, 0, t.stderr);
    const summary = JSON.parse(t.stdout);
    assert.deepEqual(
      summary.records.map((r: { epoch: number }) => r.epoch),
      [0, 1, 2, 3],
    );
    const file = join(base, "r.html");
    const r = await cli(["report", dir, "-o", file, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.maps, 4);
    const html = readFileSync(file, "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script[^>]+src=/);
    assert.doesNotMatch(html, /(src|href)="https?:/);
    assert.equal(html.match(/class="frame"/g)?.length, 4);
    assert.ok((html.match(/class="png"/g)?.length ?? 0) >= 6);
    for (const heading of ["Region maps", "Evolution", "Regions over epochs", "Distance from data points", "Loss and accuracy", "Bounds of the architecture"])
      assert.ok(html.includes(heading), heading);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("report of a model file, and clear errors", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-report-"));
  try {
    const model = join(base, "m.json");
    writeFileSync(model, stringifyNetwork(mlp([2, 5, 1], { seed: 1 })));
    const r = await cli(["report", model, "-o", join(base, "m.html"), "--box", "-2,2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).maps, 1);
    const missing = await cli(["report", join(base, "nope"), "-o", join(base, "x.html")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such run directory or model file/);
    const noOut = await cli(["report", model]);
    assert.equal(noOut.code, 1);
    assert.match(noOut.stderr, /say what to write: -o FILE.html, --metrics FILE or --cells FILE/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("spread picks evenly with both ends", () => {
  assert.deepEqual(spread([1, 2, 3, 4, 5, 6, 7], 3), [1, 4, 7]);
  assert.deepEqual(spread([1, 2], 4), [1, 2]);
});
