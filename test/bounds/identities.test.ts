import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { denseArchitecture } from "../../src/bounds/architecture.ts";
import { hu2020Single, hu2020Upper } from "../../src/bounds/hu2020.ts";
import { allBounds } from "../../src/bounds/index.ts";
import { montufar2017Upper } from "../../src/bounds/montufar2017.ts";
import { raghu2017Upper } from "../../src/bounds/raghu2017.ts";
import { serra2018MaxoutUpper, serra2018Upper, serraSum } from "../../src/bounds/serra2018.ts";
import { trivialUpper } from "../../src/bounds/trivial.ts";
import { zaslavsky } from "../../src/bounds/zaslavsky.ts";
import { serraByEnumeration } from "./oracle.ts";

const arch = fc.record({
  n0: fc.integer({ min: 1, max: 12 }),
  widths: fc.array(fc.integer({ min: 1, max: 14 }), {
    minLength: 1,
    maxLength: 5,
  }),
});

const big = (r: { value: { num: bigint } | null }): bigint => {
  assert.ok(r.value, "expected a value");
  return r.value.num;
};

test("serra2018-upper's layer recursion equals enumerating J", () => {
  fc.assert(
    fc.property(arch, ({ n0, widths }) => {
      assert.equal(serraSum(n0, widths), serraByEnumeration(n0, widths));
    }),
    { numRuns: 300 },
  );
});

test("one hidden layer: serra2018-upper = montufar2017-upper = zaslavsky = hu2020-single(p=2)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 60 }), (n0, n1) => {
      const a = denseArchitecture(n0, [n1]);
      const z = big(zaslavsky(a));
      assert.equal(big(serra2018Upper(a)), z);
      assert.equal(big(montufar2017Upper(a)), z);
      assert.equal(big(hu2020Single(a)), z);
      assert.equal(big(hu2020Single(denseArchitecture(n0, [n1], { type: "pieces", p: 2 }))), z);
    }),
  );
});

test("every lower bound <= serra2018-upper <= montufar2017-upper <= raghu2017-upper, trivial-upper", () => {
  fc.assert(
    fc.property(arch, ({ n0, widths }) => {
      const a = denseArchitecture(n0, widths);
      const results = allBounds(a);
      const serra = big(serra2018Upper(a));
      const m17 = big(montufar2017Upper(a));
      assert.ok(serra <= m17, "serra <= montufar2017");
      assert.ok(m17 <= big(raghu2017Upper(a)), "montufar2017 <= raghu2017");
      assert.ok(m17 <= big(trivialUpper(a)), "montufar2017 <= 2^N");
      assert.equal(big(hu2020Upper(a)), m17, "hu2020-upper with p = 2 is montufar2017-upper");
      for (const r of results) {
        if (!r.applies || r.value === null) continue;
        if (r.kind === "lower" || r.kind === "exact") assert.ok(r.value.num <= serra, `${r.id} = ${r.value} > serra ${serra}`);
      }
    }),
    { numRuns: 300 },
  );
});

test("the rank-refined recursion shrinks with the caps and equals Theorem 1 at caps = widths", () => {
  fc.assert(
    fc.property(arch, fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 5, maxLength: 5 }), ({ n0, widths }, caps) => {
      const c = widths.map((w, l) => Math.min(w, caps[l]));
      assert.ok(serraSum(n0, widths, c) <= serraSum(n0, widths));
      assert.equal(serraSum(n0, widths, widths), serraSum(n0, widths));
    }),
  );
});

test("p-piece and maxout bounds sit between their lower bounds and the trivial bound", () => {
  fc.assert(
    fc.property(arch, fc.integer({ min: 2, max: 5 }), ({ n0, widths }, k) => {
      const pieces = denseArchitecture(n0, widths, { type: "pieces", p: k });
      assert.ok(big(hu2020Upper(pieces)) <= big(trivialUpper(pieces)));
      assert.equal(big(trivialUpper(pieces)), BigInt(k) ** BigInt(widths.reduce((s, w) => s + w, 0)));
      const maxout = denseArchitecture(n0, widths, { type: "maxout", k });
      const results = allBounds(maxout);
      const upper = big(serra2018MaxoutUpper(maxout));
      for (const r of results) if (r.applies && r.value && r.kind === "lower") assert.ok(r.value.num <= upper, `${r.id} above serra maxout`);
      const single = allBounds(denseArchitecture(n0, [widths[0]], { type: "maxout", k }));
      const lo = single.find((r) => r.id === "montufar2014-maxout-single-lower");
      const hi = single.find((r) => r.id === "montufar2014-maxout-single-upper");
      assert.ok(lo?.value && hi?.value && lo.value.num <= hi.value.num);
    }),
  );
});

test("conditions are named when a bound does not apply", () => {
  const results = allBounds(denseArchitecture(3, [5, 2, 9]));
  const byId = new Map(results.map((r) => [r.id, r]));
  assert.match(byId.get("montufar2014-lower")?.reason ?? "", /n_l >= n0 = 3; layer 2 has 2/);
  assert.match(byId.get("serra2018-lower")?.reason ?? "", /3 \* n0 = 9; layer 1 has 5/);
  assert.match(byId.get("zaslavsky")?.reason ?? "", /one hidden layer/);
  assert.equal(byId.get("serra2018-upper-rank"), undefined, "no ranks without weights");
  const ids = results.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, "ids are unique");
});
