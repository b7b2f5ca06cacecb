/**
 * Every engine on several threads gives what one engine gives alone, array for array: random,
 * degenerate (zero biases, duplicated and dead units), hard-tanh and maxout networks.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { box, type Domain, polyline, slice } from "../../src/domain/domain.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { linePartitionParallel, linePartitionsParallel } from "../../src/parallel/line.ts";
import { partitionParallel } from "../../src/parallel/partition.ts";
import { planePartitionParallel } from "../../src/parallel/plane.ts";
import { createPool, type TaskPool } from "../../src/parallel/pool.ts";
import { linePartition } from "../../src/regions/line.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { boxSlice, parallelogramSlice, planePartition } from "../../src/regions/plane.ts";
import { buildNetwork } from "../invariance/networks.ts";

let pool: TaskPool;
before(() => {
  pool = createPool(2);
});
after(async () => {
  await pool.close();
});

/** Every field equal: numbers, and typed arrays value for value (NaN equal to NaN). */
function assertSamePartition(a: object, b: object): void {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  assert.deepEqual(Object.keys(y).sort(), Object.keys(x).sort());
  for (const key of Object.keys(x)) {
    const u = x[key];
    const v = y[key];
    if (ArrayBuffer.isView(u)) {
      const p = u as unknown as ArrayLike<number>;
      const q = v as unknown as ArrayLike<number>;
      assert.equal(q.length, p.length, `${key} length`);
      for (let i = 0; i < p.length; i++) if (!Object.is(p[i], q[i])) assert.fail(`${key}[${i}]: ${q[i]} instead of ${p[i]}`);
    } else if (typeof u === "number") assert.equal(v, u, key);
  }
}

/** A 2-12-12-1 relu net with every degeneracy: zero biases in layer 1 (all lines through 0), a duplicated unit, a dead unit. */
function degenerate(): Network {
  const net = mlp([2, 12, 12, 1], { init: "he", seed: 3 });
  const first = net.layers[0];
  if (first.type !== "dense") throw new Error("dense first");
  first.bias.fill(0);
  first.weight.copyWithin(2, 0, 2); // unit 1 = unit 0
  first.weight.fill(0, 4, 6); // unit 2 dead
  return net;
}

const networks: [string, Network][] = [
  ["relu 2-24-24-24-1", mlp([2, 24, 24, 24, 1], { init: "he", seed: 1 })],
  ["degenerate relu", degenerate()],
  ["hard-tanh 2-16-16-1", mlp([2, 16, 16, 1], { init: "he", seed: 2, activation: { type: "hard-tanh", lo: -1, hi: 1 } })],
  ["maxout 2-6-6-1 (k = 3)", mlp([2, 6, 6, 1], { seed: 4, activation: { type: "maxout", k: 3 } })],
];

for (const [name, network] of networks) {
  test(`plane engine on 2 threads = one engine: ${name}`, async () => {
    const compiled = prepare(network);
    const { slice, domain } = boxSlice(-1.5, 1.5);
    const one = planePartition(compiled, slice, { domain });
    assert.ok(one.cellCount > 10);
    // Small chunks and 3 shares per thread: every share owns pieces far apart in the top cut.
    assertSamePartition(one, await planePartitionParallel(pool, compiled, slice, { domain, sharesPerWorker: 3, chunk: 1 }));
    assertSamePartition(one, await planePartitionParallel(pool, compiled, slice, { domain }));
    // The calling thread computing a share too.
    assertSamePartition(one, await planePartitionParallel(pool, compiled, slice, { domain, mainThread: true }));
  });

  test(`line engine on 2 threads = one engine: ${name}`, async () => {
    const compiled = prepare(network);
    const path = Float64Array.of(-2, -1, 1.5, 0.5, 0, 2, -1, -2, 2, -2, 0, 0, 0.3, 1.7);
    assertSamePartition(linePartition(compiled, path), await linePartitionParallel(pool, compiled, path));
    const paths = Array.from({ length: 9 }, (_, i) => Float64Array.of(-1, i / 9 - 0.5, 1, 0.5 - i / 9));
    assertSamePartition(linePartition(compiled, path), await linePartitionParallel(pool, compiled, path, undefined, true));
    const many = await linePartitionsParallel(pool, compiled, paths);
    assert.equal(many.length, paths.length);
    paths.forEach((p, i) => {
      assertSamePartition(linePartition(compiled, p), many[i]);
    });
  });
}

test("line engine on threads: one long segment split at its first layer's breakpoints, and a polyline of many segments dealt by segments: the same partition", async () => {
  for (const network of [mlp([2, 48, 48, 48, 1], { init: "he", seed: 8 }), degenerate()]) {
    const compiled = prepare(network);
    // Through the origin, where the degenerate net's first-layer lines all meet (coincident events).
    const segment = Float64Array.of(-3, -2, 3, 2);
    const one = linePartition(compiled, segment);
    assert.ok(one.cellCount > 8);
    assertSamePartition(one, await linePartitionParallel(pool, compiled, segment));
    assertSamePartition(one, await linePartitionParallel(pool, compiled, segment, undefined, true));
    const points = Array.from({ length: 2 * 41 }, (_, i) => Math.sin(1.7 * i) * 2);
    const long = Float64Array.from(points);
    assertSamePartition(linePartition(compiled, long), await linePartitionParallel(pool, compiled, long, undefined, true));
  }
  const stopped = await linePartitionParallel(pool, prepare(mlp([2, 32, 32, 1], { seed: 9 })), Float64Array.of(-2, -2, 2, 2), { maxCells: 10 }, true);
  assert.deepEqual([stopped.stopped, stopped.cellCount], ["max-cells", 10]);
});

/** A 3-10-10-1 relu net with every degeneracy: zero biases in layer 1 (all planes through 0), a duplicated unit, a dead unit. */
function degenerate3(): Network {
  const net = mlp([3, 10, 10, 1], { init: "he", seed: 11 });
  const first = net.layers[0];
  if (first.type !== "dense") throw new Error("dense first");
  first.bias.fill(0);
  first.weight.copyWithin(3, 0, 3); // unit 1 = unit 0
  first.weight.fill(0, 6, 9); // unit 2 dead
  return net;
}

test("space engine on threads = one engine, array for array, complex counts included: random, degenerate, maxout nets, boxes and slices", async () => {
  const cases: [Network, Domain][] = [
    [mlp([3, 12, 12, 1], { init: "he", seed: 10 }), box(-1, 1, 3)],
    [degenerate3(), box(-1, 1, 3)],
    [mlp([3, 6, 6, 1], { seed: 12, activation: { type: "maxout", k: 2 } }), box(-1, 1, 3)],
    [mlp([4, 10, 10, 2], { init: "he", seed: 13 }), box(-1, 1, 4)],
    [
      mlp([5, 16, 8, 1], { init: "he", seed: 14 }),
      slice(
        [0.1, 0, 0, 0, 0],
        [
          [1, 0.5, 0, 0, 0],
          [0, 1, 0, 0.5, 0],
          [0, 0, 1, 0, 0.2],
        ],
        -1,
        1,
      ),
    ],
  ];
  for (const [network, domain] of cases) {
    const one = partition(network, domain);
    assert.ok(one.cellCount > 10);
    assertSamePartition(one, await partitionParallel(pool, network, domain));
    assertSamePartition(one, await partitionParallel(pool, network, domain, { mainThread: true }));
  }
  const network = mlp([3, 12, 12, 1], { init: "he", seed: 10 });
  const stopped = await partitionParallel(pool, network, box(-1, 1, 3), { maxCells: 9, mainThread: true });
  assert.deepEqual([stopped.stopped, stopped.cellCount], ["max-cells", 9]);
});

test("space engine on threads: the complex replayed by vertex names (each thread's translated into one table) equals one thread's, at any scale, withheld where one thread withholds it", async () => {
  const cases: [Network, Domain][] = [
    // Planes through the origin and through box corners, duplicated: many faces on the top cut's planes.
    [buildNetwork({ widths: [6, 4], seed: 4, degeneracy: "zero-bias", activation: "relu" }, 3), box(-1, 1, 3)],
    [buildNetwork({ widths: [5, 4, 3], seed: 3, degeneracy: "integer", activation: "hard-tanh" }, 3), box(-1, 1, 3)],
    [mlp([3, 8, 8, 1], { seed: 1 }), box(-1e20, 1e20, 3)],
    // Hyperplanes within rounding of vertices, decided exactly: the same counts on threads.
    [buildNetwork({ widths: [4, 3], seed: 2, degeneracy: "integer", activation: "relu" }, 3), box(-1e20, 1e20, 3)],
    // Cells far smaller than the domain with a max step: withheld by both.
    [mlp([3, 3, 2, 1], { seed: 9, activation: { type: "maxout", k: 3 } }), box(-1e12, 1e12, 3)],
  ];
  for (const [network, domain] of cases) {
    const one = partition(network, domain);
    assertSamePartition(one, await partitionParallel(pool, network, domain, { mainThread: true }));
  }
});

test("plane engine on 2 threads, chunks of whole runs between the walk's full products (a share computes no map of another's pieces): the same partition", async () => {
  const compiled = prepare(mlp([2, 64, 6, 1], { init: "he", seed: 6 }));
  const { slice, domain } = boxSlice(-1.5, 1.5);
  const one = planePartition(compiled, slice, { domain });
  assertSamePartition(one, await planePartitionParallel(pool, compiled, slice, { domain, chunk: 257 }));
});

test("plane engine on 2 threads: counts at once on one pool, and one after another, each the one-engine partition (the threads' kept share buffers are not reused while a count still joins)", async () => {
  const a = prepare(mlp([2, 24, 24, 24, 1], { init: "he", seed: 1 }));
  const b = prepare(degenerate());
  const { slice, domain } = boxSlice(-1.5, 1.5);
  const oneA = planePartition(a, slice, { domain });
  const oneB = planePartition(b, slice, { domain });
  const [x, y, z] = await Promise.all([
    planePartitionParallel(pool, a, slice, { domain, mainThread: true, chunk: 1 }),
    planePartitionParallel(pool, b, slice, { domain, mainThread: true, chunk: 1 }),
    planePartitionParallel(pool, a, slice, { domain, chunk: 2 }),
  ]);
  assertSamePartition(oneA, x);
  assertSamePartition(oneB, y);
  assertSamePartition(oneA, z);
  // Again, now on the buffers the first counts left (smaller network first: they shrink nothing).
  assertSamePartition(oneB, await planePartitionParallel(pool, b, slice, { domain, mainThread: true }));
  assertSamePartition(oneA, await planePartitionParallel(pool, a, slice, { domain, mainThread: true }));
});

test("plane engine on 2 threads: decisions float64 cannot place are counted as on one thread (the top cut's once)", async () => {
  // A parallelogram whose directions round, through vertices of first-layer lines (decided
  // exactly since the plane engine's bounds are against the exact map: nothing uncertain in the
  // square), and a slanted domain whose edges' lines round: an uncertain decision, counted before
  // the top cut, once.
  const compiled = prepare({
    inputSize: 3,
    layers: [
      { type: "dense", inSize: 3, outSize: 4, weight: Float64Array.of(1, -2, -3, 0, -1, 0, 3, 0, -2, 3, 0, 0), bias: Float64Array.of(0, -1, 6, 6) },
      { type: "relu" },
      { type: "dense", inSize: 4, outSize: 2, weight: Float64Array.of(0, 2, 0, -1, -1, 1, -1, 1), bias: Float64Array.of(0, 1) },
      { type: "relu" },
      { type: "dense", inSize: 2, outSize: 1, weight: Float64Array.of(1, 1), bias: Float64Array.of(0) },
    ],
  });
  const { slice } = parallelogramSlice(Float64Array.of(0.001, 0.003, 0.001), Float64Array.of(-2, -1, 0), Float64Array.of(-1, -2, 0));
  for (const domain of [Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1), Float64Array.of(0, 0, 1, 0, 0.9, 1, 0.1, 0.7)]) {
    const one = planePartition(compiled, slice, { domain });
    assert.equal((one.uncertain ?? 0) > 0, domain[4] !== 1, `uncertain ${one.uncertain}`);
    assertSamePartition(one, await planePartitionParallel(pool, compiled, slice, { domain, chunk: 1 }));
  }
});

test("plane engine on 2 threads: an affine network (no piecewise step) is one cell", async () => {
  const compiled = prepare({ inputSize: 2, layers: [mlp([2, 3], { seed: 0 }).layers[0]] });
  const { slice, domain } = boxSlice(-1, 1);
  const p = await planePartitionParallel(pool, compiled, slice, { domain });
  assert.equal(p.cellCount, 1);
});

test("partitionParallel: the engine partition() picks, the same partition; limits apply to the whole count", async () => {
  const network = mlp([2, 20, 20, 1], { init: "he", seed: 5 });
  const plane = box(-2, 2, 2);
  assertSamePartition(partition(network, plane), await partitionParallel(pool, network, plane));
  const path = polyline([
    [-2, -1],
    [2, 1],
    [0, 2],
    [0, -2],
  ]);
  assertSamePartition(partition(network, path), await partitionParallel(pool, network, path));
  const stopped = await partitionParallel(pool, network, plane, { maxCells: 5 });
  assert.equal(stopped.stopped, "max-cells");
  assert.equal(stopped.cellCount, 5);
  const stoppedHere = await partitionParallel(pool, network, plane, { maxCells: 7, mainThread: true });
  assert.deepEqual([stoppedHere.stopped, stoppedHere.cellCount], ["max-cells", 7]);
  assertSamePartition(partition(network, path), await partitionParallel(pool, network, path, { mainThread: true }));
  let seen = 0;
  const timed = await partitionParallel(pool, network, plane, { timeout: 0, onProgress: ({ cells }) => (seen = cells) });
  assert.equal(timed.stopped, "timeout");
  assert.ok(timed.cellCount < partition(network, plane).cellCount && seen >= 0);
  await assert.rejects(partitionParallel(pool, network, box(-1, 1, 3)), /3 coordinates/);
});

test("line engine on 2 threads: --max-cells over all paths; the paths a limit left out are empty and marked stopped", async () => {
  const compiled = prepare(mlp([2, 16, 16, 1], { init: "he", seed: 7 }));
  const paths = Array.from({ length: 40 }, (_, i) => Float64Array.of(-1, i / 40 - 0.5, 1, 0.5 - i / 40));
  const all = paths.reduce((n, p) => n + linePartition(compiled, p).cellCount, 0);
  const parts = await linePartitionsParallel(pool, compiled, paths, 8, { maxCells: Math.floor(all / 2) });
  assert.equal(
    parts.reduce((n, p) => n + p.cellCount, 0),
    Math.floor(all / 2),
  );
  assert.ok(parts.some((p) => p.stopped === "max-cells" && p.cellCount === 0));
  for (const [i, p] of parts.entries()) if (p.stopped === undefined) assertSamePartition(linePartition(compiled, paths[i]), p);
});

test("a network 2,000 nested residual blocks deep goes to the threads as text (a structured clone of the object overflows the stack)", async () => {
  let inner: Network["layers"] = [{ type: "dense", inSize: 2, outSize: 2, weight: Float64Array.of(0.5, 0.1, -0.2, 0.4), bias: Float64Array.of(0.1, -0.05) }, { type: "relu" }];
  for (let i = 0; i < 2000; i++) {
    inner = [
      {
        type: "residual",
        layers: [{ type: "dense", inSize: 2, outSize: 2, weight: Float64Array.of(0.9, 0.1, -0.1, 0.9), bias: Float64Array.of(0.01, 0.02) }, { type: "relu" }, ...inner],
      },
    ];
  }
  const deep: Network = { inputSize: 2, layers: [...inner, { type: "dense", inSize: 2, outSize: 1, weight: Float64Array.of(1, 1), bias: Float64Array.of(0) }] };
  const compiled = prepare(deep);
  assert.throws(() => structuredClone(deep), RangeError);
  // Two short segments (a polyline's segments go to different threads): few pieces, each walked through 6,000 steps.
  const path = Float64Array.of(0, 0, 0.01, 0.01, 0.02, 0);
  assertSamePartition(linePartition(compiled, path), await linePartitionParallel(pool, compiled, path));
});
