import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import type { PlanePartition } from "../../src/regions/partition.ts";
import { linearPieces } from "../../src/regions/partition.ts";
import { boxSlice, planePartitionShare } from "../../src/regions/plane.ts";
import { planeAdjacency, sortedLineEdges } from "../../src/regions/plane-adjacency.ts";
import { adjacencyKernel, linearPiecesKernel, shareAdjacencyKernel } from "../../src/regions/plane-adjacency-kernel.ts";
import { net, planeBox } from "./helpers.ts";

/** The kernel's pairs and the JavaScript's for one partition (the kernel must have run). */
function both(p: PlanePartition): { kernel: Uint32Array; script: Uint32Array } {
  const kernel = adjacencyKernel(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines);
  assert.ok(kernel !== null, "WebAssembly is available in Node: the kernel must run");
  return { kernel, script: planeAdjacency(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines, false) };
}

/** Scale the first layer's weights by s (huge or tiny coordinates along the lines). */
function scaledFirst(network: Network, s: number): Network {
  const first = network.layers[0] as { weight: Float64Array };
  for (let k = 0; k < first.weight.length; k++) first.weight[k] *= s;
  return network;
}

describe("plane adjacency in WebAssembly", () => {
  const cases: [string, Network, number, number][] = [
    ["random 2-16x2-1", mlp([2, 16, 16, 1], { init: "uniform", seed: 3 }), -1, 1],
    ["zero biases (every line through the origin)", mlp([2, 8, 6, 1], { init: "zero-bias", seed: 5 }), -1, 1],
    [
      "duplicated and coincident units",
      net(2, [
        {
          w: [
            [1, 0],
            [0, 1],
            [1, 0],
            [2, 0],
            [1, 1],
            [-1, -1],
          ],
          b: [0, 0.5, 0, 0, -1, 1],
        },
        { w: [[1, 1, 1, 1, 1, 1]] },
      ]),
      -1,
      1,
    ],
    [
      "lines through the box's corners",
      net(2, [
        {
          w: [
            [1, -1],
            [1, 1],
            [1, 0],
          ],
          b: [0, 0, -1],
        },
        { w: [[1, 1, 1]] },
      ]),
      0,
      1,
    ],
    ["huge scale", scaledFirst(mlp([2, 8, 8, 1], { init: "uniform", seed: 7 }), 2 ** 40), -(2 ** -40), 2 ** -40],
    ["tiny scale", scaledFirst(mlp([2, 8, 8, 1], { init: "uniform", seed: 8 }), 2 ** -40), -(2 ** 40), 2 ** 40],
  ];
  for (const [name, network, lo, hi] of cases) {
    it(`gives the JavaScript's pairs, in its order: ${name}`, () => {
      const { partition } = planeBox(network, lo, hi);
      const { kernel, script } = both(partition);
      assert.ok(script.length > 0, "a partition with neighbours");
      assert.deepEqual(kernel, script);
      assert.deepEqual(partition.adjacency, script);
    });
  }

  it("joins the same linear pieces as the JavaScript", () => {
    // Looks-linear: many cells, one piece; a unit with zero output weight: pairs of equal maps;
    // random: every cell its own piece; a zero-bias net with outputs scaled by 2^-60.
    const small = mlp([2, 8, 8, 1], { init: "uniform", seed: 2 });
    const last = small.layers[small.layers.length - 1] as { weight: Float64Array };
    for (let k = 0; k < last.weight.length; k++) last.weight[k] *= 2 ** -60;
    const networks = [
      mlp([2, 8, 8, 2], { init: "looks-linear", seed: 1 }),
      net(2, [
        {
          w: [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          b: [0, 0, -0.5],
        },
        {
          w: [
            [1, 0, 0],
            [0, 0, 2],
          ],
        },
      ]),
      mlp([2, 12, 12, 1], { init: "uniform", seed: 4 }),
      small,
    ];
    let joined = 0;
    for (const network of networks) {
      const p = planeBox(network, -1, 1).partition;
      const mapSize = 3 * p.outputSize;
      const kernel = linearPiecesKernel(p.cellCount, p.adjacency, p.outputMaps, mapSize, 3, 1);
      const script = linearPieces(p.cellCount, p.adjacency, p.outputMaps, mapSize, 3, 1);
      assert.ok(kernel !== null);
      assert.equal(kernel.count, script.count);
      assert.deepEqual(kernel.pieceOf, script.pieceOf);
      assert.equal(p.linearPieces, script.count);
      joined += p.cellCount - script.count;
    }
    assert.ok(joined > 10, "some cells joined");
  });

  it("agrees on arbitrary edge arrays with many ties, long lines and overlaps", () => {
    // Not partitions: cells whose edges lie on a few lines, at small integer points, so starts
    // tie on the same side and lines hold hundreds of edges (insertion runs, then merges).
    const rng = createRandom(11);
    const cells = 400;
    const cellStart = new Uint32Array(cells + 1);
    const vertices: number[] = [];
    const edgeLine: number[] = [];
    for (let i = 0; i < cells; i++) {
      const n = 3 + rng.int(4);
      for (let k = 0; k < n; k++) {
        vertices.push(rng.int(6), rng.int(6));
        edgeLine.push(rng.int(10) - 1);
      }
      cellStart[i + 1] = cellStart[i] + n;
    }
    const lines = Float64Array.from({ length: 15 }, () => rng.int(5) - 2);
    const p = { cellCount: cells, cellStart, vertices: Float64Array.from(vertices), edgeLine: Int32Array.from(edgeLine), lines };
    const { kernel, script } = both(p as PlanePartition);
    assert.ok(script.length > 100);
    assert.deepEqual(kernel, script);
  });

  it("sorts long lines (merges past the insertion runs) and keeps ties in cell order", () => {
    // One line, the u-axis, between 40 cells above and 40 below; the cells above start at the
    // same places as those below (ties), and in reverse cell order (the sort must move them).
    const cells = 80;
    const cellStart = new Uint32Array(cells + 1);
    const vertices: number[] = [];
    const edgeLine: number[] = [];
    for (let i = 0; i < cells; i++) {
      const x = i < 40 ? 39 - i : i - 40;
      const above = i < 40;
      // A triangle with one edge on line 0 (v = 0), from x to x + 1; the others on the domain.
      const pts = above ? [x, 0, x + 1, 0, x + 0.5, 1] : [x + 1, 0, x, 0, x + 0.5, -1];
      vertices.push(...pts);
      edgeLine.push(above ? 0 : 1, -1, -1);
      cellStart[i + 1] = cellStart[i] + 3;
    }
    const p = { cellCount: cells, cellStart, vertices: Float64Array.from(vertices), edgeLine: Int32Array.from(edgeLine), lines: Float64Array.of(0, 0, 1) };
    const { kernel, script } = both(p as PlanePartition);
    assert.equal(script.length, 2 * 40);
    assert.deepEqual(kernel, script);
  });

  it("gives a share's own pairs and sorted shared-line edges as the two JavaScript passes do", () => {
    /** The JavaScript's parts of a share: pairs on lines from `base` on, edges below it, sorted. */
    const script = (p: Pick<PlanePartition, "cellCount" | "cellStart" | "vertices" | "edgeLine" | "lines">, base: number) => {
      const tags = p.edgeLine.map((t) => (t >= 0 && t >> 1 < base ? -1 : t));
      return {
        pairs: planeAdjacency(p.cellCount, p.cellStart, p.vertices, tags, p.lines, false),
        edges: sortedLineEdges(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines, base),
      };
    };
    let shared = 0;
    let own = 0;
    for (const network of [mlp([2, 16, 16, 1], { init: "uniform", seed: 3 }), mlp([2, 8, 6, 1], { init: "zero-bias", seed: 5 })]) {
      const compiled = prepare(network);
      const { slice, domain } = boxSlice(-1, 1);
      for (const part of [0, 1]) {
        const share = planePartitionShare(compiled, slice, domain, { parts: 2, part, chunk: 3 });
        const p = share.partition;
        const kernel = shareAdjacencyKernel(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines, share.baseLines);
        assert.ok(kernel !== null);
        assert.deepEqual(kernel, script(p, share.baseLines));
        shared += kernel.edges.line.length;
        own += kernel.pairs.length;
      }
    }
    assert.ok(shared > 50 && own > 50, "edges on both kinds of lines");
    // Arbitrary edges with ties and long lines, split at every base.
    const rng = createRandom(12);
    const cells = 300;
    const cellStart = new Uint32Array(cells + 1);
    const vertices: number[] = [];
    const edgeLine: number[] = [];
    for (let i = 0; i < cells; i++) {
      const n = 3 + rng.int(4);
      for (let k = 0; k < n; k++) {
        vertices.push(rng.int(6), rng.int(6));
        edgeLine.push(rng.int(10) - 1);
      }
      cellStart[i + 1] = cellStart[i] + n;
    }
    const p = {
      cellCount: cells,
      cellStart,
      vertices: Float64Array.from(vertices),
      edgeLine: Int32Array.from(edgeLine),
      lines: Float64Array.from({ length: 15 }, () => rng.int(5) - 2),
    };
    for (let base = 0; base <= 6; base++) assert.deepEqual(shareAdjacencyKernel(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines, base), script(p, base));
  });
});
