/**
 * Convolution and pooling in the engines: the native steps (conv as convolution, max-pool as
 * index groups, avg-pool, pad, transpose, branches) against the same network densified into
 * explicit matrices and maxout (model/densify.ts). Forward passes agree; exact region counts along
 * a line, in a plane and in a 3D slice agree (line, plane and space engines run on both).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { loadModel } from "../../src/io/files.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { compile } from "../../src/model/compile.ts";
import { conv2dMatrix } from "../../src/model/conv.ts";
import { densify } from "../../src/model/densify.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Conv2dLayer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import type { AffineStep } from "../../src/model/steps.ts";
import { linePartition } from "../../src/regions/line.ts";
import { parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { sliceThroughPoints, spacePartition } from "../../src/regions/space.ts";
import { FIXTURES, readReference } from "./helpers.ts";

test("conv step equals its explicit matrix (random strides, padding, dilation, groups)", () => {
  fc.assert(
    fc.property(
      fc.record({
        groups: fc.integer({ min: 1, max: 2 }),
        inPer: fc.integer({ min: 1, max: 2 }),
        outPer: fc.integer({ min: 1, max: 2 }),
        h: fc.integer({ min: 3, max: 7 }),
        w: fc.integer({ min: 3, max: 7 }),
        kh: fc.integer({ min: 1, max: 3 }),
        kw: fc.integer({ min: 1, max: 3 }),
        sh: fc.integer({ min: 1, max: 2 }),
        sw: fc.integer({ min: 1, max: 3 }),
        pad: fc.array(fc.integer({ min: 0, max: 2 }), {
          minLength: 4,
          maxLength: 4,
        }),
        dh: fc.integer({ min: 1, max: 2 }),
        seed: fc.integer(),
      }),
      (p) => {
        const rng = createRandom(p.seed);
        const inChannels = p.groups * p.inPer;
        const outChannels = p.groups * p.outPer;
        const layer: Conv2dLayer = {
          type: "conv2d",
          inChannels,
          outChannels,
          groups: p.groups,
          kernel: [p.kh, p.kw],
          stride: [p.sh, p.sw],
          padding: [p.pad[0], p.pad[1], p.pad[2], p.pad[3]],
          dilation: [p.dh, 1],
          weight: Float64Array.from({ length: outChannels * p.inPer * p.kh * p.kw }, () => rng.normal()),
          bias: Float64Array.from({ length: outChannels }, () => rng.normal()),
        };
        const shape = [inChannels, p.h, p.w];
        if (p.h + p.pad[0] + p.pad[2] - p.dh * (p.kh - 1) - 1 < 0 || p.w + p.pad[1] + p.pad[3] - p.kw < 0) return;
        const net: Network = {
          inputSize: inChannels * p.h * p.w,
          inputShape: shape,
          layers: [layer],
        };
        const step = compile(net)[0] as AffineStep;
        const m = conv2dMatrix(layer, shape);
        assert.equal(step.outSize, m.outSize);
        const x = Float64Array.from({ length: m.inSize }, () => rng.normal());
        const y = new Float64Array(m.outSize);
        step.applyLinear(x, 0, y, 0);
        for (let i = 0; i < m.outSize; i++) {
          let acc = 0;
          for (let j = 0; j < m.inSize; j++) acc += m.weight[i * m.inSize + j] * x[j];
          assert.ok(Math.abs(acc - y[i]) < 1e-9 * (1 + Math.abs(acc)));
        }
      },
    ),
    { numRuns: 150 },
  );
});

/** The plane through three inputs, shrunk about their centroid (keeps the tests to seconds). */
function shrunk(points: Float64Array[], factor: number): Float64Array[] {
  const n = points[0].length;
  const c = new Float64Array(n);
  for (const p of points) for (let i = 0; i < n; i++) c[i] += p[i] / points.length;
  return points.map((p) => p.map((v, i) => c[i] + factor * (v - c[i])));
}

function compareEngines(net: Network, points: Float64Array[], factor: number): { line: number; plane: number } {
  const native = prepare(net);
  const dense = prepare(densify(net));
  for (const p of points) {
    const a = forward(native, p).output;
    const b = forward(dense, p).output;
    a.forEach((v, i) => void assert.ok(Math.abs(v - b[i]) < 1e-9 * (1 + Math.abs(v))));
  }
  const path = new Float64Array(points.length * points[0].length);
  shrunk(points, Math.min(1, 4 * factor)).forEach((p, i) => {
    path.set(p, i * p.length);
  });
  const ln = linePartition(native, path);
  const ld = linePartition(dense, path);
  assert.equal(ln.activationRegions, ld.activationRegions, "line: activation regions");
  assert.equal(ln.linearPieces, ld.linearPieces, "line: linear pieces");
  const [p1, p2, p3] = shrunk(points, factor);
  const { slice, domain } = parallelogramSlice(p1, p2, p3);
  const pn = planePartition(native, slice, { domain });
  const pd = planePartition(dense, slice, { domain });
  assert.equal(pn.activationRegions, pd.activationRegions, "plane: activation regions");
  assert.equal(pn.linearPieces, pd.linearPieces, "plane: linear pieces");
  assert.equal(pn.cellCount, pd.cellCount, "plane: cells");
  return { line: ln.activationRegions, plane: pn.activationRegions };
}

const inputs = (path: string): Float64Array[] =>
  readReference(path)
    .inputs.slice(0, 3)
    .map((x) => Float64Array.from(x));

test("onnx cnn (conv, batch norm, max-pool, grouped conv, avg-pool): line and plane counts equal the densified network's", () => {
  const net = importOnnx(readFileSync(join(FIXTURES, "onnx", "cnn.onnx"))).network;
  // The conv steps really are convolutions (never densified) in the native network.
  assert.ok(prepare(net).steps.some((s) => s.kind === "affine" && s.weight === null && s.label.includes("conv2d")));
  const counts = compareEngines(net, inputs(join(FIXTURES, "onnx", "cnn.json")), 0.1);
  assert.ok(counts.line > 20 && counts.plane > 50, `non-trivial counts ${JSON.stringify(counts)}`);
});

test("onnx rescnn (strided, dilated conv, residual block, padded ceil-mode max-pool, avg-pools): counts agree", () => {
  const net = importOnnx(readFileSync(join(FIXTURES, "onnx", "rescnn.onnx"))).network;
  const counts = compareEngines(net, inputs(join(FIXTURES, "onnx", "rescnn.json")), 0.1);
  assert.ok(counts.line > 20 && counts.plane > 20, `non-trivial counts ${JSON.stringify(counts)}`);
});

test("tfjs cnn (channels-last transposes, same padding, residual Add): counts agree", () => {
  const net = loadModel(join(FIXTURES, "tfjs", "cnn", "model.json"));
  const counts = compareEngines(net, inputs(join(FIXTURES, "tfjs", "cnn", "reference.json")), 0.3);
  assert.ok(counts.line > 10 && counts.plane > 10, `non-trivial counts ${JSON.stringify(counts)}`);
});

test("onnx residual MLP, branches and activations: full plane counts agree with the densified network", () => {
  for (const name of ["residual-mlp", "branches", "activations"]) {
    const net = importOnnx(readFileSync(join(FIXTURES, "onnx", `${name}.onnx`))).network;
    compareEngines(net, inputs(join(FIXTURES, "onnx", `${name}.json`)), 1);
  }
});

test("max-pool with overlapping windows and padding: a region splits where a window's argmax changes", () => {
  // 1 x 3 x 3 input, max-pool 2x2 stride 1 (overlapping), then sum: compare with the densified
  // (gather + maxout) network, and check a hand-made line crossing one argmax change.
  const net: Network = {
    inputSize: 9,
    inputShape: [1, 3, 3],
    layers: [
      {
        type: "max-pool",
        kernel: [2, 2],
        stride: [1, 1],
        padding: [1, 1, 0, 0],
        dilation: [1, 1],
        ceilMode: false,
      },
      { type: "flatten" },
      {
        type: "dense",
        inSize: 9,
        outSize: 1,
        weight: new Float64Array(9).fill(1),
        bias: new Float64Array(1),
      },
    ],
  };
  // Along x0 = t from -1 to 1 with the other cells 0: windows containing cell 0 are (0,0)
  // [only cell 0 inside, padding excluded] and (0,1), (1,0), (1,1) with zeros: argmax flips at t = 0
  // in three windows, so the line has 2 regions.
  const a = new Float64Array(9);
  const b = new Float64Array(9);
  a[0] = -1;
  b[0] = 1;
  const line = linePartition(prepare(net), Float64Array.from([...a, ...b]));
  assert.equal(line.activationRegions, 2);
  compareEngines(net, [a, b, Float64Array.from({ length: 9 }, (_, i) => Math.sin(i + 1))], 1);
});

test("space engine: a 3D slice through four inputs of the ONNX cnn and branches nets, native vs densified", () => {
  for (const [name, factor] of [
    ["cnn", 0.03],
    ["branches", 0.5],
  ] as const) {
    const net = importOnnx(readFileSync(join(FIXTURES, "onnx", `${name}.onnx`))).network;
    const points = readReference(join(FIXTURES, "onnx", `${name}.json`))
      .inputs.slice(0, 4)
      .map((x) => Float64Array.from(x));
    const { slice, box } = sliceThroughPoints(shrunk(points, factor));
    const native = spacePartition(prepare(net), { slice, box });
    const dense = spacePartition(prepare(densify(net)), { slice, box });
    assert.equal(native.activationRegions, dense.activationRegions, `${name}: space regions`);
    assert.ok(native.activationRegions > 10, `${name}: ${native.activationRegions} regions`);
  }
});
