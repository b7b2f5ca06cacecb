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

export { type FrozenRegion, freezeRegion } from "./frozen.ts";
export { type Hinges, hingesOf, UnsupportedNetworkError } from "./hinges.ts";
export { evaluatePiece, pieceWeights, type ShallowPiece, shallowPiece } from "./piece.ts";
export { boundaryPoints, interiorPoints, type PointSet, randomPoints } from "./points.ts";
export { evaluateMax, evaluatePieces, pieceLayers, type ShallowRepresentation, shallowNetwork, shallowRepresentation } from "./represent.ts";
export { type ShallowSummary, shallowSummary } from "./summary.ts";
export { hasSkips, plainTwin } from "./twin.ts";
export { type CheckOptions, checkShallow, checkWithEngine, type EngineCheck, type ShallowCheck } from "./verify.ts";

/** The representation over a partition's domain, as pieces, as a tessera network, and its size. */
export function deepToShallow(compiled: Compiled, partition: Partition): { representation: ShallowRepresentation; network: Network; summary: ShallowSummary } {
  const representation = shallowRepresentation(compiled, partition);
  return { representation, network: shallowNetwork(representation), summary: shallowSummary(compiled, representation) };
}
