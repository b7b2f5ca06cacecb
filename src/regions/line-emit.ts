/**
 * The pieces the line engine reports (line.ts emit): each piece's ends back in t in [0, 1] of its
 * segment, its length, activation pattern and output map over the segment, in growable arrays
 * (buffers.ts); a piece end known only within more than POSITION is placed from its exact line
 * (position; docs/numerics.md, "Segments").
 */
import { type Growable, type GrowableOptions, growableFloat64, growableInt32, growableUint32 } from "./buffers.ts";
import { uncertainTie, unitLine } from "./line-exact.ts";
import type { LineFrame } from "./line-frame.ts";
import type { NearExactMaps } from "./line-near.ts";
import type { LinePieces } from "./line-pieces.ts";
import { nearestQuotient, type Root, refinedFuzz } from "./line-roots.ts";
import { refuseOutOfRange } from "./refusal.ts";

/**
 * How far a reported piece end may be from the exact one, in parts of the segment's t range: a
 * root whose fuzz exceeds it is placed from its exact line at emit (position). 2^-31 (4.7e-10)
 * leaves room under 1e-9 for the rounding of the computed root and of (t - t0) / span.
 */
const POSITION = 2 ** -31;

export class EmittedPieces {
  private readonly tStart: Growable<Float64Array>;
  private readonly tEnd: Growable<Float64Array>;
  private readonly segmentOf: Growable<Int32Array>;
  private readonly lengths: Growable<Float64Array>;
  private readonly patterns: Growable<Uint32Array>;
  private readonly outputMaps: Growable<Float64Array>;
  /** Roots placed from their exact lines (position; tests, benchmarks). */
  placedRoots = 0;

  /** `growth`: how the arrays grow (buffers.ts; a thread that walks many paths into them grows them 4x at a time). */
  constructor(
    private readonly outputSize: number,
    private readonly nearExact: NearExactMaps,
    growth?: GrowableOptions,
  ) {
    this.tStart = growableFloat64(undefined, growth);
    this.tEnd = growableFloat64(undefined, growth);
    this.segmentOf = growableInt32(undefined, growth);
    this.lengths = growableFloat64(undefined, growth);
    this.patterns = growableUint32(undefined, growth);
    this.outputMaps = growableFloat64(undefined, growth);
  }

  /** How many pieces are reported. */
  get count(): number {
    return this.tStart.length;
  }

  /**
   * The piece [lo, hi] (local t of the segment's frame) of segment `segmentIndex`, with its pattern
   * and its output map in local t; `nearMaps`: whether position tries the near-exact maps first.
   */
  add(lo: Root, hi: Root, map: Float64Array, frame: LineFrame, segmentIndex: number, pattern: Uint32Array, nearMaps: boolean): void {
    // Back to t in [0, 1] (the ends exactly 0 and 1), and the output maps with it.
    const { t0, t1, lengthPerT } = frame;
    const span = t1 - t0;
    const start = this.position(lo, span, nearMaps);
    const end = this.position(hi, span, nearMaps);
    this.tStart.push((start - t0) / span);
    this.tEnd.push((end - t0) / span);
    this.segmentOf.push(segmentIndex);
    this.lengths.push((end - start) * lengthPerT);
    for (let w = 0; w < pattern.length; w++) this.patterns.push(pattern[w]);
    const out = this.outputSize;
    for (let o = 0; o < out; o++) {
      const value = map[o] + map[out + o] * t0;
      const slope = map[out + o] * span;
      // The walk's frame keeps its maps in range; over the whole segment they can still overflow.
      if (!(value - value === 0 && slope - slope === 0)) refuseOutOfRange(Float64Array.of(value, slope), 2, "in the output over the segment", false);
      this.outputMaps.push(value);
      this.outputMaps.push(slope);
    }
  }

  /**
   * Where a piece end is reported (local t): its computed root, or where that is known only within
   * more than POSITION of the segment (its fuzz: a deep unit's carried rounding), its exact line's
   * root rounded to a double (docs/numerics.md, "Segments"). Once per root (the end of one piece is
   * the start of the next), and only for a piece that is emitted: its states are settled, so the
   * exact line is the exact map's row under them (the states of the steps before the root's own,
   * which the pieces beside it share). The decisions the walk made are untouched.
   */
  private position(r: Root, span: number, nearMaps: boolean): number {
    if (r.fuzz <= POSITION * span || r.step < 0) return r.t;
    if (!Number.isNaN(r.placed)) return r.placed;
    // Its unit's own bounds first (a float product), where they may already say enough.
    if (refinedFuzz(r) <= POSITION * span) return r.t;
    const f = this.fPosition;
    this.placedRoots++;
    if (!r.settled && nearMaps) {
      const near = this.nearExact.place(r);
      if (near !== null) {
        r.placed = near;
        return near;
      }
    }
    if (r.settled) {
      f[0] = r.x0;
      f[1] = r.x1;
    } else if (!unitLine(r.step, r.unit, r.unit2, r.shift, f)) f[1] = 0n;
    // No exact root (no exact maps, or an exact slope of 0, already counted as uncertain where decided): the computed one, counted.
    if (f[1] === 0n) {
      uncertainTie();
      r.placed = r.t;
    } else r.placed = nearestQuotient(f[0], f[1]);
    return r.placed;
  }

  private readonly fPosition: bigint[] = [0n, 0n];

  /** The pieces so far, as views of the arrays. */
  pieces(): LinePieces {
    return {
      tStart: this.tStart.toArray(),
      tEnd: this.tEnd.toArray(),
      segmentOf: this.segmentOf.toArray(),
      lengths: this.lengths.toArray(),
      patterns: this.patterns.toArray(),
      outputMaps: this.outputMaps.toArray(),
    };
  }
}
