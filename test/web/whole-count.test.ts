/**
 * The explorer's whole-domain count (web/whole-count.ts), without a browser: boxes, slices through
 * data rows (simplex, clipped), the map's plane and polytopes (with a box, or bounded by their rows
 * alone: the explorer has no LP solver) against the library's partition by other engines
 * (test/whole/ checks the whole engine against oracles), and each refusal's one line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { planePolygon, polytope, slice } from "../../src/domain/domain.ts";
import { clipRows } from "../../src/domain/slice-clip.ts";
import { loadLp } from "../../src/geometry/lp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import type { Dataset } from "../../src/train/data/dataset.ts";
import { randomDirections, type ViewPlane } from "../../src/web/view-plane.ts";
import { WHOLE_MAX_UNITS, type WholeDomainRequest, wholeCount, wholeDomain, wholeRefusal } from "../../src/web/whole-count.ts";

const lp = await loadLp();

test("the explorer's whole-box count is the engine's; beyond the guard, one line and no count", () => {
  const network = mlp([20, 6, 5, 2], { init: "he", seed: 7 });
  const lines: string[] = [];
  const { domain, describe } = wholeDomain({ kind: "box", lo: -1, hi: 1 }, 20, null, null);
  const result = wholeCount(network, domain, describe, (text) => lines.push(text));
  const part = wholePartition(prepare(network), { box: [-1, 1] });
  assert.deepEqual([result.regions, result.pieces, result.facets, result.complete, result.inputSize], [part.activationRegions, part.linearPieces, part.facetCount, true, 20]);
  assert.equal(result.describe, "[-1,1]^20");
  assert.ok(result.regions > 1);
  assert.equal(wholeRefusal(WHOLE_MAX_UNITS), null);
  assert.match(wholeRefusal(WHOLE_MAX_UNITS + 8) ?? "", /40 piecewise units: the explorer counts a whole domain up to 32/);
  const wide = mlp([784, 40, 10], { seed: 1 });
  assert.throws(() => wholeCount(wide, wholeDomain({ kind: "box", lo: 0, hi: 1 }, 784, null, null).domain, "", () => {}), /40 piecewise units/);
  assert.throws(() => wholeDomain({ kind: "box", lo: 1, hi: 0 }, 20, null, null), /LO < HI/);
});

test("slices through data rows, the map's plane and polytopes: the space and plane engines' counts", () => {
  const n = 10;
  const network = mlp([n, 8, 6, 1], { init: "he", seed: 11 });
  const compiled = prepare(network);
  const random = createRandom(12);
  const x = Float64Array.from({ length: 6 * n }, () => random.next());
  const data = { inputSize: n, count: 6, x } as unknown as Dataset;
  const row = (i: number) => x.slice(i * n, (i + 1) * n);
  const count = (request: WholeDomainRequest, plane: ViewPlane | null = null) => {
    const { domain, describe } = wholeDomain(request, n, data, plane);
    return wholeCount(network, domain, describe, () => {});
  };
  // The 3-D simplex through four rows, inside [0.2, 0.8]^n: the space engine on the same slice.
  const simplex = count({ kind: "slice", points: "#0;#1;#2;#3", simplex: true, clip: [0.1, 0.9] });
  const points = [0, 1, 2, 3].map(row);
  const basis = points.slice(1).map((p) => p.map((v, i) => v - points[0][i]));
  const clip = clipRows(points[0], basis, 0.1, 0.9, true);
  assert.ok(clip.b.length > 0, `clip rows: ${clip.b.length}`);
  const space = partition(compiled, slice(points[0], basis, 0, 1, { A: [1, 1, 1, ...clip.A], b: [1, ...clip.b] }), { engine: "space", lp });
  assert.deepEqual([simplex.regions, simplex.pieces, simplex.dimension], [space.activationRegions, space.linearPieces, 3]);
  assert.ok(simplex.regions > 1, `regions: ${simplex.regions}`);
  assert.equal(simplex.describe, `3-D simplex through #0;#1;#2;#3, inside [0.1,0.9]^${n}`);
  // The map's plane (a random one, as the explorer lays it): the plane engine's count of it.
  const [e1, e2] = randomDirections(n, 3);
  const plane: ViewPlane = { slice: { origin: row(4), e1, e2 }, domain: Float64Array.of(-2, -2, 2, -2, 2, 2, -2, 2), labels: ["u", "v"], box: null, describe: "random" };
  const view = count({ kind: "view" }, plane);
  const map = partition(compiled, planePolygon(plane.slice, plane.domain));
  assert.deepEqual([view.regions, view.pieces, view.dimension], [map.activationRegions, map.linearPieces, 2]);
  // A polytope: with a box, and bounded by its rows alone (x_i >= 0, x_0 + ... + x_9 <= 0.5).
  const A = [...Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? -1 : 0)), ...new Array(n).fill(1)];
  const b = [...new Array(n).fill(0), 0.5];
  const text = JSON.stringify({ A: b.map((_, i) => A.slice(i * n, (i + 1) * n)), b });
  const boxed = count({ kind: "polytope", text, box: [-1, 4] });
  assert.ok(boxed.regions > 10, `${boxed.regions}`);
  const alone = count({ kind: "polytope", text, box: null });
  const expected = partition(compiled, polytope(A, b, n), { lp });
  assert.deepEqual([boxed.regions, alone.regions, alone.pieces], [expected.activationRegions, expected.activationRegions, expected.linearPieces]);
  assert.match(alone.describe, /bounded by its rows in \[0,0.5\]\^10/);
});

test("the explorer's whole-domain requests: each bad one gets one line", () => {
  const n = 4;
  const data = { inputSize: n, count: 3, x: Float64Array.from({ length: 3 * n }, (_, i) => (i * 7) % 5) } as unknown as Dataset;
  const cases: [WholeDomainRequest, RegExp][] = [
    [{ kind: "slice", points: "#0;#7", simplex: false, clip: null }, /"#7"\): the data has rows #0 to #2/],
    [{ kind: "slice", points: "#0", simplex: false, clip: null }, /at least 2 points/],
    [{ kind: "slice", points: "#0;1,2", simplex: false, clip: null }, /expected "#I" \(a data row\) or 4 comma-separated numbers/],
    [{ kind: "slice", points: "0,0,0,0;1,1,1,1;2,2,2,2", simplex: false, clip: null }, /affinely dependent/],
    [{ kind: "view" }, /no plane on the map yet/],
    [{ kind: "polytope", text: '{"A": [[1, 0, 0, 0]], "b": [1]}', box: null }, /do not bound every coordinate by themselves .* give a box/],
    [{ kind: "polytope", text: '{"A": [[1, 0]], "b": [1]}', box: [0, 1] }, /row 1 of A has 2 numbers, expected 4/],
    [{ kind: "polytope", text: "{A:", box: [0, 1] }, /not valid JSON/],
  ];
  for (const [request, pattern] of cases) assert.throws(() => wholeDomain(request, n, data, null), pattern, JSON.stringify(request));
});
