import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { withPool } from "../../src/parallel/pool.ts";
import { wholePartitionParallel } from "../../src/parallel/whole.ts";
import type { WholePartition } from "../../src/regions/partition.ts";
import { wholePartition } from "../../src/regions/whole.ts";

/** Everything a partition says about its regions, facets and adjacency (stats aside). */
function arrays(p: WholePartition) {
  return {
    patterns: Array.from(p.patterns),
    centres: Array.from(p.centres),
    radii: Array.from(p.radii),
    facetStart: Array.from(p.facetStart),
    facetHyperplane: Array.from(p.facetHyperplane),
    facetNeighbour: Array.from(p.facetNeighbour),
    adjacency: Array.from(p.adjacency),
    pieceOf: Array.from(p.pieceOf),
    counts: [p.activationRegions, p.linearPieces, p.facetCount, p.uncertain],
  };
}

test("the whole engine on 1 and 2 worker threads gives the partition of one thread, array for array", async () => {
  // Rounds split into ranges of at least 8 regions (64 by default), so every round but the first
  // few is shared: one hidden layer (regions from the common point) and two (LPs, segments); the
  // adjacency pairs made by the threads (by default only from 65,536 listings on).
  const nets = [mlp([784, 7, 3], { seed: 4, init: "he" }), mlp([784, 4, 4, 2], { seed: 3, init: "he" })];
  await withPool(2, async (pool) => {
    for (const net of nets) {
      const compiled = prepare(net);
      const alone = arrays(wholePartition(compiled, { box: [0, 1] }));
      const two = await wholePartitionParallel(pool, compiled, { box: [0, 1], rangeMin: 8, pairsMin: 0 });
      assert.ok(two.stats.sharedRounds >= 2, `${two.stats.sharedRounds} rounds shared of ${two.stats.rounds}`);
      assert.deepEqual(arrays(two), alone);
    }
  });
  await withPool(1, async (pool) => {
    const compiled = prepare(nets[1]);
    assert.deepEqual(arrays(await wholePartitionParallel(pool, compiled, { box: [0, 1], rangeMin: 8 })), arrays(wholePartition(compiled, { box: [0, 1] })));
  });
});

test("the whole engine on threads: a region an earlier region of the round borders by one last-layer unit is not solved again by a later range", async () => {
  // Rounds of a 8-6-6-2 (715 regions) split into ranges of 8: a range does not see the regions
  // earlier ranges propose, and solved their interior LPs again (5,516 LPs against 3,367 on one
  // thread). Leaving them to the earlier region, whose facet to them exists by convexity, takes
  // 2 threads to 4,558 (the rest: facets one thread certifies by the segment to a proposal).
  // Without the LP shortcuts: their certificates are kept per thread, so with them the LPs a
  // thread solves depend on which ranges it took. Without step points either: they take most
  // regions' LPs away on one thread (1,092 LPs), fewer on ranges that do not see each other's
  // proposals (2,247), which is not what this counts.
  const compiled = prepare(mlp([8, 6, 6, 2], { seed: 2, init: "he" }));
  const one = wholePartition(compiled, { box: [0, 1], lpShortcuts: false, stepPoints: false });
  const two = await withPool(2, (pool) => wholePartitionParallel(pool, compiled, { box: [0, 1], rangeMin: 8, lpShortcuts: false, stepPoints: false }));
  assert.deepEqual(arrays(two), arrays(one));
  assert.ok(two.stats.lpSolves <= 1.4 * one.stats.lpSolves, `${two.stats.lpSolves} LPs on 2 threads, ${one.stats.lpSolves} on one`);
});

test("the whole engine on threads stops at its time limit (the threads stop their ranges themselves)", async () => {
  // A random 784-16-16-10 takes minutes (16 LPs per region): 1 s stops it in its first rounds.
  const compiled = prepare(mlp([784, 16, 16, 10], { init: "he", seed: 1 }));
  const part = await withPool(2, (pool) => wholePartitionParallel(pool, compiled, { box: [0, 1], points: false, timeout: 1, rangeMin: 8 }));
  assert.equal(part.stopped, "timeout");
  assert.ok(part.cellCount > 0);
});
