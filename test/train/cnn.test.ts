import assert from "node:assert/strict";
import { test } from "node:test";
import { parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import { cnn } from "../../src/train/cnn.ts";
import { classificationSet } from "../../src/train/data/dataset.ts";
import { setKernel } from "../../src/train/kernels.ts";
import { crossEntropy } from "../../src/train/loss.ts";
import { trainable } from "../../src/train/trainable.ts";
import { createTrainer } from "../../src/train/trainer.ts";

/** Random nonzero batch-norm statistics and biases, so every parameter's gradient is exercised. */
function perturb(net: Network, seed: number): Network {
  const rng = createRandom(seed);
  const visit = (layers: Network["layers"]): void => {
    for (const l of layers) {
      if (l.type === "batch-norm") {
        for (let c = 0; c < l.size; c++) {
          l.gamma[c] = rng.uniform(0.5, 1.5);
          l.beta[c] = rng.normal() * 0.3;
          l.mean[c] = rng.normal() * 0.2;
          l.variance[c] = rng.uniform(0.5, 1.5);
        }
      } else if (l.type === "conv2d" || l.type === "dense") for (let i = 0; i < l.bias.length; i++) l.bias[i] = rng.normal() * 0.2;
      else if (l.type === "residual") visit(l.layers);
    }
  };
  visit(net.layers);
  return net;
}

const SHAPE = [2, 6, 6];
const SPECS = [
  // stride 2 and padding, several channels, max pooling, batch norm, a residual block, avg pooling.
  "conv:3:3:1:1,bn,relu,maxpool:2,res(conv:3:3:1:1,bn,relu,conv:3:3:1:1),relu,avgpool:3,flatten,dense:3",
  "conv:4:3:2:1,relu,conv:2:2,bn,relu,dense:4,relu,dense:3",
];

function lossOf(net: Network, x: Float64Array, batch: number, labels: Int32Array, training: boolean): number {
  const prog = trainable(net, batch);
  return crossEntropy(prog.forward(x, batch, training), labels, batch, 3, null);
}

for (const spec of SPECS) {
  for (const training of [true, false]) {
    test(`conv backward matches central finite differences (${training ? "training" : "inference"} form): ${spec}`, () => {
      const net = perturb(cnn(SHAPE, spec, 3), 4);
      const rng = createRandom(5);
      const batch = 3;
      const x = Float64Array.from({ length: batch * 72 }, () => rng.normal());
      const labels = Int32Array.of(0, 2, 1);
      // Running statistics move in the training form; keep a copy and restore it per evaluation.
      const snapshot = stringifyNetwork(net);
      const fresh = (): Network => parseNetwork(snapshot);
      const prog = trainable(net, batch);
      const out = prog.forward(x, batch, training);
      const g = new Float64Array(batch * 3);
      crossEntropy(out, labels, batch, 3, g);
      prog.zeroGrad();
      const dx = prog.backward(g, batch, true) as Float64Array;
      const h = 1e-6;
      const check = (numeric: number, analytic: number, what: string): void => {
        assert.ok(Math.abs(numeric - analytic) < 1e-6 + 1e-4 * Math.abs(numeric), `${what}: backward ${analytic}, numeric ${numeric}`);
      };
      const copy = fresh();
      const copyParams = trainable(copy, batch).params;
      prog.params.forEach((p, k) => {
        const q = copyParams[k].value;
        for (let i = 0; i < q.length; i++) {
          const keep = q[i];
          q[i] = keep + h;
          const up = lossOf(copy, x, batch, labels, training);
          q[i] = keep - h;
          const down = lossOf(copy, x, batch, labels, training);
          q[i] = keep;
          check((up - down) / (2 * h), p.grad[i], `${p.name}[${i}]`);
        }
      });
      for (let i = 0; i < x.length; i += 5) {
        const keep = x[i];
        x[i] = keep + h;
        const up = lossOf(copy, x, batch, labels, training);
        x[i] = keep - h;
        const down = lossOf(copy, x, batch, labels, training);
        x[i] = keep;
        check((up - down) / (2 * h), dx[i], `input[${i}]`);
      }
    });
  }
}

test("the trainer's inference forward pass of a CNN equals the library's forward()", () => {
  for (const spec of SPECS) {
    const net = perturb(cnn(SHAPE, spec, 7), 8);
    const rng = createRandom(9);
    const x = Float64Array.from({ length: 4 * 72 }, () => rng.normal());
    const out = trainable(net, 4).forward(x, 4);
    const compiled = prepare(net);
    for (let b = 0; b < 4; b++) {
      const ref = forward(compiled, x.subarray(72 * b, 72 * (b + 1))).output;
      for (let o = 0; o < 3; o++) assert.ok(Math.abs(ref[o] - out[3 * b + o]) < 1e-12, `${spec} row ${b} output ${o}`);
    }
  }
});

test("a trained CNN moves its batch-norm statistics, saves, and counts exactly along a segment", () => {
  // Two classes of 2 x 6 x 6 images: bright top half against bright bottom half, with noise.
  const rng = createRandom(1);
  const count = 64;
  const x = new Float64Array(count * 72);
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    labels[r] = r % 2;
    for (let i = 0; i < 72; i++) x[r * 72 + i] = rng.normal() * 0.3 + (Math.floor((i % 36) / 6) < 3 === (labels[r] === 0) ? 1 : 0);
  }
  const data = { ...classificationSet("halves", x, 72, labels, 2) };
  const net = cnn(SHAPE, "conv:4:3:1:1,bn,relu,maxpool:2,flatten,dense:2", 2);
  const trainer = createTrainer(net, data, { learningRate: 0.01, batchSize: 16, seed: 1 });
  for (let e = 0; e < 5; e++) trainer.runEpoch();
  assert.ok((trainer.evaluate().accuracy as number) > 0.95);
  const bn = net.layers[1];
  assert.ok(bn.type === "batch-norm" && bn.mean.some((m) => m !== 0));
  const saved = parseNetwork(stringifyNetwork(net));
  const compiled = prepare(saved);
  const path = new Float64Array(144);
  path.set(x.subarray(0, 72), 0);
  path.set(x.subarray(72, 144), 72);
  const p = linePartition(compiled, path);
  assert.ok(p.activationRegions > 1);
  // Each piece's output map reproduces forward() of the saved network at its midpoint.
  for (let i = 0; i < p.cellCount; i++) {
    const t = (p.tStart[i] + p.tEnd[i]) / 2;
    const point = x.subarray(0, 72).map((a, j) => a + t * (x[72 + j] - a));
    const y = forward(compiled, point).output;
    for (let o = 0; o < 2; o++) {
      const m = p.outputMaps[2 * (p.outputSize * i + o)] + t * p.outputMaps[2 * (p.outputSize * i + o) + 1];
      assert.ok(Math.abs(m - y[o]) < 1e-9 * (1 + Math.abs(y[o])), `piece ${i} output ${o}: ${m} vs ${y[o]}`);
    }
  }
});

test("a layer text that cannot be built is refused with the token at fault", () => {
  assert.throws(() => cnn([1, 8, 8], "conv:4:3,relu,conv:2:9"), /"conv:2:9": conv2d kernel 9x9 does not fit the 6x6 input/);
  assert.throws(() => cnn([1, 8, 8], "conv:4:3,res(conv:2:3:1:1)"), /a residual block keeps the shape/);
  assert.throws(() => cnn([1, 8, 8], "conv:4:x"), /"x" is not a non-negative integer/);
  assert.throws(() => cnn([1, 8, 8], "pool:2"), /unknown layer "pool:2"/);
});

test("shifted copies move every image by whole pixels, zero filled, labels kept", async () => {
  const { withShiftedCopies } = await import("../../src/train/data/shift.ts");
  const x = Float64Array.from({ length: 2 * 9 }, (_, i) => i + 1);
  const data = classificationSet("tiny", x, 9, Int32Array.of(0, 1), 2);
  const out = withShiftedCopies(
    data,
    [1, 3, 3],
    [
      [1, 0],
      [0, -1],
    ],
  );
  assert.equal(out.count, 6);
  assert.deepEqual(Array.from(out.labels ?? []), [0, 1, 0, 1, 0, 1]);
  // Down by one row: the first row is zero, the others are the image's first two rows.
  assert.deepEqual(Array.from(out.x.subarray(2 * 9, 3 * 9)), [0, 0, 0, 1, 2, 3, 4, 5, 6]);
  // Left by one column: each row loses its first entry and ends with a zero.
  assert.deepEqual(Array.from(out.x.subarray(5 * 9, 6 * 9)), [11, 12, 0, 14, 15, 0, 17, 18, 0]);
});

test("the WebAssembly conv path (operands staged in the kernel's memory) and the JavaScript path agree", () => {
  const spec = "conv:4:3:2:1,relu,conv:3:2,relu,dense:3";
  const rng = createRandom(8);
  const batch = 5;
  const x = Float64Array.from({ length: batch * 72 }, () => rng.normal());
  const labels = Int32Array.of(0, 2, 1, 1, 0);
  const run = (kernel: "wasm" | "js"): Float64Array[] => {
    setKernel(kernel);
    try {
      const prog = trainable(perturb(cnn(SHAPE, spec, 3), 4), batch);
      const g = new Float64Array(batch * 3);
      crossEntropy(prog.forward(x, batch, true), labels, batch, 3, g);
      prog.zeroGrad();
      const dx = prog.backward(g, batch, true) as Float64Array;
      return [g, dx, ...prog.params.map((p) => p.grad)];
    } finally {
      setKernel("wasm");
    }
  };
  const [a, b] = [run("wasm"), run("js")];
  a.forEach((arr, k) => {
    for (let i = 0; i < arr.length; i++) assert.ok(Math.abs(arr[i] - b[k][i]) <= 1e-12 * (1 + Math.abs(b[k][i])), `array ${k}[${i}]: wasm ${arr[i]}, js ${b[k][i]}`);
  });
});

test("a relu fused into the dense or conv op before it gives the same numbers as a separate relu op", () => {
  const spec = "conv:4:3:2:1,relu,conv:3:2,relu,flatten,dense:4,relu,dense:3";
  const rng = createRandom(9);
  const batch = 4;
  const x = Float64Array.from({ length: batch * 72 }, () => rng.normal());
  const labels = Int32Array.of(0, 2, 1, 1);
  for (const kernel of ["wasm", "js"] as const) {
    setKernel(kernel);
    try {
      const run = (separate: boolean): Float64Array[] => {
        const net = perturb(cnn(SHAPE, spec, 5), 6);
        // An identity layer before each relu keeps it a separate op.
        if (separate) net.layers = net.layers.flatMap((l): Layer[] => (l.type === "relu" ? [{ type: "identity" }, l] : [l]));
        const prog = trainable(net, batch);
        const out = Float64Array.from(prog.forward(x, batch, true));
        const g = new Float64Array(batch * 3);
        crossEntropy(out, labels, batch, 3, g);
        prog.zeroGrad();
        const dx = prog.backward(g, batch, true) as Float64Array;
        return [out, Float64Array.from(dx), ...prog.params.map((p) => p.grad)];
      };
      const [fused, separate] = [run(false), run(true)];
      for (const [k, arr] of fused.entries()) assert.deepEqual(Array.from(arr), Array.from(separate[k]), `${kernel} kernel, array ${k}`);
    } finally {
      setKernel("wasm");
    }
  }
});
