/**
 * How a hyperplane's sign over a polytope is decided: the outcome of a test (`Side`) and the
 * tolerance of a sign at a vertex (`SignTolerance`, with the evaluation's rounding `gammaOf`).
 */
import { EPS } from "../map-error.ts";

/**
 * Outcome of testing a hyperplane against a polytope: Below / Above (h < 0 / h > 0 on the
 * interior; the polytope may touch h = 0), Flat (h vanishes on the whole polytope: a zero row or a
 * numerically coincident hyperplane), Split (h changes sign inside: both parts full-dimensional).
 */
export const Side = { Below: -1, Flat: 0, Above: 1, Split: 2 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/**
 * How sure the sign of h(y) = h_0 + h . y at a vertex is. The computed value is within
 *   e_0 + sum_j e_j |y_j|            (h's coefficients are within e_c of the exact ones)
 *   + sum_j |h_j| r                  (the vertex is within r of the exact one, per coordinate)
 *   + gamma (|h_0| + sum_j |h_j y_j|)  (rounding of the evaluation)
 * of the exact value, and within that bound the vertex is taken to lie on h (sign 0): the
 * numerical policy of the line and plane engines (docs/numerics.md), with every term relative to
 * the vertex and the hyperplane, never to the domain's size. `eps` adds eps (|h_0| + sum |h_j y_j|)
 * (default 0: see SpaceOptions.eps).
 */
export interface SignTolerance {
  /** Bounds on the errors of h's coefficients, k + 1 of them ([e_0, e_1..e_k]). */
  err: Float64Array;
  eps: number;
  /**
   * The hyperplane exactly, when h's coefficients carry rounding (a deeper layer's): asked only
   * for a vertex within the bound whose own rows are exact (space/exact-hyperplane.ts).
   */
  exact?: ExactHyperplane | null;
}

/** A hyperplane exactly: [h_1..h_k, h_0] as integers times one positive power of two, or null. */
export interface ExactHyperplane {
  row(): bigint[] | null;
  /** The row if it has been computed, or is cheap enough to be computed always (else null): kept with the cut's rows. */
  known(): bigint[] | null;
  /**
   * A row of the cell being cut, exactly (the same integers, signed as the row), by RowStore's
   * labels: the breakpoint hyperplane `other` of unit `unit` of elementwise step `step`, or member
   * `other` of max group `unit` against the group's winner in the cell, on the side `side`; null
   * for rows it cannot give (a max group whose winner is not known yet).
   */
  stored(step: number, unit: number, other: number, side: number): bigint[] | null;
}

/** The relative rounding bound of evaluating h_0 + h . y in k dimensions (SignTolerance's gamma). */
export function gammaOf(k: number): number {
  return 2 * (k + 2) * EPS;
}
