/**
 * Processing one region of the traversal (docs/whole.md): its facets, and the regions across them
 * that the traversal has not found yet, as proposals. A processor reads the regions found before
 * the current round (a view: patterns and centres) and writes what it finds into a RoundOutput;
 * the traversal (engine.ts) merges the outputs in region order. A region's result depends only on
 * that view, the proposals of earlier regions of the same run of `processRange`, and itself, so
 * any split of a round into ranges (worker threads) merges to the same partition.
 *
 * For a region:
 * 1. its rows in the reduced space (constraints.ts), coincident rows grouped (one facet each,
 *    row-groups.ts), rows float64 cannot be trusted with settled exactly (settle-rows.ts);
 * 2. for each group, the neighbour's pattern across it (neighbour.ts; for units of the last
 *    piecewise step with one breakpoint, the pattern with those units flipped);
 * 3. the group is decided, cheapest first:
 *    - known: the neighbour already certified this facet from its side (an earlier round);
 *    - bounds: the hyperplane misses the interior of U (support function, support-bounds.ts)
 *      -> not a facet;
 *    - both sides known regions and only the facet's rows differ -> a facet (convexity);
 *    - known points: the segment between the two regions' centres crosses the hyperplane where
 *      every other row holds with a margin -> a facet (segment-witness.ts);
 *    - a point beside the first layer's common point (star.ts), certified by the neighbour's rows;
 *    - the LP in u alone (step-point.ts: r columns, a relaxation of U): its bound rejects the row;
 *    - across a flip-only facet, the neighbour's point from its LP over an inner zonotope of U
 *      (inner-zonotope.ts: 2r tied inputs, not n0), certified by the neighbour's rows;
 *    - across other facets, a point of the neighbour (neighbour-point.ts: a step from this
 *      region's point, else its LP over the inner zonotope), and the facet by the segment to it or by the facet's LP over
 *      the inner zonotope;
 *    - an LP (box-lp.ts): the largest margin of the other rows on the hyperplane, certified from
 *      both sides; above the thinness threshold a facet, certainly below zero not, anything
 *      between (thin, exactly 0, straddling) decided exactly (margin-verdict.ts, exact-decision.ts);
 * 4. a facet to an unknown pattern proposes a new region, with its point from the star, the
 *    inner zonotope, a step (from this region's point, or from the facet LP's point) or an LP;
 * 5. each facet it lists says whether the output maps on its two sides are equal (facet-maps.ts,
 *    same-map.ts), for the linear pieces, so that no region's map needs keeping (the region's own map is the
 *    one its rows give; with `maps`, it goes to the output in region order).
 * A neighbour that an earlier region of the round borders by one last-step unit is left to that
 * region to propose (earlier-neighbour.ts).
 */
import type { Compiled } from "../../model/forward.ts";
import { getState, patternsEqual, setState } from "../../model/pattern.ts";
import { BoxLp } from "./box-lp.ts";
import { FORM_EQUALITY, FORM_REVERSED, RejectionCertificates } from "./certificates.ts";
import { DOMAIN_STEP, type HyperplaneIds, hyperplaneIds, maxRows, RegionRows, type RowScratch, regionRows, rowScratch } from "./constraints.ts";
import { earlierNeighbour } from "./earlier-neighbour.ts";
import type { ExactDecider } from "./exact-decision.ts";
import { FacetMaps } from "./facet-maps.ts";
import { InnerZonotope } from "./inner-zonotope.ts";
import { interiorFound, MARGIN_FLOAT_ZERO, MARGIN_NONE, MARGIN_OPEN, MARGIN_SURE, MarginRule } from "./margin-verdict.ts";
import { NeighbourPass } from "./neighbour.ts";
import { NeighbourPoint } from "./neighbour-point.ts";
import { PatternTable } from "./pattern-table.ts";
import type { Reduction } from "./reduce.ts";
import { KNOWN, proposalTarget, type RoundOutput, STAT } from "./round-output.ts";
import { RowGroups } from "./row-groups.ts";
import { segmentWitness } from "./segment-witness.ts";
import { FLAT_TOL, RowSettler } from "./settle-rows.ts";
import { inPrefix, ownNumber, prefixNumber, type SignPrefix } from "./sign-prefix.ts";
import { findStar, marginAt, type Star, starPoint } from "./star.ts";
import { StepPoint } from "./step-point.ts";
import { SupportBounds } from "./support-bounds.ts";

export interface ProcessorOptions {
  eps: number;
  points: boolean;
  star: boolean;
  /**
   * Rows proved not to be facets without a full LP (default true): an earlier LP's certificate
   * (certificates.ts), and LPs stopped once their bound proves it (box-lp.ts stopBelow). Off:
   * every candidate's LP runs to its optimum, as before (tests and benchmarks compare the two).
   */
  lpShortcuts?: boolean;
  /** A polytope domain's rows generated lazily in the LPs (box-lp.ts; default true). */
  rowGeneration?: boolean;
  /**
   * New regions' points and facets without the box LP, certified by the regions' own rows
   * (default true): the LP in u's rejections and steps (step-point.ts), the LPs over an inner
   * zonotope of U (inner-zonotope.ts). Off: the LP's points, as before. The points differ, so
   * may the numbering; the partition (patterns, facets, pieces, adjacency) is the same.
   */
  stepPoints?: boolean;
  /** Send each processed region's output map (default: none; the facets carry map equality). */
  maps?: boolean;
  /** Only this sign prefix's regions (a split count's job, engine.ts): facets toward other jobs are decided by the lower-numbered job only (processRange). */
  prefix?: SignPrefix;
}

/** The regions found before the round: patterns (by table) and centres (r per region). */
export interface RegionView {
  table: PatternTable;
  centres: Float64Array;
}

/**
 * Generators of the inner zonotope per reduced dimension (inner-zonotope.ts). On trained and
 * random 784-8-8-10s, 2r gave the neighbour's point for all but a handful of flip-only facets
 * (4r and 8r no more, at a higher cost per pivot).
 */
const INNER_GENERATORS = 2;

export class RegionProcessor {
  readonly r: number;
  readonly threshold: number;
  /**
   * An allowance for the rounding of the float rows (1e-3 of the threshold, 1e-12 of the
   * domain's radius by default): a margin whose certified upper bound is below -floor is none;
   * one between that and the threshold is decided exactly (exact-decision.ts).
   */
  readonly floor: number;
  readonly star: Star | null;
  private readonly ids: HyperplaneIds;
  private readonly rows: RegionRows;
  private readonly other: RegionRows;
  /** Step 5: are the output maps on a facet's two sides equal. */
  private readonly facetMaps: FacetMaps;
  private readonly scratch: RowScratch;
  /** The rows float64 cannot be trusted with, settled exactly; the exact decider. */
  private readonly settler: RowSettler;
  /** Step 1: the region's rows grouped by hyperplane, one facet candidate per group. */
  private readonly groups: RowGroups;
  /** What float64's certified bounds on a margin decide alone (margin-verdict.ts). */
  private readonly margins: MarginRule;
  private readonly pass: NeighbourPass;
  readonly lp: BoxLp;
  private readonly sHi: number;
  private readonly lpA: Float64Array;
  private readonly lpNu: Float64Array;
  private readonly lpB: Float64Array;
  private readonly lpEq: Uint8Array;
  /** Per LP row, its id for the certificates: the hyperplane id, or after them the domain row's. */
  private readonly lpId: Int32Array;
  private readonly certificates: RejectionCertificates;
  private readonly groupOf: Int32Array;
  private readonly members: Int32Array;
  private readonly neighbour: Uint32Array;
  private readonly probe: Uint32Array;
  /** 3a: the hyperplane's range over U. */
  private readonly supportBounds: SupportBounds;
  private readonly y: Float64Array;
  private readonly starU: Float64Array;
  private readonly starX: Float64Array;
  private readonly starErr: number;
  private readonly lastStep: number;
  private readonly lastSingle: boolean;
  /** With a prefix, its number (sign-prefix.ts). */
  private readonly prefixOwn: number;
  /** Proposals of this run of processRange (patterns), to reuse within it. */
  private pending: PatternTable;
  private readonly groupHp: Int32Array;
  private readonly stepper: StepPoint | null;
  private innerZ: InnerZonotope | null = null;
  /** 3f: a point of the neighbour across a facet of an earlier step's units, certified by its rows. */
  private readonly neighbourPoint: NeighbourPoint;
  /** 1, or the domain's radius when it is smaller: the scale of the absolute allowances. */
  private readonly unit: number;

  constructor(
    readonly compiled: Compiled,
    readonly red: Reduction,
    readonly options: ProcessorOptions,
  ) {
    const r = red.r;
    this.r = r;
    const capacity = maxRows(compiled.steps) + red.domain.count;
    this.ids = hyperplaneIds(compiled.steps);
    const lastStep = this.ids.last >= 0 ? compiled.steps[this.ids.last] : null;
    const lastWidth = lastStep?.kind === "elementwise" ? lastStep.size : 0;
    this.rows = new RegionRows(r, capacity, compiled.outputSize, lastWidth);
    this.other = new RegionRows(r, capacity, compiled.outputSize);
    this.scratch = rowScratch(compiled, red);
    this.settler = new RowSettler(compiled, red, this.ids, this.scratch);
    this.pass = new NeighbourPass(compiled, red);
    this.lp = new BoxLp({ ...red, lazyDomainRows: options.rowGeneration });
    this.threshold = options.eps * red.radius;
    this.floor = 1e-3 * this.threshold;
    this.margins = new MarginRule(this.threshold, this.floor, red.n0);
    this.groups = new RowGroups(compiled, red, this.ids, this.settler, this.threshold);
    // Units of the domain's size where it is small (scale-free: a box 1e-12 wide is a box 1 wide).
    this.unit = Math.min(1, red.radius);
    this.sHi = 2 * red.radius + this.unit;
    this.lpA = new Float64Array(capacity * r);
    this.lpNu = new Float64Array(capacity);
    this.lpB = new Float64Array(capacity);
    this.lpEq = new Uint8Array(capacity);
    this.lpId = new Int32Array(capacity);
    this.certificates = new RejectionCertificates(this.ids.total + red.domain.count, capacity);
    this.groupOf = new Int32Array(capacity);
    this.members = new Int32Array(capacity);
    this.neighbour = new Uint32Array(compiled.layout.words);
    this.facetMaps = new FacetMaps(compiled, red, this.ids, capacity, this.rows, this.members, this.neighbour, this.scratch, this.settler);
    this.probe = new Uint32Array(compiled.layout.words);
    this.supportBounds = new SupportBounds(red, this.ids.total, this.unit, this.floor);
    this.y = new Float64Array(r);
    this.star = options.star ? findStar(compiled, red, options.rowGeneration !== false) : null;
    this.starU = new Float64Array(r);
    this.starX = new Float64Array(red.n0);
    // Rounding of a star point in u (its computation and Q Q^T = I): far below any margin it certifies.
    this.starErr = 1e-11 * red.radius;
    this.lastStep = this.ids.last;
    this.lastSingle = lastStep !== null && lastStep.kind === "elementwise" && lastStep.breakpoints.length === 1;
    this.prefixOwn = options.prefix ? ownNumber(options.prefix) : -1;
    this.pending = new PatternTable(compiled.layout.words);
    this.groupHp = new Int32Array(capacity);
    this.stepper = options.stepPoints === false ? null : new StepPoint(red, capacity, this.starErr, FLAT_TOL);
    this.neighbourPoint = new NeighbourPoint(red, this.other, this.stepper, () => this.inner(), this.threshold, this.starErr, this.sHi, this.y);
  }

  /** The inner zonotope of U (inner-zonotope.ts), made on first need. */
  private inner(): InnerZonotope {
    this.innerZ ??= new InnerZonotope(this.red, INNER_GENERATORS * this.r);
    return this.innerZ;
  }

  /** The decisions float64 leaves open, decided exactly (exact-decision.ts); made on first need. */
  exact(): ExactDecider {
    return this.settler.exact();
  }

  /** The interior LP of the rows in `rs` (last in this.lp): certified margin bounds. */
  interior(rs: RegionRows): { lower: number; upper: number; ok: boolean } {
    for (let f = 0; f < rs.flatCount; f++) if (rs.flatValue[f] > FLAT_TOL) return { lower: -Infinity, upper: -Infinity, ok: true };
    return this.largestMargin(rs.count, rs.A, rs.b);
  }

  /** The largest margin of a point of the box inside the domain's own rows (a polytope; the start). */
  domainInterior(): { lower: number; upper: number; ok: boolean } {
    const { count, A, b } = this.red.domain;
    return this.largestMargin(count, A, b);
  }

  /** Largest s with A_k . u + s <= b_k for every row k at a point of the box (certified bounds). */
  private largestMargin(K: number, A: Float64Array, b: Float64Array): { lower: number; upper: number; ok: boolean } {
    const { r, lpA, lpB, lpNu, lpEq } = this;
    let maxB = 0;
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < r; c++) lpA[k * r + c] = A[k * r + c];
      lpB[k] = b[k];
      lpNu[k] = 1;
      lpEq[k] = 0;
      maxB = Math.max(maxB, Math.abs(b[k]));
    }
    const res = this.lp.solve(K, lpA, lpNu, lpB, lpEq, -(maxB + this.sHi), this.sHi);
    return { lower: res.lower, upper: res.upper, ok: res.status === "optimal" };
  }

  /** The output map of `pattern`, outputSize x (r + 1) channel-major (valid until the next call). */
  mapOf(pattern: Uint32Array, offset: number): Float64Array {
    return this.facetMaps.mapOf(pattern, offset);
  }

  /** The rows of `pattern` into the processor's second row buffer (the start region), canonical (canonicalRows). */
  rowsOf(pattern: Uint32Array, offset: number, stats: Float64Array): RegionRows {
    this.settler.canonicalRows(this.other, pattern, offset, stats);
    return this.other;
  }

  /**
   * Process regions first..last-1 of the view (their patterns in view.table), with the facets
   * certified from the other side as (hyperplane, region) pairs knownHp/knownFrom between
   * knownStart[i - first] and knownStart[i - first + 1]. `poll` is called once per candidate.
   * The LP solves and iterations of the range are added to `out`'s stats.
   */
  processRange(
    view: RegionView,
    roundFirst: number,
    first: number,
    last: number,
    knownStart: Uint32Array,
    knownHp: Int32Array,
    knownFrom: Int32Array,
    out: RoundOutput,
    poll: () => void,
  ): void {
    this.pending = new PatternTable(this.compiled.layout.words);
    const solves = this.lp.solves;
    const iterations = this.lp.iterations;
    const stopped = this.lp.stopped;
    const smallSolves = this.stepper?.small.solves ?? 0;
    const smallIterations = this.stepper?.small.iterations ?? 0;
    const innerSolves = this.innerZ?.lp.solves ?? 0;
    const innerIterations = this.innerZ?.lp.iterations ?? 0;
    for (let i = first; i < last; i++) {
      this.processRegion(view, roundFirst, i, knownHp, knownFrom, knownStart[i - first], knownStart[i - first + 1], out, poll);
      out.endRegion();
    }
    out.stats[STAT.lpSolves] += this.lp.solves - solves;
    out.stats[STAT.lpIterations] += this.lp.iterations - iterations;
    out.stats[STAT.lpStopped] += this.lp.stopped - stopped;
    if (this.stepper) {
      out.stats[STAT.smallLpSolves] += this.stepper.small.solves - smallSolves;
      out.stats[STAT.smallLpIterations] += this.stepper.small.iterations - smallIterations;
    }
    if (this.innerZ) {
      out.stats[STAT.innerLpSolves] += this.innerZ.lp.solves - innerSolves;
      out.stats[STAT.innerLpIterations] += this.innerZ.lp.iterations - innerIterations;
    }
  }

  private propose(pattern: Uint32Array, margin: number, u: Float64Array, x: Float64Array | null, out: RoundOutput): number {
    const index = this.pending.add(pattern, 0);
    const keep = this.options.points;
    if (keep && x === null && this.star) {
      x = this.starX;
      starPoint(this.star, this.compiled, pattern, 0, this.starU, x);
    }
    out.addProposal(pattern, u, keep ? x : null, margin);
    return index;
  }

  private processRegion(
    view: RegionView,
    roundFirst: number,
    i: number,
    knownHp: Int32Array,
    knownFrom: Int32Array,
    k0: number,
    k1: number,
    out: RoundOutput,
    poll: () => void,
  ): void {
    const { compiled, red, ids, rows, other, scratch, r, threshold, floor, groupOf, members, neighbour, lpA, lpB, lpNu, lpEq, lpId } = this;
    const stats = out.stats;
    const shortcuts = this.options.lpShortcuts !== false;
    const prefix = this.options.prefix;
    const table = view.table;
    const words = compiled.layout.words;
    const lastStep = this.lastStep;
    const centres = view.centres;
    // The output map only when it is kept (or a facet needs it: withOwnMap).
    const maps = this.options.maps === true;
    regionRows(compiled, red, ids, table.patterns, i * words, rows, scratch, maps);
    this.facetMaps.begin(maps);
    if (maps) out.addRegionMap(rows.output);
    this.settler.settleFlats(rows, table.patterns, i * words, stats);
    const K = rows.count;
    // Coincident rows (same unit normal and offset) form one group.
    this.groups.group(rows, groupOf, table.patterns, i * words, stats);
    const cu = i * r;
    for (let k = 0; k < K; k++) {
      if (groupOf[k] !== k || rows.step[k] === DOMAIN_STEP) continue;
      poll();
      let size = 0;
      for (let q = k; q < K; q++) if (groupOf[q] === k) members[size++] = q;
      // 1. Certified from the other side.
      let known = -1;
      for (let e = k0; e < k1 && known < 0; e++) {
        for (let g = 0; g < size; g++) if (rows.hp[members[g]] === knownHp[e]) known = knownFrom[e];
      }
      if (known >= 0) {
        stats[STAT.knownFacets]++;
        out.addFacet(rows.hp[k], known, KNOWN);
        continue;
      }
      // When the facet's units are in the last piecewise step and have one breakpoint, nothing
      // else changes across it: the neighbour's pattern is this one with those units flipped,
      // and its rows are these with the facet's rows flipped.
      let flipOnly = this.lastSingle;
      for (let g = 0; g < size && flipOnly; g++) if (rows.step[members[g]] !== lastStep) flipOnly = false;
      // 2. The neighbour's pattern.
      if (flipOnly) {
        for (let w = 0; w < words; w++) neighbour[w] = table.patterns[i * words + w];
        for (let g = 0; g < size; g++) {
          const unit = rows.unit[members[g]];
          setState(compiled.layout, neighbour, 0, lastStep, unit, 1 - getState(compiled.layout, neighbour, 0, lastStep, unit));
        }
      } else {
        const changed = this.pass.across(rows, members, size, FLAT_TOL, table.patterns, i * words, neighbour, 0);
        if (!this.settler.settleUnsure(this.pass, neighbour, rows.hp[k], table.patterns, i * words, stats) && !changed) {
          stats[STAT.unchanged]++;
          continue;
        }
      }
      // A split count's job (sign-prefix.ts): a facet toward another job's region is decided by
      // the lower-numbered job of the two only, and listed as deferred without the neighbour's
      // interior LP (the other job finds that region; the join keeps the facet if it does).
      const cut = prefix !== undefined && !inPrefix(compiled.layout, prefix, neighbour, 0);
      if (cut && prefixNumber(compiled.layout, prefix, neighbour, 0) < this.prefixOwn) continue;
      // 3a. Bounds: does the hyperplane meet the interior of U (with room above the threshold)?
      const hp = rows.hp[k];
      if (this.supportBounds.outside(rows, k)) {
        stats[STAT.supportRejected]++;
        continue;
      }
      // Within the threshold of U's far side (or the rows' rounding beyond it): a thin slab or
      // none, which the LP below decides (exactly, when its bounds leave it open).
      // The neighbour among the regions found before the round (id >= 0) or proposed in this
      // range (proposalTarget(p)), with its point; -1 when unknown.
      let target = table.find(neighbour, 0);
      let nbCentres: Float64Array = centres;
      let nbAt = target * r;
      if (target < 0 && !flipOnly && this.settler.canonicalRows(other, neighbour, 0, stats)) {
        // Units the pass left above a breakpoint they sit on exactly, moved below it (the regions
        // found are canonical, so only an unknown neighbour can need it).
        if (patternsEqual(neighbour, 0, table.patterns, i * words, words)) {
          stats[STAT.unchanged]++;
          continue;
        }
        target = table.find(neighbour, 0);
        nbAt = target * r;
      }
      if (target < 0) {
        const p = this.pending.find(neighbour, 0);
        if (p >= 0) {
          target = proposalTarget(p);
          nbCentres = out.proposalCentres.data;
          nbAt = p * r;
        }
      }
      const knownNb = target !== -1;
      if (knownNb && flipOnly) {
        // Both sides are regions and only the facet's rows differ: the other rows' intersection
        // is convex and meets both sides, so it meets the hyperplane in a facet of both, with a
        // margin at least the smaller of the two regions' (the segment between their points).
        stats[STAT.convexFacets]++;
        out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
        continue;
      }
      // 3b. Known points: a segment from this centre to the neighbour's.
      if (knownNb && segmentWitness(rows, groupOf, k, centres, cu, nbCentres, nbAt, r, threshold, this.y)) {
        stats[STAT.witnessFacets]++;
        out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
        continue;
      }
      // 3c'. An unknown neighbour across a one-unit flip-only facet that an earlier region of
      // this round is also next to (by one last-step unit): that region proposes it (crossing its
      // own one-unit facet), so this one only lists the facet, kept if the region is found
      // (convexity). Ranges of a round on different threads then seldom propose one region twice.
      if (!knownNb && flipOnly && size === 1 && earlierNeighbour(compiled.layout, lastStep, this.probe, table, neighbour, roundFirst, i, rows.unit[k])) {
        stats[STAT.deferredFacets]++;
        out.addDeferredFacet(hp, neighbour, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
        continue;
      }
      // 3c''. The same across any other facet: an unknown neighbour that an earlier region of the
      // round borders by one last-step unit is that region's to propose (if it has interior, the
      // two share that unit's facet, by convexity as above). This one still decides its own facet
      // (3d), but neither proposes the neighbour nor solves its interior LP: the facet is listed
      // as deferred, kept if the region was found. One thread finds such a neighbour among its
      // proposals (pending) before this; on threads, ranges no longer solve one region twice.
      const deferNb = !knownNb && !flipOnly && earlierNeighbour(compiled.layout, lastStep, this.probe, table, neighbour, roundFirst, i, -1);
      if (deferNb && this.star) {
        // The region's point, when its proposer takes it from the star (3c: always, when the star
        // point is inside it), is this one: the segment to it, as one thread tries (3b) with the
        // proposal it has already seen.
        regionRows(compiled, red, ids, neighbour, 0, other, scratch, false);
        this.settler.settleFlats(other, neighbour, 0, stats);
        starPoint(this.star, compiled, neighbour, 0, this.starU, null);
        if (marginAt(other, this.starU, this.starErr, FLAT_TOL) > threshold && segmentWitness(rows, groupOf, k, centres, cu, this.starU, 0, r, threshold, this.y)) {
          stats[STAT.witnessFacets]++;
          stats[STAT.deferredFacets]++;
          out.addDeferredFacet(hp, neighbour, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
          continue;
        }
      }
      // 3c. A point of the star for an unknown neighbour: certified by the neighbour's own rows
      // (across a flip-only facet: these rows with the facet's negated, bit for bit).
      if (!knownNb && !deferNb && this.star) {
        if (!flipOnly) {
          regionRows(compiled, red, ids, neighbour, 0, other, scratch, false);
          this.settler.settleFlats(other, neighbour, 0, stats);
        }
        starPoint(this.star, compiled, neighbour, 0, this.starU, null);
        const margin = flipOnly ? marginAt(rows, this.starU, this.starErr, FLAT_TOL, groupOf, k) : marginAt(other, this.starU, this.starErr, FLAT_TOL);
        if (margin > threshold) {
          stats[STAT.starRegions]++;
          const p = this.propose(neighbour, margin, this.starU, null, out);
          target = proposalTarget(p);
          if (flipOnly) {
            // As for a known neighbour above: both sides are regions, the facet exists.
            stats[STAT.convexFacets]++;
            out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
            continue;
          }
          if (segmentWitness(rows, groupOf, k, centres, cu, out.proposalCentres.data, p * r, r, threshold, this.y)) {
            stats[STAT.witnessFacets]++;
            out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
            continue;
          }
        }
      }
      // 3d. The LP: margin of the other groups on the hyperplane; for a flip-only facet one LP
      // over the neighbour's rows decides the facet (the neighbour has interior iff the facet
      // exists) and gives the neighbour's centre.
      let K2 = 0;
      let maxB = 0;
      for (let q = 0; q < K; q++) {
        if (groupOf[q] !== q && groupOf[q] !== k) continue;
        if (groupOf[q] === k && q !== k) continue;
        const sign = flipOnly && q === k ? -1 : 1;
        for (let c = 0; c < r; c++) lpA[K2 * r + c] = sign * rows.A[q * r + c];
        lpB[K2] = sign * rows.b[q];
        lpNu[K2] = q === k && !flipOnly ? 0 : 1;
        lpEq[K2] = q === k && !flipOnly ? 1 : 0;
        lpId[K2] = rows.hp[q] >= 0 ? rows.hp[q] : ids.total - 1 - rows.hp[q];
        maxB = Math.max(maxB, Math.abs(rows.b[q]));
        K2++;
      }
      // A certificate an earlier LP gave for this row, evaluated on these rows (certificates.ts):
      // not a facet without the LP, the same answer the LP's verdict NONE gives.
      const form = flipOnly ? FORM_REVERSED : FORM_EQUALITY;
      const sLo = -(maxB + this.sHi);
      if (shortcuts && this.certificates.rejects(this.lp, hp, form, K2, lpId, lpA, lpNu, lpB, lpEq, sLo, this.sHi, floor)) {
        stats[STAT.certificateRejected]++;
        continue;
      }
      // The same LP in u alone (step-point.ts relaxed: r columns instead of n0, over a cube cut
      // by U's extents, which holds U): its upper bound holds for the box LP too, so it can reject
      // the row without it.
      if (this.stepper) this.stepper.relaxed(K2, lpA, lpNu, lpB, lpEq, sLo, this.sHi);
      if (this.stepper && this.stepper.upper <= -floor) {
        stats[STAT.smallLpRejected]++;
        continue;
      }
      // 3e. A point of the neighbour from the same LP over an inner zonotope of U (inner-zonotope.ts:
      // a few tied inputs, not n0): certified by the neighbour's rows, the facet by convexity.
      if (!knownNb && flipOnly && this.stepper) {
        const inner = this.inner();
        if (inner.solve(K2, lpA, lpNu, lpB, lpEq, sLo, this.sHi)) {
          const margin = marginAt(rows, inner.u, this.starErr, FLAT_TOL, groupOf, k);
          if (margin > threshold) {
            stats[STAT.innerRegions]++;
            stats[STAT.stepRegions]++;
            target = proposalTarget(this.propose(neighbour, margin, inner.u, inner.x, out));
            stats[STAT.convexFacets]++;
            out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
            continue;
          }
        }
      }
      // 3f. Across any other facet (units of an earlier step: the neighbour's rows differ beyond
      // the facet's), a point of the neighbour certified by its own rows (neighbourPoint), and the
      // facet certified without the box LP: by the segment from this region's point to it (3b's
      // witness), else by the facet's LP over the inner zonotope, whose point of the box on the
      // hyperplane gets the lower bound the box LP's own point would (box-simplex.ts marginOf).
      let otherReady = false;
      if (!flipOnly && this.stepper) {
        regionRows(compiled, red, ids, neighbour, 0, other, scratch, false);
        this.settler.settleFlats(other, neighbour, 0, stats);
        otherReady = true;
        const margin = this.neighbourPoint.find(rows, groupOf, k, centres, cu, sLo);
        let facet = margin > threshold && this.neighbourPoint.witnessed;
        if (margin > threshold && !facet) {
          const inner = this.inner();
          facet = inner.solve(K2, lpA, lpNu, lpB, lpEq, sLo, this.sHi) && this.lp.marginOf(inner.u, K2, lpA, lpNu, lpB, lpEq) > threshold;
          if (facet) stats[STAT.innerFacets]++;
        }
        if (facet) {
          stats[STAT.stepFacets]++;
          if (deferNb || (target === -1 && cut)) {
            stats[STAT.deferredFacets]++;
            out.addDeferredFacet(hp, neighbour, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
            continue;
          }
          if (target === -1) {
            stats[STAT.stepRegions]++;
            target = proposalTarget(this.propose(neighbour, margin, this.neighbourPoint.u, this.neighbourPoint.x, out));
          }
          out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
          continue;
        }
      }
      // Stopped as soon as its multipliers prove the margin below -floor (box-lp.ts): not a facet.
      const res = this.lp.solve(K2, lpA, lpNu, lpB, lpEq, sLo, this.sHi, shortcuts ? -floor : -Infinity);
      // Certain from the bounds: a margin above the threshold, or none (below -floor, the float
      // rows' rounding). Anything between is decided exactly (exact-decision.ts).
      let margin = res.lower;
      let pointU = this.lp.u;
      let pointX = this.lp.x;
      const verdict = this.margins.verdict(res.status === "optimal", res.lower, res.upper, K2);
      if (verdict !== MARGIN_SURE) {
        if (verdict !== MARGIN_OPEN) {
          stats[STAT.lpRejected]++;
          if (verdict === MARGIN_NONE && shortcuts) this.certificates.keep(hp, form, K2, lpId, this.lp.multipliers());
          if (verdict === MARGIN_FLOAT_ZERO) stats[STAT.floatZeros]++;
          continue;
        }
        for (let g = 0; g < size; g++) this.groupHp[g] = rows.hp[members[g]];
        const exact = this.exact().across(table.patterns, i * words, this.groupHp.subarray(0, size), hp, res.status === "optimal" ? this.lp.x : null);
        if (!interiorFound(exact, stats, STAT.lpRejected)) continue;
        ({ margin, u: pointU, x: pointX } = exact);
      }
      stats[STAT.lpFacets]++;
      if (deferNb) {
        stats[STAT.deferredFacets]++;
        out.addDeferredFacet(hp, neighbour, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
        continue;
      }
      if (target === -1 && cut && !flipOnly) {
        out.addDeferredFacet(hp, neighbour, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
        continue;
      }
      if (target === -1 && flipOnly) {
        target = proposalTarget(this.propose(neighbour, margin, pointU, pointX, out));
      } else if (target === -1) {
        if (!otherReady) {
          regionRows(compiled, red, ids, neighbour, 0, other, scratch, false);
          this.settler.settleFlats(other, neighbour, 0, stats);
        }
        // A step from the facet's point outward, certified by the neighbour's rows; else its LP.
        const stepped = this.stepper ? this.stepper.across(other, rows.A, k * r, pointU, 0, threshold) : Number.NEGATIVE_INFINITY;
        if (stepped > threshold && this.stepper) {
          stats[STAT.stepRegions]++;
          target = proposalTarget(this.propose(neighbour, stepped, this.stepper.u, this.stepper.x, out));
          out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
          continue;
        }
        const inner = this.interior(other);
        margin = inner.lower;
        pointU = this.lp.u;
        pointX = this.lp.x;
        const innerVerdict = this.margins.verdict(inner.ok, inner.lower, inner.upper, other.count);
        if (innerVerdict !== MARGIN_SURE) {
          if (innerVerdict !== MARGIN_OPEN) {
            if (innerVerdict === MARGIN_FLOAT_ZERO) stats[STAT.floatZeros]++;
            stats[STAT.thinRegions]++;
            continue;
          }
          const exact = this.exact().region(neighbour, 0, inner.ok ? this.lp.x : null);
          if (!interiorFound(exact, stats, STAT.thinRegions)) continue;
          ({ margin, u: pointU, x: pointX } = exact);
        }
        target = proposalTarget(this.propose(neighbour, margin, pointU, pointX, out));
      }
      out.addFacet(hp, target, this.facetMaps.sameAcross(table.patterns, i * words, flipOnly, size, stats));
    }
  }
}
