import assert from "node:assert/strict";
import { test } from "node:test";
import { firstCrossing, topClass } from "../../experiments/decision-boundary.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";

/** Top logit minus the runner-up, and the two classes. */
function topTwo(out: Float64Array): { first: number; second: number; margin: number } {
  const first = topClass(out);
  let second = first === 0 ? 1 : 0;
  for (let j = 0; j < out.length; j++) if (j !== first && out[j] > out[second]) second = j;
  return { first, second, margin: out[first] - out[second] };
}

test("the first crossing is on the segment, its two top logits tie, and no earlier piece end leaves a's class", () => {
  const rng = createRandom(11);
  let crossed = 0;
  for (let trial = 0; trial < 20; trial++) {
    const n0 = 6;
    const compiled = prepare(mlp([n0, 16, 16, 4], { init: "he", seed: 300 + trial }));
    const a = Float64Array.from({ length: n0 }, () => 3 * rng.normal());
    const b = Float64Array.from({ length: n0 }, () => 3 * rng.normal());
    const from = topClass(forward(compiled, a).output);
    const path = new Float64Array(2 * n0);
    path.set(a, 0);
    path.set(b, n0);
    const line = linePartition(compiled, path);
    const c = firstCrossing(compiled, a, b, line);
    // A crossing exists exactly when some point of the segment (a piece end) is classified otherwise.
    const ends = Array.from(line.tEnd).sort((p, q) => p - q);
    const at = (t: number): Float64Array => a.map((v, i) => v + t * (b[i] - v));
    const leaves = ends.some((t) => topClass(forward(compiled, at(t)).output) !== from);
    assert.equal(c !== null, leaves);
    if (!c) continue;
    crossed++;
    assert.ok(c.t > 0 && c.t < 1, `t = ${c.t}`);
    for (let i = 0; i < n0; i++) assert.ok(Math.abs(c.point[i] - (a[i] + c.t * (b[i] - a[i]))) <= 1e-12 * (1 + Math.abs(a[i]) + Math.abs(b[i])));
    const out = forward(compiled, c.point).output;
    const { first, second, margin } = topTwo(out);
    assert.equal(first, from);
    assert.equal(second, c.to);
    assert.notEqual(c.to, from);
    const scale = Math.max(...Array.from(out, Math.abs), 1);
    assert.ok(margin >= 0 && margin < 1e-12 * scale, `margin ${margin} at scale ${scale}`);
    // The first crossing: every piece end before t keeps a's class.
    for (const t of ends) if (t < c.t) assert.equal(topClass(forward(compiled, at(t)).output), from);
    // Without the partition the bisection on [0, 1] still lands on a tie when b is classified otherwise.
    if (topClass(forward(compiled, b).output) !== from) {
      const d = firstCrossing(compiled, a, b);
      assert.ok(d !== null && d.gap >= 0 && d.gap < 1e-12 * scale);
    }
  }
  assert.ok(crossed >= 5, `only ${crossed} of 20 segments crossed a boundary`);
});

test("a segment that keeps one class has no crossing", () => {
  const compiled = prepare(mlp([3, 8, 2], { init: "he", seed: 5 }));
  const a = Float64Array.of(0.1, 0.2, 0.3);
  assert.equal(firstCrossing(compiled, a, a.slice()), null);
});
