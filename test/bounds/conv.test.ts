/**
 * Xiong et al.'s one-layer conv count against (1) a brute-force evaluation of K (every t, Hall's
 * condition over every set of positions) and (2) exact region counts of real conv layers with
 * shared random integer weights, written as dense hyperplanes (oracle.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { convShapes } from "../../src/bounds/conv-architecture.ts";
import { binomial, binomialSum } from "../../src/bounds/exact.ts";
import { allBounds } from "../../src/bounds/index.ts";
import {
  type ConvArchitecture,
  convAsArchitecture,
  convInputSize,
  convSingleLowerBound,
  receptiveFields,
  xiong2020Bounds,
  xiongSingleCount,
  xiongSingleUpperValue,
} from "../../src/bounds/xiong2020.ts";
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

/**
 * Hyperplanes of a one-layer conv with random integer weights: a real conv layer shares each
 * filter's weights and bias across positions; with `independent`, every position draws its own
 * (the setting Xiong et al.'s count is derived for).
 */
function convPlanes(conv: ConvArchitecture, seed: number, independent = false): number[][] {
  const rnd = intRng(seed);
  const fields = receptiveFields(conv);
  const D = convInputSize(conv);
  const d1 = conv.filters[0];
  const k = fields[0].length;
  const shared = Array.from({ length: d1 }, () => Array.from({ length: k }, () => rnd(-60, 60) || 1));
  const sharedBias = Array.from({ length: d1 }, () => rnd(-100000, 100000));
  const planes: number[][] = [];
  for (const field of fields) {
    for (let filter = 0; filter < d1; filter++) {
      const w = independent ? Array.from({ length: k }, () => rnd(-60, 60) || 1) : shared[filter];
      const row = new Array(D + 1).fill(0);
      field.forEach((coord, i) => {
        row[coord] = w[i];
      });
      row[D] = independent ? rnd(-100000, 100000) : sharedBias[filter];
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

test("the proven one-layer lower bound never exceeds the exact count of real shared-weight layers", () => {
  const more: ConvArchitecture[] = [...cases, { n: [3, 4], d0: 1, f: [[2, 3]], s: 1, filters: [2] }, { n: 4, d0: 1, f: 2, s: 1, filters: [2] }];
  more.forEach((conv, i) => {
    const lower = convSingleLowerBound(conv);
    const shared = regionsOfArrangement(convPlanes(conv, 300 + i));
    assert.ok(lower.value <= shared, `${JSON.stringify(conv)}: ${lower.value} (${lower.method}) > ${shared}`);
    assert.ok(shared <= (xiongSingleCount(conv).value as bigint), `${JSON.stringify(conv)}: shared count above the formula`);
    if (lower.method === "formula (exact for shared weights)") assert.equal(lower.value, shared, JSON.stringify(conv));
  });
  // 3x3 input, 2x2 filters, d1 = 2: filters reading offsets (0,0) and (1,1) cover 7 pixels, one twice.
  assert.deepEqual(convSingleLowerBound({ n: 3, d0: 1, f: 2, s: 1, filters: [2] }), { value: 2n ** 6n * 3n, method: "axis-aligned filters" });
});

test("Theorem 5: the lower bound folds every layer but the last; the upper bound uses the input dimension", () => {
  const conv: ConvArchitecture = { n: 4, d0: 1, f: 2, s: 1, filters: [2, 2] };
  const byId = new Map(xiong2020Bounds(conv).map((r) => [r.id, r]));
  // Layer 1 (3x3x2) folds each of its 9 pixels twice; N' is 3x3x1 -> 2x2x2, 192 regions proven
  // (the paper's formula says 256, which shared weights cannot reach).
  assert.equal(byId.get("xiong2020-lower")?.value?.num, 192n * 2n ** 9n);
  assert.equal(byId.get("xiong2020-lower")?.details?.paperValue?.toString(), `${256n * 2n ** 9n}`);
  const r1 = xiongSingleCount({ ...conv, filters: [2] }).value as bigint;
  assert.equal(byId.get("xiong2020-upper")?.value?.num, r1 * binomialSum(8, 16));
  assert.equal(byId.get("xiong2020-upper-bottleneck")?.value?.num, r1 * binomialSum(8, 16));
  assert.equal(byId.get("xiong2020-single")?.applies, false);
  // d_l < d0 in a folding layer: the bound does not apply, and says why.
  const narrow = xiong2020Bounds({ n: 4, d0: 2, f: 2, s: 1, filters: [1, 3] }).find((r) => r.id === "xiong2020-lower");
  assert.equal(narrow?.applies, false);
  assert.match(narrow?.reason ?? "", /layer 1 has 1/);
  // Disjoint fields in the last layer: the formula is exact for shared weights, no paper value apart.
  const disjoint = xiong2020Bounds({ n: 6, d0: 1, f: [1, 2], s: [1, 2], filters: [3, 2] }).find((r) => r.id === "xiong2020-lower");
  assert.equal(disjoint?.value?.num, 3n ** 36n * binomialSum(2, 4) ** 9n);
  assert.equal(disjoint?.details?.paperValue, undefined);
  const huge = xiong2020Bounds({ n: 8, d0: 1, f: 3, s: 1, filters: [4] }, 10_000);
  const single = huge.find((r) => r.id === "xiong2020-single");
  assert.equal(single?.applies, false);
  assert.match(single?.reason ?? "", /budget/);
  assert.ok(huge.find((r) => r.id === "xiong2020-upper")?.applies);
});

test("conv bounds are consistent: lower bounds <= bottleneck upper <= upper, and lower bounds <= serra2018-upper of the dense form", () => {
  const rnd = intRng(5);
  let checked = 0;
  let refused = 0;
  for (let trial = 0; trial < 60; trial++) {
    const L = rnd(1, 3);
    const d0 = rnd(1, 2);
    const conv: ConvArchitecture = {
      n: [rnd(3, 6), rnd(3, 6)],
      d0,
      f: Array.from({ length: L }, () => [rnd(1, 2), rnd(1, 2)] as [number, number]),
      s: Array.from({ length: L }, () => rnd(1, 2)),
      filters: Array.from({ length: L }, () => rnd(1, 4)),
    };
    // Random sizes may give a filter larger than its input after striding: that, and only
    // that, is refused (by convShapes, with its message); every other error fails the test.
    const shapes = (() => {
      try {
        return convShapes(conv);
      } catch (e) {
        assert.match((e as Error).message, /^conv layer \d+: filter \d+x\d+ exceeds its \d+x\d+ input$/, JSON.stringify(conv));
        return null;
      }
    })();
    if (!shapes) {
      refused++;
      continue;
    }
    checked++;
    const byId = new Map(allBounds(convAsArchitecture(conv), { conv, convBudget: 200_000 }).map((r) => [r.id, r]));
    const value = (id: string) => byId.get(id)?.value?.num as bigint;
    const what = JSON.stringify(conv);
    assert.ok(value("xiong2020-upper-bottleneck") <= value("xiong2020-upper"), what);
    assert.ok(value("xiong2020-upper-bottleneck") <= value("trivial-upper"), what);
    for (const id of ["xiong2020-lower", "conv-first-layer-lower"]) {
      if (!byId.get(id)?.applies) continue;
      assert.ok(value(id) <= value("xiong2020-upper-bottleneck"), `${id} ${what}`);
      assert.ok(value(id) <= value("serra2018-upper"), `${id} ${what}`);
    }
  }
  // Most random architectures are valid: the loop above checked something.
  assert.ok(checked >= 30 && checked + refused === 60, `${checked} checked, ${refused} refused`);
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
