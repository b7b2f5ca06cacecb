/**
 * Non-finite numbers never enter a network (issue 12, item 3): NaN and infinities in ONNX
 * tensors (raw_data of float32 / float64, float_data, double_data, Constant nodes), attributes
 * (LeakyRelu alpha), numbers an import computes (a scale that overflows), TensorFlow.js weight
 * files and config numbers, and tessera JSON: each is refused with one line naming the tensor,
 * attribute or layer. The intact models load.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadModel } from "../../src/io/files.ts";
import { assertFiniteNetwork } from "../../src/io/finite.ts";
import { FormatError, parseNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { FIXTURES } from "./helpers.ts";
import { onnxModel, type TensorSpec } from "./onnx-builder.ts";

const W = [1, -2, 0.5, 3, 0, -1, 2, 1];

/** 2 -> 4 (relu) -> 1 with weight W, its encoding and the LeakyRelu alpha chosen. */
function model(w: number[], as: TensorSpec["as"], alpha = 0.1, scale = 1): Uint8Array {
  return onnxModel({
    inputShape: ["N", 2],
    nodes: [
      { op: "Gemm", inputs: ["x", "W", "C"], name: "g" },
      { op: "Mul", inputs: ["t0", "s"], name: "m" },
      { op: "LeakyRelu", inputs: ["t1"], name: "act" },
      { op: "Gemm", inputs: ["t2", "W2"], name: "out" },
    ],
    initializers: [
      { name: "W", dims: [2, 4], values: w, as },
      { name: "C", dims: [4], values: [0, 0.1, -0.2, 0.3], as },
      { name: "s", dims: [1], values: [scale], as: "raw64" },
      { name: "W2", dims: [4, 1], values: [1, 1, 1, 1], as: "raw64" },
    ],
    floatAttrs: { act: { alpha } },
  });
}

const refused = (read: () => unknown, pattern: RegExp): void => {
  assert.throws(read, (e: unknown) => {
    assert.ok(e instanceof FormatError, String(e));
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
};

test("ONNX: NaN and infinities in every tensor encoding are refused, naming the initializer", () => {
  assert.equal(importOnnx(model(W, "raw32")).network.layers.length > 0, true, "the intact model loads");
  for (const as of ["raw32", "raw64", "floatData", "doubleData"] as const) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const w = W.slice();
      w[5] = bad;
      refused(() => importOnnx(model(w, as)), new RegExp(`initializer "W": value 5 is ${String(bad).replace("+", "")}; tessera accepts finite numbers only`));
    }
  }
});

test("ONNX: a NaN attribute, a NaN Constant and a computed overflow are refused", () => {
  refused(() => importOnnx(model(W, "raw32", Number.NaN)), /node "act" \(LeakyRelu\): attribute alpha: its value is NaN/);
  // The Mul folded into the first dense layer: 3 x 1e308 overflows to Infinity.
  refused(() => importOnnx(model(W, "raw32", 0.1, 1e308)), /^layer 0 \(dense\) weight: value \d+ is -?Infinity/);
  const constant = onnxModel({
    inputShape: ["N", 2],
    nodes: [
      { op: "Constant", inputs: [], outputs: ["k"], attrs: { value: { tensor: { dims: [1], values: [Number.NaN], as: "floatData" } } } },
      { op: "Mul", inputs: ["x", "k"] },
      { op: "Relu", inputs: ["t1"] },
    ],
  });
  refused(() => importOnnx(constant), /value: its value is NaN/);
});

function tfjsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "tessera-finite-"));
  for (const f of ["model.json", "group1-shard1of1.bin"]) copyFileSync(join(FIXTURES, "tfjs", "mlp", f), join(dir, f));
  return dir;
}

test("TensorFlow.js: a NaN or infinity anywhere in the weights file is refused, naming the weight", () => {
  const dir = tfjsCopy();
  const bin = join(dir, "group1-shard1of1.bin");
  const bytes = readFileSync(bin);
  const floats = bytes.length / 4;
  assert.ok(loadModel(join(dir, "model.json")).layers.length > 0);
  for (const [at, value] of [
    [0, Number.NaN],
    [floats - 1, Number.POSITIVE_INFINITY],
    [Math.floor(floats / 2), Number.NEGATIVE_INFINITY],
  ] as const) {
    const copy = Buffer.from(bytes);
    copy.writeFloatLE(value, 4 * at);
    writeFileSync(bin, copy);
    assert.throws(
      () => loadModel(join(dir, "model.json")),
      (e: Error) =>
        /weight "[^"]+" \(group 0: group1-shard1of1\.bin\): value \d+ is -?(NaN|Infinity); tessera accepts finite numbers only/.test(e.message) && !e.message.includes("\n"),
    );
  }
});

test("TensorFlow.js: an infinite config number (1e999 parses as Infinity) is refused", () => {
  const dir = tfjsCopy();
  const doc = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  const layers = doc.modelTopology.model_config?.config?.layers ?? doc.modelTopology.config.layers;
  layers.splice(layers.length - 1, 0, { class_name: "LeakyReLU", config: { name: "leaky_inf", alpha: 1 } });
  const text = JSON.stringify(doc).replace('"alpha":1}', '"alpha":1e999}');
  writeFileSync(join(dir, "model.json"), text);
  assert.throws(() => loadModel(join(dir, "model.json")), /alpha: its value is Infinity/);
});

test("tessera JSON refuses non-finite numbers; assertFiniteNetwork names nested layers by path", () => {
  const doc = (w: string) => `{"format":"tessera.network","version":1,"inputShape":[1],"layers":[{"type":"dense","weight":[[${w}]]},{"type":"relu"}]}`;
  assert.equal(parseNetwork(doc("1")).layers.length, 2);
  refused(() => parseNetwork(doc("1e999")), /expected a finite number, got Infinity/);
  const net = parseNetwork(
    '{"format":"tessera.network","version":1,"inputShape":[1],"layers":[{"type":"residual","layers":[{"type":"add","branches":[[],[{"type":"dense","weight":[[1]]}]]}]}]}',
  );
  const inner = (net.layers[0] as { layers: { branches: { weight: Float64Array }[][] }[] }).layers[0].branches[1][0];
  inner.weight[0] = Number.NaN;
  refused(() => assertFiniteNetwork(net), /^layer 0\/0\/1\/0 \(dense\) weight: its value is NaN/);
});
