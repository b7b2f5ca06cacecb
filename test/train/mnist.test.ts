import assert from "node:assert/strict";
import { test } from "node:test";
import { mnist } from "../../src/train/data/mnist.ts";

test("MNIST: 10,000 real digits, about 1,000 per class, pixels in [0, 1]; PCA projection", async () => {
  const all = await mnist();
  assert.equal(all.count, 10000);
  assert.equal(all.inputSize, 784);
  const counts = new Array(10).fill(0);
  for (const l of all.labels as Int32Array) counts[l]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `${counts}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.equal(lo, 0);
  assert.ok(hi <= 1 && hi > 0.9);
  const small = await mnist({ count: 1500, pca: 6, seed: 3 });
  assert.equal(small.inputSize, 6);
  assert.equal(small.name, "mnist-pca6");
  const pca = small.pca as NonNullable<typeof small.pca>;
  for (let c = 1; c < 6; c++) assert.ok(pca.variances[c] <= pca.variances[c - 1]);
  for (let a = 0; a < 6; a++) {
    for (let b = 0; b < 6; b++) {
      let dot = 0;
      for (let j = 0; j < 784; j++) dot += pca.components[a * 784 + j] * pca.components[b * 784 + j];
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-9);
    }
  }
  // Variance of the projected data along component 0 equals its eigenvalue.
  let m = 0;
  let v = 0;
  for (let i = 0; i < small.count; i++) m += small.x[6 * i];
  m /= small.count;
  for (let i = 0; i < small.count; i++) v += (small.x[6 * i] - m) ** 2;
  assert.ok(Math.abs(v / small.count - pca.variances[0]) < 1e-6 * pca.variances[0]);
});
