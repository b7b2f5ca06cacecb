/**
 * The exact rank of the reduction (whole/exact-rank.ts, fraction-free elimination in BigInt)
 * against a plain Gaussian elimination over the rationals, on integer matrices of known rank
 * (products of random integer factors, so rows are dependent in many ways), with huge and tiny
 * entries mixed; and its reduced rows: zero on every earlier pivot column, in the row space.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { ExactRowSpace, unitDirection } from "../../src/regions/whole/exact-rank.ts";

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

/** Rank by elimination over Q, rows kept as primitive integer vectors. */
function rationalRank(rows: bigint[][]): number {
  const m = rows.map((r) => r.slice());
  const n = m[0]?.length ?? 0;
  let rank = 0;
  for (let c = 0; c < n && rank < m.length; c++) {
    const p = m.findIndex((row, i) => i >= rank && row[c] !== 0n);
    if (p < 0) continue;
    [m[rank], m[p]] = [m[p], m[rank]];
    for (let i = rank + 1; i < m.length; i++) {
      if (m[i][c] === 0n) continue;
      const f = m[i][c];
      const g = m[rank][c];
      m[i] = m[i].map((x, j) => g * x - f * m[rank][j]);
      const d = m[i].reduce((acc, x) => gcd(acc, x), 0n);
      if (d > 1n) m[i] = m[i].map((x) => x / d);
    }
    rank++;
  }
  return rank;
}

test("exact rank: fraction-free elimination agrees with elimination over the rationals", () => {
  const rng = createRandom(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(7);
    const rows = 1 + rng.int(8);
    const inner = 1 + rng.int(Math.min(n, rows) + 1);
    const scale = (): bigint => (rng.int(4) === 0 ? 1n << BigInt(rng.int(200)) : 1n);
    // rows x inner times inner x n: rank at most inner.
    const L = Array.from({ length: rows }, () => Array.from({ length: inner }, () => BigInt(rng.int(7) - 3) * scale()));
    const R = Array.from({ length: inner }, () => Array.from({ length: n }, () => BigInt(rng.int(7) - 3) * scale()));
    const M = L.map((l) => Array.from({ length: n }, (_, j) => l.reduce((acc, x, k) => acc + x * R[k][j], 0n)));
    const space = new ExactRowSpace(n);
    const kept: bigint[][] = [];
    M.forEach((row) => {
      const before = rationalRank(kept.length > 0 ? [...kept, row] : [row]) > kept.length;
      const reduced = space.add(row);
      assert.equal(reduced !== null, before && row.some((x) => x !== 0n), `trial ${trial}`);
      if (reduced) {
        // In the row space of the kept rows and the new one, and outside the kept rows' span.
        assert.equal(rationalRank([...kept, row, reduced]), kept.length + 1);
        assert.equal(rationalRank([...kept, reduced]), kept.length + 1);
        kept.push(row);
        const u = unitDirection(reduced);
        assert.ok(Math.abs(u.reduce((acc, x) => acc + x * x, 0) - 1) < 1e-12);
      }
    });
    assert.equal(space.rank, rationalRank(M), `trial ${trial}`);
  }
});
