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

test("a 3-D slice from the map's plane, and polytopes and slices as files: the space engine's counts, the CLI's lines", () => {
  const n = 6;
  const network = mlp([n, 7, 5, 1], { init: "he", seed: 5 });
  const compiled = prepare(network);
  const random = createRandom(6);
  const x = Float64Array.from({ length: 5 * n }, () => random.next());
  const data = { inputSize: n, count: 5, x } as unknown as Dataset;
  const [e1, e2] = randomDirections(n, 4);
  const plane: ViewPlane = { slice: { origin: x.slice(0, n), e1, e2 }, domain: Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1), labels: ["u", "v"], box: null, describe: "random" };
  // Towards row 3: the third side is the row's offset from the plane, so the row is on the top face.
  const { domain, describe } = wholeDomain({ kind: "view3", third: "#3" }, n, data, plane);
  assert.ok(domain.kind === "slice" && domain.basis.length === 3);
  const [u, v, d] = domain.basis;
  const dot = (p: Float64Array, q: Float64Array) => p.reduce((t, pi, i) => t + pi * q[i], 0);
  assert.ok(Math.abs(dot(d, u)) < 1e-12 && Math.abs(dot(d, v)) < 1e-12, "orthogonal to the plane");
  const top = x.slice(3 * n, 4 * n).map((p, i) => p - domain.origin[i] - d[i]);
  const [s, t] = [dot(top, u) / dot(u, u), dot(top, v) / dot(v, v)];
  assert.ok(
    top.every((r, i) => Math.abs(r - s * u[i] - t * v[i]) < 1e-12),
    "row 3 = corner + s u + t v + d",
  );
  const prism = wholeCount(network, domain, describe, () => {});
  const space = partition(compiled, domain, { engine: "space", lp });
  assert.deepEqual([prism.regions, prism.pieces, prism.dimension], [space.activationRegions, space.linearPieces, 3]);
  assert.ok(prism.regions > 10, `${prism.regions}`);
  assert.match(prism.describe, /^3-D slice: the map's plane \(random\) towards #3$/);
  // A slice file (count --slice-file's JSON) clipped to a box, and a turned square as a polytope
  // file without a box (its rows bound no coordinate alone; their parallelotope does).
  const sliceJson = JSON.stringify({ origin: [...domain.origin], basis: domain.basis.map((b) => [...b]), lo: 0, hi: 1 });
  const file = wholeDomain({ kind: "slice-file", text: sliceJson, clip: [0, 1], file: "s.json" }, n, data, null);
  const clip = clipRows(domain.origin, domain.basis, 0, 1, false);
  const clipped = partition(compiled, slice(domain.origin, domain.basis, 0, 1, clip), { engine: "space", lp });
  assert.equal(wholeCount(network, file.domain, file.describe, () => {}).regions, clipped.activationRegions);
  assert.ok(clip.b.length > 0 && clipped.activationRegions < prism.regions, `${clip.b.length} rows, ${clipped.activationRegions} of ${prism.regions} regions`);
  const c = Math.SQRT1_2;
  const rows = [
    [c, c, 0, 0, 0, 0],
    [-c, c, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0],
    [0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
  ];
  const turned = JSON.stringify({ A: [...rows, ...rows.map((r) => r.map((a) => -a))], b: new Array(12).fill(0.1) });
  const frame = wholeDomain({ kind: "polytope", text: turned, box: null, file: "frame.json" }, n, data, null);
  const A = [...rows, ...rows.map((r) => r.map((a) => -a))].flat();
  assert.equal(wholeCount(network, frame.domain, frame.describe, () => {}).regions, partition(compiled, polytope(A, new Array(12).fill(0.1), n), { lp }).activationRegions);
  assert.match(frame.describe, /bounded by its rows in \[-0.141421,0.141421\]\^6/);
  // Each bad request: one line, a file's after its name as the CLI puts the path before it.
  const cases: [WholeDomainRequest, RegExp][] = [
    [{ kind: "slice-file", text: '{"origin": [1, 2], "basis": [[1]]}', clip: null, file: "s.json" }, /s\.json: "origin" has 2 numbers, the model has 6 inputs$/],
    [{ kind: "slice-file", text: "{", clip: null, file: "s.json" }, /s\.json: not valid JSON/],
    [{ kind: "slice-file", text: sliceJson.replace('"hi":1', '"hi":0'), clip: null, file: null }, /"lo" and "hi" must be finite numbers with lo < hi, got 0, 0$/],
    [{ kind: "polytope", text: '{"A": [[1, 0]], "b": [1]}', box: [0, 1], file: "p.json" }, /p\.json: row 1 of A has 2 numbers, expected 6 \(the model's 6 inputs\)$/],
    [{ kind: "view3", third: "normal" }, /"normal": the plane has one normal only in 3 dimensions, this model has 6 inputs/],
    [{ kind: "view3", third: "#0" }, /the third direction \(#0\) lies in the map's plane/],
    [{ kind: "view3", third: "#9" }, /"#9"\): the data has rows #0 to #4/],
  ];
  for (const [request, pattern] of cases) assert.throws(() => wholeDomain(request, n, data, plane), pattern, JSON.stringify(request).slice(0, 80));
  // A 3-input model's normal: the prism through the plane, both sides.
  const [f1, f2] = randomDirections(3, 2);
  const flat: ViewPlane = {
    slice: { origin: new Float64Array(3), e1: f1, e2: f2 },
    domain: Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1),
    labels: ["u", "v"],
    box: null,
    describe: "random",
  };
  const normal = wholeDomain({ kind: "view3", third: "normal" }, 3, null, flat).domain;
  assert.ok(normal.kind === "slice");
  const mid = normal.origin.map((o, i) => o + 0.5 * (normal.basis[0][i] + normal.basis[1][i] + normal.basis[2][i]));
  assert.ok(
    mid.every((m) => Math.abs(m) < 1e-12),
    "the prism's centre is the plane's",
  );
  assert.throws(() => wholeDomain({ kind: "view3", third: "#0" }, 2, null, flat), /at least 3 inputs, this one has 2/);
});
