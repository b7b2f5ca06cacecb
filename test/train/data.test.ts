import assert from "node:assert/strict";
import { test } from "node:test";
import { FormatError } from "../../src/io/network-json.ts";
import { createRandom } from "../../src/model/random.ts";
import { parseCsvDataset } from "../../src/train/data/csv.ts";
import { subset } from "../../src/train/data/dataset.ts";
import { fitPca, jacobiEigen, projectPca, topEigen } from "../../src/train/data/pca.ts";
import { regression1d, TARGETS_1D, target1d } from "../../src/train/data/regression1d.ts";
import { TOY_2D, toy2d } from "../../src/train/data/toy2d.ts";

test("2D sets: sizes, balanced classes, seeded", () => {
  for (const kind of TOY_2D) {
    const a = toy2d(kind, { count: 301, seed: 5 });
    assert.equal(a.count, 301);
    assert.equal(a.x.length, 602);
    const counts = new Array(a.classes).fill(0);
    for (const l of a.labels as Int32Array) counts[l]++;
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${kind}: ${counts}`);
    assert.deepEqual(toy2d(kind, { count: 301, seed: 5 }).x, a.x);
    assert.notDeepEqual(toy2d(kind, { count: 301, seed: 6 }).x, a.x);
    assert.ok(a.box[0] < a.box[1] && a.box[2] < a.box[3]);
  }
});

test("2D sets without noise follow their definitions", () => {
  const board = toy2d("checkerboard", { count: 500, noise: 0, seed: 1 });
  for (let i = 0; i < board.count; i++) {
    const [x, y] = [board.x[2 * i], board.x[2 * i + 1]];
    assert.equal((Math.floor((x + 1) * 2) + Math.floor((y + 1) * 2)) % 2, (board.labels as Int32Array)[i]);
  }
  const circles = toy2d("circles", { count: 200, noise: 0 });
  for (let i = 0; i < circles.count; i++) {
    const r = Math.hypot(circles.x[2 * i], circles.x[2 * i + 1]);
    assert.ok(Math.abs(r - ((circles.labels as Int32Array)[i] === 0 ? 1 : 0.5)) < 1e-12);
  }
  const xor = toy2d("xor", { count: 200, noise: 0 });
  for (let i = 0; i < xor.count; i++) assert.equal(xor.x[2 * i] * xor.x[2 * i + 1] > 0 ? 0 : 1, (xor.labels as Int32Array)[i]);
  const spirals = toy2d("spirals", { count: 90, classes: 3, noise: 0 });
  assert.equal(spirals.classes, 3);
  // The intricacy knobs: a 6 x 6 board, and arms of 3 turns (the angle grows with the radius).
  const six = toy2d("checkerboard", { count: 300, noise: 0, seed: 2, cells: 6 });
  for (let i = 0; i < six.count; i++) {
    const [x, y] = [six.x[2 * i], six.x[2 * i + 1]];
    assert.equal((Math.floor((x + 1) * 3) + Math.floor((y + 1) * 3)) % 2, (six.labels as Int32Array)[i]);
  }
  const turns = toy2d("spirals", { count: 200, noise: 0, seed: 3, turns: 3 });
  for (let i = 0; i < turns.count; i++) {
    const [x, y] = [turns.x[2 * i], turns.x[2 * i + 1]];
    const r = Math.hypot(x, y);
    const angle = 3 * 2 * Math.PI * r + Math.PI * (turns.labels as Int32Array)[i];
    assert.ok(Math.abs(x - r * Math.cos(angle)) < 1e-9 && Math.abs(y - r * Math.sin(angle)) < 1e-9);
  }
  assert.throws(() => toy2d("checkerboard", { cells: 0 }), /cells must be an integer/);
});

test("1D targets: the sawtooth with f teeth has exactly 2f - 1 kinks in (-1, 1)", () => {
  for (const f of [1, 2, 3]) {
    const saw = target1d("sawtooth", f);
    // Slopes on a fine grid (the kinks sit on multiples of 1/(2f) in (x+1)/2, never on grid points here).
    const n = 6000;
    let kinks = 0;
    let prev = Number.NaN;
    for (let i = 0; i < n; i++) {
      const x0 = -1 + (2 * i) / n + 1e-7;
      const slope = (saw(x0 + 1e-5) - saw(x0)) / 1e-5;
      if (!Number.isNaN(prev) && Math.abs(slope - prev) > 1) kinks++;
      prev = slope;
    }
    assert.equal(kinks, 2 * f - 1);
  }
  for (const kind of TARGETS_1D) {
    const d = regression1d(kind, { count: 50 });
    assert.equal(d.task, "regression");
    assert.equal(d.x[0], -1);
    assert.equal(d.x[49], 1);
  }
});

test("CSV: header, label mapping, regression guess, target column, errors", () => {
  const c = parseCsvDataset("a,b,label\n0,1,3\n1,0,7\n# comment\n2,2,3\n", "t.csv");
  assert.equal(c.task, "classification");
  assert.equal(c.classes, 2);
  assert.deepEqual(Array.from(c.labels as Int32Array), [0, 1, 0]);
  assert.deepEqual(Array.from(c.x), [0, 1, 1, 0, 2, 2]);
  const r = parseCsvDataset("0.5,1.5\n1,2.25\n", "r.csv");
  assert.equal(r.task, "regression");
  assert.deepEqual(Array.from(r.targets as Float64Array), [1.5, 2.25]);
  const t = parseCsvDataset("y,x\n1,5\n0,6\n", "t.csv", { target: "y" });
  assert.deepEqual(Array.from(t.x), [5, 6]);
  assert.throws(
    () => parseCsvDataset("a,b\n1,x\n", "bad.csv"),
    (e: Error) => e instanceof FormatError && /bad\.csv:2: column "b" is not a number/.test(e.message),
  );
  assert.throws(() => parseCsvDataset("a,b\n1,2,3\n", "bad.csv"), /bad\.csv:2: expected 2 columns, got 3/);
  assert.throws(() => parseCsvDataset("", "e.csv"), /no rows/);
  assert.throws(() => parseCsvDataset("a,b\n1,1\n2,1\n", "one.csv"), /at least 2 classes/);
  assert.throws(() => parseCsvDataset("a,b\n1,1\n", "t.csv", { target: "zz" }), /no column named "zz"/);
});

test("subset keeps rows and labels", () => {
  const d = toy2d("blobs", { count: 30, seed: 1 });
  const s = subset(d, [3, 7]);
  assert.deepEqual(Array.from(s.x), [d.x[6], d.x[7], d.x[14], d.x[15]]);
  assert.deepEqual(Array.from(s.labels as Int32Array), [(d.labels as Int32Array)[3], (d.labels as Int32Array)[7]]);
});

test("PCA: subspace iteration agrees with full Jacobi, and recovers known axes", () => {
  const rng = createRandom(2);
  const n = 12;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = rng.normal();
  // Make it positive definite with distinct eigenvalues.
  for (let i = 0; i < n; i++) m[i * n + i] += 10 + i;
  const full = jacobiEigen(m, n);
  const sorted = Array.from(full.values).sort((a, b) => b - a);
  const top = topEigen(m, n, 4);
  for (let c = 0; c < 4; c++) {
    assert.ok(Math.abs(top.values[c] - sorted[c]) < 1e-8, `eigenvalue ${c}`);
    // A v = lambda v
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += m[i * n + j] * top.vectors[c * n + j];
      assert.ok(Math.abs(s - top.values[c] * top.vectors[c * n + i]) < 1e-7);
    }
  }
  // Points spread mostly along (1, 1, 0) then (0, 0, 1).
  const count = 2000;
  const x = new Float64Array(count * 3);
  for (let i = 0; i < count; i++) {
    const a = 5 * rng.normal();
    const b = 2 * rng.normal();
    const c = 0.1 * rng.normal();
    x.set([a / Math.SQRT2 + c / Math.SQRT2, a / Math.SQRT2 - c / Math.SQRT2, b], 3 * i);
  }
  const pca = fitPca(x, count, 3, 2);
  assert.ok(Math.abs(Math.abs(pca.components[0]) - Math.SQRT1_2) < 0.01 && Math.abs(pca.components[2]) < 0.05);
  assert.ok(Math.abs(Math.abs(pca.components[5]) - 1) < 0.01 && Math.abs(pca.components[3]) < 0.05);
  assert.ok(Math.abs(pca.variances[0] - 25) < 2.5 && Math.abs(pca.variances[1] - 4) < 0.5);
  const y = projectPca(pca, x, count);
  let mean = 0;
  for (let i = 0; i < count; i++) mean += y[2 * i];
  assert.ok(Math.abs(mean / count) < 1e-9);
});
