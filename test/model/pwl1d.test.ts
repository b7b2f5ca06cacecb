/**
 * The minimal one-hidden-layer network of a 1D piecewise-linear function: its width against a
 * brute force over the only k-unit networks there can be (one unit per kink, each facing left
 * or right), and its function against the target, with the exact linear pieces of the line
 * engine.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { minimalShallow1d } from "../../src/model/build/pwl1d.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";

/** Integer knots 0..n and integer values: slopes and their changes are integers. */
function bruteForceKinksSuffice(values: number[]): boolean {
  const slopes = values.slice(1).map((v, i) => v - values[i]);
  const changes = slopes
    .slice(1)
    .map((s, i) => s - slopes[i])
    .filter((d) => d !== 0);
  for (let mask = 0; mask < 1 << changes.length; mask++) {
    // Units facing right (zero on the right) carry the first slope: -sum of their changes.
    let left = 0;
    for (let i = 0; i < changes.length; i++) if (mask & (1 << i)) left -= changes[i];
    if (left === slopes[0]) return true;
  }
  return false;
}

function checkExpresses(knots: number[], values: number[]): ReturnType<typeof minimalShallow1d> {
  const built = minimalShallow1d(knots, values);
  const net = prepare(built.network);
  knots.forEach((x, i) => {
    const y = forward(net, [x]).output[0];
    assert.ok(Math.abs(y - values[i]) <= 1e-9 * (1 + Math.abs(values[i])), `f(${x}) = ${y}, target ${values[i]}`);
  });
  const pieces = linePartition(net, Float64Array.of(knots[0], knots[knots.length - 1])).linearPieces;
  assert.equal(pieces, built.kinks.length + 1, `values ${values.join(",")}`);
  return built;
}

test("the classic cases: hat 2 units, V 2, a one-sided bend 1, the 4-piece sawtooth 4", () => {
  assert.equal(checkExpresses([0, 1, 2], [0, 1, 0]).width, 2);
  assert.equal(checkExpresses([0, 1, 2], [1, 0, 1]).width, 2);
  assert.equal(checkExpresses([0, 1, 2], [1, 0, 0]).width, 1);
  const saw = checkExpresses([-1, -0.5, 0, 0.5, 1], [0, 1, 0, 1, 0]);
  assert.deepEqual([saw.width, saw.kinks.length, saw.kinksSuffice], [4, 3, false]);
  // Collinear knots are not kinks; an affine function needs one unit (its slope) or none.
  assert.equal(checkExpresses([0, 1, 2, 3], [0, 1, 2, 0]).kinks.length, 1);
  assert.equal(checkExpresses([0, 1, 2], [3, 3, 3]).width, 0);
});

test("the width decision agrees with a brute force over sign patterns on 300 random integer targets", () => {
  const rng = createRandom(11);
  let suffice = 0;
  for (let trial = 0; trial < 300; trial++) {
    const n = 2 + rng.int(8);
    const knots = Array.from({ length: n + 1 }, (_, i) => i);
    const values = knots.map(() => rng.int(7) - 3);
    const built = checkExpresses(knots, values);
    const expected = bruteForceKinksSuffice(values);
    assert.equal(built.kinksSuffice, expected, `values ${values.join(",")}`);
    assert.equal(built.width, built.kinks.length + (expected ? 0 : 1));
    if (expected) suffice++;
  }
  // Both cases occur often enough for the comparison to mean something.
  assert.ok(suffice > 30 && suffice < 270, `${suffice} of 300 need only k units`);
});

test("fractional knots are decided exactly (slopes 1/3 and 1/6 sum only as rationals)", () => {
  // Slopes 1/3, 0, 1/6 ... first slope 1/3, changes -1/3 and +1/6: {-1/3} sums to -1/3. k units.
  const built = checkExpresses([0, 0.75, 1.5, 2.25], [0, 0.25, 0.25, 0.375]);
  assert.deepEqual([built.kinks.length, built.kinksSuffice, built.width], [2, true, 2]);
});

test("bad input: one clear error", () => {
  assert.throws(() => minimalShallow1d([0, 0], [1, 2]), /knots must increase/);
  assert.throws(() => minimalShallow1d([0], [1]), /at least two knots/);
});
