/**
 * Are the output maps on the two sides of a facet equal, as `mapsEqual` (regions/partition.ts)
 * decides it on the two maps the engine computes (regionRows)? Linear pieces merge adjacent
 * regions whose maps are equal; the traversal decides it once per facet, where one side's map is
 * at hand, instead of keeping every region's map (outputSize x (r + 1) numbers, most of a
 * region's memory) until the end.
 *
 * Across a facet of units of the last piecewise step (one breakpoint each) followed by one dense
 * output layer F, the maps differ by D = sum over the flipped units u of F[:, u] (a'_u - a_u),
 * where a_u, a'_u are the unit's (r + 1)-channel activations in the two states, computed exactly
 * as the forward pass does. The computed maps carry rounding errors of at most
 * gamma * sum_j |F[o, j]| |a_j[c]| (a dot product of n terms, any order), bounded here by
 * rowAbs[o] * colMax[c]. With these bounds, `decide` returns what `mapsEqual` returns on the two
 * computed maps whenever the margin to its threshold exceeds them, and "undecided" otherwise;
 * then the caller computes the neighbour's map and asks `mapsEqual` itself. So the answer is
 * the one of comparing stored maps, bit for bit; it only costs a few operations per facet.
 */
import type { Compiled } from "../../model/forward.ts";
import { mapsEqual } from "../partition.ts";
import type { RegionRows } from "./constraints.ts";

export const SAME = 1;
export const DIFFERENT = 0;
export const UNDECIDED = -1;
/** Not decided without the region's own map (see withMap). */
export const NEED_MAP = -2;

const U = 2 ** -53;

export class SameMap {
  /** False when the network's end is not (single-breakpoint step, one dense layer): every call is undecided. */
  readonly applies: boolean;
  private readonly n: number;
  private readonly outputs: number;
  private readonly weight: Float64Array;
  private readonly bias: Float64Array;
  private readonly slopes: Float64Array;
  private readonly intercepts: Float64Array;
  /** max_o |F[o, u]| and sum_j |F[o, j]|. */
  private readonly colMaxW: Float64Array;
  private readonly rowAbs: Float64Array;
  private readonly maxSlope: number;
  private readonly maxIntercept: number;
  private readonly gamma: number;
  private readonly colMax: Float64Array;
  private readonly delta: Float64Array;
  private readonly pair: Float64Array;
  // The current region (begin): its map's largest entry (NaN: map not computed), a bound of
  // every entry of its map and of the neighbours', and their rounding errors.
  private maxA = Number.NaN;
  private bound = 0;
  private err = 0;

  /** Bounds computed (begin) and, with `sameInput`, valid for every region. */
  private ready = false;

  constructor(
    compiled: Compiled,
    readonly r: number,
    last: number,
    /** The last step's inputs do not depend on the region (it is the first piecewise step). */
    private readonly sameInput = false,
  ) {
    const steps = compiled.steps;
    const step = last >= 0 ? steps[last] : null;
    const next = last >= 0 && last + 2 === steps.length ? steps[last + 1] : null;
    const C = r + 1;
    this.outputs = compiled.outputSize;
    this.colMax = new Float64Array(C);
    this.pair = new Float64Array(2 * this.outputs * C);
    if (step?.kind !== "elementwise" || step.breakpoints.length !== 1 || next?.kind !== "affine" || next.weight === null) {
      this.applies = false;
      this.n = 0;
      this.weight = this.bias = this.slopes = this.intercepts = this.colMaxW = this.rowAbs = this.delta = new Float64Array(0);
      this.maxSlope = this.maxIntercept = this.gamma = 0;
      return;
    }
    this.applies = true;
    const n = next.inSize;
    const O = next.outSize;
    this.n = n;
    this.weight = next.weight;
    this.bias = next.bias;
    this.slopes = step.slopes;
    this.intercepts = step.intercepts;
    this.colMaxW = new Float64Array(n);
    this.rowAbs = new Float64Array(O);
    for (let o = 0; o < O; o++) {
      for (let j = 0; j < n; j++) {
        const w = Math.abs(this.weight[o * n + j]);
        this.rowAbs[o] += w;
        this.colMaxW[j] = Math.max(this.colMaxW[j], w);
      }
      this.rowAbs[o] *= 1 + 4 * n * U;
    }
    this.maxSlope = Math.max(Math.abs(step.slopes[0]), Math.abs(step.slopes[1]));
    this.maxIntercept = Math.max(Math.abs(step.intercepts[0]), Math.abs(step.intercepts[1]));
    // A dot product of n terms plus the bias: error at most gamma_{n+1} of the sum of |terms|
    // (doubled, and more for the bounds' own rounding).
    this.gamma = 4 * (n + 4) * U;
    this.delta = new Float64Array(n * C);
  }

  /** The region whose facets follow: `rows` from regionRows (lastInput; the map is not needed). */
  begin(rows: RegionRows): void {
    this.maxA = Number.NaN;
    if (!this.applies || (this.sameInput && this.ready)) return;
    this.ready = true;
    const { n, r, colMax, rowAbs, bias, outputs } = this;
    const C = r + 1;
    const src = rows.lastInput;
    // Every activation, in either state, is at most colMax[c] in channel c.
    for (let c = 0; c < C; c++) {
      let m = 0;
      for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(src[c * n + j]));
      colMax[c] = (this.maxSlope * m + (c === 0 ? this.maxIntercept : 0)) * (1 + 8 * U);
    }
    let bound = 0;
    for (let o = 0; o < outputs; o++) {
      for (let c = 0; c < C; c++) bound = Math.max(bound, rowAbs[o] * colMax[c] + (c === 0 ? Math.abs(bias[o]) : 0));
    }
    // Error of either computed map, entry by entry; every entry is at most bound + err.
    this.err = this.gamma * bound * (1 + 8 * U) + 1e-300;
    this.bound = bound + this.err;
  }

  /** The current region's output map (after begin): lets `decide` certify equal maps. */
  withMap(output: Float64Array): void {
    const size = this.outputs * (this.r + 1);
    let maxA = 0;
    for (let k = 0; k < size; k++) maxA = Math.max(maxA, Math.abs(output[k]));
    this.maxA = maxA;
  }

  /**
   * Whether the maps agree across the facet that flips the last step's `units` (count of them),
   * whose states in the current region are `states` (parallel): SAME, DIFFERENT or UNDECIDED,
   * or NEED_MAP when only the region's own map (withMap) can tell.
   */
  decide(rows: RegionRows, units: ArrayLike<number>, states: ArrayLike<number>, count: number): number {
    if (!this.applies) return UNDECIDED;
    const { n, r, weight, slopes, intercepts, colMaxW, delta, outputs } = this;
    const C = r + 1;
    const src = rows.lastInput;
    // The activations' change, computed as the forward pass computes each side (applyStates).
    let maxD = 0;
    for (let t = 0; t < count; t++) {
      const u = units[t];
      const st = states[t];
      const sa = slopes[st];
      const sb = slopes[1 - st];
      let m = 0;
      for (let c = 0; c < C; c++) {
        const x = src[c * n + u];
        const a = c === 0 ? sa * x + intercepts[st] : sa * x;
        const b = c === 0 ? sb * x + intercepts[1 - st] : sb * x;
        const d = b - a;
        delta[t * C + c] = d;
        m = Math.max(m, Math.abs(d));
      }
      maxD += colMaxW[u] * m;
    }
    maxD *= 1 + 8 * (count + 2) * U;
    // Each entry's change D_k is known to errD (its own rounding) + 2 err (the two maps').
    const slack = 4 * (count + 2) * U * maxD + 2 * this.err;
    const maxA = this.maxA;
    const known = !Number.isNaN(maxA);
    const mapHi = known ? maxA : this.bound;
    if (!(Number.isFinite(mapHi) && Number.isFinite(slack))) return UNDECIDED;
    // mapsEqual's threshold is 1e-9 times the larger map's largest entry: between maxA and
    // maxA + maxD + slack (without the map, at most bound + maxD + slack). Relative margins of
    // 1e-12 cover the rounding of the comparisons.
    const above = 1e-9 * (mapHi + maxD + slack) * (1 + 1e-12);
    const below = known ? 1e-9 * maxA * (1 - 1e-12) : -1;
    let small = true;
    for (let o = 0; o < outputs; o++) {
      for (let c = 0; c < C; c++) {
        let d = 0;
        for (let t = 0; t < count; t++) d += weight[o * n + units[t]] * delta[t * C + c];
        const ad = Math.abs(d);
        if ((ad - slack) * (1 - 1e-12) > above) return DIFFERENT;
        if (!((ad + slack) * (1 + 1e-12) <= below)) small = false;
      }
    }
    return small ? SAME : known ? UNDECIDED : NEED_MAP;
  }

  /** mapsEqual of two maps in separate arrays (the fallback: both maps computed). */
  equal(a: Float64Array, b: Float64Array): boolean {
    const size = this.outputs * (this.r + 1);
    const pair = this.pair;
    pair.set(a.subarray(0, size), 0);
    pair.set(b.subarray(0, size), size);
    return mapsEqual(pair, 0, size, size);
  }
}
