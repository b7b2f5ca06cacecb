/**
 * Zonotope and turned-frame domains (domain.ts `zonotope`, cli --zonotope/--frame): center + G t,
 * t in [-1, 1]^m, which every engine takes as a slice. Oracles that do not fold the generators:
 * the same frame as polytope rows {-1 <= R (x - c) <= 1} (space engine in 4-D, HiGHS brute force
 * in 30-D), and a 2-D zonotope of three generators (dependent) as the hexagon it is, by the
 * plane engine.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { planePolygon, polytope, zonotope } from "../../src/domain/domain.ts";
import { loadLp } from "../../src/geometry/lp.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import type { Partition } from "../../src/regions/partition.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { assertUserError, scratch, tesseraInProcess } from "../cli/cli-harness.ts";
import { bruteForceCount } from "./oracle.ts";

const lp = await loadLp();

/** n orthonormal rows of n (Gram-Schmidt of normal samples, twice), dense. */
function rotation(n: number, seed: number): Float64Array[] {
  const random = createRandom(seed);
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from({ length: n }, () => random.normal());
    for (let pass = 0; pass < 2; pass++)
      for (const q of rows) {
        let d = 0;
        for (let j = 0; j < n; j++) d += q[j] * v[j];
        for (let j = 0; j < n; j++) v[j] -= d * q[j];
      }
    const norm = Math.hypot(...v);
    rows.push(v.map((x) => x / norm));
  }
  return rows;
}

/** The frame {-h <= R (x - c) <= h} as rows A x <= b. */
function frameRows(R: Float64Array[], c: Float64Array, h: number): { A: Float64Array; b: Float64Array } {
  const n = c.length;
  const A = new Float64Array(2 * R.length * n);
  const b = new Float64Array(2 * R.length);
  R.forEach((row, i) => {
    let rc = 0;
    for (let j = 0; j < n; j++) {
      A[i * n + j] = row[j];
      A[(R.length + i) * n + j] = -row[j];
      rc += row[j] * c[j];
    }
    b[i] = h + rc;
    b[R.length + i] = h - rc;
  });
  return { A, b };
}

function names(compiled: Compiled, p: Partition): string[] {
  const words = p.layout.words;
  return Array.from({ length: p.cellCount }, (_, i) => patternString(compiled.layout, p.patterns, i * words)).sort();
}

test("a turned 4-D frame as a zonotope: the space and whole engines give the patterns of the frame's polytope rows", () => {
  const compiled = prepare(mlp([4, 6, 5, 1], { seed: 81, init: "he" }));
  const R = rotation(4, 82);
  const c = Float64Array.of(0.1, -0.2, 0.05, 0.3);
  const h = 0.8;
  const z = zonotope(
    c,
    R.map((row) => row.map((x) => h * x)),
  );
  const rows = frameRows(R, c, h);
  const expected = names(compiled, partition(compiled, polytope(rows.A, rows.b, 4, [-3, 3]), { engine: "space" }));
  assert.ok(expected.length > 10, `only ${expected.length} regions: the test would be weak`);
  assert.deepEqual(names(compiled, partition(compiled, z)), expected);
  assert.deepEqual(names(compiled, partition(compiled, z, { engine: "whole" })), expected);
});

test("three generators in 2-D (dependent): the patterns of their hexagon, by the plane engine", () => {
  const compiled = prepare(mlp([2, 7, 4, 1], { seed: 83, init: "he" }));
  const c = [0.2, -0.1];
  // Angles in [0, pi): the hexagon's vertices are c - sum g, then + 2 g_i in angle order, then - 2 g_i.
  const g = [
    [0.9, 0.1],
    [0.3, 0.7],
    [-0.5, 0.6],
  ];
  const v = [c[0] - g[0][0] - g[1][0] - g[2][0], c[1] - g[0][1] - g[1][1] - g[2][1]];
  const hexagon: number[] = [];
  for (const sign of [2, -2])
    for (const gi of g) {
      hexagon.push(v[0], v[1]);
      v[0] += sign * gi[0];
      v[1] += sign * gi[1];
    }
  const plane = { origin: new Float64Array(2), e1: Float64Array.of(1, 0), e2: Float64Array.of(0, 1) };
  const expected = names(compiled, partition(compiled, planePolygon(plane, hexagon)));
  assert.ok(expected.length > 10, `only ${expected.length} regions`);
  const z = zonotope(c, g);
  assert.deepEqual(names(compiled, partition(compiled, z)), expected);
  assert.deepEqual(names(compiled, partition(compiled, z, { engine: "whole" })), expected);
});

test("a dense turned frame in 30-D: the whole engine's count over the zonotope is the HiGHS brute force over the polytope rows", () => {
  const compiled = prepare(mlp([30, 4, 3, 1], { seed: 84, init: "he" }));
  const R = rotation(30, 85);
  const c = new Float64Array(30).map((_, i) => 0.02 * (i % 5) - 0.04);
  const h = 0.5;
  const z = zonotope(
    c,
    R.map((row) => row.map((x) => h * x)),
  );
  const whole = partition(compiled, z);
  const rows = frameRows(R, c, h);
  // |x_i - c_i| <= h sum_j |R_ji| <= h sqrt(30) < 2.8: the box [-4, 4] holds the frame.
  assert.equal(whole.activationRegions, bruteForceCount(lp, compiled, -4, 4, 1e-7, rows));
  assert.ok(whole.activationRegions > 8);
});

const { dir, cleanup } = scratch();
after(cleanup);

test("count --frame FILE and --zonotope FILE: the counts of the frame's rows; a matrix that is not a rotation is refused in one line", async () => {
  const network = mlp([12, 6, 5, 1], { seed: 86, init: "he" });
  const compiled = prepare(network);
  const model = join(dir, "m12.json");
  writeFileSync(model, stringifyNetwork(network));
  const R = rotation(12, 87);
  const c = new Float64Array(12);
  const frame = join(dir, "frame.json");
  writeFileSync(frame, JSON.stringify({ rotation: R.map((r) => Array.from(r)), lo: -1, hi: 1 }));
  const zono = join(dir, "zonotope.json");
  writeFileSync(zono, JSON.stringify({ center: Array.from(c), generators: R.map((r) => Array.from(r)) }));
  const rows = frameRows(R, c, 1);
  const expected = partition(compiled, polytope(rows.A, rows.b, 12, [-4, 4]));
  for (const [flag, file] of [
    ["--frame", frame],
    ["--zonotope", zono],
  ]) {
    const run = await tesseraInProcess(["count", model, flag, file, "--json", "--check", "--workers", "1"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.engine, "whole");
    assert.equal(report.activationRegions, expected.activationRegions);
    assert.equal(report.domain.kind, flag.slice(2));
    assert.deepEqual(report.check.problems, []);
  }
  const skew = join(dir, "skew.json");
  writeFileSync(skew, JSON.stringify({ rotation: R.map((r, i) => Array.from(r).map((x, j) => x + (i === 0 && j === 0 ? 0.01 : 0))) }));
  assertUserError(
    await tesseraInProcess(["count", model, "--frame", skew]),
    /--frame .*skew\.json: the rotation's rows are not orthonormal: row 1 \. row 1 = /,
    "a skewed rotation",
  );
});
