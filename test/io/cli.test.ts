/**
 * `tessera inspect` and `tessera convert` on every format, and bad input through the CLI: one
 * clear line on stderr, exit 1, no stack trace.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { FIXTURES, runCli } from "./helpers.ts";
import { onnxModel } from "./onnx-builder.ts";

const tmp = mkdtempSync(join(tmpdir(), "tessera-cli-"));

test("inspect an ONNX CNN: layers, shapes, units, parameters, piecewise linear", async () => {
  const r = await runCli(["inspect", join(FIXTURES, "onnx", "cnn.onnx"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.format, "onnx");
  assert.equal(report.piecewiseLinear, true);
  assert.deepEqual(report.inputShape, [1, 8, 8]);
  assert.deepEqual(report.outputShape, [3]);
  const conv = report.layers.find((l: { type: string }) => l.type === "conv2d");
  assert.deepEqual(conv.outShape, [4, 8, 8]);
  assert.equal(conv.parameters, 4 * 9 + 4);
  // relu after conv1 (4x8x8) + max-pool (4x4x4) + relu after conv2 (6x2x2)
  assert.equal(report.units, 256 + 64 + 24);
  assert.match(r.stderr, /dropped the trailing Softmax/);
  const text = await runCli(["inspect", join(FIXTURES, "tfjs", "cnn", "model.json")]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /TensorFlow\.js layers model/);
  assert.match(text.stdout, /piecewise linear: yes/);
});

test("inspect reports a network that is not piecewise linear and which node", async () => {
  const path = join(tmp, "sigmoid.onnx");
  writeFileSync(
    path,
    onnxModel({
      inputShape: [1, 2],
      nodes: [
        { op: "Relu", inputs: ["x"] },
        { op: "Sigmoid", inputs: ["t0"], name: "gate" },
      ],
    }),
  );
  const r = await runCli(["inspect", path, "--json"]);
  assert.equal(r.code, 0);
  const report = JSON.parse(r.stdout);
  assert.equal(report.piecewiseLinear, false);
  assert.deepEqual([report.notPiecewiseLinear.node, report.notPiecewiseLinear.op], ["gate", "Sigmoid"]);
  assert.deepEqual(report.ops, { Relu: 1, Sigmoid: 1 });
});

test("convert ONNX and tfjs to tessera JSON: same function", async () => {
  for (const [src, ref] of [
    [join(FIXTURES, "onnx", "rescnn.onnx"), join(FIXTURES, "onnx", "rescnn.json")],
    [join(FIXTURES, "tfjs", "cnn", "model.json"), join(FIXTURES, "tfjs", "cnn", "reference.json")],
  ]) {
    const out = join(tmp, "converted.json");
    const r = await runCli(["convert", src, "-o", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).output, out);
    const net = parseNetwork(readFileSync(out, "utf8"));
    const { inputs, outputs } = JSON.parse(readFileSync(ref, "utf8"));
    const c = prepare(net);
    inputs.forEach((x: number[], i: number) => {
      forward(c, x).output.forEach((v, j) => void assert.ok(Math.abs(v - outputs[i][j]) <= 1e-6 * Math.max(1, Math.abs(outputs[i][j]))));
    });
  }
});

test("bad input: one line, exit 1, no stack trace, for every kind of broken model", async () => {
  const good = readFileSync(join(FIXTURES, "onnx", "cnn.onnx"));
  const cases: [string, Uint8Array | string, RegExp][] = [
    ["truncated.onnx", good.subarray(0, good.length >> 1), /not a valid ONNX file|raw_data|not an ONNX model|neither an initializer/],
    ["corrupt.onnx", Uint8Array.from(good, (b, i) => (i > 40 && i % 7 === 0 ? 0xff : b)), /./],
    ["image.onnx", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /not a valid ONNX file|not an ONNX model/],
    ["empty.json", "", /not valid JSON/],
    ["wrong.json", '{"hello": 1}', /"format" must be "tessera.network"/],
    ["absurd.json", '{"format":"tessera.network","version":1,"inputShape":[1000000,1000000],"layers":[{"type":"relu"}]}', /limit/],
    [
      "mismatch.json",
      '{"format":"tessera.network","version":1,"inputShape":[1,4,4],"layers":[{"type":"conv2d","weight":[[[[1]]]]},{"type":"dense","weight":[[1,2]]}]}',
      /layers\[1\] \(dense\)\.weight\[0\]: expected 16 numbers, got 2/,
    ],
    [
      "missing-init.onnx",
      onnxModel({
        inputShape: [1, 2],
        nodes: [{ op: "MatMul", inputs: ["x", "W"], name: "fc" }],
      }),
      /node "fc" \(MatMul\): input "W" is neither an initializer/,
    ],
    [
      "unsupported.onnx",
      onnxModel({
        inputShape: [1, 2],
        nodes: [{ op: "Tanh", inputs: ["x"], name: "t" }],
      }),
      /node "t" \(Tanh\): Tanh is not piecewise linear/,
    ],
  ];
  for (const [name, content, pattern] of cases) {
    const path = join(tmp, name);
    writeFileSync(path, content);
    for (const command of [
      ["convert", path, "-o", join(tmp, "out.json")],
      ["count", path, "--line", "0;1"],
    ]) {
      const r = await runCli(command);
      assert.equal(r.code, 1, `${name} ${command[0]}: exit ${r.code}, stderr ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
      assert.match(lines[0], /^tessera: /);
      assert.ok(!/\bat .*\.ts:\d+/.test(r.stderr), `stack trace for ${name}`);
      if (command[0] === "convert") assert.match(lines[0], pattern, name);
    }
  }
  // A model that does load still gets a clean error for a point of the wrong dimension.
  assert.ok(importOnnx(good).network.inputSize === 64);
});
