/**
 * The explorer's whole-box count (web/whole-count.ts), without a browser: the library's partition
 * (test/whole/ checks the engine against oracles), and the size guard's one line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { WHOLE_MAX_UNITS, wholeCount, wholeRefusal } from "../../src/web/whole-count.ts";

test("the explorer's whole-box count is the engine's; beyond the guard, one line and no count", () => {
  const network = mlp([20, 6, 5, 2], { init: "he", seed: 7 });
  const lines: string[] = [];
  const result = wholeCount(network, -1, 1, (text) => lines.push(text));
  const part = wholePartition(prepare(network), { box: [-1, 1] });
  assert.deepEqual([result.regions, result.pieces, result.facets, result.complete, result.inputSize], [part.activationRegions, part.linearPieces, part.facetCount, true, 20]);
  assert.ok(result.regions > 1);
  assert.equal(wholeRefusal(WHOLE_MAX_UNITS), null);
  assert.match(wholeRefusal(WHOLE_MAX_UNITS + 8) ?? "", /40 piecewise units: the explorer counts a whole box up to 32/);
  assert.throws(() => wholeCount(mlp([784, 40, 10], { seed: 1 }), 0, 1, () => {}), /40 piecewise units/);
  assert.throws(() => wholeCount(network, 1, 0, () => {}), /LO < HI/);
});
