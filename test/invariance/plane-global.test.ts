/**
 * The plane engine's decisions certified against the exact network (docs/numerics.md, "Bounds
 * relative to the exact map"): until Dec 7 its bounds were relative to each map's computed
 * predecessor, and a decision outside them was exact for the chain of computed maps, not for the
 * network. Each case below was miscounted that way (the count, a pattern, or an uncertain
 * decision where there is none), and a family of zero-bias deep networks is compared with the
 * exact oracle. plane-global-js.test.ts runs the same without WebAssembly.
 */
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { AROUND_ORIGIN, assertExact, hardTanhInteger58, zeroBiasDeep } from "./plane-global-cases.ts";

test("a 2-5x12-1 integer hard tanh network: no unit given the state above +1 where it is exactly +1 (wrong patterns, silently, before)", () => {
  // Near the corner P1 = 0 of this parallelogram a unit 10 layers deep is exactly +1 on a cell;
  // computed, its map was a little above, decided by its local bound: 3 cells had a pattern the
  // network does not have, and 3 of the network's were missing, with the right count (1,448).
  const P2 = [-0.007420408073812723, 0.6695879749022424];
  const P3 = [0.1673969937255606, 0.0018551020184531808];
  const f = 3e-3;
  assertExact(hardTanhInteger58(), [0, 0], [f * P2[0], f * P2[1]], [f * P3[0], f * P3[1]], "hard tanh 58");
});

test("a zero-bias 2-4x20-1 network about the origin: every deep line through the origin's point decided exactly (an uncertain sliver before)", () => {
  // Every breakpoint line passes through the point of the slice that is the origin; computed, a
  // deep one missed it by more than its local bound, cut a sliver there, and the test of slivers
  // dropped it and reported it (14 regions, 1 uncertain).
  assertExact(mlp([2, ...Array(20).fill(4), 1], { init: "zero-bias", seed: 1 }), [-0.3, -0.4], [0.6, 0.8], [-0.5, 0.3], "zero-bias 4x20 seed 1");
});

test("zero-bias deep narrow networks about the origin: the exact regions and patterns, nothing uncertain", () => {
  for (let seed = 0; seed < 12; seed++) {
    const net = zeroBiasDeep(seed);
    const [p1, p2, p3] = AROUND_ORIGIN[seed % AROUND_ORIGIN.length];
    assertExact(net, p1, p2, p3, `seed ${seed}`);
  }
});
