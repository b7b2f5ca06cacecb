import assert from "node:assert/strict";
import { test } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { wholePartition } from "../../src/regions/whole.ts";

/**
 * Parts thinner than the engine's threshold (1e-9 of the domain's radius R) and than float64's
 * reach (1e-12 R): the float bounds leave them open and the exact decisions (whole/exact-decision.ts)
 * count them, with nothing left uncertain. The oracle is the same arrangement made thick (the
 * count does not depend on how thin the part is, only on whether it is there), counted by the
 * space engine; and the part made exactly empty (a thickness of 0) gives the smaller count.
 */

/** Three coordinate planes and a fourth plane delta from the origin: 15 regions (14 at delta = 0). */
function fourPlanes(delta: number): Network {
  return {
    inputSize: 3,
    layers: [
      { type: "dense", inSize: 3, outSize: 4, weight: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1]), bias: Float64Array.from([0, 0, 0, delta]) },
      { type: "relu" },
      { type: "dense", inSize: 4, outSize: 1, weight: Float64Array.from([1, 2, 3, 4]), bias: Float64Array.from([0]) },
    ],
  };
}

/**
 * The coordinate planes, then one unit of layer 2 on relu(x) + relu(y) + relu(z) = delta: in every
 * octant but one it cuts off a slab, prism or simplex of thickness about delta along the octant's
 * faces (15 regions; 8 at delta = 0). Its facets are not flips of last-step units alone (the
 * neighbour across a layer-1 plane changes layer 2 too), so the exact rows go through both layers.
 */
function cornerCut(delta: number): Network {
  return {
    inputSize: 3,
    layers: [
      { type: "dense", inSize: 3, outSize: 3, weight: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), bias: Float64Array.from([0, 0, 0]) },
      { type: "relu" },
      { type: "dense", inSize: 3, outSize: 1, weight: Float64Array.from([1, 1, 1]), bias: Float64Array.from([-delta]) },
      { type: "relu" },
      { type: "dense", inSize: 1, outSize: 1, weight: Float64Array.from([1]), bias: Float64Array.from([0]) },
    ],
  };
}

function counts(net: Network, B: number) {
  const p = wholePartition(prepare(net), { box: [-B, B] });
  return { regions: p.activationRegions, pieces: p.linearPieces, facets: p.facetCount, uncertain: p.uncertain, exact: p.stats.exactDecisions };
}

test("a region thinner than the threshold is counted exactly at every box size, none uncertain", () => {
  const space = spacePartition(prepare(fourPlanes(1e-6)), { box: [-1e3, 1e3] } as never);
  assert.equal(space.activationRegions, 15);
  // 1e-6 from the origin in a box of 1 to 1e10: from a part of 2e-7 R to one of 3e-17 R (before
  // exact decisions, 1e3 and 1e5 left it uncertain and 1e8 left it out as of measure zero).
  for (const B of [1, 1e3, 1e5, 1e8, 1e10]) {
    const c = counts(fourPlanes(1e-6), B);
    assert.deepEqual([c.regions, c.uncertain], [15, 0], `box ${B}`);
    if (B >= 1e3) assert.ok(c.exact > 0, `box ${B}: decided exactly`);
  }
  // Exactly through the origin: the part has no interior (exactly 0, not just thin).
  assert.deepEqual([counts(fourPlanes(0), 1).regions, counts(fourPlanes(0), 1).uncertain], [14, 0]);
});

test("parts 1e-11 R and 1e-13 R thick behind a deeper unit: the count of the thick arrangement, none uncertain", () => {
  const R = Math.sqrt(3);
  const thick = counts(cornerCut(0.2), 1);
  const space = spacePartition(prepare(cornerCut(0.2)), { box: [-1, 1] } as never);
  assert.deepEqual([thick.regions, thick.uncertain], [15, 0]);
  assert.deepEqual([space.activationRegions, space.linearPieces], [thick.regions, thick.pieces]);
  for (const delta of [1e-11 * R, 1e-13 * R]) {
    const c = counts(cornerCut(delta), 1);
    assert.deepEqual([c.regions, c.pieces, c.facets, c.uncertain], [thick.regions, thick.pieces, thick.facets, 0], `delta ${delta}`);
    assert.ok(c.exact > 0, `delta ${delta}: decided exactly`);
  }
  assert.deepEqual([counts(cornerCut(0), 1).regions, counts(cornerCut(0), 1).uncertain], [8, 0]);
});

test("two hyperplanes 1e-13 R apart are two, not one coincident pair: the slab between them is a region", () => {
  const planes = (gap: number): Network => ({
    inputSize: 3,
    layers: [
      { type: "dense", inSize: 3, outSize: 3, weight: Float64Array.from([1, 0, 0, 1, 0, 0, 0, 1, 0]), bias: Float64Array.from([0, -gap, 0]) },
      { type: "relu" },
      { type: "dense", inSize: 3, outSize: 1, weight: Float64Array.from([1, 2, 3]), bias: Float64Array.from([0]) },
    ],
  });
  const thick = counts(planes(0.1), 1);
  assert.deepEqual([thick.regions, thick.facets, thick.uncertain], [6, 7, 0]);
  const thin = counts(planes(1e-13 * Math.sqrt(3)), 1);
  assert.deepEqual([thin.regions, thin.facets, thin.uncertain], [6, 7, 0]);
  // Duplicated units (the same hyperplane exactly) stay one.
  assert.deepEqual([counts(planes(0), 1).regions, counts(planes(0), 1).uncertain], [4, 0]);
});
