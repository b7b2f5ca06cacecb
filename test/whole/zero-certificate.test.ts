import assert from "node:assert/strict";
import { test } from "node:test";
import { farkasEmpty, floatCertificateGuess, type StrictProblem, strictInterior } from "../../src/geometry/exact-lp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { createRandom } from "../../src/model/random.ts";
import { wholePartition } from "../../src/regions/whole.ts";
import { exactBoxRegions } from "../oracles/exact-partition.ts";
import { exactSpaceBoxRegions } from "../oracles/exact-space.ts";

// Measure zero proven by a checked Farkas certificate (exact-lp.ts farkasEmpty, guessed by
// floatCertificateGuess) instead of the exact simplex (exact-decision.ts): every certificate that
// checks must agree with the exact simplex, and one that is wrong must not check.

/** Rows a_k . (y - 1/2) < 0 in [0, 1]^n (a cone from the box's centre, as zero-bias networks make), a few of them the negated sum of two others (a zero margin). */
function coneProblem(seed: number): StrictProblem {
  const rng = createRandom(seed);
  const n = 2 + (seed % 3);
  const K = n + 1 + (seed % 4);
  const rows: bigint[][] = [];
  for (let k = 0; k < K; k++) {
    if (k >= 2 && rng.uniform(0, 1) < 0.3) {
      const p = rows[Math.floor(rng.uniform(0, k))];
      const q = rows[Math.floor(rng.uniform(0, k))];
      rows.push(p.map((v, j) => -(v + q[j])));
    } else rows.push(Array.from({ length: n }, () => BigInt(Math.floor(rng.uniform(-3, 4)))));
  }
  const a: bigint[] = [];
  const b: bigint[] = [];
  const w: bigint[] = [];
  for (const row of rows) {
    for (const v of row) a.push(2n * v);
    b.push(row.reduce((s, v) => s + v, 0n));
    w.push(1n + row.reduce((s, v) => s + (v < 0n ? -v : v), 0n));
  }
  return { n, a, b, w };
}

test("a certificate that checks agrees with the exact simplex (measure zero), on cones and on shifted ones", () => {
  let certified = 0;
  let zeros = 0;
  for (let seed = 0; seed < 400; seed++) {
    const problem = coneProblem(seed);
    if (seed % 2 === 1) {
      // Shifted: some sets gain interior, which no certificate may deny.
      const rng = createRandom(seed + 1e6);
      problem.b = problem.b.map((v) => v + BigInt(Math.floor(rng.uniform(-1, 3))));
    }
    const exact = strictInterior(problem);
    assert.equal(exact.status, "optimal");
    if (exact.sign <= 0) zeros++;
    const guess = floatCertificateGuess(problem);
    if (guess && farkasEmpty(problem, guess.support, guess.zero)) {
      certified++;
      assert.ok(exact.sign <= 0, `seed ${seed}: certified empty, the exact simplex finds interior`);
    }
  }
  // Most zeros are proven this way (the rest fall back to the exact simplex).
  assert.ok(zeros > 50 && certified > zeros / 2, `${certified} certified of ${zeros} zeros`);
});

test("a corrupted certificate does not check", () => {
  // y0 - y1 < 0 and y1 - y0 < 0: no point (the rows sum to 0 < 0), margin exactly 0.
  const problem: StrictProblem = { n: 2, a: [1n, -1n, -1n, 1n], b: [0n, 0n], w: [2n, 2n] };
  assert.ok(strictInterior(problem).sign <= 0);
  const guess = floatCertificateGuess(problem);
  assert.ok(guess && farkasEmpty(problem, guess.support, guess.zero), "the float guess checks");
  assert.ok(farkasEmpty(problem, [0, 1], [0]));
  // A support without the row that matters: lambda = (1) on y0 - y1 < 0 alone, whose minimum over the box is -1 < 0.
  assert.equal(farkasEmpty(problem, [0], []), false);
  // The wrong number of vanishing columns, or none of the rows.
  assert.equal(farkasEmpty(problem, [0, 1], []), false);
  assert.equal(farkasEmpty(problem, [], []), false);
  // The same certificate on a problem with interior (y1 - y0 < 1: the band y0 < y1 < y0 + 1): rejected.
  const open: StrictProblem = { ...problem, b: [0n, 1n] };
  assert.equal(strictInterior(open).sign, 1);
  assert.equal(farkasEmpty(open, [0, 1], [0]), false);
  assert.equal(floatCertificateGuess(open), null, "the float solve sees the interior");
  // Multipliers of mixed signs (a row whose sum with the other is not zero): rejected.
  const mixed: StrictProblem = { n: 2, a: [1n, -1n, 1n, -1n], b: [0n, 0n], w: [2n, 2n] };
  assert.equal(farkasEmpty(mixed, [0, 1], [0]), false);
});

test("random certificates (any rows, any vanishing columns) never check on a set with interior", () => {
  let rejected = 0;
  let tried = 0;
  for (let seed = 0; seed < 300; seed++) {
    const problem = coneProblem(seed);
    const rng = createRandom(seed + 2e6);
    problem.b = problem.b.map((v) => v + BigInt(Math.floor(rng.uniform(0, 3))));
    if (strictInterior(problem).sign <= 0) continue;
    const K = problem.b.length;
    for (let trial = 0; trial < 10; trial++) {
      const support = Array.from({ length: K }, (_, k) => k).filter(() => rng.uniform(0, 1) < 0.6);
      const zero = Array.from({ length: problem.n }, (_, j) => j)
        .sort(() => rng.uniform(-1, 1))
        .slice(0, Math.max(0, support.length - 1));
      tried++;
      assert.equal(farkasEmpty(problem, support, zero), false, `seed ${seed}: a certificate for a set with interior`);
      rejected++;
    }
  }
  assert.ok(tried > 500, `${tried} tried`);
  assert.equal(rejected, tried);
});

test("zero-bias networks: the exact decisions proven by certificate, the regions the exact oracle's", () => {
  let certified = 0;
  for (const [widths, seed] of [
    [[2, 6, 6, 1], 3],
    [[2, 5, 5, 5, 1], 4],
    [[3, 5, 4, 1], 5],
  ] as [number[], number][]) {
    const net = mlp(widths, { init: "zero-bias", seed });
    const oracle = widths[0] === 2 ? exactBoxRegions(net, -1, 1) : exactSpaceBoxRegions(net, -1, 1);
    const compiled = prepare(net);
    const p = wholePartition(compiled, { box: [-1, 1], points: false });
    const name = widths.join("-");
    assert.equal(p.uncertain, 0, `${name}: uncertain`);
    const patterns: string[] = [];
    for (let i = 0; i < p.activationRegions; i++) patterns.push(patternString(compiled.layout, p.patterns, i * p.layout.words));
    assert.deepEqual(patterns.sort(), oracle.patterns.map((s) => s.replace(/^\|/, "")).sort(), `${name}: regions`);
    assert.ok(p.stats.exactCertified <= p.stats.exactDecisions, name);
    certified += p.stats.exactCertified;
  }
  assert.ok(certified > 0, "some decisions proven by certificate");
});
