import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import { countSegments } from "../../src/regions/line-segments.ts";

describe("countSegments", () => {
  it("counts each segment as linePartition does, for every activation and degenerate segments", () => {
    const activations = [{ type: "relu" }, { type: "leaky-relu", slope: 0.2 }, { type: "hard-tanh", lo: -1, hi: 1 }, { type: "maxout", k: 2 }] as const;
    for (const [a, activation] of activations.entries()) {
      for (const init of ["uniform", "zero-bias"] as const) {
        const compiled = prepare(mlp([2, 12, 12, 12, 1], { init, seed: a, activation }));
        const rng = createRandom(a + 7);
        const segments = new Float64Array(4 * 40);
        for (let i = 0; i < segments.length; i++) segments[i] = rng.next() * 4 - 2;
        // Through the origin, where every zero-bias first-layer line passes.
        segments.set([0, 0, 1, 0.5], 0);
        segments.set([-1, -1, 1, 1], 4);
        const counts = countSegments(compiled, segments);
        assert.equal(counts.segments, 40);
        let total = 0;
        for (let g = 0; g < 40; g++) {
          const expected = linePartition(compiled, segments.subarray(4 * g, 4 * g + 4)).activationRegions;
          assert.equal(counts.perSegment[g], expected, `${activation.type} ${init} segment ${g}`);
          total += expected;
        }
        assert.equal(counts.activationRegions, total);
      }
    }
  });

  it("names a zero-length segment and a malformed array", () => {
    const compiled = prepare(mlp([2, 4, 1], { seed: 1 }));
    assert.throws(() => countSegments(compiled, Float64Array.of(0, 0, 1, 1, 0.5, 0.5, 0.5, 0.5)), /segment 2 has zero length/);
    assert.throws(() => countSegments(compiled, Float64Array.of(0, 0, 1)), /2 points of 2 coordinates/);
    assert.throws(() => countSegments(compiled, Float64Array.of(0, Number.NaN, 1, 1)), /not finite/);
  });
});
