/**
 * Independent oracles for the bounds tests (exact, no floating point):
 * - regionsOfArrangement: the number of regions of any arrangement of affine hyperplanes
 *   a . x + b = 0 with integer coefficients, by Zaslavsky's theorem
 *   r = sum over central subsets B of (-1)^{|B| - rank B} (central: the hyperplanes of B meet),
 *   with BigInt fraction-free elimination. Handles duplicates, parallel and concurrent
 *   hyperplanes. Exponential: small cases only.
 * - serraByEnumeration: serra2018-upper by listing J.
 */
import { binomial } from "../../src/bounds/exact.ts";

/** Rank of a bigint matrix (rows of equal length) by fraction-free Gaussian elimination. */
export function bigRank(rows: bigint[][]): number {
  const m = rows.map((r) => r.slice());
  const cols = m.length ? m[0].length : 0;
  let rank = 0;
  for (let c = 0; c < cols && rank < m.length; c++) {
    let p = rank;
    while (p < m.length && m[p][c] === 0n) p++;
    if (p === m.length) continue;
    [m[rank], m[p]] = [m[p], m[rank]];
    for (let r = rank + 1; r < m.length; r++) {
      const f = m[r][c];
      if (f === 0n) continue;
      const piv = m[rank][c];
      for (let k = c; k < cols; k++) m[r][k] = m[r][k] * piv - m[rank][k] * f;
    }
    rank++;
  }
  return rank;
}

/** Hyperplanes as integer rows [a_1..a_d, b]; rows with a = 0 are not hyperplanes (skipped). */
export function regionsOfArrangement(planes: readonly (readonly number[])[]): bigint {
  const rows = planes.filter((p) => p.slice(0, -1).some((x) => x !== 0)).map((p) => p.map((x) => BigInt(x)));
  let total = 0n;
  const chosen: bigint[][] = [];
  const visit = (start: number): void => {
    // chosen is central here: count it, then extend.
    const lin = chosen.map((r) => r.slice(0, -1));
    const rank = bigRank(lin);
    total += (chosen.length - rank) % 2 === 0 ? 1n : -1n;
    for (let i = start; i < rows.length; i++) {
      chosen.push(rows[i]);
      const a = bigRank(chosen.map((r) => r.slice(0, -1)));
      const ab = bigRank(chosen);
      if (a === ab) visit(i + 1);
      chosen.pop();
    }
  };
  visit(0);
  return total;
}

export function serraByEnumeration(n0: number, widths: readonly number[]): bigint {
  let total = 0n;
  const js: number[] = [];
  const visit = (l: number): void => {
    if (l === widths.length) {
      let p = 1n;
      widths.forEach((n, i) => {
        p *= binomial(n, js[i]);
      });
      total += p;
      return;
    }
    let cap = Math.min(n0, widths[l]);
    for (let i = 0; i < l; i++) cap = Math.min(cap, widths[i] - js[i]);
    for (let j = 0; j <= cap; j++) {
      js.push(j);
      visit(l + 1);
      js.pop();
    }
  };
  visit(0);
  return total;
}

/** A small seeded integer generator for test data. */
export function intRng(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0 || 1;
  return (lo, hi) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + (s % (hi - lo + 1));
  };
}
