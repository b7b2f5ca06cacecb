/**
 * Real PyTorch exports (scripts/make-onnx-fixtures.py, torch 1.13, opset 13): the imported
 * network's forward pass agrees with torch's outputs (float64 from the same float32 weights),
 * the expected layers appear, and converting to tessera JSON and back changes nothing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Layer } from "../../src/model/layers.ts";
import { FIXTURES, ONNX_FIXTURES, readReference, worstRelativeError } from "./helpers.ts";

const load = (name: string) => importOnnx(readFileSync(join(FIXTURES, "onnx", `${name}.onnx`)));
const reference = (name: string) => readReference(join(FIXTURES, "onnx", `${name}.json`));

function types(layers: Layer[]): string[] {
  return layers.flatMap((l) => [
    l.type,
    ...(l.type === "residual" ? types(l.layers) : []),
    ...(l.type === "add" || l.type === "concat" || l.type === "max" ? l.branches.flatMap(types) : []),
  ]);
}

for (const name of ONNX_FIXTURES) {
  test(`onnx ${name}: forward agrees with torch to 1e-6 relative`, () => {
    const { network } = load(name);
    const ref = reference(name);
    assert.equal(
      network.inputSize,
      ref.inputShape.reduce((a, b) => a * b, 1),
    );
    const err = worstRelativeError(network, ref);
    assert.ok(err < 1e-6, `worst relative error ${err}`);
    // The reference is not trivial: outputs differ between inputs.
    assert.notDeepEqual(ref.outputs[0], ref.outputs[1]);
  });

  test(`onnx ${name}: tessera JSON round trip keeps the function`, () => {
    const { network } = load(name);
    const again = parseNetwork(stringifyNetwork(network));
    assert.deepEqual(again.inputShape, network.inputShape);
    const a = prepare(network);
    const b = prepare(again);
    for (const x of reference(name).inputs) assert.deepEqual(forward(b, x).output, forward(a, x).output);
  });
}

test("onnx fixtures contain the ops the issue lists", () => {
  const seen = new Set(ONNX_FIXTURES.flatMap((n) => types(load(n).network.layers)));
  for (const t of [
    "dense",
    "relu",
    "leaky-relu",
    "prelu",
    "hard-tanh",
    "conv2d",
    "batch-norm",
    "max-pool",
    "avg-pool",
    "flatten",
    "reshape",
    "residual",
    "concat",
    "max",
    "scale",
  ]) {
    assert.ok(seen.has(t), `no fixture imports to a ${t} layer (seen: ${[...seen].join(", ")})`);
  }
});

test("onnx cnn: the trailing Softmax is dropped with a notice; batch norm and pooling are kept", () => {
  const r = load("cnn");
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0], /dropped the trailing Softmax/);
  assert.deepEqual(r.network.inputShape, [1, 8, 8]);
  assert.deepEqual(types(r.network.layers), ["scale", "scale", "conv2d", "batch-norm", "relu", "max-pool", "conv2d", "relu", "avg-pool", "flatten", "dense"]);
  assert.match(r.producer, /pytorch/);
});

test("onnx rescnn: x.view(x.size(0), -1) shape arithmetic folds to a reshape; Pad folds into the pool", () => {
  const layers = load("rescnn").network.layers;
  const t = layers.map((l) => l.type);
  assert.ok(t.includes("reshape"));
  assert.ok(!t.includes("pad"), "Pad before AveragePool should fold into the pool's padding");
  const pools = layers.filter((l) => l.type === "avg-pool");
  assert.ok(pools.some((p) => p.type === "avg-pool" && p.countIncludePad && p.padding.every((v) => v === 1)));
});

test("onnx branches: float64 initializers, Concat and Max of branches, Sub of two branches", () => {
  const { network } = load("branches");
  const top = network.layers[0];
  assert.equal(top.type, "concat");
  assert.ok(types(network.layers).includes("max"));
  assert.ok(worstRelativeError(network, reference("branches")) < 1e-12, "float64 weights should agree to rounding");
});
