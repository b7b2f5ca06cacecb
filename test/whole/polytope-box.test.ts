/**
 * A polytope given without a box (domain/polytope-box.ts): its bounding cube by LPs, then the
 * same partition as the polytope given with any box that encloses it, and the space engine's up to
 * 8 inputs; an empty or unbounded polytope is refused in one line naming why (library and CLI).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { box, DomainError, polytope } from "../../src/domain/domain.ts";
import { parallelotopeBounds } from "../../src/domain/parallelotope-bounds.ts";
import { boundedPolytope, polytopeExtent, propagatedBounds } from "../../src/domain/polytope-box.ts";
import { loadLp, maximizeOver } from "../../src/geometry/lp.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { DenseLayer } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import { partitionParallel } from "../../src/parallel/partition.ts";
import { withPool } from "../../src/parallel/pool.ts";
import { EngineRefusal } from "../../src/regions/engines.ts";
import type { Partition } from "../../src/regions/partition.ts";
import { partition, partitionAsync } from "../../src/regions/partition-domain.ts";
import { assertUserError, scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const lp = await loadLp();
const { dir, cleanup } = scratch();
after(cleanup);

/** A tilted simplex: x_i >= -1 and sum_j (1 + j/10) x_j <= 1 (vertices known: its extent is exact). */
function simplex(n: number): { A: number[]; b: number[] } {
  const A: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A.push(i === j ? -1 : 0);
    b.push(1);
  }
  for (let j = 0; j < n; j++) A.push(1 + j / 10);
  b.push(1);
  return { A, b };
}

function patterns(p: Partition): string[] {
  if (p.kind !== "whole" && p.kind !== "space") throw new Error(p.kind);
  const words = p.layout.words;
  return Array.from({ length: p.cellCount }, (_, i) => patternString(p.layout, p.patterns, i * words)).sort();
}

test("the cube around a polytope: propagation through the rows, and LPs only where it could be loose", () => {
  const { A, b } = simplex(3);
  // The vertex along x_j has the others at -1: (1 + j/10) x_j = 1 + sum_{i != j} (1 + i/10); largest for j = 0.
  const top = 1 + 1.1 + 1.2;
  const { cube } = polytopeExtent(lp, A, b, 3);
  assert.ok(cube[0] <= -1 && cube[0] > -1 - 1e-4 && cube[1] > top && cube[1] < top + 1e-4, String(cube));
  const bounds = propagatedBounds(A, b, 3);
  for (let j = 0; j < 3; j++) assert.ok(bounds.lo[j] <= -1 && bounds.hi[j] >= (4.3 - (1 + j / 10)) / (1 + j / 10) - 1e-12, `${j}: ${bounds.lo[j]}, ${bounds.hi[j]}`);
  // A square turned by 45 degrees: no row bounds a coordinate alone, so every bound is an LP's.
  const turned = polytopeExtent(lp, [1, 1, -1, -1, 1, -1, -1, 1], [1, 1, 1, 1], 2);
  assert.ok(Math.abs(turned.cube[0] + 1) < 1e-4 && Math.abs(turned.cube[1] - 1) < 1e-4, String(turned.cube));
  // The standard simplex of 784 dimensions: its rows x_j >= 0 and sum x <= 1 bound every coordinate,
  // and the cube's two ends take one LP each (plus the feasibility LP), not 1,568.
  const n = 784;
  const rows = new Float64Array((n + 1) * n);
  for (let j = 0; j < n; j++) {
    rows[j * n + j] = -1;
    rows[n * n + j] = 1;
  }
  const big = polytopeExtent(lp, rows, [...new Array(n).fill(0), 1], n);
  assert.ok(big.lpSolves <= 5, `${big.lpSolves} LPs`);
  assert.ok(big.cube[0] === 0 && big.cube[1] >= 1 && big.cube[1] < 1 + 1e-4, String(big.cube));
  // Its rows x_j >= 0 hold on the whole cube [0, 1]^784: only sum x <= 1 is left to cut it.
  const bounded = boundedPolytope(polytope(rows, [...new Array(n).fill(0), 1], n), lp);
  assert.deepEqual([bounded.b.length, bounded.box], [1, big.cube]);
});

/** A dense rotation of R^n (two Householder reflections), row-major. */
function rotation(n: number, seed: number): Float64Array {
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) R[i * n + i] = 1;
  let s = seed;
  for (let h = 0; h < 2; h++) {
    const v = Float64Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    });
    const vv = v.reduce((t, x) => t + x * x, 0);
    const Rv = Float64Array.from({ length: n }, (_, i) => v.reduce((t, x, k) => t + R[i * n + k] * x, 0));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) R[i * n + j] -= (2 / vv) * Rv[i] * v[j];
  }
  return R;
}

/** The turned frame {0 <= R x <= 1}: the cube [0, 1]^n under x = R^T u, as rows R x <= 1, -R x <= 0. */
function turnedFrame(R: Float64Array, n: number): { A: Float64Array; b: Float64Array } {
  const A = new Float64Array(2 * n * n);
  A.set(R);
  for (let k = 0; k < n * n; k++) A[n * n + k] = -R[k];
  const b = new Float64Array(2 * n);
  b.fill(1, 0, n);
  return { A, b };
}

test("a turned frame: its slabs' parallelotope bounds every coordinate, so its cube takes no LP, not 2n", () => {
  const n = 20;
  const R = rotation(n, 7);
  const { A, b } = turnedFrame(R, n);
  // x = R^T u with u in [0, 1]^n: max x_j = sum_i max(R_ij, 0), min x_j = sum_i min(R_ij, 0).
  const exactHi = Array.from({ length: n }, (_, j) => R.reduce((t, r, k) => (k % n === j ? t + Math.max(r, 0) : t), 0));
  const exactLo = Array.from({ length: n }, (_, j) => R.reduce((t, r, k) => (k % n === j ? t + Math.min(r, 0) : t), 0));
  assert.ok(
    propagatedBounds(A, b, n).hi.every((h) => h === Infinity),
    "no row bounds a coordinate by itself",
  );
  const slabs = parallelotopeBounds(A, b, n);
  assert.ok(slabs);
  for (let j = 0; j < n; j++) {
    assert.ok(slabs.hi[j] >= exactHi[j] && slabs.hi[j] < exactHi[j] + 1e-9, `hi ${j}: ${slabs.hi[j]} vs ${exactHi[j]}`);
    assert.ok(slabs.lo[j] <= exactLo[j] && slabs.lo[j] > exactLo[j] - 1e-9, `lo ${j}: ${slabs.lo[j]} vs ${exactLo[j]}`);
  }
  // Every row is one side of a slab: the polytope is the parallelotope, nonempty, and no LP is needed.
  assert.equal(slabs.exact, true);
  const extent = polytopeExtent(lp, A, b, n);
  assert.equal(extent.lpSolves, 0);
  const [top, bottom] = [Math.max(...exactHi), Math.min(...exactLo)];
  assert.ok(extent.cube[0] <= bottom && extent.cube[0] > bottom - 1e-5 && extent.cube[1] >= top && extent.cube[1] < top + 1e-5, String(extent.cube));
  // The same frame with its rows scaled (2 R x <= 2, -R x / 4 <= 0) and cut by sum x <= 1: the
  // parallelotope now encloses it loosely, and LPs (one per coordinate here) find the cube's ends.
  const cut = new Float64Array((2 * n + 1) * n);
  for (let k = 0; k < n * n; k++) [cut[k], cut[n * n + k]] = [2 * R[k], -R[k] / 4];
  cut.fill(1, 2 * n * n);
  const cutB = Float64Array.from({ length: 2 * n + 1 }, (_, r) => (r < n ? 2 : r === 2 * n ? 1 : 0));
  let [most, least] = [-Infinity, Infinity];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    most = Math.max(most, maximizeOver(lp, e, cut, cutB, 2 * n + 1, n).objective);
    e[j] = -1;
    least = Math.min(least, -maximizeOver(lp, e, cut, cutB, 2 * n + 1, n).objective);
  }
  const loose = polytopeExtent(lp, cut, cutB, n);
  assert.ok(loose.cube[0] <= least && loose.cube[0] > least - 1e-4 && loose.cube[1] >= most && loose.cube[1] < most + 1e-4, `${loose.cube} vs ${[least, most]}`);
  assert.equal(parallelotopeBounds(cut, cutB, n)?.exact, false);
  // Slabs whose two sides contradict each other (R x <= 1 and R x >= 2): the LPs say it is empty.
  assert.throws(
    () =>
      polytopeExtent(
        lp,
        A,
        b.map((v, r) => (r < n ? v : -2)),
        n,
      ),
    (e: unknown) => e instanceof DomainError && /empty/.test(e.message),
  );
  // Slabs that span fewer than n dimensions give no bounds (the LPs decide then).
  assert.equal(parallelotopeBounds(A.subarray(0, n), b.subarray(0, 1), n), null);
});

test("a turned frame without a box: the partition of the same network turned back, over the cube", () => {
  const n = 20;
  const R = rotation(n, 11);
  const network = mlp([n, 5, 3, 1], { seed: 23, init: "he" });
  // The turned network reads u = R x: its first layer is W R, so it is the original on [0, 1]^n.
  const turned = structuredClone(network);
  const [first, turnedFirst] = [network.layers[0] as DenseLayer, turned.layers[0] as DenseLayer];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let k = 0; k < n; k++) t += first.weight[i * n + k] * R[k * n + j];
      turnedFirst.weight[i * n + j] = t;
    }
  const { A, b } = turnedFrame(R, n);
  const cube = partition(prepare(network), box(0, 1, n), { engine: "whole" });
  const frame = partition(prepare(turned), polytope(A, b, n), { lp, engine: "whole" });
  assert.ok(cube.activationRegions > 100, String(cube.activationRegions));
  assert.deepEqual(patterns(frame), patterns(cube));
  assert.equal(frame.linearPieces, cube.linearPieces);
});

test("a polytope without a box: the whole engine's partition is that of the polytope in an enclosing box, and the space engine's", async () => {
  for (const [n, seed] of [
    [3, 3],
    [5, 5],
    [8, 8],
  ]) {
    const compiled = prepare(mlp([n, 5, 3, 1], { seed, init: "he" }));
    const { A, b } = simplex(n);
    const alone = await partitionAsync(compiled, polytope(A, b, n), { engine: "whole" });
    const boxed = partition(compiled, polytope(A, b, n, [-4, 12]), { engine: "whole" });
    const space = partition(compiled, polytope(A, b, n), { engine: "space", lp });
    assert.equal(alone.kind, "whole");
    assert.ok(alone.activationRegions > 10, `${n}: ${alone.activationRegions}`);
    assert.deepEqual(patterns(alone), patterns(boxed), `n0 = ${n}: with and without a box`);
    assert.deepEqual(patterns(alone), patterns(space), `n0 = ${n}: whole and space engines`);
    assert.equal(alone.linearPieces, space.linearPieces);
  }
  // Beyond 8 inputs only the whole engine serves it; partition() with the LP solver chooses it.
  const compiled = prepare(mlp([20, 7, 1], { seed: 20, init: "he" }));
  const { A, b } = simplex(20);
  const alone = partition(compiled, polytope(A, b, 20), { lp });
  const boxed = partition(compiled, polytope(A, b, 20, [-2, 40]));
  assert.equal(alone.kind, "whole");
  assert.deepEqual(patterns(alone), patterns(boxed));
  // On threads, partitionParallel finds the same cube: the same partition.
  const threads = await withPool(1, (pool) => partitionParallel(pool, compiled, polytope(A, b, 20), { mainThread: true }));
  assert.deepEqual(patterns(threads), patterns(alone));
});

test("an empty or unbounded polytope without a box is refused, and without the LP solver the engines say they need it", () => {
  const compiled = prepare(mlp([4, 5, 1], { seed: 1 }));
  const half = polytope([1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 1, 1, 1], [1, 1, 1, 1, 1], 4);
  assert.throws(
    () => partition(compiled, half, { lp }),
    (e: unknown) => e instanceof DomainError && /unbounded: x0 can fall without limit/.test(e.message),
  );
  const empty = polytope([1, 0, 0, 0, -1, 0, 0, 0], [-1, -1], 4);
  assert.throws(
    () => partition(compiled, empty, { lp, engine: "whole" }),
    (e: unknown) => e instanceof DomainError && /empty: its 2 inequalities have no common point/.test(e.message),
  );
  assert.throws(
    () => partition(compiled, polytope(simplex(4).A, simplex(4).b, 4), { engine: "whole" }),
    (e: unknown) => e instanceof EngineRefusal && /needs the LP solver/.test(e.message),
  );
});

test("count --polytope FILE alone: the count of --box with --polytope; empty and unbounded files get one line", async () => {
  const n = 12;
  const network = mlp([n, 6, 5, 1], { seed: 71, init: "he" });
  const model = join(dir, "m12.json");
  writeFileSync(model, stringifyNetwork(network));
  const { A, b } = simplex(n);
  const rows = (A_: number[], b_: number[]) => JSON.stringify({ A: b_.map((_, i) => A_.slice(i * n, (i + 1) * n)), b: b_ });
  const file = join(dir, "simplex.json");
  writeFileSync(file, rows(A, b));
  const alone = await tesseraInProcess(["count", model, "--polytope", file, "--json", "--check", "--workers", "1"]);
  assert.equal(alone.code, 0, alone.stderr);
  const boxed = await tesseraInProcess(["count", model, "--polytope", file, "--box", "-2,30", "--json", "--workers", "1"]);
  assert.equal(boxed.code, 0, boxed.stderr);
  const [a, c] = [JSON.parse(alone.stdout), JSON.parse(boxed.stdout)];
  assert.equal(a.engine, "whole");
  assert.ok(a.activationRegions > 10);
  assert.deepEqual([a.activationRegions, a.linearPieces, a.facets], [c.activationRegions, c.linearPieces, c.facets]);
  assert.deepEqual(a.check.problems, []);
  assert.equal(a.domain.boundingBox, true);
  assert.ok(a.domain.lo <= -1 && a.domain.lo > -1.001, String(a.domain.lo));
  const open = join(dir, "open.json");
  writeFileSync(open, rows(A.slice(0, n * n), b.slice(0, n)));
  const empty = join(dir, "empty.json");
  writeFileSync(empty, rows([...A.slice(0, n * n), ...A.slice(0, n).map((x) => -x)], [...b.slice(0, n), -2]));
  assertUserError(await tesseraInProcess(["count", model, "--polytope", open]), /--polytope .*open\.json: the polytope is unbounded: x0 can grow without limit/, "unbounded");
  assertUserError(
    await tesseraInProcess(["count", model, "--polytope", empty]),
    /--polytope .*empty\.json: the polytope is empty: its 13 inequalities have no common point/,
    "empty",
  );
  assertUserError(await tesseraInProcess(["count", model, "--polytope", file, "--simplex"]), /--polytope FILE alone is a polytope of input space/, "--simplex");
  assertUserError(await tesseraInProcess(["count", model, "--polytope", file, "--clip", "0,1"]), /--polytope FILE alone is a polytope of input space/, "--clip");
  assertUserError(await tesseraInProcess(["count", model, "--polytope", file, "--data", file]), /--data gives the rows of #I points/, "--data");
  assertUserError(await tesseraInProcess(["count", model, "--polytope", file, "--engine", "space"]), /at most 8 dimensions, this domain has 12/, "--engine space");
  const plane = ["0,0,0,0,0,0,0,0,0,0,0,0", "1,0,0,0,0,0,0,0,0,0,0,0", "0,1,0,0,0,0,0,0,0,0,0,0"].join(";");
  assertUserError(await tesseraInProcess(["count", model, "--plane", plane, "--polytope", file]), /cut a --box or a --slice/, "--plane");
});
