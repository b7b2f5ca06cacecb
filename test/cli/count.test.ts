/**
 * `tessera count` against independent oracles:
 * - one hidden layer in the plane: the cells of a line arrangement inside a box number
 *   1 + (lines meeting the box) + (crossings inside the box) (Euler / Zaslavsky, general position),
 *   computed here from the weights alone; zero biases (all lines through one point) give 2n;
 * - one hidden layer along a segment: 1 + (units whose zero lies strictly inside), and along a
 *   polyline the distinct patterns at the midpoints between the analytic crossings;
 * - Montufar's construction: exactly 112 in [0,1]^2 (2-4-4-3) and 320 in [0,1] (1-4-4-4-4);
 * - a plane through three points of a 3-input network equals the box count of the 2-input network
 *   it restricts to;
 * - one hidden layer in a 3D box (space engine): 1 + planes + pairwise lines + triple points that
 *   meet the open box (general position).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { dense, type Network, relu } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { assertOk, scratch, tessera, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

function save(name: string, net: Network): string {
  const path = join(dir, name);
  writeFileSync(path, stringifyNetwork(net));
  return path;
}

/** relu(W x + b) then a random output layer; W is n x n0. */
function oneLayer(W: number[][], b: number[], seed = 1): Network {
  const rng = createRandom(seed);
  const head = [W.map(() => rng.uniform(0.5, 1.5) * (rng.next() < 0.5 ? -1 : 1))];
  return { inputSize: W[0].length, layers: [dense(W, b), relu(), dense(head, [0.1])] };
}

function randomLayer(n: number, n0: number, seed: number, biasScale = 1): { W: number[][]; b: number[] } {
  const rng = createRandom(seed);
  const W = Array.from({ length: n }, () => Array.from({ length: n0 }, () => rng.normal()));
  const b = Array.from({ length: n }, () => biasScale * rng.uniform(-1, 1));
  return { W, b };
}

/** Cells of the arrangement {W_i . x + b_i = 0} inside the open box [lo, hi]^2 (general position). */
function arrangementCells(W: number[][], b: number[], lo: number, hi: number): number {
  const corners = [
    [lo, lo],
    [hi, lo],
    [hi, hi],
    [lo, hi],
  ];
  let lines = 0;
  for (let i = 0; i < W.length; i++) {
    const values = corners.map(([x, y]) => W[i][0] * x + W[i][1] * y + b[i]);
    if (Math.min(...values) < 0 && Math.max(...values) > 0) lines++;
  }
  let crossings = 0;
  for (let i = 0; i < W.length; i++) {
    for (let j = i + 1; j < W.length; j++) {
      const det = W[i][0] * W[j][1] - W[i][1] * W[j][0];
      const x = (-b[i] * W[j][1] + b[j] * W[i][1]) / det;
      const y = (-W[i][0] * b[j] + W[j][0] * b[i]) / det;
      if (x > lo && x < hi && y > lo && y < hi) crossings++;
    }
  }
  return 1 + lines + crossings;
}

test("count --box on a 2-input one-hidden-layer net: the arrangement's cell count, JSON contract", async () => {
  const { W, b } = randomLayer(12, 2, 3);
  const path = save("one.json", oneLayer(W, b));
  const expected = arrangementCells(W, b, -1, 1);
  assert.ok(expected > 30, "the box holds a good part of the arrangement");
  const r = await tessera(["count", path, "--box", "-1,1", "--json"], dir);
  assertOk(r, "count --json");
  assert.equal(r.stdout.trim().split("\n").length, 1, "one JSON object on one line");
  const j = JSON.parse(r.stdout);
  assert.equal(j.engine, "plane");
  assert.equal(j.activationRegions, expected);
  assert.equal(j.linearPieces, expected, "a generic output layer separates every pair of neighbours");
  assert.equal(j.cells, expected);
  assert.ok(Number.isInteger(j.activationRegions) && Number.isInteger(j.linearPieces));
  assert.ok(typeof j.seconds === "number" && j.seconds >= 0);
  assert.deepEqual([j.inputSize, j.outputSize, j.units, j.measure], [2, 1, 12, 4]);
  assert.deepEqual(j.domain, { kind: "box", lo: -1, hi: 1 });
});

test("count --box on degenerate one-layer nets: zero biases, duplicated and dead units", async () => {
  const { W } = randomLayer(5, 2, 11);
  const zero = save("zero.json", oneLayer(W, [0, 0, 0, 0, 0]));
  const j = JSON.parse((await tesseraInProcess(["count", zero, "--box", "-1,1", "--json"])).stdout);
  assert.equal(j.activationRegions, 10, "5 lines through the origin cut the square into 10 sectors");

  const { W: W2, b: b2 } = randomLayer(6, 2, 12);
  const base = arrangementCells(W2, b2, -1, 1);
  // Duplicate three units (one as is, one scaled by 2, one by -4: powers of two keep the float line
  // exactly the same) and add a dead unit (zero weights, zero bias).
  const W3 = [...W2, W2[0], W2[1].map((x) => 2 * x), W2[2].map((x) => -4 * x), [0, 0]];
  const b3 = [...b2, b2[0], 2 * b2[1], -4 * b2[2], 0];
  const dup = save("dup.json", oneLayer(W3, b3));
  const k = JSON.parse((await tesseraInProcess(["count", dup, "--box", "-1,1", "--json"])).stdout);
  assert.equal(k.activationRegions, base);
  assert.equal(k.units, 10);
});

test("count --line and polylines: crossings along the path, distinct patterns", async () => {
  const { W, b } = randomLayer(20, 3, 5);
  const net = oneLayer(W, b);
  const path = save("three.json", net);
  const compiled = prepare(net);
  const pts = [
    [-1, -0.5, 0.2],
    [1, 0.7, -0.4],
    [0.1, -1, 1],
  ];
  // Parameters in (0, 1) where unit i crosses zero on segment s (exact for a straight segment).
  const crossings = (A: number[], B: number[]): number[] =>
    W.map((w, i) => {
      const fa = w.reduce((s, wk, d) => s + wk * A[d], b[i]);
      const fb = w.reduce((s, wk, d) => s + wk * B[d], b[i]);
      return fa / (fa - fb);
    })
      .filter((t) => t > 0 && t < 1)
      .sort((x, y) => x - y);
  const patterns = new Set<string>();
  let cells = 0;
  for (let s = 0; s + 1 < pts.length; s++) {
    const ts = [0, ...crossings(pts[s], pts[s + 1]), 1];
    for (let i = 0; i + 1 < ts.length; i++) {
      const t = (ts[i] + ts[i + 1]) / 2;
      const x = pts[s].map((a, d) => a + t * (pts[s + 1][d] - a));
      patterns.add(patternString(compiled.layout, forward(compiled, x).pattern));
      cells++;
    }
  }
  const single = JSON.parse((await tessera(["count", path, "--line", "-1,-0.5,0.2;1,0.7,-0.4", "--json"], dir)).stdout);
  assert.equal(single.engine, "line");
  assert.equal(single.activationRegions, 1 + crossings(pts[0], pts[1]).length);
  assert.ok(Math.abs(single.measure - Math.hypot(2, 1.2, 0.6)) < 1e-12);
  const poly = JSON.parse((await tesseraInProcess(["count", path, "--line", pts.map((p) => p.join(",")).join(";"), "--json"])).stdout);
  assert.equal(poly.cells, cells);
  assert.equal(poly.activationRegions, patterns.size);
  assert.ok(poly.linearPieces >= 1 && poly.linearPieces <= poly.cells);
  assert.deepEqual(poly.domain, { kind: "line", points: pts });
});

test("count reaches Montufar's bound: 112 in [0,1]^2 (2-4-4-3), 320 in [0,1] (1-4-4-4-4)", async () => {
  const two = save("m2.json", montufar(2, [4, 4, 3]));
  const one = save("m1.json", montufar(1, [4, 4, 4, 4]));
  const a = JSON.parse((await tesseraInProcess(["count", two, "--box", "0,1", "--json"])).stdout);
  const b = JSON.parse((await tesseraInProcess(["count", one, "--box", "0,1", "--json"])).stdout);
  assert.deepEqual([a.engine, a.activationRegions], ["plane", 112]);
  assert.deepEqual([b.engine, b.activationRegions], ["line", 320]);
  assert.deepEqual(b.domain, { kind: "box", lo: 0, hi: 1 });
});

test("count --plane through three points equals the restricted 2-input network's count", async () => {
  const { W, b } = randomLayer(10, 3, 8, 0.6);
  const z0 = 0.3;
  const path = save("p3.json", oneLayer(W, b));
  // On the plane (s, t, z0) the units are W[i][0] s + W[i][1] t + (b[i] + W[i][2] z0).
  const expected = arrangementCells(
    W.map((w) => [w[0], w[1]]),
    b.map((bi, i) => bi + W[i][2] * z0),
    0,
    1,
  );
  const r = await tesseraInProcess(["count", path, "--plane", `0,0,${z0};1,0,${z0};0,1,${z0}`, "--json"]);
  assertOk(r, "count --plane");
  const j = JSON.parse(r.stdout);
  assert.equal(j.engine, "plane");
  assert.equal(j.activationRegions, expected);
  assert.equal(j.measure, 1);
});

test("the human table names the model, domain, engine and counts", async () => {
  const path = save("m2h.json", montufar(2, [4, 4, 3]));
  const r = await tesseraInProcess(["count", path, "--box", "0,1"]);
  assertOk(r, "count table");
  const rows = Object.fromEntries(
    r.stdout
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, 18).trim(), l.slice(20)]),
  );
  assert.equal(rows.engine, "plane");
  assert.equal(rows["activation regions"], "112");
  assert.match(rows.domain, /^box \[0,1\]\^2 \(area 1\)$/);
  assert.match(rows.model, /2 inputs, 1 output, 11 piecewise-linear units$/);
  assert.match(rows.seconds, /^\d+\.\d+$/);
});

/** Cells of a generic plane arrangement {W_i . x + b_i = 0} inside the open box [lo, hi]^3. */
function arrangementCells3(W: number[][], b: number[], lo: number, hi: number): number {
  const cross = (a: number[], c: number[]) => [a[1] * c[2] - a[2] * c[1], a[2] * c[0] - a[0] * c[2], a[0] * c[1] - a[1] * c[0]];
  const dot = (a: number[], c: number[]) => a[0] * c[0] + a[1] * c[1] + a[2] * c[2];
  const inside = (x: number[]) => x.every((v) => v > lo && v < hi);
  const corners = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => [k & 1 ? hi : lo, k & 2 ? hi : lo, k & 4 ? hi : lo]);
  let planes = 0;
  for (let i = 0; i < W.length; i++) {
    const v = corners.map((x) => dot(W[i], x) + b[i]);
    if (Math.min(...v) < 0 && Math.max(...v) > 0) planes++;
  }
  let lines = 0;
  let points = 0;
  for (let i = 0; i < W.length; i++) {
    for (let j = i + 1; j < W.length; j++) {
      // The line p + t d with d = W_i x W_j and p the point of it nearest the origin:
      const d = cross(W[i], W[j]);
      const dd = dot(d, d);
      // n_i . x = h_i, n_j . x = h_j (h = -b): p = (h_i (n_j x d) + h_j (d x n_i)) / |d|^2.
      const nj = cross(W[j], d);
      const ni = cross(d, W[i]);
      const p = [0, 1, 2].map((k) => (-b[i] * nj[k] - b[j] * ni[k]) / dd);
      assert.ok(Math.abs(dot(W[i], p) + b[i]) < 1e-9 && Math.abs(dot(W[j], p) + b[j]) < 1e-9, "p lies on both planes");
      let t0 = -Infinity;
      let t1 = Infinity;
      for (let k = 0; k < 3; k++) {
        const a = (lo - p[k]) / d[k];
        const c = (hi - p[k]) / d[k];
        t0 = Math.max(t0, Math.min(a, c));
        t1 = Math.min(t1, Math.max(a, c));
      }
      if (t0 < t1) lines++;
      for (let k = j + 1; k < W.length; k++) {
        // Cramer's rule for W_i x = -b_i, W_j x = -b_j, W_k x = -b_k.
        const det = dot(W[i], cross(W[j], W[k]));
        const x = [cross(W[j], W[k]), cross(W[k], W[i]), cross(W[i], W[j])]
          .reduce((acc, v, r) => acc.map((s, q) => s - [b[i], b[j], b[k]][r] * v[q]), [0, 0, 0])
          .map((v) => v / det);
        if (inside(x)) points++;
      }
    }
  }
  return 1 + planes + lines + points;
}

test("count --box on a 3-input one-hidden-layer net (space engine): the plane arrangement's cells", async () => {
  const { W, b } = randomLayer(7, 3, 21, 0.5);
  const expected = arrangementCells3(W, b, -0.5, 1);
  assert.ok(expected > 30);
  const path = save("space.json", oneLayer(W, b));
  const j = JSON.parse((await tesseraInProcess(["count", path, "--box", "-0.5,1", "--json"])).stdout);
  assert.equal(j.engine, "space");
  assert.equal(j.activationRegions, expected);
  assert.equal(j.measure, 1.5 ** 3);
});

test("count --box on 784 inputs runs the whole-domain engine: JSON, --check, --cells; --engine whole agrees with space in 3D", async () => {
  const { mlp } = await import("../../src/model/build/mlp.ts");
  const big = save("m784.json", mlp([784, 6, 1], { seed: 2, init: "he" }));
  const cells = join(dir, "cells.csv");
  const r = await tessera(["count", big, "--box", "0,1", "--json", "--check", "--cells", cells], dir);
  assertOk(r, "count whole");
  const report = JSON.parse(r.stdout);
  // Six hyperplanes in general position in the 6-dimensional reduced space, all meeting the box's image.
  assert.equal(report.engine, "whole");
  assert.equal(report.activationRegions, 64);
  assert.equal(report.facets, 6 * 32);
  assert.deepEqual(report.check.problems, []);
  const { readFileSync } = await import("node:fs");
  const rows = readFileSync(cells, "utf8").trim().split("\n");
  assert.equal(rows.length, 1 + 64);
  assert.ok(rows[0].startsWith("cell,pattern_hash,pattern,measure,piece,radius,facets,neighbours,x0,"));
  assert.equal(readFileSync(join(dir, "cells.edges.csv"), "utf8").trim().split("\n").length, 1 + 6 * 32);
  const small = save("m3w.json", mlp([3, 6, 5, 1], { seed: 1, init: "he" }));
  const w = JSON.parse((await tessera(["count", small, "--box", "-1,1", "--json", "--engine", "whole"], dir)).stdout);
  const s = JSON.parse((await tessera(["count", small, "--box", "-1,1", "--json"], dir)).stdout);
  assert.equal(w.engine, "whole");
  assert.equal(s.engine, "space");
  assert.equal(w.activationRegions, s.activationRegions);
  assert.equal(w.linearPieces, s.linearPieces);
  const bad = await tessera(["count", big, "--box", "0,1", "--max-cells", "10", "--json"], dir);
  assert.equal(bad.code, 3);
  assert.equal(JSON.parse(bad.stdout).complete, false);
});

test("count --box on 784 inputs says when float64 alone took margins as zero (zero biases: every first-layer hyperplane through a corner)", async () => {
  const { mlp } = await import("../../src/model/build/mlp.ts");
  const zero = save("m784-zero.json", mlp([784, 5, 5, 1], { seed: 0, init: "zero-bias" }));
  const r = await tesseraInProcess(["count", zero, "--box", "0,1", "--json", "--workers", "1"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(report.floatZeros > 0, `floatZeros ${report.floatZeros}`);
  assert.match(r.stderr, new RegExp(`${report.floatZeros} margins within float64's reach of zero were taken as measure zero`));
  const general = save("m784-he.json", mlp([784, 5, 5, 1], { seed: 0, init: "he" }));
  const he = await tesseraInProcess(["count", general, "--box", "0,1", "--json", "--workers", "1"]);
  assertOk(he, "count he 784");
  assert.equal(JSON.parse(he.stdout).floatZeros, 0);
  assert.doesNotMatch(he.stderr, /margins within/);
});
