/**
 * Deep to shallow (An et al. 2017): a piecewise-linear network of any depth, plain or residual,
 * rewritten exactly as a maximum of one-hidden-layer relu networks over a domain. See
 * docs/shallow.md for the construction and its proof.
 */
import type { Compiled } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import type { Partition } from "../regions/partition.ts";
import { type ShallowRepresentation, shallowNetwork, shallowRepresentation } from "./represent.ts";
import { type ShallowSummary, shallowSummary } from "./summary.ts";

export { UnsupportedNetworkError, hingesOf, type Hinges } from "./hinges.ts";
export { freezeRegion, type FrozenRegion } from "./frozen.ts";
export { evaluatePiece, pieceWeights, shallowPiece, type ShallowPiece } from "./piece.ts";
export { evaluateMax, evaluatePieces, pieceLayers, shallowNetwork, shallowRepresentation, type ShallowRepresentation } from "./represent.ts";
export { boundaryPoints, interiorPoints, randomPoints, type PointSet } from "./points.ts";
export { checkShallow, checkWithEngine, type CheckOptions, type EngineCheck, type ShallowCheck } from "./verify.ts";
export { shallowSummary, type ShallowSummary } from "./summary.ts";
export { hasSkips, plainTwin } from "./twin.ts";

/** The representation over a partition's domain, as pieces, as a tessera network, and its size. */
export function deepToShallow(compiled: Compiled, partition: Partition): { representation: ShallowRepresentation; network: Network; summary: ShallowSummary } {
  const representation = shallowRepresentation(compiled, partition);
  return { representation, network: shallowNetwork(representation), summary: shallowSummary(compiled, representation) };
}
