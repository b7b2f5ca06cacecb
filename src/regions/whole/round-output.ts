/**
 * What processing a range of regions finds (processor.ts), in typed arrays that travel between
 * threads without per-item objects: per region the number of its facets (and its output map
 * when asked for); per facet its hyperplane id, the region across (a region found before the
 * round, or a proposal of this range) and whether the output maps on its two sides are equal;
 * per proposal its pattern, point and margin; and the counters. One RoundOutput serves round
 * after round (reset): its buffers grow to the largest range and are not allocated again.
 */
import { Growable, growableFloat64, growableInt32, growableUint8, growableUint32 } from "../buffers.ts";

/** Counter positions in `stats` (names as in TraverseStats). */
export const STAT = {
  lpSolves: 0,
  lpIterations: 1,
  knownFacets: 2,
  witnessFacets: 3,
  lpFacets: 4,
  supportRejected: 5,
  lpRejected: 6,
  unchanged: 7,
  uncertain: 8,
  thinRegions: 9,
  starRegions: 10,
  convexFacets: 11,
  deferredFacets: 12,
  mapsComputed: 13,
  /** Decisions the float bounds left open, made exactly (exact-decision.ts). */
  exactDecisions: 14,
  /** Margins within float64's reach of zero taken as zero without an exact decision (problems too large for one: margin-verdict.ts exactZeros). */
  floatZeros: 15,
  /** Candidate rows shown not to be facets by an earlier LP's certificate, without an LP (certificates.ts). */
  certificateRejected: 16,
  /** Candidate LPs stopped before their optimum once their bound proved the row not a facet (box-lp.ts stopBelow). */
  lpStopped: 17,
  /**
   * New regions whose point came without the box LP, certified by their rows: a step across the
   * facet (step-point.ts), or the LP over the inner zonotope (inner-zonotope.ts; across a
   * flip-only facet these are also innerRegions).
   */
  stepRegions: 18,
  /** Candidate rows rejected by the LP in u alone over a cube that holds U (step-point.ts relaxed), without the box LP. */
  smallLpRejected: 19,
  /** LPs in u alone (r columns, O(r^2 + K^2) a pivot) and their pivots; not in lpSolves/lpIterations. */
  smallLpSolves: 20,
  smallLpIterations: 21,
  /**
   * Facets across units of an earlier step certified without the box LP (processor.ts 3f): by the
   * segment to a point of the neighbour, or by the facet's LP over the inner zonotope (those also
   * innerFacets).
   */
  stepFacets: 22,
  /** New regions across a flip-only facet whose point the LP over the inner zonotope of U gave, without the box LP (inner-zonotope.ts). */
  innerRegions: 23,
  /** LPs over the inner zonotope and their pivots; not in lpSolves/lpIterations. */
  innerLpSolves: 24,
  innerLpIterations: 25,
  /** Facets across units of an earlier step certified by the facet's LP over the inner zonotope (its point's lower bound), without the box LP. */
  innerFacets: 26,
  /** Exact decisions of measure zero proven by a checked Farkas certificate, without the exact simplex (exact-decision.ts; also in exactDecisions). */
  exactCertified: 27,
} as const;
export const STAT_NAMES = Object.keys(STAT) as (keyof typeof STAT)[];

/** A facet's `same` when the region across decided it (a known facet): the other listing has it. */
export const KNOWN = 2;

/**
 * Facet targets: >= 0 a region found before the round, -1 none, -2 - 2p proposal p of the range,
 * -3 - 2d deferred pattern d (a facet if an earlier region of the round finds that region).
 */
export function proposalTarget(p: number): number {
  return -2 - 2 * p;
}
export function deferredTarget(d: number): number {
  return -3 - 2 * d;
}
/** The proposal a target names, or -1 when it names a deferred pattern. */
export function proposalOf(target: number): number {
  return (-2 - target) % 2 === 0 ? (-2 - target) / 2 : -1;
}
export function deferredOf(target: number): number {
  return (-3 - target) / 2;
}

/** The arrays of a RoundOutput, as sent between threads. */
export interface RoundMessage {
  facetCounts: Uint32Array;
  proposalCounts: Uint32Array;
  facetHp: Int32Array;
  facetTarget: Int32Array;
  /** Per facet: 1 the output maps on both sides are equal, 0 not, KNOWN decided by the region across. */
  facetSame: Uint8Array;
  patterns: Uint32Array;
  /** Patterns of the deferred facets' regions. */
  deferred: Uint32Array;
  centres: Float64Array;
  inputs: Float64Array;
  margins: Float64Array;
  /** Output maps of the processed regions, in order (when asked for), outputSize x (r + 1) each. */
  maps: Float64Array;
  stats: Float64Array;
}

/** A RoundOutput's buffers (their whole capacity), handed from one user to the next. */
export interface RoundBuffers {
  facetCounts: Uint32Array;
  proposalCounts: Uint32Array;
  facetHp: Int32Array;
  facetTarget: Int32Array;
  facetSame: Uint8Array;
  proposalPatterns: Uint32Array;
  deferredPatterns: Uint32Array;
  proposalCentres: Float64Array;
  proposalInputs: Float64Array;
  proposalMargins: Float64Array;
  regionMaps: Float64Array;
}

export class RoundOutput {
  readonly facetCounts: Growable<Uint32Array>;
  readonly proposalCounts: Growable<Uint32Array>;
  readonly facetHp: Growable<Int32Array>;
  readonly facetTarget: Growable<Int32Array>;
  readonly facetSame: Growable<Uint8Array>;
  readonly proposalPatterns: Growable<Uint32Array>;
  readonly deferredPatterns: Growable<Uint32Array>;
  readonly proposalCentres: Growable<Float64Array>;
  readonly proposalInputs: Growable<Float64Array>;
  readonly proposalMargins: Growable<Float64Array>;
  readonly regionMaps: Growable<Float64Array>;
  readonly stats = new Float64Array(STAT_NAMES.length);
  private regionFacets = 0;
  private regionProposals = 0;

  /**
   * `shared`: buffers on SharedArrayBuffers, so that a worker thread writes a range's output where
   * the calling thread reads it (no copy, no fresh pages per range); `buffers`: an earlier
   * RoundOutput's (from buffers()), reused, empty.
   */
  constructor(
    private readonly words: number,
    private readonly r: number,
    private readonly outputSize: number,
    options: { shared?: boolean; buffers?: RoundBuffers } = {},
  ) {
    const opts = { shared: options.shared ?? false };
    const b = options.buffers;
    this.facetCounts = b ? Growable.over(Uint32Array, b.facetCounts, opts) : growableUint32(1024, opts);
    this.proposalCounts = b ? Growable.over(Uint32Array, b.proposalCounts, opts) : growableUint32(1024, opts);
    this.facetHp = b ? Growable.over(Int32Array, b.facetHp, opts) : growableInt32(1024, opts);
    this.facetTarget = b ? Growable.over(Int32Array, b.facetTarget, opts) : growableInt32(1024, opts);
    this.facetSame = b ? Growable.over(Uint8Array, b.facetSame, opts) : growableUint8(1024, opts);
    this.proposalPatterns = b ? Growable.over(Uint32Array, b.proposalPatterns, opts) : growableUint32(1024, opts);
    this.deferredPatterns = b ? Growable.over(Uint32Array, b.deferredPatterns, opts) : growableUint32(1024, opts);
    this.proposalCentres = b ? Growable.over(Float64Array, b.proposalCentres, opts) : growableFloat64(1024, opts);
    this.proposalInputs = b ? Growable.over(Float64Array, b.proposalInputs, opts) : growableFloat64(1024, opts);
    this.proposalMargins = b ? Growable.over(Float64Array, b.proposalMargins, opts) : growableFloat64(1024, opts);
    this.regionMaps = b ? Growable.over(Float64Array, b.regionMaps, opts) : growableFloat64(1024, opts);
  }

  /** The buffers, whole, for a later RoundOutput (they may have grown). */
  buffers(): RoundBuffers {
    return {
      facetCounts: this.facetCounts.data,
      proposalCounts: this.proposalCounts.data,
      facetHp: this.facetHp.data,
      facetTarget: this.facetTarget.data,
      facetSame: this.facetSame.data,
      proposalPatterns: this.proposalPatterns.data,
      deferredPatterns: this.deferredPatterns.data,
      proposalCentres: this.proposalCentres.data,
      proposalInputs: this.proposalInputs.data,
      proposalMargins: this.proposalMargins.data,
      regionMaps: this.regionMaps.data,
    };
  }

  /** Empty again, the buffers kept. */
  reset(): void {
    for (const g of [this.facetCounts, this.proposalCounts, this.facetHp, this.facetTarget, this.facetSame, this.proposalPatterns, this.deferredPatterns]) g.length = 0;
    for (const g of [this.proposalCentres, this.proposalInputs, this.proposalMargins, this.regionMaps]) g.length = 0;
    this.stats.fill(0);
    this.regionFacets = 0;
    this.regionProposals = 0;
  }

  addFacet(hp: number, target: number, same: number): void {
    this.facetHp.push(hp);
    this.facetTarget.push(target);
    this.facetSame.push(same);
    this.regionFacets++;
  }

  endRegion(): void {
    this.facetCounts.push(this.regionFacets);
    this.proposalCounts.push(this.regionProposals);
    this.regionFacets = 0;
    this.regionProposals = 0;
  }

  /** A facet to the region of `pattern` if an earlier region of the round finds it. */
  addDeferredFacet(hp: number, pattern: Uint32Array, same: number): void {
    const d = this.deferredPatterns.length / this.words;
    this.deferredPatterns.reserve(this.words);
    for (let w = 0; w < this.words; w++) this.deferredPatterns.data[this.deferredPatterns.length++] = pattern[w];
    this.addFacet(hp, deferredTarget(d), same);
  }

  /** The processed region's output map, outputSize x (r + 1) channel-major (its rows'). */
  addRegionMap(output: Float64Array): void {
    const { r, outputSize } = this;
    // Stored as the other engines do: outputSize x (r + 1), [o * (r + 1) + c].
    const mapSize = outputSize * (r + 1);
    const out = this.regionMaps;
    out.reserve(mapSize);
    for (let o = 0; o < outputSize; o++) for (let c = 0; c <= r; c++) out.data[out.length++] = output[c * outputSize + o];
  }

  /** A proposed region. */
  addProposal(pattern: Uint32Array, u: ArrayLike<number>, x: ArrayLike<number> | null, margin: number): void {
    const { words, r } = this;
    this.regionProposals++;
    this.proposalPatterns.reserve(words);
    for (let w = 0; w < words; w++) this.proposalPatterns.data[this.proposalPatterns.length++] = pattern[w];
    this.proposalCentres.reserve(r);
    for (let c = 0; c < r; c++) this.proposalCentres.data[this.proposalCentres.length++] = u[c];
    if (x) {
      const n0 = x.length;
      this.proposalInputs.reserve(n0);
      for (let d = 0; d < n0; d++) this.proposalInputs.data[this.proposalInputs.length++] = x[d];
    }
    this.proposalMargins.push(margin);
  }

  message(): RoundMessage {
    return {
      facetCounts: this.facetCounts.toArray(),
      proposalCounts: this.proposalCounts.toArray(),
      facetHp: this.facetHp.toArray(),
      facetTarget: this.facetTarget.toArray(),
      facetSame: this.facetSame.toArray(),
      patterns: this.proposalPatterns.toArray(),
      deferred: this.deferredPatterns.toArray(),
      centres: this.proposalCentres.toArray(),
      inputs: this.proposalInputs.toArray(),
      margins: this.proposalMargins.toArray(),
      maps: this.regionMaps.toArray(),
      stats: this.stats,
    };
  }
}
