/**
 * zaslavsky: one hidden layer of n1 units with two linear pieces is an arrangement of n1
 * hyperplanes in R^{n0}; in general position it has sum_{j=0}^{n0} C(n1, j) regions, and no
 * arrangement of n1 hyperplanes has more (Zaslavsky 1975). So this is the exact maximum.
 */
import type { Architecture } from "./architecture.ts";
import { feedForward, firstFailure, oneLayer, twoPieces } from "./conditions.ts";
import { binomialSum } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** Zaslavsky (1975): the exact maximum for one hidden layer of relu units (a hyperplane arrangement). */
export function zaslavsky(arch: Architecture): BoundResult {
  const title = "one hidden layer: sum_{j<=n0} C(n1, j), the exact maximum";
  const reason = firstFailure(arch, feedForward, oneLayer, twoPieces);
  if (reason) return notApplicable("zaslavsky", "exact", title, CITATIONS.zaslavsky, reason);
  return applies("zaslavsky", "exact", title, CITATIONS.zaslavsky, binomialSum(arch.layers[0].width, arch.n0));
}
