/**
 * A polytope given without a box (domain/polytope-box.ts): its bounding cube by LPs, then the
 * same partition as the polytope given with any box that encloses it, and the space engine's up to
 * 8 inputs; an empty or unbounded polytope is refused in one line naming why (library and CLI).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { DomainError, polytope } from "../../src/domain/domain.ts";
import { boundedPolytope, polytopeExtent, propagatedBounds } from "../../src/domain/polytope-box.ts";
import { loadLp } from "../../src/geometry/lp.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
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
