/**
 * TensorFlow.js layers models (fixtures written by scripts/make-onnx-fixtures.py in the format
 * tfjs writes): forward passes agree with an equivalent torch model, and bad models give one line.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InputError, loadModel } from "../../src/io/files.ts";
import { FormatError } from "../../src/io/network-json.ts";
import { importTfjs } from "../../src/io/tfjs/import.ts";
import { FIXTURES, readReference, worstRelativeError } from "./helpers.ts";

for (const name of ["mlp", "cnn"]) {
  test(`tfjs ${name}: forward agrees with the torch equivalent to 1e-6 relative`, () => {
    const net = loadModel(join(FIXTURES, "tfjs", name, "model.json"));
    const ref = readReference(join(FIXTURES, "tfjs", name, "reference.json"));
    assert.ok(worstRelativeError(net, ref) < 1e-6);
    assert.notDeepEqual(ref.outputs[0], ref.outputs[1]);
  });
}

test("tfjs cnn keeps the channels-last input layout and adds the transposes", () => {
  const net = loadModel(join(FIXTURES, "tfjs", "cnn", "model.json"));
  assert.deepEqual(net.inputShape, [6, 6, 2]);
  assert.equal(net.layers[0].type, "transpose");
  const types = net.layers.map((l) => l.type);
  for (const t of ["conv2d", "batch-norm", "residual", "max-pool", "avg-pool", "flatten", "dense"]) assert.ok(types.includes(t as never), t);
});

function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tessera-tfjs-"));
  for (const f of ["model.json", "group1-shard1of1.bin"]) copyFileSync(join(FIXTURES, "tfjs", name, f), join(dir, f));
  return dir;
}

function loadError(path: string, pattern: RegExp): void {
  assert.throws(
    () => loadModel(path),
    (e: unknown) => e instanceof InputError && pattern.test(e.message) && !e.message.includes("\n"),
  );
}

test("tfjs errors: missing or short weight file, unsupported layer, non-piecewise-linear activation, missing weight", () => {
  let dir = copyFixture("mlp");
  writeFileSync(join(dir, "group1-shard1of1.bin"), new Uint8Array(10));
  loadError(join(dir, "model.json"), /10 bytes, the manifest describes 284/);
  dir = copyFixture("mlp");
  const doc = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  doc.weightsManifest[0].paths = ["missing.bin"];
  writeFileSync(join(dir, "model.json"), JSON.stringify(doc));
  loadError(join(dir, "model.json"), /missing\.bin: cannot read weight file/);

  const base = JSON.parse(readFileSync(join(FIXTURES, "tfjs", "mlp", "model.json"), "utf8"));
  const weights = [new Uint8Array(readFileSync(join(FIXTURES, "tfjs", "mlp", "group1-shard1of1.bin")))];
  const withLayer = (i: number, change: (c: Record<string, unknown>) => void): unknown => {
    const d = structuredClone(base);
    change(d.modelTopology.config.layers[i]);
    return d;
  };
  const fails = (doc: unknown, pattern: RegExp): void =>
    assert.throws(
      () => importTfjs(doc, weights),
      (e: unknown) => e instanceof FormatError && pattern.test(e.message),
    );
  fails(
    withLayer(1, (l) => ((l.config as Record<string, unknown>).activation = "tanh")),
    /layer "dense" \(Dense\): activation "tanh" is not piecewise linear/,
  );
  fails(
    withLayer(3, (l) => (l.class_name = "LSTM")),
    /layer "leaky_re_lu" \(LSTM\): Keras layer LSTM is not supported/,
  );
  fails(
    withLayer(1, (l) => ((l.config as Record<string, unknown>).units = 7)),
    /weight "dense\/kernel" has shape \[3, 6\], expected \[3, 7\]/,
  );
  fails(
    {
      modelTopology: { class_name: "Sequential", config: { layers: "x" } },
      weightsManifest: [],
    },
    /expected the Sequential model's layers/,
  );
});
