import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import type { WholePartition } from "../../src/regions/partition.ts";
import { BoxLp } from "../../src/regions/whole/box-lp.ts";
import { checkWhole } from "../../src/regions/whole/check.ts";
import { reduce } from "../../src/regions/whole/reduce.ts";
import { StepPoint } from "../../src/regions/whole/step-point.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { randomRows } from "./random-rows.ts";

// New regions' points by a step across the facet or from the inner zonotope, and rows rejected by
// the LP in u alone (step-point.ts, inner-zonotope.ts), change the regions' points and maybe their numbering, never the partition:
// compared as sets by pattern with the engine before (stepPoints: false).

function key(p: WholePartition, i: number): string {
  const w = p.layout.words;
  return Array.from(p.patterns.subarray(i * w, (i + 1) * w)).join(",");
}

/** The partition by pattern: per region its facets (hyperplane -> neighbour's pattern), its piece's members, the adjacency. */
function byPattern(p: WholePartition) {
  const regions = new Map<string, string>();
  const pieces = new Map<number, string[]>();
  for (let i = 0; i < p.cellCount; i++) {
    const pieceList = pieces.get(p.pieceOf[i]) ?? [];
    pieceList.push(key(p, i));
    pieces.set(p.pieceOf[i], pieceList);
  }
  for (let i = 0; i < p.cellCount; i++) {
    const facets: string[] = [];
    for (let f = p.facetStart[i]; f < p.facetStart[i + 1]; f++) facets.push(`${p.facetHyperplane[f]}>${key(p, p.facetNeighbour[f])}`);
    regions.set(key(p, i), facets.sort().join(";"));
  }
  const pieceSets = [...pieces.values()].map((list) => list.sort().join("|")).sort();
  const pairs: string[] = [];
  for (let e = 0; e < p.adjacency.length; e += 2) {
    const a = key(p, p.adjacency[e]);
    const b = key(p, p.adjacency[e + 1]);
    pairs.push(a < b ? `${a}/${b}` : `${b}/${a}`);
  }
  return { regions: [...regions].sort(), pieceSets, pairs: pairs.sort(), counts: [p.activationRegions, p.linearPieces, p.facetCount, p.uncertain] };
}

test("step points and the LP in u alone give the partition of the box LPs, pattern for pattern, on 784-input deeper networks", () => {
  const nets: [string, Network, [number, number]][] = [
    ["784-5-4-1 He", mlp([784, 5, 4, 1], { init: "he", seed: 3 }), [0, 1]],
    ["784-4-4-3 zero-bias", mlp([784, 4, 4, 3], { init: "zero-bias", seed: 5 }), [-1, 1]],
    ["784-3-3-1 hard-tanh", mlp([784, 3, 3, 1], { init: "he", seed: 6, activation: { type: "hard-tanh", lo: -0.5, hi: 0.5 } }), [0, 1]],
    ["4-5-5-1 He", mlp([4, 5, 5, 1], { init: "he", seed: 2 }), [-1, 1]],
  ];
  let stepped = 0;
  let rejected = 0;
  let inner = 0;
  for (const [name, net, box] of nets) {
    const compiled = prepare(net);
    const before = wholePartition(compiled, { box, stepPoints: false });
    const now = wholePartition(compiled, { box });
    assert.equal(before.stats.stepRegions + before.stats.smallLpRejected, 0, `${name}: nothing of it when off`);
    assert.ok(now.activationRegions > 8, `${name}: a partition worth comparing`);
    assert.deepEqual(byPattern(now), byPattern(before), name);
    // The new points are points of their regions, in the box (forward passes), the graph closed.
    assert.deepEqual(checkWhole(compiled, now).problems, [], name);
    stepped += now.stats.stepRegions;
    rejected += now.stats.smallLpRejected;
    inner += now.stats.innerRegions;
  }
  assert.ok(stepped > 0 && rejected > 0 && inner > 0, `used: ${stepped} regions by a step, ${rejected} rows by the LP in u, ${inner} points from the inner zonotope`);
});

test("the LP in u alone bounds the box LP's optimum from above (random regions of a 784-input reduction)", () => {
  const compiled = prepare(mlp([784, 6, 4, 1], { init: "he", seed: 1 }));
  const red = reduce(compiled, 0, 1);
  const random = createRandom(9);
  const box = new BoxLp(red);
  const step = new StepPoint(red, 16, 1e-11, 1e-10);
  let below = 0;
  for (let t = 0; t < 200; t++) {
    const { K, A, b, nu, eq } = randomRows(red, random, -0.05, 0.7);
    if (t % 2 === 0) eq[0] = 1;
    if (eq[0]) nu[0] = 0;
    const sLo = -(2 * red.radius + 10);
    const sHi = 2 * red.radius + 1;
    const exact = box.solve(K, A, nu, b, eq, sLo, sHi);
    step.relaxed(K, A, nu, b, eq, sLo, sHi);
    if (exact.status === "optimal") assert.ok(step.upper >= exact.lower, `${t}: ${step.upper} < ${exact.lower}`);
    if (step.upper < 0) below++;
  }
  assert.ok(below > 10, `${below} problems rejected by the LP in u`);
});
