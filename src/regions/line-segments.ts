/**
 * Activation regions along many segments, each counted on its own (Hanin & Rolnick's protocol:
 * regions met by random lines or segments through input space). The line engine walks every
 * segment with one set of buffers and counts each segment's distinct patterns as its pieces come
 * out, without building a partition per segment: the counts equal
 * `linePartition(compiled, segment).activationRegions` for each segment.
 */
import type { Compiled } from "../model/forward.ts";
import { type Budget, caughtLimit, markStopped, type StopReason } from "./limits.ts";
import { LineEngine, type PatternSink } from "./line.ts";
import { segmentLength, segmentMap } from "./line-path.ts";
import { LineWalk } from "./line-walk.ts";
import { refuseDomain, refuseSubnormalParameters } from "./refusal.ts";

export interface SegmentCounts {
  /** Number of segments. */
  segments: number;
  /** Sum over the segments of each one's activation regions. */
  activationRegions: number;
  /** Activation regions of each segment, in order (only the segments counted whole when a limit stopped the run). */
  perSegment: Uint32Array;
  /** Set when a limit (options.budget) stopped the run: `segments` then counts the whole segments before it. */
  stopped?: StopReason;
  /** Decisions left uncertain (docs/numerics.md); absent when every decision was exact. */
  uncertain?: number;
}

export interface SegmentsOptions {
  /** Limits and progress (regions/limits.ts; each piece counts as a cell). */
  budget?: Budget;
}

/**
 * `segments` holds count x 2 points of inputSize coordinates, row-major: segment i runs from
 * segments[2i * n0 ..] to segments[(2i + 1) * n0 ..].
 */
export function countSegments(compiled: Compiled, segments: Float64Array, options: SegmentsOptions = {}): SegmentCounts {
  const n0 = compiled.inputSize;
  if (segments.length % (2 * n0) !== 0) throw new Error(`segments need 2 points of ${n0} coordinates each, got ${segments.length} numbers`);
  const count = segments.length / (2 * n0);
  const distinct = new DistinctPatterns(compiled.layout.words);
  // The WebAssembly walk (line-walk.ts) counts the segments it can certify; the engine the rest,
  // made when first needed. Under a budget, a segment the kernel counted ticks its pieces after
  // it, as many as the engine would have emitted, so a cell limit stops at the same segment.
  const budget = options.budget ?? null;
  const walk = LineWalk.for(compiled);
  let engine: LineEngine | null = null;
  const perSegment = new Uint32Array(count);
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  let total = 0;
  refuseDomain(segments, "the segments");
  refuseSubnormalParameters(compiled.steps);
  for (let g = 0; g < count; g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    const length = segmentLength(map, n0, `segment ${g + 1}`);
    if (walk !== null) {
      const regions = walk.count(map, residual, length);
      if (regions > 0) {
        if (budget !== null) {
          try {
            for (let p = walk.pieces(); p > 0; p--) budget.tick();
          } catch (e) {
            walk.release();
            const partial: SegmentCounts = { segments: g, activationRegions: total, perSegment: perSegment.slice(0, g) };
            return markStopped(partial, caughtLimit(e));
          }
        }
        perSegment[g] = regions;
        total += regions;
        continue;
      }
    }
    if (engine === null) {
      engine = new LineEngine(compiled, distinct);
      engine.budget = budget;
    }
    distinct.clear();
    if (engine.segment(g, length, map, residual)) {
      walk?.release();
      const partial: SegmentCounts = { segments: g, activationRegions: total, perSegment: perSegment.slice(0, g) };
      return markStopped(partial, engine.stopped);
    }
    perSegment[g] = distinct.size;
    total += distinct.size;
  }
  walk?.release();
  const uncertain = engine === null ? 0 : engine.uncertain;
  return { segments: count, activationRegions: total, perSegment, ...(uncertain > 0 ? { uncertain } : {}) };
}

/**
 * A set of patterns (words each), cleared between segments: open addressing over copies of the
 * patterns, slots stamped with the current round so clearing costs nothing.
 */
class DistinctPatterns implements PatternSink {
  size = 0;
  private round = 1;
  private slots = new Int32Array(256);
  private stamps = new Int32Array(256);
  private stored = new Uint32Array(256);

  constructor(private readonly words: number) {}

  clear(): void {
    this.size = 0;
    this.round++;
  }

  add(pattern: Uint32Array): void {
    const words = this.words;
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    let slot = wordHash(pattern, 0, words) & mask;
    for (;;) {
      if (this.stamps[slot] !== this.round) {
        const at = this.size * words;
        if (this.stored.length < at + words) {
          const more = new Uint32Array(2 * (at + words));
          more.set(this.stored);
          this.stored = more;
        }
        for (let w = 0; w < words; w++) this.stored[at + w] = pattern[w];
        this.stamps[slot] = this.round;
        this.slots[slot] = this.size++;
        return;
      }
      const at = this.slots[slot] * words;
      let w = 0;
      while (w < words && this.stored[at + w] === pattern[w]) w++;
      if (w === words) return;
      slot = (slot + 1) & mask;
    }
  }

  /** Twice the slots, the current round's patterns placed again. */
  private grow(): void {
    const words = this.words;
    const size = 2 * this.slots.length;
    this.slots = new Int32Array(size);
    this.stamps = new Int32Array(size);
    for (let i = 0; i < this.size; i++) {
      let slot = wordHash(this.stored, i * words, words) & (size - 1);
      while (this.stamps[slot] === this.round) slot = (slot + 1) & (size - 1);
      this.stamps[slot] = this.round;
      this.slots[slot] = i;
    }
  }
}

/**
 * A hash of a pattern's words for the set above: one multiply per word (patternHash, one per
 * byte, is the one other code relies on; only this set sees these values, so counts do not
 * depend on it), then mixed so that the low bits, which pick the slot, depend on every word.
 */
function wordHash(pattern: Uint32Array, offset: number, words: number): number {
  let h = 0x9e3779b9;
  for (let w = 0; w < words; w++) h = Math.imul(h ^ pattern[offset + w], 0x85ebca6b) ^ (h >>> 15);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}
