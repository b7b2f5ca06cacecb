/**
 * pascanu2013-lower: (prod_{l<L} floor(n_l / n0)) * sum_{j<=n0} C(n_L, j) for a relu network
 * whose every hidden width is at least n0 (Pascanu, Montufar, Bengio 2014, the first
 * depth-separation bound; each earlier layer folds the input space floor(n_l / n0) times along
 * one direction, and the last layer is an arrangement in general position).
 */
import { type Architecture, widthsOf } from "./architecture.ts";
import { allRelu, feedForward, firstFailure, widthsAtLeast } from "./conditions.ts";
import { binomialSum } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** Pascanu et al. (2013): a lower bound for deep relu networks. */
export function pascanu2013Lower(arch: Architecture): BoundResult {
  const title = "(prod_{l<L} floor(n_l/n0)) * sum_{j<=n0} C(n_L, j)";
  const reason = firstFailure(arch, feedForward, allRelu, widthsAtLeast(1));
  if (reason) return notApplicable("pascanu2013-lower", "lower", title, CITATIONS.pascanu2013, reason);
  const n = widthsOf(arch);
  const n0 = arch.n0;
  let value = binomialSum(n[n.length - 1], n0);
  for (let l = 0; l < n.length - 1; l++) value *= BigInt(Math.floor(n[l] / n0));
  return applies("pascanu2013-lower", "lower", title, CITATIONS.pascanu2013, value);
}
