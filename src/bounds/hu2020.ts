/**
 * Hu, Zhang, Gao, Xing, An (2020), "Nearly-tight bounds on linear regions of piecewise linear
 * neural networks".
 *
 * hu2020-single: one hidden layer of n1 scalar units with p linear pieces each (p - 1
 *   breakpoints) is an arrangement of n1 families of p - 1 parallel hyperplanes; in general
 *   position it has exactly sum_{i=0}^{n0} C(n1, i) (p-1)^i regions, and that is the maximum.
 *   (A flat of the arrangement takes at most one hyperplane from each family and at most n0
 *   families; each such choice of i families and one breakpoint each is a flat.) p = 2 is
 *   Zaslavsky's count.
 * hu2020-upper: for L layers, prod_l sum_{i=0}^{d_l} C(n_l, i) (p_l - 1)^i with
 *   d_l = min(n0, n1, ..., n_l): inside a region of the earlier layers, layer l sees an affine
 *   image of dimension at most d_l, cut by n_l families of p_l - 1 parallel hyperplanes.
 *   For p = 2 it is montufar2017-upper.
 */
import { type Architecture, widthsOf } from "./architecture.ts";
import { feedForward, firstFailure, oneLayer, scalarUnits } from "./conditions.ts";
import { binomialSum } from "./exact.ts";
import { bottleneckProduct } from "./montufar2017.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** Hu et al. (2020): the exact maximum for one layer of p-piece units. */
export function hu2020Single(arch: Architecture): BoundResult {
  const title = "one layer, p pieces: sum_{i<=n0} C(n1, i) (p-1)^i, the exact maximum";
  const reason = firstFailure(arch, feedForward, oneLayer, scalarUnits);
  if (reason) return notApplicable("hu2020-single", "exact", title, CITATIONS.hu2020, reason);
  const { width, pieces } = arch.layers[0];
  return applies("hu2020-single", "exact", title, CITATIONS.hu2020, binomialSum(width, arch.n0, BigInt(pieces - 1)));
}

/** Hu et al. (2020): an upper bound for deep networks of p-piece units. */
export function hu2020Upper(arch: Architecture): BoundResult {
  const title = "prod_l sum_{i<=d_l} C(n_l, i) (p_l-1)^i, d_l = min(n0, n1..n_l)";
  const reason = firstFailure(arch, feedForward, scalarUnits);
  if (reason) return notApplicable("hu2020-upper", "upper", title, CITATIONS.hu2020, reason);
  const value = bottleneckProduct(arch.n0, widthsOf(arch), undefined, (l) => BigInt(arch.layers[l].pieces - 1));
  return applies("hu2020-upper", "upper", title, CITATIONS.hu2020, value);
}
