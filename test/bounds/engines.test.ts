/**
 * Bounds against the exact engines (and against dense sampling, which needs no engine): the
 * Montufar construction reaches montufar2014-lower exactly on [0,1]^n0, and no real network's
 * count exceeds serra2018-upper (or its rank-refined variant).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { architectureOf, denseArchitecture } from "../../src/bounds/architecture.ts";
import { allBounds } from "../../src/bounds/index.ts";
import { montufar2014Lower } from "../../src/bounds/montufar2014.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { type Compiled, forward, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";

/** Exact count on [lo, hi]^n0 (n0 <= 2). An engine that throws fails the test: nothing is skipped. */
function exactCount(net: Network, lo: number, hi: number): number {
  const compiled = prepare(net);
  if (net.inputSize === 1) return linePartition(compiled, Float64Array.of(lo, hi)).activationRegions;
  const { slice, domain } = boxSlice(lo, hi);
  return planePartition(compiled, slice, { domain }).activationRegions;
}

/** Distinct patterns at random points of the box: a lower bound on the count. */
function sampledPatterns(compiled: Compiled, lo: number, hi: number, samples: number, seed: number): number {
  const rng = createRandom(seed);
  const seen = new Set<string>();
  const x = new Float64Array(compiled.inputSize);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(lo, hi);
    seen.add(forward(compiled, x).pattern.join(","));
  }
  return seen.size;
}

const cases: [number, number[]][] = [
  [2, [4, 4, 3]],
  [2, [2, 2]],
  [2, [4, 5]],
  [1, [4, 4, 4, 4]],
  [1, [3, 2]],
];

for (const [n0, widths] of cases) {
  test(`Montufar's construction n0=${n0}, widths ${widths}: exact count = montufar2014-lower`, () => {
    const bound = Number(montufar2014Lower(denseArchitecture(n0, widths)).value?.num);
    assert.ok(bound > 1, "the bound is a real count");
    assert.equal(exactCount(montufar(n0, widths), 0, 1), bound);
  });
}

test("random networks: exact counts and sampled patterns never exceed serra2018-upper (rank-refined too)", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const n0 = seed % 3 === 0 ? 1 : 2;
    const widths = [2 + (seed % 4), 1 + ((seed * 7) % 5), ...(seed % 2 ? [3] : [])];
    const init = (["he", "uniform", "zero-bias", "glorot"] as const)[seed % 4];
    const net = mlp([n0, ...widths, 1], { seed, init });
    const arch = architectureOf(net);
    const bounds = allBounds(arch);
    const serra = bounds.find((b) => b.id === "serra2018-upper")?.value?.num as bigint;
    const rank = bounds.find((b) => b.id === "serra2018-upper-rank")?.value?.num as bigint;
    assert.ok(rank <= serra);
    const sampled = sampledPatterns(prepare(net), -50, 50, 3000, seed);
    assert.ok(BigInt(sampled) <= rank, `seed ${seed}: ${sampled} sampled patterns > rank-refined bound ${rank}`);
    const count = exactCount(net, -50, 50);
    assert.ok(count >= sampled, `seed ${seed}: exact ${count} < sampled ${sampled}`);
    assert.ok(BigInt(count) <= rank, `seed ${seed}: exact ${count} > rank-refined bound ${rank}`);
  }
});
