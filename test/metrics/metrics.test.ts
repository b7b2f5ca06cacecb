import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dataStats, parseDataRows } from "../../src/cli/commands/stats.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { distanceToBoundary, localComplexity } from "../../src/metrics/distance.ts";
import { confirmAlongDirection, segmentStats } from "../../src/metrics/hanin-rolnick.ts";
import { boxSamples, distinctPatterns } from "../../src/metrics/patterns.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { patternsEqual } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { tessera } from "../cli/cli-harness.ts";

test("distance to the boundary equals the distance to the nearest facet of the point's cell", () => {
  for (const [widths, activation] of [
    [[3, 6, 5, 1], { type: "relu" }],
    [[3, 4, 3, 1], { type: "hard-tanh", lo: -0.2, hi: 0.2 }],
    [[3, 4, 3, 1], { type: "maxout", k: 2 }],
  ] as const) {
    const compiled = prepare(mlp(widths, { seed: 30, activation }));
    const part = spacePartition(compiled, { box: [-50, 50] });
    const words = part.layout.words;
    const rng = createRandom(31);
    for (let s = 0; s < 30; s++) {
      const x = Float64Array.from({ length: 3 }, () => rng.uniform(-1, 1));
      const { pattern } = forward(compiled, x);
      let cell = -1;
      for (let i = 0; i < part.cellCount && cell < 0; i++) if (patternsEqual(part.patterns, i * words, pattern, 0, words)) cell = i;
      assert.ok(cell >= 0);
      let exact = Infinity;
      for (let f = part.facetStart[cell]; f < part.facetStart[cell + 1]; f++) {
        let dot = 0;
        for (let j = 0; j < 3; j++) dot += part.facets[f * 4 + j] * x[j];
        exact = Math.min(exact, part.facets[f * 4 + 3] - dot);
      }
      const r = distanceToBoundary(compiled, x);
      assert.ok(Math.abs(r.distance - exact) <= 1e-7 * (1 + exact), `${activation.type}: ${r.distance} vs ${exact}`);
      assert.ok(confirmAlongDirection(compiled, x, r.direction, r.distance));
      // Local complexity: no unit within a radius below the distance, at least one just above it.
      assert.equal(localComplexity(compiled, x, r.distance * 0.999), 0);
      assert.ok(localComplexity(compiled, x, r.distance * 1.001) >= 1);
    }
  }
});

test("sampled distinct patterns are a lower bound on the exact count", () => {
  const compiled = prepare(mlp([3, 6, 6, 1], { seed: 32 }));
  const exact = spacePartition(compiled, { box: [-1, 1] }).activationRegions;
  const points = boxSamples(3, 3000, -1, 1, createRandom(33));
  const est = distinctPatterns(compiled, points, 3000);
  assert.equal(est.kind, "sampled lower bound");
  assert.equal(est.samples, 3000);
  assert.ok(est.distinct <= exact && est.distinct >= exact / 2, `${est.distinct} of ${exact}`);
});

test("segments between data points count exact pieces", () => {
  // One relu unit x0 = 0: a segment from (-1, ..) to (1, ..) crosses it once.
  const compiled = prepare({
    inputSize: 2,
    layers: [
      {
        type: "dense",
        inSize: 2,
        outSize: 1,
        weight: Float64Array.of(1, 0),
        bias: Float64Array.of(0),
      },
      { type: "relu" },
    ],
  });
  const data = Float64Array.of(-1, 0, 1, 0.5);
  const stats = segmentStats(compiled, data, 2, 5, createRandom(1));
  assert.equal(stats.regions.mean, 2);
  assert.equal(stats.regions.std, 0);
  assert.ok(Math.abs(stats.perLength.mean - 2 / Math.hypot(2, 0.5)) < 1e-12);
});

test("data rows from CSV (with a header) and JSON, with one-line errors", () => {
  assert.deepEqual(Array.from(parseDataRows("a,b\n1,2\n3,4\n", "d.csv", 2).data), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(parseDataRows("[[1,2],[3,4]]", "d.json", 2).data), [1, 2, 3, 4]);
  assert.equal(parseDataRows('{"rows": [[1,2]]}', "d.json", 2).count, 1);
  assert.throws(() => parseDataRows("1,2\n3\n", "d.csv", 2), /d\.csv: row 2 has 1 numbers, the model has 2 inputs/);
  assert.throws(() => parseDataRows("1,2\n3,x\n", "d.csv", 2), /d\.csv: line 2/);
  assert.throws(() => parseDataRows("[[1,2],[3,null]]", "d.json", 2), /row 2 is not an array of finite numbers/);
});

test("dataStats on a 20-input network", () => {
  const compiled = prepare(mlp([20, 16, 16, 1], { init: "he", seed: 34 }));
  const rng = createRandom(35);
  const data = Float64Array.from({ length: 40 * 20 }, () => rng.normal());
  const s = dataStats(compiled, data, 40, {
    pairs: 5,
    planes: 2,
    radius: 0.1,
    seed: 1,
    distancePoints: 20,
  });
  assert.equal(s.segments.regions.n, 5);
  assert.equal(s.planes.regions.n, 2);
  assert.ok(s.segments.regions.min >= 1 && s.planes.regions.min >= 1);
  assert.equal(s.distance.agreed, s.distance.checked);
  assert.ok(s.patterns.distinct <= 40);
});

test("tessera stats prints one JSON object, and one line for bad data", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-stats-"));
  try {
    writeFileSync(join(dir, "m.json"), stringifyNetwork(mlp([4, 8, 1], { seed: 36 })));
    const rng = createRandom(37);
    writeFileSync(join(dir, "d.csv"), `${Array.from({ length: 30 }, () => Array.from({ length: 4 }, () => rng.normal().toFixed(3)).join(",")).join("\n")}\n`);
    writeFileSync(join(dir, "bad.csv"), "1,2,3\n");
    const ok = await tessera(["stats", "m.json", "--data", "d.csv", "--pairs", "3", "--planes", "1", "--json"], dir);
    assert.equal(ok.code, 0, ok.stderr);
    const doc = JSON.parse(ok.stdout);
    assert.equal(doc.dataRows, 30);
    assert.equal(doc.patterns.kind, "sampled lower bound");
    const bad = await tessera(["stats", "m.json", "--data", "bad.csv"], dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), "tessera: bad.csv: row 1 has 3 numbers, the model has 4 inputs");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
