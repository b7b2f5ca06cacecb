import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { binomial, binomialSum, log10Big, Rational, shortDecimal } from "../../src/bounds/exact.ts";

test("binomials follow Pascal's rule and the row sums are powers of two", () => {
  for (let n = 1; n <= 70; n++) {
    let row = 0n;
    for (let k = 0; k <= n; k++) {
      assert.equal(binomial(n, k), binomial(n - 1, k - 1) + binomial(n - 1, k), `C(${n},${k})`);
      row += binomial(n, k);
    }
    assert.equal(row, 1n << BigInt(n));
    assert.equal(binomialSum(n, n), 1n << BigInt(n));
  }
  assert.equal(binomial(5, -1), 0n);
  assert.equal(binomial(5, 6), 0n);
  assert.equal(binomial(100, 50), 100891344545564193334812497256n);
});

test("weighted binomial sums equal (1 + w)^n at full depth", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 6 }), (n, w) => {
      assert.equal(binomialSum(n, n, BigInt(w)), BigInt(1 + w) ** BigInt(n));
    }),
  );
});

test("rationals are exact and print exact decimals", () => {
  const third = new Rational(1n, 3n);
  assert.equal(third.add(third).add(third).toString(), "1");
  assert.equal(new Rational(6n, -4n).toString(), "-3/2");
  assert.equal(Rational.fromNumber(0.1).toString(), "3602879701896397/36028797018963968");
  assert.equal(Rational.fromNumber(0.1).mul(new Rational(10n)).compare(new Rational(1n)), 1);
  assert.equal(third.toDecimal(6), "0.333333");
  assert.equal(new Rational(2n, 3n).toDecimal(3), "0.667");
  assert.equal(new Rational(123456789n, 10n).toDecimal(4), "12350000");
  assert.equal(new Rational(1n, 10n ** 30n).toDecimal(3), "1e-30");
  assert.equal(shortDecimal(new Rational(2n ** 100n)), "1.2677e30");
  assert.ok(Math.abs(log10Big(10n ** 400n) - 400) < 1e-12);
  assert.ok(Math.abs(new Rational(10n ** 400n, 3n).log10() - (400 - Math.log10(3))) < 1e-12);
});
