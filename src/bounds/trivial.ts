/**
 * trivial-upper: a region is determined by the states of the units, and a unit with p linear
 * pieces has p states, so there are at most prod_l p_l^{n_l} regions (2^N for N relu units,
 * k^N for rank-k maxout units). It holds for every architecture, branches included.
 */
import type { Architecture } from "./architecture.ts";
import { ipow } from "./exact.ts";
import { applies, type BoundResult, CITATIONS, notApplicable } from "./result.ts";

/** The trivial upper bound: the product of every unit's number of pieces. */
export function trivialUpper(arch: Architecture): BoundResult {
  const title = "prod over units of their number of linear pieces (2^N for relu)";
  if (arch.layers.length === 0) return notApplicable("trivial-upper", "upper", title, CITATIONS.trivial, "the network has no piecewise-linear layer");
  let value = 1n;
  for (const l of arch.layers) value *= ipow(BigInt(l.pieces), l.width);
  return applies("trivial-upper", "upper", title, CITATIONS.trivial, value);
}
