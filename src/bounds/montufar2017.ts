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

/** d_l = min(n0, n_1, ..., n_l) for each layer. */
export function bottleneckDimensions(n0: number, widths: readonly number[]): number[] {
  let d = n0;
  return widths.map((w) => {
    d = Math.min(d, w);
    return d;
  });
}

export function montufar2017Upper(arch: Architecture): BoundResult {
  const title = "prod_l sum_{j<=d_l} C(n_l, j), d_l = min(n0, n1..n_l)";
  const reason = firstFailure(arch, feedForward, twoPieces);
  if (reason) return notApplicable("montufar2017-upper", "upper", title, CITATIONS.montufar2017, reason);
  const n = widthsOf(arch);
  const d = bottleneckDimensions(arch.n0, n);
  let value = 1n;
  n.forEach((w, l) => {
    value *= binomialSum(w, d[l]);
  });
  return applies("montufar2017-upper", "upper", title, CITATIONS.montufar2017, value);
}
