/**
 * The ONNX writer against the ONNX reader: writer -> reader gives the same function, bit for bit
 * (float64 weights), and the same exact region counts, for trained networks (dense and CNN), the
 * PyTorch fixtures and a network with every layer type.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parallelogram, segment } from "../../src/domain/domain.ts";
import { FormatError, parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { exportOnnx } from "../../src/io/onnx/export.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { cnn } from "../../src/train/cnn.ts";
import { classificationSet } from "../../src/train/data/dataset.ts";
import { toy2d } from "../../src/train/data/toy2d.ts";
import { createTrainer } from "../../src/train/trainer.ts";
import { FIXTURES, ONNX_FIXTURES, readReference, runCli } from "./helpers.ts";

const roundTrip = (net: Network, float?: "float32" | "float64"): Network => importOnnx(exportOnnx(net, { float })).network;

function randomInputs(n: number, size: number, seed: number): Float64Array[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: size }, () => rng.uniform(-1, 1)));
}

function assertSameOutputs(a: Network, b: Network, inputs: readonly ArrayLike<number>[]): void {
  const pa = prepare(a);
  const pb = prepare(b);
  for (const x of inputs) assert.deepEqual(Array.from(forward(pb, x).output), Array.from(forward(pa, x).output));
}

function planeCounts(net: Network, p: readonly ArrayLike<number>[]) {
  const part = partition(net, parallelogram(p[0], p[1], p[2]));
  return { regions: part.activationRegions, pieces: part.linearPieces };
}

test("a trained dense network: identical outputs and identical exact counts after ONNX", () => {
  const data = toy2d("spirals", { count: 200, seed: 1 });
  const net = mlp([2, 12, 12, 2], { init: "he", seed: 2 });
  const trainer = createTrainer(net, data, { learningRate: 0.01, batchSize: 32, seed: 3 });
  for (let e = 0; e < 3; e++) trainer.runEpoch();
  const again = roundTrip(net);
  assertSameOutputs(net, again, randomInputs(20, 2, 4));
  const square = [Float64Array.of(-2, -2), Float64Array.of(2, -2), Float64Array.of(-2, 2)];
  const before = planeCounts(net, square);
  assert.ok(before.regions > 20, `a trained 2-12-12-2 net has ${before.regions} regions`);
  assert.deepEqual(planeCounts(again, square), before);
});

test("a trained CNN (conv, batch norm, max-pool, residual, dense): identical outputs and counts after ONNX", () => {
  const shape = [1, 6, 6];
  const net = cnn(shape, "conv:3:3:1:1,bn,relu,maxpool:2,res(conv:3:3:1:1,bn,relu),flatten,dense:6,relu,dense:3", 5);
  const rng = createRandom(6);
  const n = 48;
  const x = Float64Array.from({ length: n * 36 }, () => rng.uniform(0, 1));
  const labels = Int32Array.from({ length: n }, (_, i) => (x[i * 36 + 7] > 0.5 ? 1 : 0) + (x[i * 36 + 28] > 0.5 ? 1 : 0));
  const trainer = createTrainer(net, classificationSet("random", x, 36, labels, 3), { learningRate: 0.01, batchSize: 16, seed: 7 });
  for (let e = 0; e < 2; e++) trainer.runEpoch();
  const bn = net.layers.find((l) => l.type === "batch-norm");
  assert.ok(bn?.type === "batch-norm" && bn.mean.some((m) => m !== 0), "training moved the batch-norm statistics");
  const again = roundTrip(net);
  assert.deepEqual(again.inputShape, shape);
  const points = randomInputs(3, 36, 8).map((p) => p.map((v) => (v + 1) / 2));
  assertSameOutputs(net, again, points);
  const before = planeCounts(net, points);
  assert.ok(before.regions > 10, `the CNN has ${before.regions} regions in the plane`);
  assert.deepEqual(planeCounts(again, points), before);
  const line = segment(points[0], points[1]);
  assert.equal(partition(again, line).activationRegions, partition(net, line).activationRegions);
});

test("the PyTorch fixtures survive tessera -> ONNX -> tessera unchanged", () => {
  for (const name of ONNX_FIXTURES) {
    const net = importOnnx(readFileSync(join(FIXTURES, "onnx", `${name}.onnx`))).network;
    const again = roundTrip(net);
    assert.equal(stringifyNetwork(again), stringifyNetwork(net), name);
    assertSameOutputs(net, again, readReference(join(FIXTURES, "onnx", `${name}.json`)).inputs);
  }
});

test("every layer type is written as an op the reader reads back as the same function", () => {
  const rng = createRandom(9);
  const v = (n: number, s = 1) => Float64Array.from({ length: n }, () => rng.normal() * s);
  const net = parseNetwork(
    stringifyNetwork({
      inputSize: 2 * 5 * 5,
      inputShape: [2, 5, 5],
      layers: [
        { type: "pad", padding: [1, 0, 0, 1] },
        { type: "conv2d", inChannels: 2, outChannels: 4, groups: 2, kernel: [2, 2], stride: [1, 1], padding: [0, 1, 1, 0], dilation: [1, 1], weight: v(16), bias: v(4) },
        { type: "scale", scale: v(4), shift: v(4) },
        { type: "prelu", slope: v(4, 0.1) },
        { type: "max-pool", kernel: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0], dilation: [1, 1], ceilMode: true },
        { type: "batch-norm", size: 4, gamma: v(4), beta: v(4), mean: v(4), variance: Float64Array.of(0.5, 1, 2, 3), epsilon: 1e-5 },
        {
          type: "concat",
          branches: [[{ type: "abs" }], [{ type: "avg-pool", kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], ceilMode: false, countIncludePad: false }]],
        },
        { type: "transpose", perm: [0, 2, 1] },
        { type: "reshape", shape: [72] },
        { type: "dense", inSize: 72, outSize: 12, weight: v(864, 0.2), bias: v(12) },
        {
          type: "residual",
          layers: [
            { type: "leaky-relu", slope: 0.1 },
            { type: "dense", inSize: 12, outSize: 12, weight: v(144, 0.3), bias: v(12) },
          ],
        },
        { type: "max", branches: [[{ type: "hard-tanh", lo: -0.5, hi: Infinity }], [{ type: "hard-tanh", lo: -1, hi: 1 }]] },
        { type: "add", branches: [[], [{ type: "identity" }, { type: "relu" }]] },
        { type: "maxout", k: 3 },
        { type: "dense", inSize: 4, outSize: 2, weight: v(8), bias: v(2) },
      ],
    } as Network),
  );
  const again = roundTrip(net);
  const inputs = randomInputs(30, 50, 10);
  assertSameOutputs(net, again, inputs);
  assert.deepEqual(planeCounts(again, inputs), planeCounts(net, inputs));
  // float32 rounds each weight once: close, not identical.
  const single = roundTrip(net, "float32");
  const a = prepare(net);
  const b = prepare(single);
  let worst = 0;
  for (const x of inputs) {
    const ya = forward(a, x).output;
    const yb = forward(b, x).output;
    for (let i = 0; i < ya.length; i++) worst = Math.max(worst, Math.abs(ya[i] - yb[i]) / (1 + Math.abs(ya[i])));
  }
  assert.ok(worst > 0 && worst < 1e-5, `float32 error ${worst}`);
});

test("a layer ONNX cannot express is one clear error naming it", () => {
  const net: Network = {
    inputSize: 9,
    inputShape: [1, 3, 3],
    layers: [{ type: "avg-pool", kernel: [2, 2], stride: [1, 1], padding: [0, 0, 0, 0], dilation: [2, 2], ceilMode: false, countIncludePad: false }],
  };
  assert.throws(
    () => exportOnnx(net),
    (e: Error) => e instanceof FormatError && /layer 0 \(avg-pool\): .*dilation/.test(e.message),
  );
});

test("tessera convert model.json -o model.onnx: the ONNX file counts as the JSON does; --float32 needs .onnx", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-onnx-export-"));
  const source = join(FIXTURES, "onnx", "rescnn.onnx");
  const json = join(dir, "m.json");
  const onnx = join(dir, "m.onnx");
  assert.equal((await runCli(["convert", source, "-o", json])).code, 0);
  const r = await runCli(["convert", json, "-o", onnx, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).format, "onnx");
  // Along a segment between two reference inputs (a plane through three takes seconds here).
  // One command at a time: runCli captures the process's one output stream.
  const inputs = readReference(join(FIXTURES, "onnx", "rescnn.json")).inputs.slice(0, 2);
  const line = inputs.map((x) => x.join(",")).join(";");
  const counts: { activationRegions: number; linearPieces: number }[] = [];
  for (const m of [json, onnx]) {
    const c = await runCli(["count", m, "--line", line, "--json"]);
    assert.equal(c.code, 0, c.stderr);
    const { activationRegions, linearPieces } = JSON.parse(c.stdout);
    counts.push({ activationRegions, linearPieces });
  }
  assert.ok(counts[0].activationRegions > 1);
  assert.deepEqual(counts[1], counts[0]);
  const bad = await runCli(["convert", json, "-o", join(dir, "x.json"), "--float32"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--float32 applies to ONNX output/);
});
