import assert from "node:assert/strict";
import { test } from "node:test";
import { guidedGroups } from "../../src/parallel/line.ts";

test("guided groups cover every path once, in order, and shrink towards the end", () => {
  for (const [count, weight] of [
    [1000, (i: number) => 1 + (i % 7)],
    [5, () => 1],
    [1, () => 3],
    [300, (i: number) => (i === 17 ? 500 : 1)],
    [50, () => 0],
  ] as [number, (i: number) => number][]) {
    const groups = guidedGroups(count, 2, 64, weight);
    let next = 0;
    for (const [a, b] of groups) {
      assert.equal(a, next);
      assert.ok(b > a, "no empty group");
      next = b;
    }
    assert.equal(next, count);
  }
  // Equal weights: the first group an eighth of the work per thread, the last ones a few paths.
  const groups = guidedGroups(1000, 2, 64, () => 1);
  assert.equal(groups[0][1] - groups[0][0], 62);
  const [a, b] = groups[groups.length - 1];
  assert.ok(b - a <= 4, `last group ${b - a} paths`);
  assert.ok(groups.length < 100, `${groups.length} groups`);
});
