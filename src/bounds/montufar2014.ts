/**
 * Montufar, Pascanu, Cho, Bengio (2014).
 *
 * - montufar2014-lower (Theorem 4): a relu network whose hidden widths are all >= n0 can have
 *   (prod_{l<L} floor(n_l/n0)^{n0}) * sum_{j<=n0} C(n_L, j) regions: every earlier layer folds
 *   each of the n0 input directions floor(n_l/n0) times, and the last layer's arrangement is
 *   replicated in every fold. `montufar(n0, widths)` (src/model/build/montufar.ts) builds it.
 *   Corollary 5 compares with a shallow network with as many units N: one hidden layer has at
 *   most sum_{j<=n0} C(N, j) regions; `details` carry that maximum and the exact ratio.
 * - montufar2014-maxout-lower (Theorem 8): L layers of rank-k maxout units of width >= n0 can
 *   have k^{L-1} k^{n0} regions (extra units may duplicate others, which adds no region).
 * - one hidden layer of n1 rank-k maxout units: at least k^{min(n0, n1)} regions (each unit acts on
 *   its own input coordinate: a grid) and at most min(sum_{j<=n0} C(k^2 n1, j), k^{n1}) (every
 *   region boundary lies on one of the k^2 n1 hyperplanes "piece a = piece b" of some unit, counting
 *   ordered pairs as the paper does; and k states per unit).
 */
import { type Architecture, totalUnits, widthsOf } from "./architecture.ts";
import { allMaxout, allRelu, feedForward, firstFailure, oneLayer, widthsAtLeast } from "./conditions.ts";
import { binomialSum, ipow, minBig, Rational } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** Montufar et al. (2014): a lower bound for deep relu networks (the folding construction). */
export function montufar2014Lower(arch: Architecture): BoundResult {
  const title = "(prod_{l<L} floor(n_l/n0)^n0) * sum_{j<=n0} C(n_L, j)";
  const reason = firstFailure(arch, feedForward, allRelu, widthsAtLeast(1));
  if (reason) return notApplicable("montufar2014-lower", "lower", title, CITATIONS.montufar2014, reason);
  const n = widthsOf(arch);
  const n0 = arch.n0;
  let value = binomialSum(n[n.length - 1], n0);
  for (let l = 0; l < n.length - 1; l++) value *= ipow(BigInt(Math.floor(n[l] / n0)), n0);
  const shallow = shallowMaximum(n0, totalUnits(arch));
  return applies("montufar2014-lower", "lower", title, CITATIONS.montufar2014, value, {
    shallowUnits: totalUnits(arch),
    shallowMaximum: new Rational(shallow),
    deepOverShallow: new Rational(value, shallow),
  });
}

/** Corollary 5's comparison: the maximum of one hidden layer with the same number N of units. */
export function shallowMaximum(n0: number, units: number): bigint {
  return binomialSum(units, n0);
}

/** Montufar et al. (2014): a lower bound for deep maxout networks. */
export function montufar2014MaxoutLower(arch: Architecture): BoundResult {
  const title = "k^(L-1) * k^n0 for L maxout layers of width >= n0";
  const reason = firstFailure(arch, feedForward, allMaxout, widthsAtLeast(1));
  if (reason) return notApplicable("montufar2014-maxout-lower", "lower", title, CITATIONS.montufar2014maxout, reason);
  const k = BigInt(arch.layers[0].pieces);
  return applies("montufar2014-maxout-lower", "lower", title, CITATIONS.montufar2014maxout, ipow(k, arch.layers.length - 1 + arch.n0));
}

/** Montufar et al. (2014): a lower bound for one maxout layer. */
export function montufar2014MaxoutSingleLower(arch: Architecture): BoundResult {
  const title = "one maxout layer: k^min(n0, n1)";
  const reason = firstFailure(arch, feedForward, allMaxout, oneLayer);
  if (reason) return notApplicable("montufar2014-maxout-single-lower", "lower", title, CITATIONS.montufar2014maxout, reason);
  const { width, pieces } = arch.layers[0];
  return applies("montufar2014-maxout-single-lower", "lower", title, CITATIONS.montufar2014maxout, ipow(BigInt(pieces), Math.min(arch.n0, width)));
}

/** Montufar et al. (2014): an upper bound for one maxout layer. */
export function montufar2014MaxoutSingleUpper(arch: Architecture): BoundResult {
  const title = "one maxout layer: min(sum_{j<=n0} C(k^2 n1, j), k^n1)";
  const reason = firstFailure(arch, feedForward, allMaxout, oneLayer);
  if (reason) return notApplicable("montufar2014-maxout-single-upper", "upper", title, CITATIONS.montufar2014maxout, reason);
  const { width, pieces } = arch.layers[0];
  const a = binomialSum(pieces * pieces * width, arch.n0);
  const b = ipow(BigInt(pieces), width);
  return applies("montufar2014-maxout-single-upper", "upper", title, CITATIONS.montufar2014maxout, minBig(a, b));
}
