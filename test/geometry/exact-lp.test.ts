import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { strictInterior, strictInteriorGuided } from "../../src/geometry/exact-lp.ts";
import { ONE, Q, ZERO } from "../oracles/rational.ts";

/**
 * Brute force: max t subject to A y + w t <= b, 0 <= y <= 1, t <= 1 is attained at a vertex of
 * that polyhedron (y is bounded, t bounded above): every choice of n + 1 tight constraints among
 * the rows, the bounds and t <= 1, solved in rationals, kept when feasible.
 */
function bruteForce(n: number, a: bigint[], b: bigint[], w: bigint[]): Q {
  const K = b.length;
  // Constraints as (coefficients over y_0..y_{n-1}, t) <= rhs.
  const cons: { c: Q[]; r: Q }[] = [];
  for (let k = 0; k < K; k++) cons.push({ c: [...a.slice(k * n, (k + 1) * n).map((x) => new Q(x)), new Q(w[k])], r: new Q(b[k]) });
  for (let j = 0; j < n; j++) {
    const up = Array.from({ length: n + 1 }, (_, i) => (i === j ? ONE : ZERO));
    cons.push({ c: up, r: ONE });
    cons.push({ c: up.map((x) => x.neg()), r: ZERO });
  }
  cons.push({ c: Array.from({ length: n + 1 }, (_, i) => (i === n ? ONE : ZERO)), r: ONE });
  let best: Q | null = null;
  const m = n + 1;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === m) {
      const x = solve(
        picked.map((i) => cons[i].c),
        picked.map((i) => cons[i].r),
      );
      if (!x) return;
      for (const con of cons) {
        let v = ZERO;
        for (let i = 0; i < m; i++) v = v.add(con.c[i].mul(x[i]));
        if (v.cmp(con.r) > 0) return;
      }
      if (best === null || x[n].cmp(best) > 0) best = x[n];
      return;
    }
    for (let i = start; i < cons.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  if (best === null) throw new Error("no vertex");
  return best;
}

/** Gaussian elimination in rationals; null when singular. */
function solve(M: Q[][], r: Q[]): Q[] | null {
  const m = r.length;
  const A = M.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < m; c++) {
    const p = A.findIndex((row, i) => i >= c && row[c].sign() !== 0);
    if (p < 0) return null;
    [A[c], A[p]] = [A[p], A[c]];
    for (let i = 0; i < m; i++) {
      if (i === c || A[i][c].sign() === 0) continue;
      const f = A[i][c].div(A[c][c]);
      A[i] = A[i].map((x, j) => x.sub(f.mul(A[c][j])));
    }
  }
  return A.map((row, i) => row[m].div(row[i]));
}

test("the exact simplex's optimum equals brute force over vertices on small LPs, from any start and any columns held at a bound", () => {
  const small = fc.integer({ min: -4, max: 4 }).map(BigInt);
  const lp = fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.integer({ min: 1, max: 4 }).chain((K) =>
      fc.record({
        n: fc.constant(n),
        a: fc.array(small, { minLength: K * n, maxLength: K * n }),
        b: fc.array(small, { minLength: K, maxLength: K }),
        w: fc.array(fc.integer({ min: 1, max: 3 }).map(BigInt), { minLength: K, maxLength: K }),
        upper: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
        free: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      }),
    ),
  );
  fc.assert(
    fc.property(lp, ({ n, a, b, w, upper, free }) => {
      const want = bruteForce(n, a, b, w);
      for (const start of ["slack", "hint", "guided"]) {
        // Guided: any columns held at any bounds, verified and freed as needed.
        const got = start === "guided" ? strictInteriorGuided({ n, a, b, w, upper }, free) : strictInterior({ n, a, b, w, ...(start === "hint" ? { upper } : {}) });
        assert.equal(got.status, "optimal");
        assert.equal(new Q(got.tNum, got.tDen).cmp(want), 0, `t* ${got.tNum}/${got.tDen}, brute force ${want.n}/${want.d}`);
        assert.equal(got.sign, want.sign());
        // The point it returns attains t* (to rounding).
        for (let k = 0; k < b.length; k++) {
          let v = Number(w[k]) * got.t;
          for (let j = 0; j < n; j++) v += Number(a[k * n + j]) * got.y[j];
          assert.ok(v <= Number(b[k]) + 1e-9, `row ${k}`);
        }
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});

test("degenerate: a slab of zero width has no interior, one of width 2^-60 has", () => {
  // y0 <= 1/2 and y0 >= 1/2 (scaled by 2): t* = 0 exactly.
  const zero = strictInterior({ n: 2, a: [2n, 0n, -2n, 0n], b: [1n, -1n], w: [1n, 1n] });
  assert.deepEqual([zero.status, zero.sign], ["optimal", 0]);
  const e = 2n ** 60n;
  const thin = strictInterior({ n: 2, a: [2n * e, 0n, -2n * e, 0n], b: [e + 1n, -e + 1n], w: [1n, 1n] });
  assert.deepEqual([thin.status, thin.sign], ["optimal", 1]);
  assert.ok(Math.abs(thin.y[0] - 0.5) < 1e-15);
  // Many rows through one point (a degenerate vertex): still exact, no cycling.
  const K = 12;
  const a: bigint[] = [];
  for (let k = 0; k < K; k++) a.push(BigInt(k + 1), BigInt(K - k));
  const fan = strictInterior({ n: 2, a, b: a.map((_, i) => (i % 2 === 0 ? 0n : 0n)).slice(0, K), w: Array(K).fill(1n) });
  assert.deepEqual([fan.status, fan.sign], ["optimal", 0]);
});
