/**
 * One hidden layer against exact counts: a one-layer network's regions are those of its
 * hyperplane arrangement, counted exactly by Zaslavsky's theorem in BigInt (oracle.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { denseArchitecture } from "../../src/bounds/architecture.ts";
import { hu2020Single } from "../../src/bounds/hu2020.ts";
import { serra2018Upper } from "../../src/bounds/serra2018.ts";
import { zaslavsky } from "../../src/bounds/zaslavsky.ts";
import { intRng, regionsOfArrangement } from "./oracle.ts";

test("the oracle counts known arrangements", () => {
  assert.equal(
    regionsOfArrangement([
      [1, 0, 0],
      [0, 1, 0],
    ]),
    4n,
  ); // two axes
  assert.equal(
    regionsOfArrangement([
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, 0],
    ]),
    6n,
  ); // three concurrent lines
  assert.equal(
    regionsOfArrangement([
      [1, 0, 0],
      [0, 1, 0],
      [1, 1, -1],
    ]),
    7n,
  ); // general position
  assert.equal(
    regionsOfArrangement([
      [1, 0, 0],
      [2, 0, 0],
    ]),
    2n,
  ); // the same line twice
  assert.equal(
    regionsOfArrangement([
      [1, 0, 0],
      [1, 0, 1],
      [1, 0, 2],
    ]),
    4n,
  ); // parallel lines
});

test("random one-layer relu networks reach zaslavsky exactly; degenerate ones stay below", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rnd = intRng(seed);
    const n0 = 1 + (seed % 3);
    const n1 = 2 + (seed % 5);
    const planes = Array.from({ length: n1 }, () => Array.from({ length: n0 + 1 }, () => rnd(-1000, 1000)));
    const bound = zaslavsky(denseArchitecture(n0, [n1])).value?.num;
    assert.equal(regionsOfArrangement(planes), bound, `seed ${seed}: generic weights reach the maximum`);
    assert.equal(serra2018Upper(denseArchitecture(n0, [n1])).value?.num, bound);
    // Degenerate: zero biases (all through the origin), a duplicated unit, a dead unit.
    const degenerate = planes.map((p) => [...p.slice(0, -1), 0]);
    degenerate.push(degenerate[0].slice(), new Array(n0 + 1).fill(0));
    const count = regionsOfArrangement(degenerate);
    const widerBound = zaslavsky(denseArchitecture(n0, [n1 + 2])).value?.num;
    assert.ok(bound !== undefined && widerBound !== undefined && count <= widerBound);
    if (n0 >= 2 && n1 > n0) assert.ok(count < bound, `seed ${seed}: central arrangements have fewer regions`);
  }
});

test("hard-tanh layers (3 pieces) reach hu2020-single exactly", () => {
  for (let seed = 1; seed <= 8; seed++) {
    const rnd = intRng(100 + seed);
    const n0 = 1 + (seed % 3);
    const n1 = 2 + (seed % 4);
    const planes: number[][] = [];
    for (let u = 0; u < n1; u++) {
      const w = Array.from({ length: n0 }, () => rnd(-1000, 1000));
      const b = rnd(-5000, 5000);
      // hard-tanh(w.x + b) switches at w.x + b = -1 and = +1 (scaled by 7 to keep integers apart).
      planes.push([...w.map((x) => 7 * x), 7 * b + 7], [...w.map((x) => 7 * x), 7 * b - 7]);
    }
    const bound = hu2020Single(denseArchitecture(n0, [n1], { type: "pieces", p: 3 })).value?.num;
    assert.equal(regionsOfArrangement(planes), bound, `seed ${seed}`);
  }
});
