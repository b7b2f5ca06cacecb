/**
 * raghu2017-upper: prod_l sum_{j<=n0} C(n_l, j). Raghu et al. (2017, Theorem 1) state only the
 * order O(n^{n0 L}) for L layers of width n; the product is the explicit form their proof gives
 * (each layer is an arrangement of n_l hyperplanes inside each region of the previous layers, in
 * the n0-dimensional input space). It is never below montufar2017-upper, which shrinks the
 * dimension to min(n0, n1..n_l); we report it to show the improvement.
 */
import { type Architecture, widthsOf } from "./architecture.ts";
import { feedForward, firstFailure, twoPieces } from "./conditions.ts";
import { binomialSum } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** Raghu et al. (2017): an upper bound for deep networks of two-piece units. */
export function raghu2017Upper(arch: Architecture): BoundResult {
  const title = "prod_l sum_{j<=n0} C(n_l, j) (explicit form of O(n^(n0 L)))";
  const reason = firstFailure(arch, feedForward, twoPieces);
  if (reason) return notApplicable("raghu2017-upper", "upper", title, CITATIONS.raghu2017, reason);
  let value = 1n;
  for (const w of widthsOf(arch)) value *= binomialSum(w, arch.n0);
  return applies("raghu2017-upper", "upper", title, CITATIONS.raghu2017, value);
}
