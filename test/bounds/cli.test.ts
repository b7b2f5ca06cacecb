import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

test("tessera bounds on a conv + relu model adds the convolutional bounds; --conv takes HxW sizes and per-layer f, s", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-conv-bounds-"));
  const file = join(dir, "convnet.json");
  const filter = (v: number) => [
    [
      [v, -v],
      [0.5, v],
    ],
  ];
  const model = {
    format: "tessera.network",
    version: 1,
    inputShape: [1, 4, 5],
    layers: [
      { type: "conv2d", weight: [filter(1), filter(-2)], bias: [0.1, -0.2] },
      { type: "relu" },
      { type: "conv2d", weight: [[filter(1)[0], filter(3)[0]]], stride: [1, 2] },
      { type: "relu" },
      { type: "flatten" },
      { type: "dense", weight: [[1, 1, 1, 1]], bias: [0] },
    ],
  };
  writeFileSync(file, JSON.stringify(model));
  const fromModel = await tessera("bounds", file, "--json", "--cgrad", "1", "--cbias", "1");
  assert.equal(fromModel.status, 0, fromModel.stderr);
  const fromSpec = await tessera("bounds", "--conv", "n=4x5,d0=1,f=2,s=1,1x2,filters=2,1", "--json", "--cgrad", "1", "--cbias", "1");
  assert.equal(fromSpec.status, 0, fromSpec.stderr);
  const pick = (text: string) => new Map((JSON.parse(text) as { id: string; value: string }[]).filter((r) => r.id.startsWith("xiong2020")).map((r) => [r.id, r.value]));
  const a = pick(fromModel.stdout);
  assert.deepEqual([...a.keys()], ["xiong2020-single", "xiong2020-single-upper", "xiong2020-upper", "xiong2020-upper-bottleneck", "xiong2020-lower"]);
  assert.deepEqual(a, pick(fromSpec.stdout));
  const table = await tessera("bounds", file, "--cgrad", "1", "--cbias", "1");
  assert.match(table.stdout, /a conv stack: 4x5x1 input, 2x2 filters, stride 1,1x2, filters 2,1/);
  const padded = { ...model, layers: [{ ...model.layers[0], padding: [1, 1, 1, 1] }, ...model.layers.slice(1)] };
  writeFileSync(file, JSON.stringify({ ...padded, layers: padded.layers.slice(0, 2).concat([{ type: "flatten" }]) }));
  const notPlain = await tessera("bounds", file, "--json", "--cgrad", "1", "--cbias", "1");
  assert.equal(notPlain.status, 0, notPlain.stderr);
  assert.equal(pick(notPlain.stdout).size, 0, "a padded conv is not Xiong et al.'s architecture");
  const bad = await tessera("bounds", "--conv", "n=4x5,f=2,s=1,1,1,filters=2,1");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^tessera: --conv: s takes one value or one per layer \(2\), got 3/);
});

test("tessera bounds MODEL --box counts a 3-input model with the space engine, the same count as tessera count", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-bounds-space-"));
  const file = join(dir, "mlp3.json");
  assert.equal((await tessera("build", "mlp", "--widths", "3,6,5,1", "--seed", "4", "--out", file)).status, 0);
  const bounds = await tessera("bounds", file, "--box", "-1,1", "--json", "--cgrad", "1", "--cbias", "1");
  assert.equal(bounds.status, 0, bounds.stderr);
  const row = (JSON.parse(bounds.stdout) as { id: string; value: string; applies: boolean; details?: { engine: string } }[]).find((r) => r.id === "model-count");
  assert.equal(row?.applies, true);
  assert.equal(row?.details?.engine, "space");
  const count = await tessera("count", file, "--box", "-1,1", "--json");
  assert.equal(count.status, 0, count.stderr);
  assert.equal(row?.value, String(JSON.parse(count.stdout).activationRegions));
  const serra = (JSON.parse(bounds.stdout) as { id: string; value: string }[]).find((r) => r.id === "serra2018-upper-rank");
  assert.ok(BigInt(row?.value ?? "0") <= BigInt(serra?.value ?? "0"));
});
