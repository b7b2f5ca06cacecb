/**
 * Xiong et al.'s one-layer conv count against (1) a brute-force evaluation of K (every t, Hall's
 * condition over every set of positions) and (2) exact region counts of real conv layers with
 * shared random integer weights, written as dense hyperplanes (oracle.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { binomial } from "../../src/bounds/exact.ts";
import { allBounds } from "../../src/bounds/index.ts";
import { type ConvArchitecture, convAsArchitecture, receptiveFields, xiong2020Bounds, xiongSingleCount, xiongSingleUpperValue } from "../../src/bounds/xiong2020.ts";
import { intRng, regionsOfArrangement } from "./oracle.ts";

function bruteForceK(conv: ConvArchitecture): bigint {
  const fields = receptiveFields(conv);
  const P = fields.length;
  const d1 = conv.filters[0];
  let total = 0n;
  const t = new Array(P).fill(0);
  const feasible = (): boolean => {
    for (let mask = 1; mask < 1 << P; mask++) {
      const covered = new Set<number>();
      let need = 0;
      for (let p = 0; p < P; p++) {
        if (!(mask & (1 << p))) continue;
        need += t[p];
        for (const c of fields[p]) covered.add(c);
      }
      if (need > covered.size) return false;
    }
    return true;
  };
  const visit = (p: number): void => {
    if (p === P) {
      if (feasible()) total += t.reduce((acc: bigint, tp: number) => acc * binomial(d1, tp), 1n);
      return;
    }
    for (let v = 0; v <= d1; v++) {
      t[p] = v;
      visit(p + 1);
    }
  };
  visit(0);
  return total;
}

/** Hyperplanes of a one-layer conv with shared (or, if `independent`, per-position) random weights. */
function convPlanes(conv: ConvArchitecture, seed: number, independent = false): number[][] {
  const rnd = intRng(seed);
  const fields = receptiveFields(conv);
  const D = conv.n * conv.n * conv.d0;
  const d1 = conv.filters[0];
  const k = conv.f * conv.f * conv.d0;
  const shared = Array.from({ length: d1 }, () => Array.from({ length: k }, () => rnd(-60, 60) || 1));
  const planes: number[][] = [];
  for (const field of fields) {
    for (let filter = 0; filter < d1; filter++) {
      const w = independent ? Array.from({ length: k }, () => rnd(-60, 60) || 1) : shared[filter];
      const row = new Array(D + 1).fill(0);
      field.forEach((coord, i) => {
        row[coord] = w[i];
      });
      row[D] = rnd(-100000, 100000);
      planes.push(row);
    }
  }
  return planes;
}

const cases: ConvArchitecture[] = [
  { n: 3, d0: 1, f: 2, s: 1, filters: [2] },
  { n: 3, d0: 1, f: 2, s: 1, filters: [3] },
  { n: 4, d0: 1, f: 3, s: 1, filters: [3] },
  { n: 3, d0: 2, f: 2, s: 1, filters: [3] },
  { n: 4, d0: 1, f: 2, s: 2, filters: [3] },
  { n: 3, d0: 2, f: 2, s: 1, filters: [2] },
];

test("the matching search over K equals brute force over every t and every set of positions", () => {
  for (const conv of cases) {
    const fast = xiongSingleCount(conv);
    assert.equal(fast.value, bruteForceK(conv), JSON.stringify(conv));
    assert.ok((fast.value as bigint) <= xiongSingleUpperValue(conv));
  }
  // The enumeration itself, where a closed form would otherwise answer:
  const conv = { n: 4, d0: 1, f: 2, s: 2, filters: [3] };
  assert.equal(xiongSingleCount(conv).method, "disjoint fields");
  assert.equal(xiongSingleCount(conv).value, bruteForceK(conv));
});

test("exact counts of one-layer conv layers: independent weights reach the formula, shared ones can fall short", () => {
  const reach: ConvArchitecture[] = [
    { n: 4, d0: 1, f: 2, s: 2, filters: [3] }, // disjoint fields
    { n: 3, d0: 2, f: 2, s: 1, filters: [2] },
    { n: 4, d0: 1, f: 3, s: 1, filters: [2] }, // 2 x 2 positions, fewer than the 3 x 3 filter
    { n: 2, d0: 1, f: 1, s: 1, filters: [2] },
    { n: 3, d0: 1, f: 2, s: 1, filters: [1] },
  ];
  reach.forEach((conv, i) => {
    const formula = xiongSingleCount(conv).value;
    assert.equal(regionsOfArrangement(convPlanes(conv, 7 + i)), formula, `shared weights ${JSON.stringify(conv)}`);
    assert.equal(regionsOfArrangement(convPlanes(conv, 70 + i, true)), formula, `independent weights ${JSON.stringify(conv)}`);
  });
  // Weight sharing: w * u - u * w = 0 makes all 8 hyperplanes dependent; one subset fewer.
  const commuting: ConvArchitecture = { n: 3, d0: 1, f: 2, s: 1, filters: [2] };
  assert.equal(xiongSingleCount(commuting).value, 256n);
  for (const seed of [7, 8, 9]) assert.equal(regionsOfArrangement(convPlanes(commuting, seed)), 255n, `shared, seed ${seed}`);
  assert.equal(regionsOfArrangement(convPlanes(commuting, 71, true)), 256n);
});

test("multi-layer conv bounds bracket the first layer and stop at the search budget", () => {
  const conv: ConvArchitecture = { n: 4, d0: 1, f: 2, s: 1, filters: [2, 2] };
  const byId = new Map(xiong2020Bounds(conv).map((r) => [r.id, r]));
  const lower = byId.get("xiong2020-lower")?.value?.num as bigint;
  const upper = byId.get("xiong2020-upper")?.value?.num as bigint;
  assert.equal(lower, xiongSingleCount({ ...conv, filters: [2] }).value);
  assert.ok(lower < upper);
  assert.equal(byId.get("xiong2020-single")?.applies, false);
  const huge = xiong2020Bounds({ n: 8, d0: 1, f: 3, s: 1, filters: [4] }, 10_000);
  const single = huge.find((r) => r.id === "xiong2020-single");
  assert.equal(single?.applies, false);
  assert.match(single?.reason ?? "", /budget/);
  assert.ok(huge.find((r) => r.id === "xiong2020-upper")?.applies);
});

test("with a conv architecture, dense constructions do not apply but dense upper bounds do", () => {
  const conv: ConvArchitecture = { n: 3, d0: 1, f: 2, s: 1, filters: [8] }; // 32 units on 9 inputs
  assert.equal(allBounds(convAsArchitecture(conv)).find((r) => r.id === "montufar2014-lower")?.applies, true, "as a dense architecture");
  const byId = new Map(allBounds(convAsArchitecture(conv), { conv }).map((r) => [r.id, r]));
  assert.equal(byId.get("zaslavsky")?.applies, false);
  assert.match(byId.get("montufar2014-lower")?.reason ?? "", /dense construction/);
  assert.equal(byId.get("serra2018-upper")?.applies, true);
  const single = byId.get("xiong2020-single")?.value?.num as bigint;
  assert.ok(single <= (byId.get("serra2018-upper")?.value?.num as bigint));
  const thin: ConvArchitecture = { n: 5, d0: 1, f: 2, s: 1, filters: [1] };
  assert.equal(xiongSingleCount(thin).value, 2n ** 16n); // d1 <= d0: every pattern
});
