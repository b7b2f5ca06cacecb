import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { spacePartition } from "../../src/regions/space.ts";

/** Every typed array of a partition, copied. */
function arraysOf(p: object): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [key, v] of Object.entries(p)) if (ArrayBuffer.isView(v)) out.set(key, Array.from(v as unknown as ArrayLike<number>));
  return out;
}

// A count leaves its sink's buffers to the next one on the thread (space/cells.ts, SpareBuffers),
// and its kernel's WebAssembly instance (space/kernel.ts, `release`; the large network lays its
// memory out differently, over the small one's values): the partition it returned must own its
// arrays (the next count writes over the buffers), and a count on recycled buffers and a reused
// instance must equal one on fresh ones (the first count here).
test("space counts in a row: each partition keeps its arrays, and recycled buffers give the same partition", () => {
  const small = prepare(mlp([3, 6, 6, 1], { init: "uniform", seed: 3 }));
  const large = prepare(mlp([3, 12, 12, 1], { init: "uniform", seed: 4 }));
  const first = spacePartition(small, { box: [-1, 1] });
  const kept = arraysOf(first);
  const second = spacePartition(large, { box: [-1, 1] });
  assert.ok(second.cellCount > first.cellCount);
  assert.deepEqual(arraysOf(first), kept, "the first partition's arrays changed under the second count");
  const again = spacePartition(small, { box: [-1, 1] });
  assert.deepEqual(arraysOf(again), kept, "a count on recycled buffers differs");
  assert.equal(again.vertexCount, first.vertexCount);
});
