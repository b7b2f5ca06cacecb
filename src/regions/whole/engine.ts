/**
 * The traversal of the region adjacency graph (docs/whole.md), in rounds: a round processes every
 * region found before it (processor.ts), each against the regions found before the round, and
 * merges what they found in region order: new regions get the next numbers (the first region
 * to propose a pattern gives its point), facets are listed per region, and a facet to a region
 * of a later round is passed on to it as known. The same rounds run on one thread (traverse) or
 * split into ranges over worker threads (parallel/whole.ts): the merge sees the same results in
 * the same order, so the partition is the same whatever the number of threads.
 *
 * Thinness: the LP certificates decide whether a region or facet's in-radius (the margin) is
 * above eps * radius (counted) or certainly none; a thinner or exactly-zero one is decided
 * exactly (exact-decision.ts), and only what that cannot decide is counted in `uncertain`.
 */
import type { Compiled } from "../../model/forward.ts";
import { forward } from "../../model/forward.ts";
import { patternsEqual } from "../../model/pattern.ts";
import { type Growable, growableFloat64, growableInt32, growableUint8, growableUint32, growthAt } from "../buffers.ts";
import { type Budget, caughtLimit, type LimitReached } from "../limits.ts";
import { exactPattern } from "./exact-pattern.ts";
import { PatternTable } from "./pattern-table.ts";
import { type ProcessorOptions, RegionProcessor } from "./processor.ts";
import { type InputPolytope, type Reduction, reduce } from "./reduce.ts";
import { deferredOf, proposalOf, type RoundMessage, RoundOutput, STAT, STAT_NAMES } from "./round-output.ts";
import { inPrefix, type SignPrefix } from "./sign-prefix.ts";

export type { SignPrefix };

export interface TraverseOptions {
  eps: number;
  start: ArrayLike<number> | null;
  /** Limits and progress: one tick per region processed; a limit ends the traversal early. */
  budget: Budget;
  /** Keep an input-space point of every region (n0 numbers each; default true). */
  points?: boolean;
  /** Keep every region's output map (outputSize x (r + 1) numbers each; default: as points). */
  maps?: boolean;
  /** Use the common point of the first layer's hyperplanes for new regions (default true; off: every region from an LP). */
  star?: boolean;
  /** Prove rows not facets without full LPs where possible (default true; processor.ts lpShortcuts). */
  lpShortcuts?: boolean;
  /** Only the regions of this sign prefix (a job of a split count, docs/scale.md); facets out of it are listed apart (TraverseResult.cut). */
  prefix?: SignPrefix;
  /** A polytope domain's many rows generated lazily in the LPs (default true; box-lp.ts solveLazy). */
  rowGeneration?: boolean;
  /** New regions' points by a step across the facet before an LP (default true; processor.ts stepPoints). */
  stepPoints?: boolean;
}

/**
 * With a prefix, the facets toward regions out of it, in region order: (region, hyperplane id,
 * neighbour's pattern, maps equal). `conditional`: a deferred facet (processor.ts: one left to
 * an earlier region, or a certified facet toward another job, listed without the neighbour's
 * interior LP), a facet exactly when the neighbour is a region (the join looks it up among the
 * other jobs' regions); otherwise certified with a proposal, the neighbour a region with interior.
 * Only the lower-numbered job of the two decides a facet between them (sign-prefix.ts).
 */
export interface CutListings {
  region: Int32Array;
  hp: Int32Array;
  patterns: Uint32Array;
  same: Uint8Array;
  conditional: Uint8Array;
}

/** A proposal's id when its pattern is out of the prefix (never a region of this traversal). */
const OUTSIDE = -2;

/** The counters of round-output.ts, the rounds, and those of the rounds split over threads. */
export type TraverseStats = Record<(typeof STAT_NAMES)[number], number> & { rounds: number; sharedRounds: number };

export interface TraverseResult {
  /** Set when a limit stopped the traversal: regions found so far, facets of those processed. */
  stopped: LimitReached | null;
  table: PatternTable;
  r: number;
  centres: Float64Array;
  inputPoints: Float64Array;
  margins: Float64Array;
  /** Output maps (cellCount x outputSize x (r + 1)), or empty when not kept. */
  outputs: Float64Array;
  facetStart: Uint32Array;
  facetHyperplane: Int32Array;
  facetNeighbour: Int32Array;
  /** Per facet: the output maps on its two sides are equal (1), not (0), or KNOWN (the other listing says). */
  facetSame: Uint8Array;
  stats: TraverseStats;
  /** With a prefix: the facets toward regions out of it. */
  cut?: CutListings;
}

export function processorOptions(options: TraverseOptions): ProcessorOptions {
  const points = options.points ?? true;
  return {
    eps: options.eps,
    points,
    star: options.star ?? true,
    maps: options.maps ?? points,
    lpShortcuts: options.lpShortcuts ?? true,
    rowGeneration: options.rowGeneration ?? true,
    stepPoints: options.stepPoints ?? true,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  };
}

/** Everything found so far, and the merge of a round's outputs into it. */
export class Traversal {
  readonly table: PatternTable;
  /** Centres (r per region); on a SharedArrayBuffer when threads read it. */
  centres: Float64Array;
  centreCount = 0;
  // Grown 4x at a time: what a growth costs is the fresh pages its copy writes (GROWTH).
  // Shared (when threads write them: writeRange; or read them: the adjacency pairs) are the
  // inputs and the listings.
  readonly inputs: Growable<Float64Array>;
  readonly margins: Growable<Float64Array> = growableFloat64(1024, GROWTH);
  readonly outputs: Growable<Float64Array> = growableFloat64(1024, GROWTH);
  readonly facetStart: Growable<Uint32Array>;
  readonly facetHp: Growable<Int32Array>;
  readonly facetNb: Growable<Int32Array>;
  readonly facetSame: Growable<Uint8Array>;
  // Facets certified from the other side, for the next round (every region they name is in it):
  // (region, hyperplane id, region that certified it) in the order the merge found them, and
  // the current round's, grouped by region (knownStart[i - roundFirst]), latest first. The
  // buffers serve round after round; the grouped ones are shared when threads read them.
  private readonly nextTo: Growable<Int32Array> = growableInt32(1024, GROWTH);
  private readonly nextHp: Growable<Int32Array> = growableInt32(1024, GROWTH);
  private readonly nextFrom: Growable<Int32Array> = growableInt32(1024, GROWTH);
  private roundFirst = 0;
  private knownStart: Uint32Array = new Uint32Array(1);
  private readonly knownStartBuf: Growable<Uint32Array> = growableUint32(1024, GROWTH);
  private readonly knownFill: Growable<Uint32Array> = growableUint32(1024, GROWTH);
  private readonly knownHpBuf: Growable<Int32Array>;
  private readonly knownFromBuf: Growable<Int32Array>;
  private knownHp: Int32Array = new Int32Array(0);
  private knownFrom: Int32Array = new Int32Array(0);
  /** Regions whose facets are merged (0..processed-1). */
  processed = 0;
  readonly stats: TraverseStats;
  stopped: LimitReached | null = null;
  private readonly r: number;
  private readonly n0: number;
  private readonly mapSize: number;
  private readonly maps: boolean;
  // With a prefix: the facets out of it (CutListings), appended in region order by mergeIds.
  private readonly cutRegion: Growable<Int32Array> = growableInt32(64, GROWTH);
  private readonly cutHp: Growable<Int32Array> = growableInt32(64, GROWTH);
  private readonly cutPatterns: Growable<Uint32Array> = growableUint32(64, GROWTH);
  private readonly cutSame: Growable<Uint8Array> = growableUint8(64, GROWTH);
  private readonly cutConditional: Growable<Uint8Array> = growableUint8(64, GROWTH);

  constructor(
    readonly compiled: Compiled,
    readonly red: Reduction,
    readonly options: TraverseOptions,
    private readonly shared = false,
  ) {
    this.r = red.r;
    this.n0 = red.n0;
    this.mapSize = compiled.outputSize * (red.r + 1);
    this.maps = processorOptions(options).maps === true;
    this.table = new PatternTable(compiled.layout.words, shared);
    const sharedGrowth = { ...GROWTH, shared };
    this.inputs = growableFloat64(1024, sharedGrowth);
    this.facetStart = growableUint32(1024, sharedGrowth);
    this.facetHp = growableInt32(1024, sharedGrowth);
    this.facetNb = growableInt32(1024, sharedGrowth);
    this.facetSame = growableUint8(1024, sharedGrowth);
    this.knownHpBuf = growableInt32(1024, sharedGrowth);
    this.knownFromBuf = growableInt32(1024, sharedGrowth);
    this.centres = this.float64(64 * this.r);
    this.stats = Object.fromEntries([...STAT_NAMES.map((n) => [n, 0]), ["rounds", 0], ["sharedRounds", 0]]) as TraverseStats;
  }

  private float64(n: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
  }

  /** A region not in the table, its data from `message` at proposal p (or from arguments). */
  private addRegion(pattern: Uint32Array, offset: number, u: ArrayLike<number>, uAt: number, x: ArrayLike<number> | null, xAt: number, margin: number): number {
    const id = this.table.add(pattern, offset);
    const r = this.r;
    if ((this.centreCount + 1) * r > this.centres.length) {
      const grown = this.float64(Math.ceil(this.centres.length * growthAt(this.centres.length, GROWTH.growth)));
      grown.set(this.centres.subarray(0, this.centreCount * r));
      this.centres = grown;
    }
    for (let c = 0; c < r; c++) this.centres[this.centreCount * r + c] = u[uAt + c];
    this.centreCount++;
    if (x) {
      this.inputs.reserve(this.n0);
      for (let d = 0; d < this.n0; d++) this.inputs.data[this.inputs.length++] = x[xAt + d];
    }
    this.margins.push(margin);
    return id;
  }

  /**
   * The start region: the box centre (or options.start), else seeded points of the box. With a
   * polytope domain, its deepest point in the box (one LP) instead of the centre, and seeded
   * points within its margin; no region at all when the domain is empty or thinner than the
   * threshold (an undecided margin is counted as uncertain).
   */
  start(processor: RegionProcessor): void {
    const { compiled, red, options } = this;
    const solves = processor.lp.solves;
    const iterations = processor.lp.iterations;
    const n0 = red.n0;
    const x = new Float64Array(n0);
    let centre: Float64Array | null = null;
    let room = 0;
    const prefix = options.prefix;
    // With a prefix, its cell is the domain the start is found in: the box (and polytope) cut by
    // the prefix's rows, a reduction of its own for this LP only (the rows lie in the first
    // layer's row space, so its u is this one's), the same decisions as a polytope domain's.
    const cellRed = prefix ? reduce(compiled, red.lo, red.hi, withRows(red.domain.input, prefix.cell)) : red;
    const domainProcessor = prefix ? new RegionProcessor(compiled, cellRed, processorOptions(options)) : processor;
    if (cellRed.domain.empty) return;
    if (cellRed.domain.count > 0) {
      const res = domainProcessor.domainInterior();
      this.stats.lpSolves += domainProcessor.lp.solves - (prefix ? 0 : solves);
      this.stats.lpIterations += domainProcessor.lp.iterations - (prefix ? 0 : iterations);
      centre = Float64Array.from(domainProcessor.lp.x);
      room = res.lower;
      if (!(res.ok && res.lower > processor.threshold)) {
        // Thinner than the threshold, or empty: decided exactly (an empty one has no regions).
        if (res.upper <= -processor.floor) return;
        const exact = domainProcessor.exact().domain(res.ok ? domainProcessor.lp.x : null);
        this.stats.exactDecisions++;
        if (!exact.decided) this.stats.uncertain++;
        if (!exact.decided || !exact.interior) return;
        centre = exact.x;
        room = exact.margin;
      }
    }
    let seed = 0x2545f491;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    const startStats = new Float64Array(STAT_NAMES.length);
    for (let attempt = 0; attempt < 64; attempt++) {
      for (let d = 0; d < n0; d++) {
        if (attempt === 0 && options.start) x[d] = options.start[d];
        else if (attempt === 0 || (attempt === 1 && options.start)) x[d] = centre ? centre[d] : 0.5 * (red.lo + red.hi);
        else x[d] = red.lo + random() * (red.hi - red.lo);
      }
      if (centre && attempt > 1) {
        // Toward a random point of the box, by less than the polytope's margin: still inside.
        let dist = 0;
        for (let d = 0; d < n0; d++) dist += (x[d] - centre[d]) ** 2;
        const step = Math.min(1, (0.9 * room) / Math.sqrt(dist)) * random();
        for (let d = 0; d < n0; d++) x[d] = centre[d] + step * (x[d] - centre[d]);
      }
      let pattern = forward(compiled, x).pattern;
      // A point within the cell's margin has the prefix (a guard against rounding at its edge).
      if (prefix && !inPrefix(compiled.layout, prefix, pattern, 0)) continue;
      let rows = processor.rowsOf(pattern, 0, startStats);
      let res = processor.interior(rows);
      if (!(res.lower > processor.threshold)) {
        // The float64 forward pass can put a unit that is a cancellation (10 h0 - h2 with h2
        // about 10 h0, exactly 5.6e-17 (0.5 - s)) on the wrong side at every point: the point's
        // pattern in exact arithmetic instead (exact-pattern.ts), when it is another.
        const exact = exactPattern(compiled, x);
        if (!patternsEqual(exact, 0, pattern, 0, compiled.layout.words) && !(prefix && !inPrefix(compiled.layout, prefix, exact, 0))) {
          this.stats.exactDecisions++;
          pattern = exact;
          rows = processor.rowsOf(pattern, 0, startStats);
          res = processor.interior(rows);
        }
      }
      this.stats.exactDecisions += startStats[STAT.exactDecisions];
      startStats.fill(0);
      let point: { margin: number; u: Float64Array; x: Float64Array } | null = res.lower > processor.threshold ? { margin: res.lower, u: processor.lp.u, x: processor.lp.x } : null;
      if (!point && ((centre && room <= processor.threshold && res.upper > -processor.floor) || res.upper > processor.floor)) {
        // In a domain thinner than the threshold every region is: decided exactly. So is a margin
        // the bounds leave open beyond the floor of zero (the float LP's point failed its rows: a
        // cancelling unit's row, normalised, can stand 1e14 away and upset it), as everywhere in
        // the traversal; a margin within the floor of zero moves on to the next point, as before.
        const exact = processor.exact().region(pattern, 0, null);
        this.stats.exactDecisions++;
        if (exact.certified) this.stats.exactCertified++;
        if (exact.interior) point = exact;
      }
      if (point) {
        this.addRegion(pattern, 0, point.u, 0, processorOptions(options).points ? point.x : null, 0, point.margin);
        this.stats.lpSolves += processor.lp.solves - solves;
        this.stats.lpIterations += processor.lp.iterations - iterations;
        return;
      }
    }
    throw new Error("no region with interior found from the box centre or 64 sampled points");
  }

  /**
   * Start the round of regions first..last-1: the known facets the last merge found for them,
   * grouped by region (a counting sort), each region's latest first.
   */
  beginRound(first: number, last: number): void {
    const n = this.nextTo.length;
    const to = this.nextTo.data;
    const size = last - first;
    const start = fresh(this.knownStartBuf, size + 1);
    start.fill(0);
    for (let e = 0; e < n; e++) start[to[e] - first + 1]++;
    for (let i = 0; i < size; i++) start[i + 1] += start[i];
    const hp = fresh(this.knownHpBuf, n);
    const from = fresh(this.knownFromBuf, n);
    const fill = fresh(this.knownFill, size);
    fill.set(start.subarray(1));
    for (let e = 0; e < n; e++) {
      const at = --fill[to[e] - first];
      hp[at] = this.nextHp.data[e];
      from[at] = this.nextFrom.data[e];
    }
    this.roundFirst = first;
    this.knownStart = start;
    this.knownHp = hp;
    this.knownFrom = from;
    this.nextTo.length = this.nextHp.length = this.nextFrom.length = 0;
  }

  /** The known facets of regions first..last-1 of the round, flattened (see RegionProcessor.processRange). */
  knownFor(first: number, last: number): { knownStart: Uint32Array; knownHp: Int32Array; knownFrom: Int32Array } {
    const a = first - this.roundFirst;
    const b = last - this.roundFirst;
    const s0 = this.knownStart[a];
    const knownStart = this.knownStart.slice(a, b + 1);
    for (let i = 0; i < knownStart.length; i++) knownStart[i] -= s0;
    return { knownStart, knownHp: this.knownHp.subarray(s0, this.knownStart[b]), knownFrom: this.knownFrom.subarray(s0, this.knownStart[b]) };
  }

  /**
   * Merge the output of regions first.. (in order) of the round that ends at roundEnd (regions
   * from roundEnd on are processed in a later round): both phases below, here. False when a
   * limit stopped the traversal.
   */
  merge(message: RoundMessage, first: number, roundEnd: number, budget: Budget): boolean {
    for (const copy of this.growFor(message)) copyInto(copy);
    const plan = this.mergeIds(message, first, roundEnd, budget);
    if (plan) writeRange(message, plan, this.destination());
    return plan !== null && !this.stopped;
  }

  /**
   * Whether the merge of `message` fits the facet, centre and input buffers as they are (else it
   * replaces them: a thread still writing an earlier range into them must have finished).
   */
  roomFor(message: RoundMessage): boolean {
    const proposals = message.margins.length;
    return (
      this.facetHp.length + message.facetHp.length <= this.facetHp.data.length &&
      (this.centreCount + proposals) * this.r <= this.centres.length &&
      (message.inputs.length === 0 || this.inputs.length + message.inputs.length <= this.inputs.data.length)
    );
  }

  /**
   * New facet, centre and input buffers with room for `message` (4x, see GROWTH), their content
   * not yet copied: the copies returned must be done before the next round reads the centres and
   * before the result (the listings and points are only written until then). Threads can do
   * them in parallel, with the ranges written into the new buffers meanwhile (other places).
   * Call only when no range is still being written into the old ones.
   */
  growFor(message: RoundMessage): BufferCopy[] {
    if (this.roomFor(message)) return [];
    const copies: BufferCopy[] = [];
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(g: Growable<T>, extra: number): void => {
      if (g.length + extra <= g.data.length) return;
      const from = g.data.subarray(0, g.length) as T;
      g.length = 0;
      g.reserve(from.length + extra);
      g.length = from.length;
      copies.push({ from, to: g.data });
    };
    const facets = message.facetHp.length;
    grow(this.facetHp, facets);
    grow(this.facetNb, facets);
    grow(this.facetSame, facets);
    if (message.inputs.length > 0) grow(this.inputs, message.inputs.length);
    const r = this.r;
    const need = (this.centreCount + message.margins.length) * r;
    if (need > this.centres.length) {
      let size = this.centres.length;
      while (need > size) size = Math.ceil(size * growthAt(size, GROWTH.growth));
      const grown = this.float64(size);
      copies.push({ from: this.centres.subarray(0, this.centreCount * r), to: grown });
      this.centres = grown;
    }
    return copies;
  }

  /** Where writeRange puts a range's listings, centres and points (valid until the next roomFor() is false). */
  destination(): RangeDestination {
    return { facetHp: this.facetHp.data, facetNb: this.facetNb.data, facetSame: this.facetSame.data, centres: this.centres, inputs: this.inputs.data, r: this.r, n0: this.n0 };
  }

  /**
   * The merge's first phase, in region order on this thread: the range's proposals get region
   * numbers (the first to propose a pattern gives its point), deferred facets are resolved,
   * each region's listings get their place (facetStart), and facets to regions of a later round
   * are passed on to them as known. The listings themselves, the new regions' centres and points
   * are written by writeRange (on any thread) at the places this gives. Null when a limit had
   * already stopped the traversal; at a limit during the range, a plan for the regions before it.
   */
  mergeIds(message: RoundMessage, first: number, roundEnd: number, budget: Budget): RangePlan | null {
    if (this.stopped) return null;
    const words = this.compiled.layout.words;
    for (let s = 0; s < STAT_NAMES.length; s++) this.stats[STAT_NAMES[s]] += message.stats[s];
    const proposals = message.margins.length;
    const hasX = message.inputs.length > 0;
    // Room for the whole message at once (the loops write into the arrays directly).
    const facets = message.facetHp.length;
    const regions = message.facetCounts.length;
    if (!this.roomFor(message)) throw new Error("internal: mergeIds before growFor");
    this.facetStart.reserve(regions);
    for (const g of [this.nextTo, this.nextHp, this.nextFrom]) g.reserve(facets);
    this.margins.reserve(proposals);
    const plan: RangePlan = {
      at: this.facetHp.length,
      regions: 0,
      facets: 0,
      ids: new Int32Array(proposals).fill(-1),
      deferredIds: new Int32Array(message.deferred.length / words),
      newFrom: this.table.count,
      newProposals: new Int32Array(proposals),
      inputAt: this.inputs.length,
    };
    const { ids, deferredIds, newProposals } = plan;
    let created = 0;
    const prefix = this.options.prefix;
    const layout = this.compiled.layout;
    const idOf = (p: number): number => {
      if (ids[p] !== -1) return ids[p];
      let id = this.table.find(message.patterns, p * words);
      if (id < 0 && prefix && !inPrefix(layout, prefix, message.patterns, p * words)) {
        // Another job's region: never numbered here (writeRange skips it); its facet is a cut.
        ids[p] = OUTSIDE;
        return OUTSIDE;
      }
      if (id < 0) {
        id = this.table.add(message.patterns, p * words);
        this.margins.data[this.margins.length++] = message.margins[p];
        newProposals[created++] = p;
      }
      ids[p] = id;
      return id;
    };
    const facetHp = message.facetHp;
    const facetTarget = message.facetTarget;
    const nextTo = this.nextTo.data;
    const nextHp = this.nextHp.data;
    const nextFrom = this.nextFrom.data;
    let listed = this.facetHp.length;
    let next = this.nextTo.length;
    let f = 0;
    let p = 0;
    let j = 0;
    for (; j < regions; j++) {
      const i = first + j;
      this.facetStart.data[this.facetStart.length++] = listed;
      for (const end = f + message.facetCounts[j]; f < end; f++) {
        const target = facetTarget[f];
        // A region found before the round: listed, and never in a later round.
        if (target >= 0) {
          listed++;
          continue;
        }
        let nb: number;
        const q = proposalOf(target);
        if (q >= 0) {
          nb = idOf(q);
          if (nb === OUTSIDE) {
            this.addCut(i, facetHp[f], message.patterns, q * words, message.facetSame[f], 0);
            continue;
          }
        } else {
          // Deferred: a facet (convexity) if an earlier region of the round found the region.
          const d = deferredOf(target);
          nb = this.table.find(message.deferred, d * words);
          deferredIds[d] = nb;
          if (nb < 0 && prefix && !inPrefix(layout, prefix, message.deferred, d * words)) this.addCut(i, facetHp[f], message.deferred, d * words, message.facetSame[f], 1);
          if (nb < 0) continue;
        }
        listed++;
        if (nb >= roundEnd) {
          // Tell the neighbour (processed in the next round) that this facet is certified.
          nextTo[next] = nb;
          nextHp[next] = facetHp[f];
          nextFrom[next++] = i;
        }
      }
      // Regions the region proposed without a facet to them (certified all the same).
      for (const end = p + message.proposalCounts[j]; p < end; p++) idOf(p);
      if (this.maps) {
        const mapSize = this.mapSize;
        this.outputs.reserve(mapSize);
        this.outputs.data.set(message.maps.subarray(j * mapSize, (j + 1) * mapSize), this.outputs.length);
        this.outputs.length += mapSize;
      }
      this.processed++;
      try {
        budget.tick();
      } catch (e) {
        this.stopped = caughtLimit(e);
        j++;
        break;
      }
    }
    plan.regions = j;
    plan.facets = f;
    plan.newProposals = newProposals.subarray(0, created);
    this.facetHp.length = this.facetNb.length = this.facetSame.length = listed;
    this.nextTo.length = this.nextHp.length = this.nextFrom.length = next;
    this.centreCount += created;
    if (hasX) this.inputs.length += created * this.n0;
    return plan;
  }

  /** A facet of region i toward the region of another prefix (CutListings). */
  private addCut(i: number, hp: number, patterns: Uint32Array, at: number, same: number, conditional: number): void {
    const words = this.compiled.layout.words;
    this.cutRegion.push(i);
    this.cutHp.push(hp);
    this.cutSame.push(same);
    this.cutConditional.push(conditional);
    this.cutPatterns.reserve(words);
    for (let w = 0; w < words; w++) this.cutPatterns.data[this.cutPatterns.length++] = patterns[at + w];
  }

  /** What the traversal found; `processor` gives the maps of regions found but not processed (at a limit). */
  result(processor: RegionProcessor): TraverseResult {
    for (let i = this.processed; i < this.table.count; i++) this.facetStart.push(this.facetHp.length);
    this.facetStart.push(this.facetHp.length);
    if (this.maps) {
      const { mapSize, r } = this;
      const outputSize = this.compiled.outputSize;
      const words = this.compiled.layout.words;
      this.outputs.reserve((this.table.count - this.processed) * mapSize);
      for (let i = this.processed; i < this.table.count; i++) {
        const map = processor.mapOf(this.table.patterns, i * words);
        for (let o = 0; o < outputSize; o++) for (let c = 0; c <= r; c++) this.outputs.data[this.outputs.length++] = map[c * outputSize + o];
      }
    }
    return {
      stopped: this.stopped,
      table: this.table,
      r: this.r,
      centres: this.centres.subarray(0, this.centreCount * this.r),
      inputPoints: this.inputs.toArray(),
      margins: this.margins.toArray(),
      outputs: this.outputs.toArray(),
      facetStart: this.facetStart.toArray(),
      facetHyperplane: this.facetHp.toArray(),
      facetNeighbour: this.facetNb.toArray(),
      facetSame: this.facetSame.toArray(),
      stats: this.stats,
      ...(this.options.prefix
        ? {
            cut: {
              region: this.cutRegion.toArray(),
              hp: this.cutHp.toArray(),
              patterns: this.cutPatterns.toArray(),
              same: this.cutSame.toArray(),
              conditional: this.cutConditional.toArray(),
            },
          }
        : {}),
    };
  }
}

/** A polytope's rows followed by more rows (either may be absent). */
function withRows(a: InputPolytope | undefined, b: InputPolytope): InputPolytope {
  if (!a || a.b.length === 0) return b;
  const A = new Float64Array(a.A.length + b.A.length);
  A.set(a.A);
  A.set(b.A, a.A.length);
  const rhs = new Float64Array(a.b.length + b.b.length);
  rhs.set(a.b);
  rhs.set(b.b, a.b.length);
  return { A, b: rhs };
}

/** The growth of the traversal's buffers (see buffers.ts): fresh pages are what a copy costs. */
const GROWTH = { growth: 4 };

/** The first n items of a reused buffer, grown if needed (their content is the caller's to set). */
function fresh<T extends Int32Array | Uint32Array>(g: Growable<T>, n: number): T {
  g.length = 0;
  g.reserve(n);
  g.length = n;
  return g.data.subarray(0, n) as T;
}

/** Where a range's listings, new centres and points go (the traversal's buffers: shared ones when threads write). */
export interface RangeDestination {
  facetHp: Int32Array;
  facetNb: Int32Array;
  facetSame: Uint8Array;
  centres: Float64Array;
  inputs: Float64Array;
  r: number;
  n0: number;
}

/** A growth's copy of a buffer's content into its successor (Traversal.growFor). */
export interface BufferCopy {
  from: Int32Array | Uint8Array | Float64Array;
  to: Int32Array | Uint8Array | Float64Array;
}

/** Part `part` of `parts` of a BufferCopy (all of it by default). */
export function copyInto(copy: BufferCopy, part = 0, parts = 1): void {
  const n = copy.from.length;
  const a = Math.floor((n * part) / parts);
  const b = Math.floor((n * (part + 1)) / parts);
  (copy.to as Float64Array).set((copy.from as Float64Array).subarray(a, b), a);
}

/** What the merge's first phase decided for a range (Traversal.mergeIds), for writeRange. */
export interface RangePlan {
  /** The place of the range's first listing. */
  at: number;
  /** Regions and facets of the message merged (all but at a limit). */
  regions: number;
  facets: number;
  /** Per proposal its region; per deferred pattern its region or -1 (not a facet). */
  ids: Int32Array;
  deferredIds: Int32Array;
  /** The range's new regions are newFrom.. in order, from these proposals. */
  newFrom: number;
  newProposals: Int32Array;
  /** The place of the first new region's input point (when points are kept). */
  inputAt: number;
}

/**
 * The merge's second phase: the range's listings (hyperplane, region across, map equality) at
 * their places, and its new regions' centres and points. It writes only where its plan says,
 * so the ranges of a round may be written on different threads in any order.
 */
export function writeRange(message: RoundMessage, plan: RangePlan, dest: RangeDestination): void {
  const { facetHp, facetNb, facetSame, centres, inputs, r, n0 } = dest;
  const { ids, deferredIds } = plan;
  const hpIn = message.facetHp;
  const targetIn = message.facetTarget;
  const sameIn = message.facetSame;
  let listed = plan.at;
  for (let f = 0; f < plan.facets; f++) {
    const target = targetIn[f];
    let nb = target;
    if (target < 0) {
      const q = proposalOf(target);
      nb = q >= 0 ? ids[q] : deferredIds[deferredOf(target)];
      if (nb < 0) continue;
    }
    facetHp[listed] = hpIn[f];
    facetNb[listed] = nb;
    facetSame[listed++] = sameIn[f];
  }
  const created = plan.newProposals;
  for (let q = 0; q < created.length; q++) {
    const p = created[q];
    const to = (plan.newFrom + q) * r;
    for (let c = 0; c < r; c++) centres[to + c] = message.centres[p * r + c];
  }
  if (message.inputs.length > 0) {
    for (let q = 0; q < created.length; q++) inputs.set(message.inputs.subarray(created[q] * n0, (created[q] + 1) * n0), plan.inputAt + q * n0);
  }
}

/** Regions per range when a round is split (small rounds stay whole). */
export const RANGE_MIN = 64;

/**
 * Regions first..last-1 of the current round processed on this thread as one range, into `out`
 * (reset first; the message's arrays are views of its buffers, valid until its next use).
 */
export function localRound(traversal: Traversal, processor: RegionProcessor, out: RoundOutput, first: number, last: number, poll: () => void): RoundMessage {
  const { knownStart, knownHp, knownFrom } = traversal.knownFor(first, last);
  out.reset();
  processor.processRange({ table: traversal.table, centres: traversal.centres }, first, first, last, knownStart, knownHp, knownFrom, out, poll);
  return out.message();
}

/** The traversal on this thread: rounds processed in one range each. */
export function traverse(compiled: Compiled, red: Reduction, options: TraverseOptions): TraverseResult {
  const traversal = new Traversal(compiled, red, options);
  const processor = new RegionProcessor(compiled, red, processorOptions(options));
  traversal.start(processor);
  const budget = options.budget;
  const poll = () => budget.poll();
  const out = new RoundOutput(compiled.layout.words, red.r, compiled.outputSize);
  try {
    while (traversal.processed < traversal.table.count) {
      const first = traversal.processed;
      const last = traversal.table.count;
      traversal.stats.rounds++;
      traversal.beginRound(first, last);
      if (!traversal.merge(localRound(traversal, processor, out, first, last, poll), first, last, budget)) break;
    }
  } catch (e) {
    traversal.stopped = caughtLimit(e);
  }
  return traversal.result(processor);
}
