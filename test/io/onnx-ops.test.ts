/**
 * ONNX ops and encodings beyond the torch fixtures, on small hand-written models (onnx-builder):
 * Gemm attributes, MatMul + Add, constants as Constant nodes and typed fields (float_data,
 * double_data, int64_data), Identity, Dropout, Mul/Div, Clip in both opset forms, Abs, LeakyRelu,
 * PRelu, Max/Min with a constant, GlobalAveragePool, auto_pad, and the errors for what tessera
 * cannot read. Expected outputs are computed by hand in each test.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FormatError, NotPiecewiseLinearError } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { onnxModel } from "./onnx-builder.ts";

const run = (net: Network, x: number[]): number[] => Array.from(forward(prepare(net), x).output);
const close = (a: number[], b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => void assert.ok(Math.abs(v - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `output ${i}: ${v} vs ${b[i]}`));
};

test("Gemm with transB=0, alpha, beta and float_data weights", () => {
  const W = [1, -2, 0.5, 3, 0, -1]; // 2 x 3, x @ W
  const C = [0.25, -1, 2];
  const bytes = onnxModel({
    inputShape: ["N", 2],
    nodes: [
      { op: "Gemm", inputs: ["x", "W", "C"], name: "g" },
      { op: "Relu", inputs: ["t0"] },
    ],
    initializers: [
      { name: "W", dims: [2, 3], values: W, as: "floatData" },
      { name: "C", dims: [3], values: C, as: "floatData" },
    ],
    floatAttrs: { g: { alpha: 2, beta: 0.5 } },
  });
  const net = importOnnx(bytes).network;
  const x = [0.5, -1.5];
  const expected = [0, 1, 2].map((j) => Math.max(0, 2 * (x[0] * W[j] + x[1] * W[3 + j]) + 0.5 * C[j]));
  close(run(net, x), expected);
});

test("MatMul + Add fold into one dense layer; Identity, Dropout, Mul by a Constant, Div by double_data", () => {
  const bytes = onnxModel({
    inputShape: [1, 2],
    nodes: [
      { op: "Identity", inputs: ["x"] },
      { op: "MatMul", inputs: ["t0", "W"] },
      { op: "Add", inputs: ["t1", "b"] },
      { op: "Dropout", inputs: ["t2"] },
      {
        op: "Constant",
        inputs: [],
        attrs: {
          value: { tensor: { dims: [], values: [3], as: "floatData" } },
        },
      },
      { op: "Mul", inputs: ["t4", "t3"] },
      { op: "Div", inputs: ["t5", "d"] },
    ],
    initializers: [
      { name: "W", dims: [2, 2], values: [1, 2, 3, 4], as: "raw64" },
      { name: "b", dims: [2], values: [0.5, -0.5] },
      { name: "d", dims: [2], values: [2, 4], as: "doubleData" },
    ],
  });
  const net = importOnnx(bytes).network;
  assert.equal(net.layers[0].type, "dense");
  const x = [1, -1];
  const h = [x[0] * 1 + x[1] * 3 + 0.5, x[0] * 2 + x[1] * 4 - 0.5];
  close(run(net, x), [(3 * h[0]) / 2, (3 * h[1]) / 4]);
});

test("Clip (opset 6 attributes and opset 13 inputs), Abs, LeakyRelu, PRelu, Max and Min with a constant", () => {
  const old = onnxModel({
    inputShape: [1, 3],
    opset: 6,
    nodes: [{ op: "Clip", inputs: ["x"], name: "c" }],
    floatAttrs: { c: { min: -0.5, max: 0.5 } },
  });
  close(run(importOnnx(old).network, [-2, 0.25, 2]), [-0.5, 0.25, 0.5]);
  const bytes = onnxModel({
    inputShape: [1, 3],
    nodes: [
      { op: "Clip", inputs: ["x", "lo", ""] }, // one-sided: max(x, -1)
      { op: "Abs", inputs: ["x"] },
      { op: "LeakyRelu", inputs: ["x"], name: "leaky" },
      { op: "PRelu", inputs: ["x", "slope"] },
      { op: "Max", inputs: ["x", "half"] },
      { op: "Min", inputs: ["x", "half"] },
      {
        op: "Concat",
        inputs: ["t0", "t1", "t2", "t3", "t4", "t5"],
        attrs: { axis: 1 },
      },
    ],
    initializers: [
      { name: "lo", dims: [], values: [-1] },
      { name: "slope", dims: [3], values: [0.5, 0.25, 2] },
      { name: "half", dims: [], values: [0.5] },
    ],
    floatAttrs: { leaky: { alpha: 0.125 } },
  });
  const net = importOnnx(bytes).network;
  const x = [-2, 0.25, 3];
  close(run(net, x), [-1, 0.25, 3, 2, 0.25, 3, -0.25, 0.25, 3, -1, 0.25, 3, 0.5, 0.5, 3, -2, 0.25, 0.5]);
});

test("Conv with auto_pad SAME_UPPER and stride 2, GlobalAveragePool, Flatten, Gemm", () => {
  // A 1x1 conv that doubles, stride 2 on 1 x 3 x 3: SAME_UPPER gives a 2 x 2 output with padding
  // 0 top/left and 1 bottom/right... the samples at (0,0), (0,2), (2,0), (2,2).
  const bytes = onnxModel({
    inputShape: [1, 1, 3, 3],
    nodes: [
      {
        op: "Conv",
        inputs: ["x", "w"],
        attrs: {
          strides: [2, 2],
          auto_pad: "SAME_UPPER",
          kernel_shape: [1, 1],
        },
      },
      { op: "GlobalAveragePool", inputs: ["t0"] },
      { op: "Flatten", inputs: ["t1"] },
      { op: "Gemm", inputs: ["t2", "W"], attrs: { transB: 1 } },
    ],
    initializers: [
      { name: "w", dims: [1, 1, 1, 1], values: [2] },
      { name: "W", dims: [1, 1], values: [1] },
    ],
  });
  const net = importOnnx(bytes).network;
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  close(run(net, x), [(2 * (1 + 3 + 7 + 9)) / 4]);
});

test("Reshape with a constant int64 shape and Sub of two branches", () => {
  const bytes = onnxModel({
    inputShape: [1, 4],
    nodes: [
      { op: "Reshape", inputs: ["x", "s"] },
      { op: "Flatten", inputs: ["t0"] },
      { op: "Relu", inputs: ["t1"] },
      { op: "Sub", inputs: ["t1", "t2"] },
    ],
    initializers: [{ name: "s", dims: [4], values: [1, 2, 2, 1], as: "int64" }],
  });
  const net = importOnnx(bytes).network;
  close(run(net, [1, -2, 3, -4]), [0, -2, 0, -4]); // x - relu(x) = min(x, 0)
});

function formatError(bytes: Uint8Array, pattern: RegExp): FormatError {
  let caught: unknown;
  try {
    importOnnx(bytes);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof FormatError, `expected a FormatError, got ${caught}`);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes("\n"), "one line");
  return caught;
}

test("errors: a non-piecewise-linear op names the op and the node", () => {
  const e = formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [{ op: "Sigmoid", inputs: ["x"], name: "act1" }],
    }),
    /node "act1" \(Sigmoid\): Sigmoid is not piecewise linear/,
  );
  assert.ok(e instanceof NotPiecewiseLinearError);
  assert.equal(e.op, "Sigmoid");
  assert.equal(e.node, "act1");
  formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [
        { op: "Softmax", inputs: ["x"] },
        { op: "Relu", inputs: ["t0"] },
      ],
    }),
    /Softmax is not piecewise linear/,
  );
  formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [{ op: "Mul", inputs: ["x", "x"] }],
    }),
    /not piecewise linear/,
  );
});

test("errors: missing initializer, external data, shape mismatch, unsupported op, bad inputs", () => {
  formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [{ op: "Gemm", inputs: ["x", "W"], name: "fc" }],
    }),
    /node "fc" \(Gemm\): input "W" is neither an initializer/,
  );
  formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [{ op: "MatMul", inputs: ["x", "W"] }],
      initializers: [{ name: "W", dims: [2, 2], values: [], external: true }],
    }),
    /external file/,
  );
  formatError(
    onnxModel({
      inputShape: [1, 3],
      nodes: [{ op: "Gemm", inputs: ["x", "W"], name: "fc", attrs: { transB: 1 } }],
      initializers: [{ name: "W", dims: [2, 2], values: [1, 2, 3, 4] }],
    }),
    /node "fc" \(Gemm\): weight has dims \[2, 2\] \(transB\), the input has 3 features/,
  );
  formatError(onnxModel({ inputShape: [1, 2], nodes: [{ op: "Resize", inputs: ["x"] }] }), /the ONNX op Resize is not supported/);
  formatError(
    onnxModel({
      inputShape: [1, "features"],
      nodes: [{ op: "Relu", inputs: ["x"] }],
    }),
    /no fixed size/,
  );
  formatError(
    onnxModel({
      inputShape: [1, 2],
      nodes: [{ op: "MatMul", inputs: ["x", "W"] }],
      initializers: [{ name: "W", dims: [2, 1e6], values: [1, 2] }],
    }),
    /raw_data has 8 bytes/,
  );
  formatError(onnxModel({ inputShape: [1, 1e9], nodes: [{ op: "Relu", inputs: ["x"] }] }), /larger than the limit/);
  formatError(
    onnxModel({
      inputShape: [1, 1, 4, 4],
      nodes: [
        {
          op: "Conv",
          inputs: ["x", "w"],
          attrs: { pads: [1e5, 1e5, 1e5, 1e5] },
        },
      ],
      initializers: [{ name: "w", dims: [1, 1, 1, 1], values: [1] }],
    }),
    /more than the limit/,
  );
  formatError(new TextEncoder().encode('{"format": "tessera.network"}'), /not a valid ONNX file|not an ONNX model/);
});
