/**
 * Deep to shallow (An et al. 2017): a piecewise-linear network of any depth, plain or residual,
 * rewritten exactly as a maximum of one-hidden-layer relu networks over a domain. See
 * docs/shallow.md for the construction and its proof.
 */
import type { Domain } from "../domain/domain.ts";
import type { Compiled } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { requireComplete } from "../regions/limits.ts";
import type { Partition } from "../regions/partition.ts";
import { compiledOf, type PartitionOptions, partition } from "../regions/partition-domain.ts";
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

const PARTITION_KINDS: readonly string[] = ["line", "plane", "space"];

/**
 * The network rewritten exactly over a domain (partitioned here through `partition()`, with its
 * options), or over a partition already made: as pieces, as a tessera network, and its size. A
 * partition cut short by a limit is refused (`LimitReached`): it covers part of the domain only.
 */
export function deepToShallow(
  model: Network | Compiled,
  where: Domain | Partition,
  options: PartitionOptions = {},
): { representation: ShallowRepresentation; network: Network; summary: ShallowSummary } {
  const compiled = compiledOf(model);
  const cells = requireComplete(PARTITION_KINDS.includes(where.kind) ? (where as Partition) : partition(compiled, where as Domain, options), options.budget);
  const representation = shallowRepresentation(compiled, cells);
  return { representation, network: shallowNetwork(representation), summary: shallowSummary(compiled, representation) };
}
