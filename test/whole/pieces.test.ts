/**
 * Linear pieces of the whole-domain engine come from each facet's "equal maps" decision
 * (regions/whole/same-map.ts: certified bounds, the neighbour's map computed when too close to
 * call) instead of the stored maps. Oracle: linearPieces over the stored maps (mapsEqual on every
 * adjacent pair), on networks whose maps are equal across some facets: output columns zero, tiny,
 * and scaled to about mapsEqual's 1e-9 threshold (where the bounds cannot decide alone).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { DenseLayer, Network } from "../../src/model/layers.ts";
import { linearPieces } from "../../src/regions/partition.ts";
import { wholePartition } from "../../src/regions/whole.ts";

/** Output column j of the last layer scaled by factor[j] (1 where not given). */
function scaledColumns(network: Network, factors: Record<number, number>): Network {
  const last = network.layers[network.layers.length - 1] as DenseLayer;
  const weight = last.weight.slice();
  for (let o = 0; o < last.outSize; o++) for (const [j, f] of Object.entries(factors)) weight[o * last.inSize + Number(j)] *= f;
  return { ...network, layers: [...network.layers.slice(0, -1), { ...last, weight }] };
}

test("linear pieces from the facets' map equality = mapsEqual on the stored maps (zero, tiny and threshold-sized output columns)", () => {
  const cases: [string, Network][] = [
    ["784-9-3, columns 0, 1e-13, 1e-9, 3e-10, 3e-9", scaledColumns(mlp([784, 9, 3], { seed: 8, init: "he" }), { 2: 0, 5: 1e-13, 6: 1e-9, 7: 3e-10, 8: 3e-9 })],
    ["784-8-2 leaky, columns 0 and 1e-9", scaledColumns(mlp([784, 8, 2], { seed: 9, init: "he", activation: { type: "leaky-relu", slope: 0.1 } }), { 1: 0, 4: 1e-9 })],
    ["784-4-4-2, a dead output column (facets of two layers)", scaledColumns(mlp([784, 4, 4, 2], { seed: 3, init: "he" }), { 1: 0 })],
  ];
  for (const [name, network] of cases) {
    const compiled = prepare(network);
    const kept = wholePartition(compiled, { box: [0, 1] });
    const lean = wholePartition(compiled, { box: [0, 1], points: false });
    const mapSize = compiled.outputSize * (kept.dim + 1);
    const oracle = linearPieces(kept.cellCount, kept.adjacency, kept.outputMaps, mapSize);
    assert.ok(oracle.count < kept.cellCount, `${name}: some facets have equal maps (${oracle.count} pieces, ${kept.cellCount} regions)`);
    assert.equal(kept.linearPieces, oracle.count, name);
    assert.deepEqual(Array.from(kept.pieceOf), Array.from(oracle.pieceOf), name);
    assert.equal(lean.outputMaps.length, 0, `${name}: no maps kept without points`);
    assert.deepEqual(Array.from(lean.pieceOf), Array.from(oracle.pieceOf), `${name}: the same pieces without the maps`);
    assert.deepEqual(Array.from(lean.adjacency), Array.from(kept.adjacency), name);
  }
});
