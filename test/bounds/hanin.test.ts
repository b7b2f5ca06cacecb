import assert from "node:assert/strict";
import { test } from "node:test";
import { Rational } from "../../src/bounds/exact.ts";
import { estimateForInit, estimateHaninConstants, hanin2019Bounds } from "../../src/bounds/hanin2019.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { dense, relu } from "../../src/model/layers.ts";

test("hanin2019 values are exact functions of the constants", () => {
  const [line, boundary, volume] = hanin2019Bounds({
    n0: 2,
    neurons: 10,
    cGrad: 1.5,
    cBias: 0.25,
    length: 2,
  });
  assert.equal(line.value?.toString(), "17/2"); // 1 + 2 * 10 * 1.5 * 0.25
  assert.equal(boundary.value?.toString(), "15/2"); // 10 * 2 * 0.375
  assert.equal(volume.value?.toString(), "225/8"); // (2 * 0.375 * 10)^2 / 2!
  assert.equal(line.kind, "expected");
  assert.ok(hanin2019Bounds(null).every((r) => !r.applies && r.reason));
  assert.ok(line.value?.compare(new Rational(1n)) === 1);
});

test("the estimator recovers known constants of a one-unit network", () => {
  // z = 3x on x ~ U(-1, 1): |grad z| = 3, and z is uniform on (-3, 3): density 1/6 at 0.
  const net = { inputSize: 1, layers: [dense([[3]]), relu(), dense([[1]])] };
  const est = estimateHaninConstants(net, { samples: 4000, seed: 5 });
  assert.equal(est.neurons, 1);
  assert.ok(Math.abs(est.cGrad - 3) < 1e-12, `C_grad ${est.cGrad}`);
  assert.ok(Math.abs(est.cBias - 1 / 6) < 0.03, `C_bias ${est.cBias}`);
  // Along a line (|u| = 1 in 1D) the unit switches 3 * (1/6) = 0.5 times per unit length.
  assert.ok(Math.abs(est.crossingsPerLength - 0.5) < 0.1, `crossings ${est.crossingsPerLength}`);
});

test("estimates for an initialisation are positive and finite", () => {
  const est = estimateForInit((seed) => mlp([3, 8, 8, 1], { init: "he", seed }), 3, { samples: 300 });
  assert.equal(est.neurons, 16);
  assert.ok(est.cGrad > 0 && Number.isFinite(est.cGrad));
  assert.ok(est.cBias > 0 && Number.isFinite(est.cBias));
  const maxout = estimateHaninConstants(mlp([2, 4, 1], { activation: { type: "maxout", k: 3 }, seed: 2 }), { samples: 300 });
  assert.ok(maxout.cGrad > 0 && maxout.cBias > 0);
});
