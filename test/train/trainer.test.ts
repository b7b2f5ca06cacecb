import assert from "node:assert/strict";
import { test } from "node:test";
import { parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { regression1d } from "../../src/train/data/regression1d.ts";
import { toy2d } from "../../src/train/data/toy2d.ts";
import { matmulNT, matmulNTScalar } from "../../src/train/kernels.ts";
import { crossEntropy, meanSquaredError } from "../../src/train/loss.ts";
import { trainable } from "../../src/train/trainable.ts";
import { createTrainer } from "../../src/train/trainer.ts";

function randomDense(rng: ReturnType<typeof createRandom>, inSize: number, outSize: number): Layer {
  const weight = Float64Array.from({ length: inSize * outSize }, () => rng.normal() * 0.7);
  const bias = Float64Array.from({ length: outSize }, () => rng.normal() * 0.3);
  return { type: "dense", inSize, outSize, weight, bias };
}

test("matmulNT (WebAssembly and JavaScript) agrees with the definition on odd shapes", () => {
  const rng = createRandom(3);
  for (const [rows, cols, k] of [
    [1, 1, 1],
    [5, 3, 7],
    [4, 2, 2],
    [13, 9, 33],
    [128, 64, 64],
    [7, 130, 3],
  ]) {
    const a = Float64Array.from({ length: rows * k }, () => rng.normal());
    const b = Float64Array.from({ length: cols * k }, () => rng.normal());
    const expect = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += a[r * k + j] * b[q * k + j];
        expect[r * cols + q] = s;
      }
    for (const f of [matmulNT, matmulNTScalar]) {
      const c = new Float64Array(rows * cols).fill(1);
      f(a, b, c, rows, cols, k, true);
      for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] - 1 - expect[i]) < 1e-12 * (1 + Math.abs(expect[i])), `${rows}x${cols}x${k} entry ${i}`);
      f(a, b, c, rows, cols, k, false);
      for (let i = 0; i < c.length; i++) assert.ok(Math.abs(c[i] - expect[i]) < 1e-12 * (1 + Math.abs(expect[i])));
    }
  }
});

/** Loss of the network on a fixed batch, for finite differences. */
function lossOf(net: Network, x: Float64Array, batch: number, labels: Int32Array | null, targets: Float64Array | null): number {
  const prog = trainable(net, batch);
  const out = prog.forward(x, batch);
  return labels ? crossEntropy(out, labels, batch, prog.outputSize, null) : meanSquaredError(out, targets as Float64Array, batch, prog.outputSize, null);
}

const ARCHS: [string, (rng: ReturnType<typeof createRandom>) => Network][] = [
  [
    "relu",
    (r) => ({
      inputSize: 3,
      layers: [randomDense(r, 3, 5), { type: "relu" }, randomDense(r, 5, 4), { type: "relu" }, randomDense(r, 4, 3)],
    }),
  ],
  [
    "leaky-relu + abs",
    (r) => ({
      inputSize: 3,
      layers: [randomDense(r, 3, 5), { type: "leaky-relu", slope: 0.1 }, randomDense(r, 5, 4), { type: "abs" }, randomDense(r, 4, 3)],
    }),
  ],
  [
    "hard-tanh",
    (r) => ({
      inputSize: 3,
      layers: [randomDense(r, 3, 6), { type: "hard-tanh", lo: -0.5, hi: 0.5 }, randomDense(r, 6, 3)],
    }),
  ],
  [
    "maxout",
    (r) => ({
      inputSize: 3,
      layers: [randomDense(r, 3, 6), { type: "maxout", k: 3 }, randomDense(r, 2, 3)],
    }),
  ],
  [
    "residual + frozen batch-norm",
    (r) => ({
      inputSize: 3,
      layers: [
        randomDense(r, 3, 4),
        { type: "relu" },
        {
          type: "residual",
          layers: [randomDense(r, 4, 4), { type: "relu" }, randomDense(r, 4, 4)],
        },
        {
          type: "batch-norm",
          size: 4,
          gamma: Float64Array.of(1, 2, 0.5, 1),
          beta: Float64Array.of(0, 1, 0, -1),
          mean: Float64Array.of(0.1, 0, 0, 0),
          variance: Float64Array.of(1, 2, 1, 0.5),
          epsilon: 1e-5,
        },
        randomDense(r, 4, 3),
      ],
    }),
  ],
];

for (const [name, build] of ARCHS) {
  for (const loss of ["cross-entropy", "mse"] as const) {
    test(`backward matches central finite differences: ${name}, ${loss}`, () => {
      const rng = createRandom(11);
      const net = build(rng);
      const batch = 7;
      const x = Float64Array.from({ length: batch * 3 }, () => rng.normal());
      const labels = loss === "cross-entropy" ? Int32Array.from({ length: batch }, () => rng.int(3)) : null;
      const targets = loss === "mse" ? Float64Array.from({ length: batch * 3 }, () => rng.normal()) : null;
      const prog = trainable(net, batch);
      const out = prog.forward(x, batch);
      const g = new Float64Array(batch * 3);
      if (labels) crossEntropy(out, labels, batch, 3, g);
      else meanSquaredError(out, targets as Float64Array, batch, 3, g);
      prog.zeroGrad();
      const dx = prog.backward(g, batch, true) as Float64Array;
      const h = 1e-6;
      let checked = 0;
      for (const p of prog.params) {
        for (let i = 0; i < p.value.length; i++) {
          const keep = p.value[i];
          p.value[i] = keep + h;
          const up = lossOf(net, x, batch, labels, targets);
          p.value[i] = keep - h;
          const down = lossOf(net, x, batch, labels, targets);
          p.value[i] = keep;
          const numeric = (up - down) / (2 * h);
          assert.ok(Math.abs(numeric - p.grad[i]) < 1e-6 + 1e-4 * Math.abs(numeric), `${p.name}[${i}]: backward ${p.grad[i]}, numeric ${numeric}`);
          checked++;
        }
      }
      for (let i = 0; i < x.length; i++) {
        const keep = x[i];
        x[i] = keep + h;
        const up = lossOf(net, x, batch, labels, targets);
        x[i] = keep - h;
        const down = lossOf(net, x, batch, labels, targets);
        x[i] = keep;
        const numeric = (up - down) / (2 * h);
        assert.ok(Math.abs(numeric - dx[i]) < 1e-6 + 1e-4 * Math.abs(numeric), `input[${i}]: backward ${dx[i]}, numeric ${numeric}`);
      }
      assert.ok(checked > 20);
    });
  }
}

test("the trainer's forward pass equals the library's forward()", () => {
  const rng = createRandom(5);
  for (const [, build] of ARCHS) {
    const net = build(rng);
    const prog = trainable(net, 9);
    const x = Float64Array.from({ length: 9 * 3 }, () => rng.normal());
    const out = prog.forward(x, 9).slice(0, 27);
    const compiled = prepare(net);
    for (let b = 0; b < 9; b++) {
      const ref = forward(compiled, x.subarray(3 * b, 3 * b + 3)).output;
      for (let o = 0; o < 3; o++) assert.ok(Math.abs(ref[o] - out[3 * b + o]) < 1e-12);
    }
  }
});

test("training is deterministic for a seed and changes with it", () => {
  const data = toy2d("moons", { count: 300, seed: 2 });
  const run = (seed: number): string => {
    const net = mlp([2, 8, 8, 2], { init: "he", seed: 4 });
    const t = createTrainer(net, data, {
      seed,
      batchSize: 32,
      learningRate: 0.01,
    });
    for (let e = 0; e < 3; e++) t.runEpoch();
    return stringifyNetwork(net);
  };
  assert.equal(run(1), run(1));
  assert.notEqual(run(1), run(2));
});

test("Adam and SGD learn moons; SGD with momentum and weight decay too", () => {
  const data = toy2d("moons", { count: 600, seed: 3 });
  for (const opts of [
    { optimizer: "adam" as const, learningRate: 0.01 },
    {
      optimizer: "sgd" as const,
      learningRate: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
    },
  ]) {
    const net = mlp([2, 16, 16, 2], { init: "he", seed: 1 });
    const t = createTrainer(net, data, { ...opts, batchSize: 32, seed: 1 });
    const before = t.evaluate();
    for (let e = 0; e < 40; e++) t.runEpoch();
    const after = t.evaluate();
    assert.ok((after.accuracy as number) > 0.97, `${opts.optimizer}: accuracy ${after.accuracy}`);
    assert.ok(after.loss < before.loss / 4, `${opts.optimizer}: loss ${before.loss} -> ${after.loss}`);
  }
});

test("mse regression fits a sawtooth with a one-hidden-layer relu network", () => {
  const data = regression1d("sawtooth", { count: 128, frequency: 1 });
  const net = mlp([1, 16, 1], { init: "he", seed: 2 });
  const t = createTrainer(net, data, {
    learningRate: 0.01,
    batchSize: 16,
    seed: 2,
  });
  const before = t.evaluate().loss;
  for (let e = 0; e < 300; e++) t.runEpoch();
  const after = t.evaluate().loss;
  assert.equal(t.evaluate().accuracy, null);
  assert.ok(after < 2e-3 && after < before / 20, `mse ${before} -> ${after}`);
});

test("a run resumed from a saved model and optimiser state continues bit for bit", () => {
  const data = toy2d("spirals", { count: 400, seed: 9 });
  for (const optimizer of ["adam", "sgd"] as const) {
    const opts = {
      optimizer,
      learningRate: 0.01,
      momentum: 0.5,
      batchSize: 50,
      seed: 7,
    };
    const straight = mlp([2, 12, 12, 2], { init: "glorot", seed: 3 });
    const t1 = createTrainer(straight, data, opts);
    for (let e = 0; e < 5; e++) t1.runEpoch();

    const first = mlp([2, 12, 12, 2], { init: "glorot", seed: 3 });
    const t2 = createTrainer(first, data, opts);
    for (let e = 0; e < 2; e++) t2.runEpoch();
    const saved = JSON.stringify({
      model: stringifyNetwork(first),
      state: t2.exportState(),
    });
    const doc = JSON.parse(saved);
    const resumed = parseNetwork(doc.model);
    const t3 = createTrainer(resumed, data, opts);
    t3.importState(doc.state);
    assert.equal(t3.epoch, 2);
    for (let e = 0; e < 3; e++) t3.runEpoch();
    assert.equal(stringifyNetwork(resumed), stringifyNetwork(straight), optimizer);
  }
});

test("clear errors for mismatched data and unsupported settings", () => {
  const data = toy2d("xor", { count: 50 });
  assert.throws(() => createTrainer(mlp([3, 4, 2]), data), /3 inputs.*"xor" has 2/);
  assert.throws(() => createTrainer(mlp([2, 4, 3]), data), /3 outputs.*needs 2/);
  assert.throws(
    () =>
      createTrainer(mlp([1, 4, 1]), regression1d("sine"), {
        loss: "cross-entropy",
      }),
    /cross-entropy needs class labels/,
  );
  assert.throws(() => createTrainer(mlp([2, 4, 2]), data, { batchSize: 0 }), /batch size/);
});
