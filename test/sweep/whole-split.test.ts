/**
 * A whole-domain count split by a sign prefix (sweep/whole-split.ts) and joined equals the count
 * of one engine: regions (as patterns), facets, adjacency (as pairs of patterns) and linear
 * pieces (as sets of patterns), nothing uncertain, on random, zero-bias and degenerate networks
 * (a prefix unit duplicated by a non-prefix unit, one negated, a dead unit), 6 to 20 inputs and
 * 784, with empty prefix cells among the jobs, and a polytope domain. The queue's path is test/sweep/queue.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { patternString } from "../../src/model/pattern.ts";
import type { WholePartition } from "../../src/regions/partition.ts";
import { checkWhole } from "../../src/regions/whole/check.ts";
import type { InputPolytope } from "../../src/regions/whole/reduce.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { wholeSplitLocally } from "../../src/sweep/whole-split.ts";

function names(compiled: Compiled, p: WholePartition): string[] {
  return Array.from({ length: p.cellCount }, (_, i) => patternString(compiled.layout, p.patterns, i * p.layout.words));
}

function pairs(compiled: Compiled, p: WholePartition): string[] {
  const name = names(compiled, p);
  const out: string[] = [];
  for (let e = 0; e < p.adjacency.length; e += 2) out.push([name[p.adjacency[e]], name[p.adjacency[e + 1]]].sort().join(" "));
  return out.sort();
}

function pieces(compiled: Compiled, p: WholePartition): string[] {
  const name = names(compiled, p);
  const groups = new Map<number, string[]>();
  for (let i = 0; i < p.cellCount; i++) groups.set(p.pieceOf[i], [...(groups.get(p.pieceOf[i]) ?? []), name[i]]);
  return [...groups.values()].map((g) => g.sort().join(",")).sort();
}

/** Split into 2^k jobs and joined = one engine; returns the jobs' region counts. */
function agrees(label: string, network: Network, k: number, cut?: InputPolytope): number[] {
  const compiled = prepare(network);
  const domain = { box: [0, 1] as [number, number], points: false, ...(cut ? { polytope: cut } : {}) };
  const one = wholePartition(compiled, domain);
  const { partition: split, perJob } = wholeSplitLocally(compiled, domain, k);
  assert.equal(perJob.length, 2 ** k, `${label}: jobs`);
  assert.equal(one.uncertain, 0, `${label}: one engine uncertain`);
  assert.equal(split.uncertain, 0, `${label}: split uncertain`);
  assert.equal(split.activationRegions, one.activationRegions, `${label}: regions`);
  assert.equal(split.facetCount, one.facetCount, `${label}: facets`);
  assert.equal(split.linearPieces, one.linearPieces, `${label}: linear pieces`);
  assert.deepEqual(names(compiled, split).sort(), names(compiled, one).sort(), `${label}: patterns`);
  assert.deepEqual(pairs(compiled, split), pairs(compiled, one), `${label}: adjacency`);
  assert.deepEqual(pieces(compiled, split), pieces(compiled, one), `${label}: pieces`);
  return perJob;
}

test("a split whole-domain count joins into one engine's partition (random, zero-bias, degenerate; 6 to 20 and 784 inputs)", () => {
  const empty: number[] = [];
  empty.push(...agrees("8-6-4-1 he", mlp([8, 6, 4, 1], { seed: 2, init: "he" }), 2));
  // With points (--cells, --check): every region's point reproduces its pattern, and every facet
  // is listed from both sides, the cut's too.
  const withPoints = prepare(mlp([8, 6, 4, 1], { seed: 2, init: "he" }));
  assert.deepEqual(checkWhole(withPoints, wholeSplitLocally(withPoints, { box: [0, 1], points: true }, 2).partition).problems, []);
  empty.push(...agrees("12-5-4-1 uniform", mlp([12, 5, 4, 1], { seed: 3 }), 3));
  // Zero biases: every first-layer hyperplane through the corner 0 of [0, 1]^6.
  empty.push(...agrees("6-5-4-1 zero-bias", mlp([6, 5, 4, 1], { seed: 4, init: "zero-bias" }), 3));
  // Unit 0 through the box's centre (the first prefix hyperplane), unit 1 its copy, unit 2 its
  // negation (neither in the prefix: the same hyperplane), unit 3 dead, unit 4 parallel to unit 0
  // and just beside it (the second prefix hyperplane: the cell below 0 and above 4 is empty).
  const dup = mlp([20, 6, 4, 1], { seed: 5, init: "he" });
  const first = dup.layers[0] as { weight: Float64Array; bias: Float64Array };
  let sum = 0;
  for (let d = 0; d < 20; d++) sum += first.weight[d];
  first.bias[0] = -0.5 * sum;
  first.weight.copyWithin(20, 0, 20);
  first.bias[1] = first.bias[0];
  for (let d = 0; d < 20; d++) first.weight[40 + d] = -first.weight[d];
  first.bias[2] = -first.bias[0];
  first.weight.fill(0, 60, 80);
  let l1 = 0;
  for (let d = 0; d < 20; d++) l1 += Math.abs(first.weight[d]);
  first.weight.copyWithin(80, 0, 20);
  first.bias[4] = first.bias[0] - 0.01 * l1;
  const { hyperplanes } = wholeSplitLocally(prepare(dup), { box: [0, 1], points: false }, 2);
  assert.deepEqual([...hyperplanes.units], [0, 4], "units 0 and 4 are the prefix; the copies of 0 and the dead unit are not");
  const perJob = agrees("20-6-4-1 duplicated, negated, parallel and dead units", dup, 2);
  assert.equal(perJob[2], 0, "the cell below unit 0 and above unit 4 is empty");
  empty.push(...perJob);
  // A polytope domain: the prefix rows join its rows.
  const A = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 : i % 2 ? 1 : -1));
  agrees("10-6-4-1 in a polytope", mlp([10, 6, 4, 1], { seed: 8, init: "he" }), 2, { A, b: Float64Array.from([4, 0.5]) });
  empty.push(...agrees("784-6-3-1 he", mlp([784, 6, 3, 1], { seed: 6, init: "he" }), 2));
  assert.ok(empty.includes(0), "some prefix cell is empty");
});
