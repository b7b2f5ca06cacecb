/**
 * The idle warm-up (regions/warm-up.ts `warmUpWhenIdle`, exported from src/index.ts
 * for programs that import the library well before their first count): it runs once, on a timer rather than in the call that asks for
 * it, and counts made before and after it are the same to the bit (the warm-up leaves the
 * engines' kernels compiled, their WebAssembly memory grown and the dense kernel's resident
 * weights filled, none of which may change a result). The warm-up's own networks are among those
 * compared, since their weights are then resident in the dense kernel.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { box } from "../../src/domain/domain.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { idleWarmUp, warmUpWhenIdle } from "../../src/regions/warm-up.ts";

test("the idle warm-up runs once, when the process is idle; counts before and after it are identical", async () => {
  const networks = [
    mlp([2, 32, 32, 1], { init: "uniform", seed: 1 }), // the warm-up's own networks
    mlp([2, 32, 32, 1], { init: "uniform", seed: 2 }),
    mlp([2, 32, 32, 1], { init: "uniform", seed: 0 }),
    mlp([2, 16, 16, 16, 1], { init: "he", seed: 3 }),
  ];
  const domain = box(-1, 1, 2);
  // Nothing in this process has asked for the warm-up yet (only src/index.ts does).
  assert.deepEqual(idleWarmUp, { scheduled: false, ran: false });
  const before = networks.map((network) => partition(network, domain));

  warmUpWhenIdle();
  warmUpWhenIdle(); // a second request schedules nothing more
  assert.deepEqual(idleWarmUp, { scheduled: true, ran: false }, "the warm-up waits for a timer");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(idleWarmUp, { scheduled: true, ran: true }, "the warm-up ran once the process was idle");

  const after = networks.map((network) => partition(network, domain));
  for (let k = 0; k < networks.length; k++) {
    assert.ok(before[k].activationRegions > 100, "a count with cells to compare");
    // Typed arrays compare byte for byte: the same doubles, not merely equal ones.
    assert.deepStrictEqual(after[k], before[k], `network ${k}: the same partition before and after the warm-up`);
  }
});
