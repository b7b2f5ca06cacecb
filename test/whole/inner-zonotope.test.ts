import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { BoxLp } from "../../src/regions/whole/box-lp.ts";
import { InnerZonotope } from "../../src/regions/whole/inner-zonotope.ts";
import { reduce, supportRange } from "../../src/regions/whole/reduce.ts";
import { randomRows } from "./random-rows.ts";

// The inner zonotope of U (inner-zonotope.ts) gives points of the box: its LP is a restriction of
// the box LP, so the lower bound the box LP's rule gives its point never exceeds the box LP's
// optimum, and its points are box points with u = Q x. With as many generators as inputs it is U.

test("the inner zonotope's LP gives box points whose margins bound the box LP's optimum from below", () => {
  const compiled = prepare(mlp([784, 6, 4, 1], { init: "he", seed: 1 }));
  const red = reduce(compiled, 0, 1);
  const { r, n0, Q } = red;
  const random = createRandom(4);
  const box = new BoxLp(red);
  const inner = new InnerZonotope(red, 2 * r);
  assert.ok(inner.m <= 2 * r && inner.m >= r, `${inner.m} generators`);
  let found = 0;
  let close = 0;
  for (let t = 0; t < 150; t++) {
    const { K, A, b, nu, eq } = randomRows(red, random, 0.1, 0.8);
    if (t % 3 === 0) {
      eq[0] = 1;
      nu[0] = 0;
    }
    const sLo = -(2 * red.radius + 10);
    const sHi = 2 * red.radius + 1;
    if (!inner.solve(K, A, nu, b, eq, sLo, sHi)) continue;
    // A point of the box, and u its image.
    for (let j = 0; j < n0; j++) assert.ok(inner.x[j] >= 0 && inner.x[j] <= 1, `${t}: x[${j}] = ${inner.x[j]}`);
    for (let c = 0; c < r; c++) {
      let acc = 0;
      for (let j = 0; j < n0; j++) acc += Q[c * n0 + j] * inner.x[j];
      assert.ok(Math.abs(acc - inner.u[c]) <= 1e-12, `${t}: u = Q x`);
    }
    const lower = box.marginOf(inner.u, K, A, nu, b, eq);
    const exact = box.solve(K, A, nu, b, eq, sLo, sHi);
    if (!Number.isFinite(lower)) continue;
    found++;
    assert.ok(lower <= exact.upper, `${t}: the inner point's margin ${lower} above the box LP's bound ${exact.upper}`);
    if (exact.status === "optimal" && exact.lower > 0 && lower > 0.25 * exact.lower) close++;
  }
  assert.ok(found > 100, `${found} points`);
  // Not a proof, a measure of use: most positive optima keep a good share of their margin.
  assert.ok(close > 30, `${close} inner optima within a quarter of the box LP's`);
});

test("with a generator per input the inner zonotope is U: the same support in every direction", () => {
  const compiled = prepare(mlp([6, 4, 3, 1], { init: "he", seed: 2 }));
  const red = reduce(compiled, -1, 1);
  const { r } = red;
  const inner = new InnerZonotope(red, 6);
  const random = createRandom(7);
  const A = new Float64Array(r);
  const b = new Float64Array(1);
  const nu = new Float64Array(1);
  const eq = new Uint8Array(1);
  for (let t = 0; t < 30; t++) {
    for (let c = 0; c < r; c++) A[c] = random.next() - 0.5;
    // Largest d . u over the inner zonotope: maximise s with d . u + s <= 0 ... as -min; use the LP
    // with one row d . u + s <= 0 and s free: its optimum is -min d . u, the support of -d.
    b[0] = 0;
    nu[0] = 1;
    assert.ok(inner.solve(1, A, nu, b, eq, -1e3, 1e3));
    let du = 0;
    for (let c = 0; c < r; c++) du += A[c] * inner.u[c];
    const range = supportRange(red, A);
    assert.ok(Math.abs(du - range.min) <= 1e-9, `${t}: inner min ${du}, U's ${range.min}`);
  }
});
