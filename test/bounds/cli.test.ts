import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { tesseraInProcess } from "../cli/cli-harness.ts";

/** Run the CLI in-process (spawning tsx costs seconds per call), through the shared harness. */
async function tessera(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const r = await tesseraInProcess(args);
  return { status: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

test("tessera bounds --json prints one array with the contract fields", async () => {
  const r = await tessera("bounds", "--input", "2", "--widths", "8,8,8", "--json");
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.ok(Array.isArray(rows));
  for (const row of rows) {
    for (const field of ["id", "kind", "value", "applies", "citation"]) assert.ok(field in row, `${row.id} lacks ${field}`);
    if (!row.applies) assert.equal(typeof row.reason, "string");
  }
  const byId = new Map(rows.map((x: { id: string }) => [x.id, x]));
  assert.equal((byId.get("montufar2014-lower") as unknown as { value: string }).value, "9472");
  assert.equal((byId.get("serra2018-lower") as unknown as { value: string }).value, "23125");
});

test("bad input: one line, exit 1, no stack trace", async () => {
  for (const args of [
    ["--input", "2", "--widths", "4,x"],
    ["--input", "2", "--widths", "4", "--activation", "tanh"],
    ["--conv", "n=3,f=5,filters=2"],
  ]) {
    const r = await tessera("bounds", ...args);
    assert.equal(r.status, 1, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /^tessera: /);
  }
});

test("--sweep writes its chart atomically and lists every depth", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-bounds-"));
  const out = join(dir, "sweep.svg");
  const r = await tessera("bounds", "--sweep", "--input", "10", "--neurons", "60", "--out", out, "--json");
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(
    rows.map((x: { depth: number }) => x.depth),
    [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60],
  );
  const three = rows[2].bounds.find((b: { id: string }) => b.id === "serra2018-upper");
  assert.equal(three.value, "234503869074896296");
  assert.ok(existsSync(out));
  assert.match(readFileSync(out, "utf8"), /^<svg/);
});
