/**
 * The one entry to the exact engines: `partition(network, domain, options)` picks the engine for
 * the domain (regions/engines.ts), checks that it can serve it, runs it within the limits asked
 * for, and returns the `Partition`.
 *
 *   const cells = partition(net, box(-1, 1, 2));                 // plane engine
 *   const path = partition(net, segment([0, 0], [1, 1]), { timeout: 5 });
 *   if (path.stopped) ...                                           // the cells found in 5 s
 */
import type { Domain, PolygonDomain, PolylineDomain } from "../domain/domain.ts";
import { DomainError, domainInputSize } from "../domain/domain.ts";
import { boundedPolytope } from "../domain/polytope-box.ts";
import type { LpSolver } from "../geometry/lp.ts";
import { loadLp } from "../geometry/lp.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { boxPlanePartition, chooseEngine, engines, planeProblem } from "./engines.ts";
import { Budget, type LimitOptions } from "./limits.ts";
import type { LinePartition, Partition, PlanePartition } from "./partition.ts";

/** How to partition: the engine (by default the first that can serve the domain), limits, progress. */
export interface PartitionOptions extends LimitOptions {
  /** Force an engine by name ("line", "plane", "space", or a registered one); refused if it cannot serve the domain. */
  engine?: string;
  /**
   * A budget shared with other partitions (cells and time add up); when given, the limit options
   * (maxCells, timeout, signal, onProgress) are the budget's, not these.
   */
  budget?: Budget;
  /** The LP solver (`await loadLp()`), for engines that need one (see `partitionAsync`). */
  lp?: LpSolver | null;
  /** Space engine: count the complex's vertices, edges and facets (default: in up to 4 dimensions). */
  complex?: boolean;
  /**
   * Whole-domain engine: keep an input-space point of every region (default true). Off, a count
   * of a million regions of a 784-input network needs about 6.5 GB less.
   */
  points?: boolean;
}

/** A network, compiled once here if it is not already. */
export function compiledOf(model: Network | Compiled): Compiled {
  return "steps" in model ? model : prepare(model);
}

/**
 * The exact partition of `domain` into the cells on which the network is affine. Throws
 * `DomainError` when the domain does not fit the network, `EngineRefusal` when no engine (or not
 * the one asked for) can serve it. When a limit stops the engine, the result holds the cells
 * found so far and `stopped` says why.
 */
export function partition(model: Network | Compiled, domain: PolylineDomain, options?: PartitionOptions): LinePartition;
export function partition(model: Network | Compiled, domain: PolygonDomain, options?: PartitionOptions): PlanePartition;
export function partition(model: Network | Compiled, domain: Domain, options?: PartitionOptions): Partition;
export function partition(model: Network | Compiled, domain: Domain, options: PartitionOptions = {}): Partition {
  const compiled = compiledOf(model);
  // A 2-D box and no options: straight to the plane engine (engines.ts), when it is the one chosen.
  if (domain.kind === "box" && domain.lo.length === 2 && compiled.inputSize === 2 && noOptions(options)) {
    const cells = boxPlanePartition(compiled, domain);
    if (cells !== null) return cells;
  }
  return chooseAndRun(compiled, domain, options);
}

/** partition()'s general way: the domain checked, the engine chosen, run within a budget. */
function chooseAndRun(compiled: Compiled, domain: Domain, options: PartitionOptions): Partition {
  const size = domainInputSize(domain);
  if (size !== compiled.inputSize) throw new DomainError(`the domain's points have ${size} coordinates, the network has ${compiled.inputSize} inputs`);
  const problem = planeProblem(domain);
  if (problem !== null) throw new DomainError(problem);
  const lp = options.lp ?? null;
  // A polytope without a box gets its bounding cube here, once, for whichever engine serves it
  // (an empty or unbounded one is refused); without the LP solver the engines say they need it.
  const target = domain.kind === "polytope" && !domain.box && lp ? boundedPolytope(domain, lp) : domain;
  const engine = chooseEngine(compiled, target, options.engine, lp);
  const budget = options.budget ?? new Budget(options);
  const result = engine.run(compiled, target, {
    budget,
    lp,
    ...(options.complex !== undefined ? { complex: options.complex } : {}),
    ...(options.points !== undefined ? { points: options.points } : {}),
  });
  // The overloads promise line partitions of polylines and plane partitions of polygons.
  const promised = domain.kind === "polyline" ? "line" : domain.kind === "polygon" ? "plane" : result.kind;
  if (result.kind !== promised) throw new Error(`internal: the ${engine.name} engine returned a ${result.kind} partition of a ${domain.kind}`);
  return result;
}

/**
 * Which options a plane count acts on. A record over every key of PartitionOptions, so a new
 * option does not compile until it says whether the short way of `partition()` must step aside.
 */
const PLANE_ACTS_ON: Record<keyof PartitionOptions, boolean> = {
  engine: true,
  budget: true,
  maxCells: true,
  timeout: true,
  signal: true,
  onProgress: true,
  progressEvery: false, // only read with onProgress
  lp: false,
  complex: false,
  points: false,
};
const PLANE_OPTIONS = (Object.keys(PLANE_ACTS_ON) as (keyof PartitionOptions)[]).filter((key) => PLANE_ACTS_ON[key]);

/** True when the options ask for nothing a plane count would act on (no engine, budget or limit). */
function noOptions(options: PartitionOptions): boolean {
  for (const key of PLANE_OPTIONS) if (options[key] !== undefined) return false;
  return true;
}

/** `partition()`, after loading the LP solver when the chosen engine needs it. */
export async function partitionAsync(model: Network | Compiled, domain: Domain, options: PartitionOptions = {}): Promise<Partition> {
  const compiled = compiledOf(model);
  let lp = options.lp ?? null;
  if (!lp) {
    const named = options.engine === undefined ? engines() : engines().filter((e) => e.name === options.engine);
    if (named.some((e) => e.needsLp?.(domain))) {
      lp = await loadLp();
    }
  }
  return partition(compiled, domain, { ...options, lp });
}
