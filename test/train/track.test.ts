import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { DenseLayer } from "../../src/model/layers.ts";
import { linePartition } from "../../src/regions/line.ts";
import { planePartition } from "../../src/regions/plane.ts";
import { defaultTrackEpochs } from "../../src/train/config.ts";
import { row } from "../../src/train/data/dataset.ts";
import { toy2d } from "../../src/train/data/toy2d.ts";
import { createTrackPlan, inputPlane, measure } from "../../src/train/track.ts";
import { createTrainer } from "../../src/train/trainer.ts";

const data = toy2d("circles", { count: 200, seed: 1 });

test("tracked counts equal the engines' counts and respect the sampled lower bound", () => {
  const net = mlp([2, 10, 10, 2], { init: "he", seed: 5 });
  const plan = createTrackPlan(data, {
    track: ["plane", "lines", "planes", "distance", "patterns"],
    lines: 6,
    planes: 2,
    distancePoints: 30,
    patternPoints: 200,
    seed: 1,
  });
  const trainer = createTrainer(net, data, { seed: 1 });
  const { record, detail } = measure(net, data, plan, trainer.evaluate(), 0, null, 0);
  const compiled = prepare(net);
  const direct = inputPlane(compiled, data.box);
  assert.equal(record.plane?.activationRegions, direct.activationRegions);
  assert.equal(record.plane?.linearPieces, direct.linearPieces);
  // Every distinct pattern over the data is a region of the data's box: a lower bound.
  assert.ok((record.patterns?.distinct as number) <= direct.activationRegions);
  assert.ok((record.patterns?.distinct as number) >= 2);
  const [a, b] = [row(data, plan.segments[0]), row(data, plan.segments[1])];
  assert.equal(detail.lineRegions[0], linePartition(compiled, Float64Array.of(a[0], a[1], b[0], b[1])).activationRegions);
  assert.equal(record.lines?.regions.count, 6);
  assert.equal(record.distance?.distance.count, 30);
  assert.equal(detail.distances.length, 30);
  assert.equal(record.units, 20);
  assert.equal(record.planes?.regions.count, 2);
  assert.ok((record.planes?.regions.mean as number) >= 1);
});

test("lines: for one hidden layer the count is 1 + the units whose sign differs at the two ends", () => {
  const net = mlp([2, 25, 2], { init: "he", seed: 3 });
  const plan = createTrackPlan(data, {
    track: ["lines"],
    lines: 10,
    planes: 0,
    distancePoints: 1,
    patternPoints: 1,
    seed: 2,
  });
  const { detail } = measure(net, data, plan, { loss: 0, accuracy: 0 }, 0, null, 0);
  const layer = net.layers[0] as DenseLayer;
  for (let s = 0; s < 10; s++) {
    const a = row(data, plan.segments[2 * s]);
    const b = row(data, plan.segments[2 * s + 1]);
    let switching = 0;
    for (let i = 0; i < 25; i++) {
      const za = layer.weight[2 * i] * a[0] + layer.weight[2 * i + 1] * a[1] + layer.bias[i];
      const zb = layer.weight[2 * i] * b[0] + layer.weight[2 * i + 1] * b[1] + layer.bias[i];
      if (za > 0 !== zb > 0) switching++;
    }
    assert.equal(detail.lineRegions[s], 1 + switching, `segment ${s}`);
  }
});

test("one hidden layer in a box around all intersections: Zaslavsky's count 1 + n + C(n, 2)", () => {
  // Lines in general position: 1 + n + n(n-1)/2 regions when every vertex is inside the box.
  const net = mlp([2, 7, 1], { init: "he", seed: 12 });
  const compiled = prepare(net);
  const big = planePartition(
    compiled,
    {
      origin: new Float64Array(2),
      e1: Float64Array.of(1, 0),
      e2: Float64Array.of(0, 1),
    },
    { domain: Float64Array.of(-1e4, -1e4, 1e4, -1e4, 1e4, 1e4, -1e4, 1e4) },
  );
  assert.equal(big.activationRegions, 1 + 7 + 21);
});

test("default tracked epochs include 0, the last and early epochs", () => {
  assert.deepEqual(defaultTrackEpochs(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(defaultTrackEpochs(100), [0, 1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(defaultTrackEpochs(7, 3), [0, 3, 6, 7]);
});

test("plane tracking needs 2D data", () => {
  const plan = () =>
    createTrackPlan(
      { ...data, inputSize: 3, name: "three" },
      {
        track: ["plane"],
        lines: 1,
        planes: 1,
        distancePoints: 1,
        patternPoints: 1,
        seed: 0,
      },
    );
  assert.throws(plan, /--track plane needs 2D inputs, "three" has 3/);
});
