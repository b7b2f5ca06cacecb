/**
 * `partition()` on every core: the same engine choice, the same checks and the same result, array
 * for array, with the plane engine's top pieces (parallel/plane.ts) or a polyline's segments
 * (parallel/line.ts) shared among the pool's threads, or the whole-domain engine's rounds
 * (parallel/whole.ts: the same partition whatever the threads), or the space engine's top pieces
 * (parallel/space.ts). Engines registered by others run on the calling thread.
 *
 * Limits apply to the whole count, as on one thread: `maxCells` bounds the cells of all threads
 * together, `timeout` the count's time, `signal` cancels it, and `onProgress` gets the cells of
 * all threads; the first limit hit stops every thread and marks the partition stopped, with the
 * cells found so far.
 */
import type { Domain } from "../domain/domain.ts";
import { DomainError, domainDimension, domainInputSize } from "../domain/domain.ts";
import { boundedPolytope } from "../domain/polytope-box.ts";
import { loadLp } from "../geometry/lp.ts";
import type { Compiled } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { isPiecewise } from "../model/steps.ts";
import { chooseEngine, planeOf, planeProblem } from "../regions/engines.ts";
import type { LimitOptions } from "../regions/limits.ts";
import type { Partition } from "../regions/partition.ts";
import { compiledOf, partition } from "../regions/partition-domain.ts";
import { spaceArguments } from "../regions/space-domain.ts";
import { wholeArguments } from "../regions/whole-domain.ts";
import { linePartitionParallel } from "./line.ts";
import { planePartitionParallel } from "./plane.ts";
import type { TaskPool } from "./pool.ts";
import { spacePartitionParallel } from "./space.ts";
import { wholePartitionParallel } from "./whole.ts";

/** Options of partitionParallel: an engine by name, and the limits of the whole count. */
export interface ParallelPartitionOptions extends Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress" | "progressEvery"> {
  /**
   * The calling thread computes a share too, beside the pool's threads (a pool of N - 1 threads
   * then uses N cores; the calling thread starts at once, while the pool's threads start).
   */
  mainThread?: boolean;
  /** Force an engine by name, as for `partition()`. */
  engine?: string;
  /** Whole-domain engine: keep an input-space point of every region (default true), as for `partition()`. */
  points?: boolean;
}

/** `partition(model, domain)` on the pool's threads: the same partition, array for array. */
export async function partitionParallel(pool: TaskPool, model: Network | Compiled, asked: Domain, options: ParallelPartitionOptions = {}): Promise<Partition> {
  const compiled = compiledOf(model);
  const { engine: _, mainThread: __, points, ...limits } = options;
  const main = options.mainThread === true;
  const threads = pool.size + (main ? 1 : 0);
  const size = domainInputSize(asked);
  if (size !== compiled.inputSize) throw new DomainError(`the domain's points have ${size} coordinates, the network has ${compiled.inputSize} inputs`);
  // A polytope without a box: its bounding cube, as partition() finds it (domain/polytope-box.ts).
  const domain = asked.kind === "polytope" && !asked.box ? boundedPolytope(asked, await loadLp()) : asked;
  const problem = planeProblem(domain);
  if (problem !== null) throw new DomainError(problem);
  const engine = chooseEngine(compiled, domain, options.engine);
  if (threads > 1 && engine.name === "plane") {
    const plane = planeOf(domain);
    if (plane) return planePartitionParallel(pool, compiled, plane, { domain: plane.polygon, limits, mainThread: main });
  }
  if (threads > 1 && engine.name === "line" && domain.kind === "polyline" && domain.points.length >= 2) {
    const n0 = compiled.inputSize;
    const path = new Float64Array(domain.points.length * n0);
    domain.points.forEach((p, i) => {
      path.set(p, i * n0);
    });
    return linePartitionParallel(pool, compiled, path, limits, main);
  }
  if (threads > 1 && engine.name === "space") return spacePartitionParallel(pool, compiled, spaceArguments(domain), { limits, mainThread: main });
  const keep = points !== undefined ? { points } : {};
  if (pool.size > 1 && engine.name === "whole") {
    const args = wholeArguments(domain);
    if (typeof args !== "string") return wholePartitionParallel(pool, compiled, { ...args, ...limits, ...keep });
  }
  return partition(compiled, domain, { ...limits, ...keep, ...(options.engine !== undefined ? { engine: options.engine } : {}) });
}

/**
 * Whether threads are worth their start-up when the user did not ask for a number: plane domains
 * of networks with at least this many piecewise units. A second thread costs 0.3-0.6 s of CPU
 * from the built package (Node's start, the engines, its own JIT): `tessera count` of 2-64x4-1
 * (256 units, 16,601 regions in [-1,1]^2, 0.4 s of CPU alone) took 0.3-0.5 s more CPU and more
 * wall time on 2 threads; 2-128x4-1 (512 units, 88,189 regions, 1.3 s alone) can gain on an idle
 * machine. A polyline is cheap
 * unless it is very long; threads for it are asked for with --workers. Boxes beyond 8 inputs
 * (the whole-domain engine, which runs for seconds at least) always are.
 */
export const PARALLEL_MIN_UNITS = 512;

export function worthParallel(compiled: Compiled, domain: Domain): boolean {
  const wholeKind = domain.kind === "box" || domain.kind === "polytope" || domain.kind === "slice";
  if (wholeKind && domainDimension(domain) > 8 && compiled.steps.some(isPiecewise)) return true;
  return compiled.layout.units >= PARALLEL_MIN_UNITS && compiled.steps.some(isPiecewise) && planeOf(domain) !== null;
}
