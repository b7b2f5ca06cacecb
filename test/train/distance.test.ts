import assert from "node:assert/strict";
import { test } from "node:test";
import { boundaryDistances } from "../../src/metrics/batch-distance.ts";
import { distanceToBoundary } from "../../src/metrics/distance.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { patternsEqual } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { planePartition } from "../../src/regions/plane.ts";

/** Distance from (x, y) to the segment (ax, ay)-(bx, by). */
function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

test("boundary distance equals the distance to the walls of the point's cell in the exact plane partition", () => {
  const rng = createRandom(4);
  for (const [widths, activation] of [
    [[2, 6, 6, 1], { type: "relu" }],
    [[2, 5, 4, 2], { type: "hard-tanh", lo: -1, hi: 1 }],
    [[2, 4, 4, 1], { type: "maxout", k: 2 }],
  ] as const) {
    const net = mlp(widths, {
      init: "he",
      seed: 9,
      activation: activation as never,
    });
    const compiled = prepare(net);
    // A domain so large that the nearest wall of a cell near the origin is a real boundary.
    const R = 60;
    const p = planePartition(
      compiled,
      {
        origin: new Float64Array(2),
        e1: Float64Array.of(1, 0),
        e2: Float64Array.of(0, 1),
      },
      { domain: Float64Array.of(-R, -R, R, -R, R, R, -R, R) },
    );
    const points = Float64Array.from({ length: 40 }, () => rng.uniform(-1, 1));
    const d = boundaryDistances(compiled, points, 20);
    const words = compiled.layout.words;
    for (let i = 0; i < 20; i++) {
      const [x, y] = [points[2 * i], points[2 * i + 1]];
      const { pattern } = forward(compiled, [x, y]);
      let wall = Number.POSITIVE_INFINITY;
      for (let c = 0; c < p.cellCount; c++) {
        if (!patternsEqual(p.patterns, c * words, pattern, 0, words)) continue;
        const s = p.cellStart[c];
        const e = p.cellStart[c + 1];
        for (let v = s; v < e; v++) {
          if (p.edgeLine[v] < 0) continue;
          const w = v + 1 < e ? v + 1 : s;
          wall = Math.min(wall, segmentDistance(x, y, p.vertices[2 * v], p.vertices[2 * v + 1], p.vertices[2 * w], p.vertices[2 * w + 1]));
        }
      }
      assert.ok(Number.isFinite(wall), `${activation.type}: point ${i} found no cell`);
      assert.ok(Math.abs(d[i] - wall) < 1e-9 * (1 + wall), `${activation.type}: point ${i}: ${d[i]} vs wall ${wall}`);
    }
  }
});

test("agrees with src/metrics distanceToBoundary, including the reduced (Gram) path for wide inputs and residual blocks", () => {
  const rng = createRandom(8);
  const wide = mlp([50, 8, 8, 3], { init: "he", seed: 1 });
  const residual: Network = {
    inputSize: 3,
    layers: [
      ...mlp([3, 6, 2], { init: "he", seed: 2 }).layers.slice(0, 2),
      {
        type: "residual",
        layers: mlp([6, 6, 6], { init: "he", seed: 3 }).layers.slice(0, 2),
      },
      mlp([6, 2], { seed: 4 }).layers[0],
    ],
  };
  for (const net of [wide, residual]) {
    const compiled = prepare(net);
    const n0 = net.inputSize;
    const pts = Float64Array.from({ length: 10 * n0 }, () => rng.normal());
    const ours = boundaryDistances(compiled, pts, 10);
    for (let i = 0; i < 10; i++) {
      const theirs = distanceToBoundary(compiled, pts.subarray(i * n0, (i + 1) * n0)).distance;
      assert.ok(Math.abs(ours[i] - theirs) < 1e-9 * (1 + theirs), `${n0} inputs, point ${i}: ${ours[i]} vs ${theirs}`);
    }
  }
});

test("an affine network (no switching unit) has no boundary: infinite distance", () => {
  const net: Network = {
    inputSize: 2,
    layers: [
      {
        type: "dense",
        inSize: 2,
        outSize: 2,
        weight: new Float64Array(4),
        bias: Float64Array.of(1, -1),
      },
      { type: "relu" },
    ],
  };
  const d = boundaryDistances(prepare(net), Float64Array.of(0.3, 0.2), 1);
  assert.equal(d[0], Number.POSITIVE_INFINITY);
});
