/**
 * The one entry, `partition(network, domain, options)`:
 * - it picks the engine by the domain (line for 1-D, plane for 2-D, space up to 8-D), and its
 *   results equal the engines' own;
 * - engines agree where several can serve (space forced on a plane box; a box with unequal sides
 *   equals the slice that scales a cube onto it);
 * - it refuses before starting what no engine can serve (a 64-input box), and names why;
 * - limits stop it cleanly with the cells found so far: a cell budget gives exactly that many
 *   cells, a time limit and an abort signal stop it, a shared budget adds up over partitions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { box, DomainError, parallelogram, planePolygon, polyline, polytope, segment, slice, sliceThrough } from "../../src/domain/domain.ts";
import { domainMeasure } from "../../src/domain/measure.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { EngineRefusal, registerEngine } from "../../src/regions/engines.ts";
import { Budget, LimitReached, requireComplete } from "../../src/regions/limits.ts";
import { linePartition } from "../../src/regions/line.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { spacePartition } from "../../src/regions/space.ts";

const net2 = prepare(mlp([2, 12, 12, 1], { init: "he", seed: 3 }));
const net3 = prepare(mlp([3, 8, 8, 1], { init: "he", seed: 4 }));

test("the engine follows the domain, and the result is the engine's own", () => {
  const { slice: s, domain } = boxSlice(-1, 1);
  const plane = planePartition(net2, s, { domain });
  const viaBox = partition(net2, box(-1, 1, 2));
  assert.equal(viaBox.kind, "plane");
  assert.deepEqual([viaBox.cellCount, viaBox.activationRegions, viaBox.linearPieces], [plane.cellCount, plane.activationRegions, plane.linearPieces]);
  assert.deepEqual(viaBox.patterns, plane.patterns);

  const path = Float64Array.of(-1, -1, 1, 0.5, 0, 1);
  const line = linePartition(net2, path);
  const viaLine = partition(
    net2,
    polyline([
      [-1, -1],
      [1, 0.5],
      [0, 1],
    ]),
  );
  assert.equal(viaLine.kind, "line");
  assert.deepEqual(viaLine.tEnd, line.tEnd);

  const space = spacePartition(net3, { box: [-1, 1] });
  const viaSpace = partition(net3, box(-1, 1, 3));
  assert.equal(viaSpace.kind, "space");
  assert.equal(viaSpace.activationRegions, space.activationRegions);

  // Slices go by their own dimension: k = 1 line, k = 2 plane, k = 3 space.
  assert.equal(partition(net3, slice([0, 0, 0], [[1, 1, 0]], -1, 1)).kind, "line");
  assert.equal(
    partition(
      net3,
      slice(
        [0, 0, 0],
        [
          [1, 0, 0],
          [0, 1, 1],
        ],
      ),
    ).kind,
    "plane",
  );
  assert.equal(
    partition(
      net3,
      sliceThrough([
        [0, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).kind,
    "space",
  );
  // A compiled network or a plain one: the same answer.
  assert.equal(partition(net2.network, box(-1, 1, 2)).activationRegions, plane.activationRegions);
});

test("engines agree where several can serve: space forced on a plane box; a box with unequal sides", () => {
  const plane = partition(net2, box(-1, 1, 2));
  const space = partition(net2, box(-1, 1, 2), { engine: "space" });
  assert.equal(space.kind, "space");
  assert.equal(space.activationRegions, plane.activationRegions);
  // [0,1] x [-2,2] x [0,0.5] as a box (the cube cut by facets) and as the slice scaling the unit cube onto it.
  const uneven = partition(net3, box([0, -2, 0], [1, 2, 0.5]));
  const scaled = partition(
    net3,
    slice(
      [0, -2, 0],
      [
        [1, 0, 0],
        [0, 4, 0],
        [0, 0, 0.5],
      ],
    ),
  );
  assert.ok(uneven.activationRegions > 1);
  assert.equal(uneven.activationRegions, scaled.activationRegions);
  assert.equal(domainMeasure(box([0, -2, 0], [1, 2, 0.5])), 2);
  assert.ok(
    Math.abs(
      domainMeasure(
        slice(
          [0, -2, 0],
          [
            [1, 0, 0],
            [0, 4, 0],
            [0, 0, 0.5],
          ],
        ),
      ) - 2,
    ) < 1e-12,
  );
});

test("refusals before any work: a 64-input box, a forced engine that cannot serve, a domain of the wrong size", () => {
  const wide = mlp([64, 8, 8, 1], { init: "he", seed: 0 });
  assert.throws(
    () => partition(wide, box(0, 1, 64), { engine: "space" }),
    (e: unknown) => e instanceof EngineRefusal && /at most 8 dimensions, this domain has 64/.test(e.message) && e.dimension === 64,
  );
  // The whole-domain engine serves a cube of any size, and a box with unequal sides (its
  // enclosing cube cut by the sides inside it, regions/whole-domain.ts); a polytope without a
  // bounding cube it refuses.
  assert.equal(partition(wide, box(0, 1, 64), { maxCells: 3 }).kind, "whole");
  const uneven = Float64Array.from({ length: 64 }, (_, i) => (i === 0 ? 2 : 1));
  const cut = partition(wide, box(new Float64Array(64), uneven), { maxCells: 3 });
  assert.equal(cut.kind, "whole");
  assert.deepEqual(cut.kind === "whole" ? [cut.box, cut.polytope?.b.length] : null, [[0, 2], 63]);
  assert.deepEqual([cut.stopped, cut.cellCount], ["max-cells", 3]);
  assert.throws(
    () => partition(wide, polytope(new Float64Array(64).fill(1), [1], 64)),
    (e: unknown) => e instanceof EngineRefusal && /needs the LP solver/.test(e.message),
  );
  // Its segments and planes are fine.
  const centre = new Float64Array(64).fill(0.5);
  const corner = new Float64Array(64).fill(1);
  assert.equal(partition(wide, segment(centre, corner)).kind, "line");
  assert.equal(
    partition(
      wide,
      parallelogram(
        centre,
        corner,
        Float64Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0)),
      ),
    ).kind,
    "plane",
  );
  assert.throws(() => partition(net2, box(-1, 1, 2), { engine: "line" }), EngineRefusal);
  assert.throws(() => partition(net2, box(-1, 1, 2), { engine: "nope" }), /unknown engine "nope"/);
  assert.throws(() => partition(net2, box(-1, 1, 3)), DomainError);
  // A polygon too small for float64 to resolve is refused, not crashed on.
  assert.throws(
    () => partition(net2, box(-1e-320, 1e-320, 2)),
    (e: unknown) => e instanceof DomainError && /an area float64 resolves/.test(e.message),
  );
  assert.throws(() => partition(net3, parallelogram([0, 0, 0], [1, 1, 1], [2, 2, 2])), /parallel/);
  assert.throws(() => planePolygon({ origin: [0, 0], e1: [1, 0], e2: [0, 1] } as never, [0, 0, 1]), DomainError);
});

test("limits: a cell budget gives exactly that many cells; time and abort stop; partial results say so", () => {
  const whole = partition(net2, box(-1, 1, 2));
  assert.equal(whole.stopped, undefined);
  const cut = partition(net2, box(-1, 1, 2), { maxCells: 10 });
  assert.equal(cut.stopped, "max-cells");
  assert.equal(cut.cellCount, 10);
  assert.deepEqual(cut.patterns, whole.patterns.subarray(0, 10 * whole.layout.words));
  // A budget as large as the partition stops nothing.
  assert.equal(partition(net2, box(-1, 1, 2), { maxCells: whole.cellCount }).stopped, undefined);
  // The line and space engines too.
  const seg = partition(net2, segment([-3, -3], [3, 3]), { maxCells: 2 });
  assert.deepEqual([seg.stopped, seg.cellCount], ["max-cells", 2]);
  const cube = partition(net3, box(-1, 1, 3), { maxCells: 3 });
  assert.deepEqual([cube.stopped, cube.cellCount], ["max-cells", 3]);
  assert.equal(partition(net2, box(-1, 1, 2), { timeout: 0 }).stopped, "timeout");
  const controller = new AbortController();
  controller.abort();
  assert.equal(partition(net2, box(-1, 1, 2), { signal: controller.signal }).stopped, "aborted");
  assert.throws(() => requireComplete(cut), LimitReached);
});

test("progress reports cells and time; a shared budget counts over partitions and stays stopped", () => {
  const seen: number[] = [];
  const controller = new AbortController();
  const big = prepare(mlp([2, 48, 48, 48, 1], { init: "he", seed: 5 }));
  const p = partition(big, box(-4, 4, 2), {
    progressEvery: 0,
    signal: controller.signal,
    onProgress: ({ cells, seconds }) => {
      assert.ok(seconds >= 0);
      seen.push(cells);
      if (seen.length === 3) controller.abort();
    },
  });
  assert.equal(p.stopped, "aborted");
  assert.ok(seen.length >= 3 && seen[2] > seen[0]);
  assert.ok(p.cellCount >= seen[2]);

  const along = segment([-3, -3], [3, 3]);
  const pieces = partition(net2, along).cellCount;
  const budget = new Budget({ maxCells: pieces + 5 });
  assert.equal(partition(net2, along, { budget }).stopped, undefined);
  const second = partition(net2, box(-1, 1, 2), { budget });
  assert.deepEqual([second.stopped, second.cellCount], ["max-cells", 5]);
  // The budget counts the cells kept, not the one refused (the CLI prints "after N cells" from it).
  assert.equal(budget.cells, pieces + 5);
  assert.equal(partition(net2, segment([0, 0], [1, 1]), { budget }).cellCount, 0);
});

test("the space engine sees limits while one layer cuts the box, before its first cell is finished", () => {
  // 4 inputs, 64 units in one layer: the first layer alone cuts [-1,1]^4 into thousands of pieces
  // before any cell reaches the output. A limit hit then must stop the cutting, not wait for it.
  const wide = prepare(mlp([4, 64, 1], { seed: 2 }));
  const seen: number[] = [];
  const controller = new AbortController();
  const p = partition(wide, box(-1, 1, 4), {
    progressEvery: 0,
    signal: controller.signal,
    onProgress: ({ cells }) => {
      seen.push(cells);
      controller.abort();
    },
  });
  assert.equal(p.stopped, "aborted");
  assert.deepEqual([seen[0], p.cellCount], [0, 0]);
});

test("measures: lengths, areas and volumes of every kind of domain, against closed forms", () => {
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  close(
    domainMeasure(
      polyline([
        [0, 0],
        [3, 4],
        [3, 0],
      ]),
    ),
    9,
  );
  close(domainMeasure(parallelogram([0, 0, 0], [2, 0, 0], [0, 3, 0])), 6);
  close(domainMeasure(box([0, 0], [2, 0.5])), 1);
  // The corner simplex {x >= 0, x1 + x2 + x3 <= 1} of the unit cube: 1/6; of the 4-cube: 1/24.
  close(domainMeasure(polytope([1, 1, 1], [1], 3, [0, 1])), 1 / 6);
  close(domainMeasure(polytope([1, 1, 1, 1], [1], 4, [0, 1])), 1 / 24);
  // A slice cut by y1 + y2 <= 1: half its parallelogram, whose sides have lengths 2 and 3.
  close(
    domainMeasure(
      slice(
        [0, 0, 0],
        [
          [2, 0, 0],
          [0, 3, 0],
        ],
        0,
        1,
        { A: [1, 1], b: [1] },
      ),
    ),
    3,
  );
  // Without a bounding box a polytope's extent needs the LP solver: not measured here.
  assert.ok(Number.isNaN(domainMeasure(polytope([1, 1, 1], [1], 3))));
});

test("points: false leaves the whole-domain engine's input points out and changes nothing else", () => {
  const net = prepare(mlp([40, 5, 4, 2], { init: "he", seed: 6 }));
  const kept = partition(net, box(0, 1, 40));
  const lean = partition(net, box(0, 1, 40), { points: false });
  assert.equal(kept.kind, "whole");
  assert.equal(lean.kind, "whole");
  if (kept.kind !== "whole" || lean.kind !== "whole") return;
  assert.equal(kept.points.length, 40 * kept.cellCount);
  assert.equal(lean.points.length, 0);
  assert.deepEqual([lean.activationRegions, lean.linearPieces, lean.facetCount], [kept.activationRegions, kept.linearPieces, kept.facetCount]);
  assert.deepEqual(Array.from(lean.patterns), Array.from(kept.patterns));
  assert.deepEqual(Array.from(lean.adjacency), Array.from(kept.adjacency));
});

// Last in the file: it leaves an engine registered (there is no way to remove one).
test("a 2-D box without options takes the short way to the plane engine: the same partition, and an engine registered ahead still wins", () => {
  // The short way (engines.ts, boxPlanePartition) against the general one (a forced engine, a budget).
  const short = partition(net2, box(-1, 1, 2));
  assert.deepEqual(short, partition(net2, box(-1, 1, 2), { engine: "plane" }));
  assert.deepEqual(short, partition(net2, box(-1, 1, 2), { budget: new Budget() }));
  assert.equal(short.stopped, undefined);
  const uneven = box([-1, 0], [0.5, 2]);
  assert.deepEqual(partition(net2, uneven), partition(net2, uneven, { engine: "plane" }));
  // A box made by hand with one side reversed (a clockwise polygon) is refused as planeProblem refuses it.
  assert.throws(
    () => partition(net2, { kind: "box", lo: Float64Array.of(1, -1), hi: Float64Array.of(-1, 1) }),
    (e: unknown) => e instanceof DomainError && /an area float64 resolves/.test(e.message),
  );
  // Limits still stop it (they take the general way).
  assert.deepEqual([partition(net2, box(-1, 1, 2), { maxCells: 5 }).cellCount, partition(net2, box(-1, 1, 2), { maxCells: 5 }).stopped], [5, "max-cells"]);
  // An engine registered ahead of the plane engine is chosen for the box, as chooseEngine would.
  let serves = true;
  registerEngine(
    {
      name: "ahead-of-plane",
      accepts: (domain) => serves && domain.kind === "box" && domain.lo.length === 2,
      refusal: () => null,
      run: () => ({ ...short, cellCount: -1 }),
    },
    { before: "plane" },
  );
  try {
    assert.equal(partition(net2, box(-1, 1, 2)).cellCount, -1);
  } finally {
    serves = false;
  }
  assert.deepEqual(partition(net2, box(-1, 1, 2)), short);
});
