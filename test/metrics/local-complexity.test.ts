import assert from "node:assert/strict";
import { test } from "node:test";
import { localRegions, randomFrame } from "../../src/metrics/local-complexity.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";

test("randomFrame gives orthonormal directions", () => {
  const f = randomFrame(7, 3, createRandom(1));
  for (let p = 0; p < 3; p++)
    for (let q = 0; q < 3; q++) {
      let dot = 0;
      for (let i = 0; i < 7; i++) dot += f[p * 7 + i] * f[q * 7 + i];
      assert.ok(Math.abs(dot - (p === q ? 1 : 0)) < 1e-12);
    }
});

test("local complexity of one hidden layer equals the line arrangement's count in the square (1 + lines + crossings inside)", () => {
  const rng = createRandom(4);
  let nontrivial = 0;
  for (let trial = 0; trial < 12; trial++) {
    const n0 = 5;
    const net = mlp([n0, 12, 1], { init: "he", seed: 100 + trial });
    const dense = net.layers[0];
    if (dense.type !== "dense") throw new Error("expected dense");
    const x = Float64Array.from({ length: n0 }, () => rng.normal());
    const frame = randomFrame(n0, 2, rng);
    const r = 0.8;
    // Unit i's line in (u, v): a + b u + c v = 0 with a = w.x + bias, b = w.e1, c = w.e2.
    const lines: [number, number, number][] = [];
    for (let i = 0; i < 12; i++) {
      let a = dense.bias[i];
      let b = 0;
      let c = 0;
      for (let j = 0; j < n0; j++) {
        const w = dense.weight[i * n0 + j];
        a += w * x[j];
        b += w * frame[j];
        c += w * frame[n0 + j];
      }
      lines.push([a, b, c]);
    }
    // The square |u| + |v| <= r: a line meets its interior iff |a| < r max(|b|, |c|).
    const crossing = lines.filter(([a, b, c]) => Math.abs(a) < r * Math.max(Math.abs(b), Math.abs(c)));
    let inside = 0;
    for (let p = 0; p < crossing.length; p++)
      for (let q = p + 1; q < crossing.length; q++) {
        const [a1, b1, c1] = crossing[p];
        const [a2, b2, c2] = crossing[q];
        const det = b1 * c2 - b2 * c1;
        const u = (-a1 * c2 + a2 * c1) / det;
        const v = (-b1 * a2 + b2 * a1) / det;
        if (Math.abs(u) + Math.abs(v) < r) inside++;
      }
    const expected = 1 + crossing.length + inside;
    assert.equal(localRegions(prepare(net), x, frame, r), expected, `trial ${trial}`);
    if (inside > 0) nontrivial++;
    // k = 1: the segment x +- r v1 crosses the units whose sign differs at its ends.
    const e1 = frame.slice(0, n0);
    const ends = lines.filter(([a, b]) => Math.sign(a - r * b) !== Math.sign(a + r * b)).length;
    assert.equal(localRegions(prepare(net), x, e1, r), 1 + ends);
  }
  assert.ok(nontrivial >= 3, "some squares hold crossings");
});

test("the local tracker records the mean exact count over its points, the same neighbourhoods every epoch", async () => {
  const { toy2d } = await import("../../src/train/data/toy2d.ts");
  const { createTrackPlan, measure } = await import("../../src/train/track.ts");
  const { row } = await import("../../src/train/data/dataset.ts");
  const data = toy2d("moons", { count: 200, seed: 1 });
  const net = mlp([2, 16, 16, 2], { init: "he", seed: 3 });
  const settings = { track: ["local" as const], lines: 1, planes: 1, distancePoints: 1, patternPoints: 1, localPoints: 12, localRadius: 0.3, localDimension: 2 as const, seed: 5 };
  const plan = createTrackPlan(data, settings);
  assert.deepEqual(Array.from(createTrackPlan(data, settings).localRows), Array.from(plan.localRows));
  const { record } = measure(net, data, plan, { loss: 0, accuracy: null }, 0, null, 0);
  const direct = Array.from(plan.localRows, (r, i) => localRegions(prepare(net), row(data, r), plan.localFrames[i], 0.3));
  assert.equal(record.local?.regions.count, 12);
  assert.equal(record.local?.regions.mean, direct.reduce((a, b) => a + b, 0) / 12);
  assert.ok((record.local?.regions.max ?? 0) > 1);
});
