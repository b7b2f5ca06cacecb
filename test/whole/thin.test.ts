import assert from "node:assert/strict";
import { test } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { wholePartition } from "../../src/regions/whole.ts";

/**
 * Three coordinate planes and a fourth plane 1e-6 from the origin: 15 regions in any box around
 * the origin, one of them a simplex of in-radius about 2e-7. In a box 1e3 wide that simplex is
 * thinner than the whole-domain engine's threshold (1e-9 of the box): the engine may leave it
 * out, but then it must say so (uncertain), never give a smaller count silently. Growing the box
 * never lowers an unlabelled count.
 */
const net: Network = {
  inputSize: 3,
  layers: [
    { type: "dense", inSize: 3, outSize: 4, weight: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1]), bias: Float64Array.from([0, 0, 0, 1e-6]) },
    { type: "relu" },
    { type: "dense", inSize: 4, outSize: 1, weight: Float64Array.from([1, 2, 3, 4]), bias: Float64Array.from([0]) },
  ],
};

test("a region thinner than the threshold is counted or reported uncertain, at every box size", () => {
  const compiled = prepare(net);
  assert.equal(spacePartition(compiled, { box: [-1e3, 1e3] } as never).activationRegions, 15);
  for (const B of [1, 1e3, 1e4, 1e5]) {
    const p = wholePartition(compiled, { box: [-B, B] });
    if (B === 1) assert.deepEqual([p.activationRegions, p.uncertain], [15, 0]);
    else assert.ok(p.activationRegions === 15 || p.uncertain > 0, `box ${B}: ${p.activationRegions} regions, none uncertain`);
  }
});
