/**
 * The exact engines behind `partition()`, each with the domains it can serve. An engine says why
 * it cannot serve a domain before it starts (a box of 64 inputs never gets a one-cell answer from
 * an engine built for 8), and `chooseEngine` takes the first one in the list that can.
 *
 * The built-in order is line (1-D domains), plane (2-D), space (up to MAX_SPACE_DIMENSION), whole
 * (boxes of any input size, regions/whole.ts). Another engine joins with `registerEngine()`.
 */
import type { BoxDomain, Domain } from "../domain/domain.ts";
import { DomainError, describeDomain, domainDimension } from "../domain/domain.ts";
import { parallelogramArea } from "../domain/measure.ts";
import type { LpSolver } from "../geometry/lp.ts";
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import type { Compiled } from "../model/forward.ts";
import type { Budget } from "./limits.ts";
import { linePartition } from "./line.ts";
import type { Partition, PlanePartition } from "./partition.ts";
import { planePartition } from "./plane.ts";
import { spacePartition } from "./space.ts";
import { spaceArguments } from "./space-domain.ts";
import { wholeEngine } from "./whole.ts";

/** What an engine's run receives besides the network and the domain. */
export interface EngineRunOptions {
  budget: Budget;
  /** The LP solver, when the caller has loaded it (`await loadLp()`). */
  lp: LpSolver | null;
  /** Space engine: count vertices, edges and facets of the complex (default: k <= 4). */
  complex?: boolean;
  /** Whole-domain engine: keep an input-space point of every region (default true; n0 numbers each). */
  points?: boolean;
}

/** An exact engine as `partition()` sees it. */
export interface PartitionEngine {
  /** The name `options.engine` selects it by ("line", "plane", "space", ...). */
  readonly name: string;
  /** True for the kinds and dimensions of domain the engine is built for. */
  accepts(domain: Domain): boolean;
  /** For a domain it accepts: null when it can partition it for this network, else why not (one line). */
  refusal(compiled: Compiled, domain: Domain, lp: LpSolver | null): string | null;
  /** True when a run needs the LP solver (`partitionAsync` loads it first). */
  needsLp?(domain: Domain): boolean;
  /** The partition, or the cells found before a limit of `options.budget` stopped it. */
  run(compiled: Compiled, domain: Domain, options: EngineRunOptions): Partition;
}

/** A domain no engine (or not the one asked for) can partition; `reasons` has each engine's. */
export class EngineRefusal extends Error {
  override name = "EngineRefusal";
  constructor(
    message: string,
    readonly reasons: readonly { engine: string; reason: string }[],
    readonly dimension: number,
  ) {
    super(message);
  }
}

/** The largest domain dimension the space engine enumerates (its cost grows steeply beyond). */
export const MAX_SPACE_DIMENSION = 8;

/** The polyline of a 1-D domain as (points) x inputSize, or null when the domain is not 1-D. */
function pathOf(domain: Domain): Float64Array | null {
  let points: Float64Array[];
  if (domain.kind === "polyline") points = domain.points;
  else if (domain.kind === "box" && domain.lo.length === 1) points = [domain.lo, domain.hi];
  else if (domain.kind === "slice" && domain.basis.length === 1 && !domain.polytope) {
    const [d] = domain.basis;
    points = [domain.lo, domain.hi].map((y) => domain.origin.map((x, i) => x + y * d[i]));
  } else return null;
  const n = points[0].length;
  const path = new Float64Array(points.length * n);
  points.forEach((p, i) => {
    path.set(p, i * n);
  });
  return path;
}

/** The plane and (u, v) polygon of a 2-D domain, or null when the domain is not one. */
export function planeOf(domain: Domain): { origin: Float64Array; e1: Float64Array; e2: Float64Array; polygon: Float64Array } | null {
  if (domain.kind === "polygon") return { ...domain.plane, polygon: domain.polygon };
  if (domain.kind === "box" && domain.lo.length === 2) return boxPlane(domain);
  if (domain.kind === "slice" && domain.basis.length === 2 && !domain.polytope) {
    const { lo, hi } = domain;
    return { origin: domain.origin, e1: domain.basis[0], e2: domain.basis[1], polygon: Float64Array.of(lo, lo, hi, lo, hi, hi, lo, hi) };
  }
  return null;
}

/** A 2-D box as the plane of its two coordinates (unit directions) and its rectangle, counter-clockwise. */
function boxPlane(domain: BoxDomain): { origin: Float64Array; e1: Float64Array; e2: Float64Array; polygon: Float64Array } {
  const [u0, v0] = domain.lo;
  const [u1, v1] = domain.hi;
  return { origin: new Float64Array(2), e1: Float64Array.of(1, 0), e2: Float64Array.of(0, 1), polygon: Float64Array.of(u0, v0, u1, v0, u1, v1, u0, v1) };
}

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

const EMPTY_POLYGON = "the domain polygon must be counter-clockwise with an area float64 resolves (it is empty, clockwise or too small)";

/**
 * A 2-D domain no engine should take: a polygon that is clockwise, empty or too small for float64
 * (its area rounds to 0), or a plane whose directions are parallel. Null when it is fine.
 */
export function planeProblem(domain: Domain): string | null {
  const plane = planeOf(domain);
  if (plane === null) return null;
  if (!(signedPolygonArea(plane.polygon) > 0)) return EMPTY_POLYGON;
  // Relative test: the sine of the angle between the two directions is (numerically) zero.
  if (!(parallelogramArea(plane) > 1e-12 * norm(plane.e1) * norm(plane.e2))) return "the plane's two directions are parallel (or zero): they span no plane";
  return null;
}

const lineEngine: PartitionEngine = {
  name: "line",
  accepts: (domain) => pathOf(domain) !== null,
  refusal: () => null,
  run(compiled, domain, options) {
    return linePartition(compiled, pathOf(domain) as Float64Array, { budget: options.budget });
  },
};

const planeEngine: PartitionEngine = {
  name: "plane",
  accepts: (domain) => planeOf(domain) !== null,
  refusal: () => null,
  run(compiled, domain, options) {
    const plane = planeOf(domain) as NonNullable<ReturnType<typeof planeOf>>;
    return planePartition(compiled, plane, { domain: plane.polygon, budget: options.budget });
  },
};

const spaceEngine: PartitionEngine = {
  name: "space",
  accepts: (domain) => domain.kind !== "polyline" && domain.kind !== "polygon",
  refusal(_compiled, domain, lp) {
    const dim = domainDimension(domain);
    if (dim > MAX_SPACE_DIMENSION) return `the space engine enumerates at most ${MAX_SPACE_DIMENSION} dimensions, this domain has ${dim}`;
    if (this.needsLp?.(domain) && !lp) return "a polytope without a bounding box needs the LP solver: pass options.lp (await loadLp()) or call partitionAsync";
    return null;
  },
  needsLp(domain) {
    return domain.kind === "polytope" && !domain.box;
  },
  run(compiled, domain, options) {
    // Beyond its own memory guard (SpaceOptions.maxCells) it throws SpaceLimitError.
    return spacePartition(compiled, { ...spaceArguments(domain), lp: options.lp, budget: options.budget, ...(options.complex !== undefined ? { complex: options.complex } : {}) });
  },
};

const registry: PartitionEngine[] = [lineEngine, planeEngine, spaceEngine, wholeEngine];

/**
 * Add an engine to the list `partition()` chooses from: after the built-in ones (it then serves
 * what they refuse), or before the engine named `before`.
 */
export function registerEngine(engine: PartitionEngine, options: { before?: string } = {}): void {
  const existing = registry.findIndex((e) => e.name === engine.name);
  if (existing >= 0) registry.splice(existing, 1);
  const at = options.before === undefined ? -1 : registry.findIndex((e) => e.name === options.before);
  if (at < 0) registry.push(engine);
  else registry.splice(at, 0, engine);
}

/**
 * The plane partition of a 2-D box, as `partition()` with no options would make it (the checks
 * of planeProblem, the engine chooseEngine picks, the same call of the plane engine), or null when
 * an engine registered ahead of the plane engine could take the box (then `partition()` chooses).
 * The short way of a small count's first call: a fresh process compiles every function it runs,
 * and the general way's engine choice, domain views and budget cost about as much to compile as
 * the kernel's inputs take to make. Without a budget: none is asked for, and none is returned.
 */
export function boxPlanePartition(compiled: Compiled, domain: BoxDomain): PlanePartition | null {
  if (registry[0] !== lineEngine || registry[1] !== planeEngine) return null;
  const { origin, e1, e2, polygon } = boxPlane(domain);
  // The unit directions span the plane; only the polygon can be refused (planeProblem's test).
  if (!(signedPolygonArea(polygon) > 0)) throw new DomainError(EMPTY_POLYGON);
  return planePartition(compiled, { origin, e1, e2 }, { domain: polygon });
}

/** The engines in the order `partition()` tries them. */
export function engines(): readonly PartitionEngine[] {
  return registry;
}

/**
 * The engine for a domain: `name`'s if given (refusing when it cannot serve the domain), else
 * the first engine that can. Throws `EngineRefusal` when none can.
 */
export function chooseEngine(compiled: Compiled, domain: Domain, name?: string, lp: LpSolver | null = null): PartitionEngine {
  const dimension = domainDimension(domain);
  if (name !== undefined) {
    const engine = registry.find((e) => e.name === name);
    if (!engine) throw new EngineRefusal(`unknown engine "${name}" (known: ${registry.map((e) => e.name).join(", ")})`, [], dimension);
    const reason = engine.accepts(domain) ? engine.refusal(compiled, domain, lp) : `the ${name} engine does not partition a ${describeDomain(domain)}`;
    if (reason !== null) throw new EngineRefusal(reason, [{ engine: name, reason }], dimension);
    return engine;
  }
  const reasons: { engine: string; reason: string }[] = [];
  for (const engine of registry) {
    if (!engine.accepts(domain)) continue;
    const reason = engine.refusal(compiled, domain, lp);
    if (reason === null) return engine;
    reasons.push({ engine: engine.name, reason });
  }
  // The most telling reason is the last one (of the engine built for the largest domains).
  const why = reasons.length > 0 ? reasons[reasons.length - 1].reason : "no engine is built for it";
  throw new EngineRefusal(`no exact engine can partition this ${describeDomain(domain)}: ${why}`, reasons, dimension);
}
