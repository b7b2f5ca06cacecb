import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { BoxLp } from "../../src/regions/whole/box-lp.ts";
import { wholePartition } from "../../src/regions/whole.ts";

// Rows proved not facets without a full LP (certificates.ts, box-lp.ts stopBelow) must leave the
// partition as the full LPs make it, array for array: the shortcuts only ever skip LPs whose
// answer is "not a facet", which never gives a point.

test("the LP shortcuts give the partition of full LPs, array for array, on 784-input deeper networks", () => {
  const nets: [string, Network, [number, number]][] = [
    ["784-5-4-1 He", mlp([784, 5, 4, 1], { init: "he", seed: 3 }), [0, 1]],
    ["784-4-4-3 zero-bias", mlp([784, 4, 4, 3], { init: "zero-bias", seed: 5 }), [-1, 1]],
    ["784-3-3-1 hard-tanh", mlp([784, 3, 3, 1], { init: "he", seed: 6, activation: { type: "hard-tanh", lo: -0.5, hi: 0.5 } }), [0, 1]],
    ["4-5-5-1 He", mlp([4, 5, 5, 1], { init: "he", seed: 2 }), [-1, 1]],
  ];
  let stopped = 0;
  let certified = 0;
  for (const [name, net, box] of nets) {
    const compiled = prepare(net);
    const full = wholePartition(compiled, { box, lpShortcuts: false });
    const fast = wholePartition(compiled, { box, lpShortcuts: true });
    assert.equal(full.stats.lpStopped + full.stats.certificateRejected, 0, `${name}: no shortcut when off`);
    assert.equal(fast.uncertain, full.uncertain, name);
    assert.ok(fast.activationRegions > 8, `${name}: a partition worth comparing`);
    for (const key of ["patterns", "facetStart", "facetHyperplane", "facetNeighbour", "adjacency", "pieceOf", "centres", "radii", "points"] as const) {
      assert.deepEqual(fast[key], full[key], `${name}: ${key}`);
    }
    assert.equal(fast.linearPieces, full.linearPieces, name);
    assert.ok(fast.stats.lpIterations <= full.stats.lpIterations, `${name}: pivots ${fast.stats.lpIterations} > ${full.stats.lpIterations}`);
    stopped += fast.stats.lpStopped;
    certified += fast.stats.certificateRejected;
  }
  assert.ok(stopped > 0 && certified > 0, `shortcuts used: ${stopped} LPs stopped, ${certified} rows by a certificate`);
});

test("a stopped LP's bound and reused multipliers bound the true optimum (random box LPs)", () => {
  const random = createRandom(7);
  const rand = (): number => random.next();
  const n0 = 30;
  const r = 4;
  // Q: r orthonormal rows (Gram-Schmidt of random ones).
  const Q = new Float64Array(r * n0);
  for (let c = 0; c < r; c++) {
    for (let j = 0; j < n0; j++) Q[c * n0 + j] = rand() - 0.5;
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < n0; j++) dot += Q[c * n0 + j] * Q[p * n0 + j];
      for (let j = 0; j < n0; j++) Q[c * n0 + j] -= dot * Q[p * n0 + j];
    }
    let norm = 0;
    for (let j = 0; j < n0; j++) norm += Q[c * n0 + j] ** 2;
    for (let j = 0; j < n0; j++) Q[c * n0 + j] /= Math.sqrt(norm);
  }
  const lp = new BoxLp({ n0, r, Q, lo: 0, hi: 1 });
  let stops = 0;
  let reused = 0;
  for (let trial = 0; trial < 200; trial++) {
    const K = 3 + (trial % 6);
    const A = new Float64Array(K * r);
    const b = new Float64Array(K);
    const nu = new Float64Array(K).fill(1);
    const eq = new Uint8Array(K);
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < r; c++) A[k * r + c] = rand() - 0.5;
      b[k] = (rand() - 0.6) * 2;
    }
    if (trial % 3 === 0) {
      eq[0] = 1;
      nu[0] = 0;
    }
    const full = lp.solve(K, A, nu, b, eq, -10, 10);
    if (full.status !== "optimal") continue;
    const optimum = full.lower;
    // Stop at a level below the optimum: never "below"; above it: "below" only with a valid bound.
    const early = lp.solve(K, A, nu, b, eq, -10, 10, optimum - 1e-6);
    assert.notEqual(early.status, "below", `trial ${trial}: stopped below a reachable margin ${optimum}`);
    const level = optimum + 0.05;
    const stop = lp.solve(K, A, nu, b, eq, -10, 10, level);
    if (stop.status === "below") {
      stops++;
      assert.ok(stop.upper <= level && stop.upper >= optimum - 1e-9, `trial ${trial}: bound ${stop.upper}, optimum ${optimum}, level ${level}`);
      // Its multipliers, on the problem with every offset moved, still bound that problem's optimum.
      const y = Float64Array.from(lp.multipliers());
      const b2 = b.map((v) => v + (rand() - 0.5) * 0.1);
      const bound = lp.lagrangian(K, A, nu, b2, eq, -10, 10, y);
      const moved = lp.solve(K, A, nu, b2, eq, -10, 10);
      if (moved.status === "optimal") {
        reused++;
        assert.ok(bound >= moved.lower - 1e-9, `trial ${trial}: reused bound ${bound} below the optimum ${moved.lower}`);
      }
    }
  }
  assert.ok(stops > 20 && reused > 20, `${stops} stops, ${reused} reused bounds checked`);
});
