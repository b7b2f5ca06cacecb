/**
 * Serra, Tjandraatmadja, Ramalingam (2018).
 *
 * serra2018-upper (Theorem 1): sum over (j_1..j_L) in J of prod_l C(n_l, j_l), where
 *   J = {0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)}.
 * J can hold ~prod n_l tuples, so we never enumerate it: the only thing a prefix (j_1..j_{l-1})
 * passes on is its "budget" m = min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}), so a recursion over
 * layers carries, for each budget m, the summed weight of the prefixes that reach it:
 *   W_0[min(n0, B)] = 1,  W_l[min(m, n_l - j)] += W_{l-1}[m] * C(n_l, j)  for j <= min(m, n_l),
 * and the bound is sum_m W_L[m]. Budgets are capped at B = max_l n_l, which changes nothing
 * (n_l - j <= B). Cost O(L * B * max n_l) BigInt operations.
 *
 * serra2018-upper-rank: the same with n_l inside the min replaced by rank(W_l), the rank of the
 *   weight matrix feeding layer l (Serra et al.'s weight-dependent refinement); needs a network.
 * serra2018-lower: (prod_{l<L} (floor(n_l/n0) + 1)^{n0}) * sum_{j<=n0} C(n_L, j), n_l >= 3 n0.
 * serra2018-1d-exact: n0 = 1 and every n_l >= 3: the maximum is exactly prod_l (n_l + 1).
 * serra2018-maxout-upper: prod_l sum_{j<=d_l} C(k(k-1)/2 * n_l, j), d_l = min(n0, n1..n_l):
 *   a rank-k maxout unit's boundaries lie on its k(k-1)/2 hyperplanes "piece a = piece b".
 */
import { type Architecture, widthsOf } from "./architecture.ts";
import { allMaxout, allRelu, feedForward, firstFailure, ranksKnown, widthsAtLeast } from "./conditions.ts";
import { binomial, binomialSum, ipow } from "./exact.ts";
import { bottleneckProduct } from "./montufar2017.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/**
 * sum_{j in J} prod_l C(n_l, j_l) with J = {0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, caps_l)}
 * by the budget recursion above (caps_l = n_l for Theorem 1, rank(W_l) for the refinement).
 */
export function serraSum(n0: number, widths: readonly number[], caps: readonly number[] = widths): bigint {
  if (widths.length === 0) return 1n;
  const B = Math.max(...widths);
  let weights: bigint[] = new Array(B + 1).fill(0n);
  weights[Math.min(n0, B)] = 1n;
  widths.forEach((n, l) => {
    const next: bigint[] = new Array(B + 1).fill(0n);
    const row: bigint[] = [];
    for (let j = 0; j <= n; j++) row.push(binomial(n, j));
    for (let m = 0; m <= B; m++) {
      const w = weights[m];
      if (w === 0n) continue;
      const top = Math.min(m, n, caps[l]);
      for (let j = 0; j <= top; j++) next[Math.min(m, n - j)] += w * row[j];
    }
    weights = next;
  });
  return weights.reduce((s, w) => s + w, 0n);
}

/** Serra et al. (2018): the upper bound for deep relu networks. */
export function serra2018Upper(arch: Architecture): BoundResult {
  const title = "sum_{J} prod_l C(n_l, j_l), j_l <= min(n0, n_1-j_1, ..., n_l)";
  const reason = firstFailure(arch, feedForward, allRelu);
  if (reason) return notApplicable("serra2018-upper", "upper", title, CITATIONS.serra2018, reason);
  return applies("serra2018-upper", "upper", title, CITATIONS.serra2018, serraSum(arch.n0, widthsOf(arch)));
}

/** Serra et al. (2018): the upper bound with the weight matrices' ranks. */
export function serra2018UpperRank(arch: Architecture): BoundResult {
  const title = "serra2018-upper with rank(W_l) in place of n_l inside the min";
  const reason = firstFailure(arch, feedForward, allRelu, ranksKnown);
  if (reason) return notApplicable("serra2018-upper-rank", "upper", title, CITATIONS.serra2018rank, reason);
  const ranks = arch.layers.map((l) => l.rank as number);
  return applies("serra2018-upper-rank", "upper", title, CITATIONS.serra2018rank, serraSum(arch.n0, widthsOf(arch), ranks), {
    ranks: ranks.join(","),
  });
}

/** Serra et al. (2018): a lower bound for deep relu networks of widths at least 3 n0. */
export function serra2018Lower(arch: Architecture): BoundResult {
  const title = "(prod_{l<L} (floor(n_l/n0)+1)^n0) * sum_{j<=n0} C(n_L, j)";
  const reason = firstFailure(arch, feedForward, allRelu, widthsAtLeast(3));
  if (reason) return notApplicable("serra2018-lower", "lower", title, CITATIONS.serra2018lower, reason);
  const n = widthsOf(arch);
  const n0 = arch.n0;
  let value = binomialSum(n[n.length - 1], n0);
  for (let l = 0; l < n.length - 1; l++) value *= ipow(BigInt(Math.floor(n[l] / n0) + 1), n0);
  return applies("serra2018-lower", "lower", title, CITATIONS.serra2018lower, value);
}

/** Serra et al. (2018): the exact maximum for one input. */
export function serra2018Exact1d(arch: Architecture): BoundResult {
  const title = "n0 = 1: prod_l (n_l + 1)";
  const reason =
    firstFailure(arch, feedForward, allRelu) ?? (arch.n0 !== 1 ? `needs a one-dimensional input (n0 = 1), the network has n0 = ${arch.n0}` : null) ?? widthsAtLeast(3)(arch);
  if (reason) return notApplicable("serra2018-1d-exact", "exact", title, CITATIONS.serra2018exact1d, reason);
  let value = 1n;
  for (const w of widthsOf(arch)) value *= BigInt(w + 1);
  return applies("serra2018-1d-exact", "exact", title, CITATIONS.serra2018exact1d, value);
}

/** Serra et al. (2018): an upper bound for deep maxout networks. */
export function serra2018MaxoutUpper(arch: Architecture): BoundResult {
  const title = "prod_l sum_{j<=d_l} C(k(k-1)/2 n_l, j), d_l = min(n0, n1..n_l)";
  const reason = firstFailure(arch, feedForward, allMaxout);
  if (reason) return notApplicable("serra2018-maxout-upper", "upper", title, CITATIONS.serra2018maxout, reason);
  const k = arch.layers[0].pieces;
  const n = widthsOf(arch);
  const value = bottleneckProduct(arch.n0, n, (l) => ((k * (k - 1)) / 2) * n[l]);
  return applies("serra2018-maxout-upper", "upper", title, CITATIONS.serra2018maxout, value);
}
