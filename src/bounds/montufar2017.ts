/**
 * montufar2017-upper: prod_l sum_{j=0}^{d_l} C(n_l, j), d_l = min(n0, n1, ..., n_l).
 * Within a region of the first l-1 layers the network is affine, so layer l sees its input
 * through an affine image of dimension at most d_l, and its n_l hyperplanes cut that image into
 * at most sum_{j<=d_l} C(n_l, j) pieces. The argument only uses one hyperplane per unit, so it
 * holds for every unit with two linear pieces (relu, leaky-relu, abs).
 */
import { type Architecture, widthsOf } from "./architecture.ts";
import { feedForward, firstFailure, twoPieces } from "./conditions.ts";
import { binomialSum } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/**
 * The bottleneck argument's product prod_l sum_{j<=d_l} C(h_l, j) w_l^j, d_l = min(n0, n_1..n_l):
 * inside a region of the first l-1 layers the network is affine with an image of dimension at
 * most d_l, where layer l's h_l hyperplanes (in families of w_l parallel ones) cut at most that
 * many regions. h_l = n_l and w_l = 1 unless given (maxout: h_l = k(k-1)/2 n_l; p pieces:
 * w_l = p - 1).
 */
export function bottleneckProduct(n0: number, widths: readonly number[], hyperplanes?: (l: number) => number, weight?: (l: number) => bigint): bigint {
  let d = n0;
  let value = 1n;
  widths.forEach((w, l) => {
    d = Math.min(d, w);
    value *= binomialSum(hyperplanes ? hyperplanes(l) : w, d, weight ? weight(l) : 1n);
  });
  return value;
}

/** Montufar (2017): an upper bound for deep networks of two-piece units. */
export function montufar2017Upper(arch: Architecture): BoundResult {
  const title = "prod_l sum_{j<=d_l} C(n_l, j), d_l = min(n0, n1..n_l)";
  const reason = firstFailure(arch, feedForward, twoPieces);
  if (reason) return notApplicable("montufar2017-upper", "upper", title, CITATIONS.montufar2017, reason);
  const value = bottleneckProduct(arch.n0, widthsOf(arch));
  return applies("montufar2017-upper", "upper", title, CITATIONS.montufar2017, value);
}
