/**
 * line-roots.ts `nearestQuotient`: the root -x0/x1 of an exact line, as the piece ends placed from
 * exact lines report it (docs/numerics.md, "Segments"), is the double nearest the rational.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decompose } from "../../src/geometry/exact.ts";
import { createRandom } from "../../src/model/random.ts";
import { nearestQuotient } from "../../src/regions/line-roots.ts";

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** The double next to x (x finite and not 0) away from 0 (+1) or toward it (-1). */
function next(x: number, away: number): number {
  f64[0] = x;
  u64[0] += away > 0 ? 1n : -1n;
  return f64[0];
}

/** sign(|p/q - x| - |p/q - y|) for doubles x, y, exactly (q > 0). */
function closer(p: bigint, q: bigint, x: number, y: number): number {
  const dx = decompose(x);
  const dy = decompose(y);
  const e = Math.min(dx.e, dy.e, 0);
  const scale = (m: bigint, k: number): bigint => m << BigInt(k - e);
  // |p - x q| and |p - y q| in units of 2^e / q.
  const abs = (v: bigint): bigint => (v < 0n ? -v : v);
  const ax = abs(p * (1n << BigInt(-e)) - scale(dx.m, dx.e) * q);
  const ay = abs(p * (1n << BigInt(-e)) - scale(dy.m, dy.e) * q);
  return ax < ay ? -1 : ax > ay ? 1 : 0;
}

describe("line-roots nearestQuotient", () => {
  it("is the double nearest -x0/x1 (no neighbour nearer), for coefficients of 1 to 400 bits and either sign", () => {
    const rng = createRandom(7);
    const big = (bits: number): bigint => {
      let v = 1n;
      for (let b = 1; b < bits; b++) v = (v << 1n) | (rng.next() < 0.5 ? 1n : 0n);
      return v;
    };
    for (let k = 0; k < 2000; k++) {
      const b0 = 1 + Math.floor(rng.next() * 400);
      const b1 = Math.max(1, b0 + Math.floor(rng.next() * 120) - 60);
      const x0 = rng.next() < 0.5 ? -big(b0) : big(b0);
      const x1 = rng.next() < 0.5 ? -big(b1) : big(b1);
      const r = nearestQuotient(x0, x1);
      // -x0/x1 as p/q with q > 0.
      const p = x1 < 0n ? x0 : -x0;
      const q = x1 < 0n ? -x1 : x1;
      assert.ok(Number.isFinite(r) && r !== 0, `${x0}/${x1}`);
      assert.equal(Math.sign(r), p < 0n ? -1 : 1, `${x0}/${x1}`);
      assert.ok(closer(p, q, r, next(r, 1)) <= 0 && closer(p, q, r, next(r, -1)) <= 0, `${x0}/${x1}: ${r}`);
    }
    assert.equal(nearestQuotient(0n, 5n), 0);
    assert.equal(nearestQuotient(3n, -4n), 0.75);
    assert.equal(nearestQuotient(1n, 3n), -1 / 3);
  });
});
