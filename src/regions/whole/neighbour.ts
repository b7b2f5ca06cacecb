/**
 * The region across a facet, without a point: the pattern an infinitesimal step across the
 * facet's relative interior meets. Units not tight on the facet keep their state (their
 * pre-activation is continuous and away from its breakpoint there). A unit tight on the facet
 * (its row coincides with the facet's hyperplane, or it is flat at a breakpoint on the whole
 * region) is decided by the derivative of its pre-activation along the outward normal n in the
 * neighbour, layer by layer: the derivative is pushed through the steps with the neighbour's
 * states, which the earlier layers have just decided. A derivative within rounding of zero means
 * the unit stays on its breakpoint across the facet (flat), and takes the forward pass's state
 * there ("not above"; ties of a max group go to the first member); when its terms were not all
 * zero (a cancellation) an elementwise unit is listed as unsure, and the caller decides it exactly.
 *
 * So duplicated units, coincident hyperplanes of different layers and units that only bend
 * along the facet all flip together, and the neighbour can differ from the region in many units.
 */
import type { Compiled } from "../../model/forward.ts";
import { getState, setState } from "../../model/pattern.ts";
import { applyStack, unitCount } from "../../model/steps.ts";
import { type RegionRows, ROW_LOWER, ROW_MAX, ROW_UPPER } from "./constraints.ts";
import type { Reduction } from "./reduce.ts";

/** Relative size under which a derivative is zero (rounding of the push). */
const DERIVATIVE_TOL = 1e-11;

export class NeighbourPass {
  private readonly delta: Float64Array;
  private readonly next: Float64Array;
  private readonly mag: Float64Array;
  private readonly nextMag: Float64Array;
  /** Per step, per unit: tight marker (epoch) and which breakpoint / member. */
  private readonly tightEpoch: Int32Array[];
  private readonly tightWhich: Int32Array[][];
  /** Per step, per unit: marked by the facet's own rows (epoch), and the side it crosses to (1: up). */
  private readonly facetEpoch: Int32Array[];
  private readonly facetUp: Uint8Array[];
  private epoch = 0;
  /** Tight units the last pass left on their breakpoint by a derivative within rounding of 0 (not exactly 0 term by term). */
  unsureCount = 0;
  readonly unsureStep: Int32Array;
  readonly unsureUnit: Int32Array;
  readonly unsureBreakpoint: Int32Array;

  constructor(
    private readonly compiled: Compiled,
    private readonly red: Reduction,
  ) {
    const width = Math.max(compiled.maxWidth, red.m);
    this.delta = new Float64Array(width);
    this.next = new Float64Array(width);
    this.mag = new Float64Array(width);
    this.nextMag = new Float64Array(width);
    this.tightEpoch = compiled.steps.map((step) => new Int32Array(step.kind === "elementwise" || step.kind === "max" ? unitCount(step) : 0));
    this.tightWhich = compiled.steps.map((step) => (step.kind === "elementwise" || step.kind === "max" ? [new Int32Array(unitCount(step)), new Int32Array(unitCount(step))] : []));
    this.facetEpoch = compiled.steps.map((step) => new Int32Array(step.kind === "elementwise" ? step.size : 0));
    this.facetUp = compiled.steps.map((step) => new Uint8Array(step.kind === "elementwise" ? step.size : 0));
    const units = compiled.steps.reduce((n, step) => n + (step.kind === "elementwise" ? step.size : 0), 0);
    this.unsureStep = new Int32Array(units);
    this.unsureUnit = new Int32Array(units);
    this.unsureBreakpoint = new Int32Array(units);
  }

  /**
   * The neighbour's pattern into `out` (words at outOffset) across the facet made of rows
   * `group` (indices into rows, first one's normal = the outward normal), with the flat rows
   * whose value is within `flatTol` of zero also tight. Returns false when no unit changes.
   */
  across(rows: RegionRows, group: ArrayLike<number>, groupSize: number, flatTol: number, pattern: Uint32Array, offset: number, out: Uint32Array, outOffset: number): boolean {
    const { compiled, red } = this;
    const layout = compiled.layout;
    const words = layout.words;
    for (let w = 0; w < words; w++) out[outOffset + w] = pattern[offset + w];
    const epoch = ++this.epoch;
    this.unsureCount = 0;
    // Mark tight units. For max groups a unit can have several tight members: which[0] counts
    // them via a bit mask of positions (groups up to 31 members; larger groups use the first 31).
    const mark = (s: number, unit: number, kind: number, which: number): void => {
      const e = this.tightEpoch[s];
      const [bp, members] = this.tightWhich[s];
      if (e[unit] !== epoch) {
        e[unit] = epoch;
        bp[unit] = -1;
        members[unit] = 0;
      }
      if (kind === ROW_MAX) members[unit] |= 1 << Math.min(30, which);
      else bp[unit] = which;
    };
    for (let g = 0; g < groupSize; g++) {
      const k = group[g];
      mark(rows.step[k], rows.unit[k], rows.kind[k], rows.which[k]);
      if (rows.kind[k] === ROW_UPPER || rows.kind[k] === ROW_LOWER) {
        // The facet's own elementwise units cross their breakpoint, up across an upper row, down
        // across a lower one, when no unit before them changes (below): whatever the float
        // derivative says (rounding where the unit is a cancellation, k h_i - h_j, whose row was
        // then made exactly).
        this.facetEpoch[rows.step[k]][rows.unit[k]] = epoch;
        this.facetUp[rows.step[k]][rows.unit[k]] = rows.kind[k] === ROW_UPPER ? 1 : 0;
      }
    }
    for (let f = 0; f < rows.flatCount; f++) if (Math.abs(rows.flatValue[f]) <= flatTol) mark(rows.flatStep[f], rows.flatUnit[f], rows.flatKind[f], rows.flatWhich[f]);
    // Derivative along n of the first piecewise step's inputs: M n.
    const r = red.r;
    const m = red.m;
    const k0 = group[0];
    let delta = this.delta;
    let next = this.next;
    let mag = this.mag;
    let nextMag = this.nextMag;
    for (let i = 0; i < m; i++) {
      let acc = 0;
      let abs = 0;
      for (let c = 0; c < r; c++) {
        const t = red.map0[(c + 1) * m + i] * rows.A[k0 * r + c];
        acc += t;
        abs += Math.abs(t);
      }
      delta[i] = acc;
      mag[i] = abs;
    }
    let changed = false;
    let stack: Float64Array[] = [];
    let magStack: Float64Array[] = [];
    for (let s = red.first; s < compiled.steps.length; s++) {
      const step = compiled.steps[s];
      if (step.kind === "affine") {
        step.applyLinear(delta, 0, next, 0);
        if (step.weight) {
          const W = step.weight;
          const n = step.inSize;
          for (let i = 0; i < step.outSize; i++) {
            let abs = 0;
            for (let j = 0; j < n; j++) abs += Math.abs(W[i * n + j]) * mag[j];
            nextMag[i] = abs;
          }
        } else {
          let most = 0;
          for (let j = 0; j < step.inSize; j++) most = Math.max(most, mag[j]);
          for (let i = 0; i < step.outSize; i++) nextMag[i] = most * step.inSize;
        }
        [delta, next] = [next, delta];
        [mag, nextMag] = [nextMag, mag];
      } else if (step.kind === "elementwise") {
        const e = this.tightEpoch[s];
        const [bp] = this.tightWhich[s];
        const upstreamSame = !changed;
        for (let j = 0; j < step.size; j++) {
          let st = getState(layout, out, outOffset, s, j);
          if (e[j] === epoch && bp[j] >= 0) {
            // A facet row's unit with nothing changed before it: its derivative in the neighbour is
            // its row's gradient, which the row's side gives exactly.
            const forced = upstreamSame && this.facetEpoch[s][j] === epoch;
            const up = forced ? this.facetUp[s][j] === 1 : delta[j] > DERIVATIVE_TOL * mag[j];
            // A facet row's unit after changed ones whose derivative is within rounding of 0, or a
            // unit flat on its breakpoint in the region whose derivative is within rounding of 0
            // but made of terms that are not all zero (a cancellation, 10 h0 - h2 with h2 about
            // 10 h0, whose exact slope across is about 1e-17): left on its breakpoint here, decided
            // exactly by the caller (unsure). Before, a flat unit's was taken as zero: the
            // neighbour across lost.
            if (!forced && !up && (this.facetEpoch[s][j] === epoch || mag[j] > 0) && Math.abs(delta[j]) <= DERIVATIVE_TOL * mag[j]) {
              this.unsureStep[this.unsureCount] = s;
              this.unsureUnit[this.unsureCount] = j;
              this.unsureBreakpoint[this.unsureCount++] = bp[j];
            }
            st = bp[j] + (up ? 1 : 0);
            if (st !== getState(layout, pattern, offset, s, j)) {
              setState(layout, out, outOffset, s, j, st);
              changed = true;
            }
          }
          delta[j] *= step.slopes[st];
          mag[j] *= Math.abs(step.slopes[st]);
        }
      } else if (step.kind === "max") {
        const e = this.tightEpoch[s];
        const [, members] = this.tightWhich[s];
        for (let j = 0; j < step.outSize; j++) {
          const start = step.offsets[j];
          let win = getState(layout, out, outOffset, s, j);
          if (e[j] === epoch && members[j] !== 0) {
            // Among the winner and its tied members, the largest derivative; ties to the first.
            const size = step.offsets[j + 1] - start;
            let best = -1;
            let bestD = 0;
            let bestMag = 0;
            for (let q = 0; q < size; q++) {
              if (q !== win && !(members[j] & (1 << Math.min(30, q)))) continue;
              const i = step.indices[start + q];
              const dq = delta[i];
              const tol = DERIVATIVE_TOL * Math.max(mag[i], bestMag);
              if (best < 0 || dq > bestD + tol) {
                best = q;
                bestD = dq;
                bestMag = mag[i];
              }
            }
            if (best !== win) {
              win = best;
              setState(layout, out, outOffset, s, j, win);
              changed = true;
            }
          }
          const i = step.indices[start + win];
          next[j] = delta[i];
          nextMag[j] = mag[i];
        }
        [delta, next] = [next, delta];
        [mag, nextMag] = [nextMag, mag];
      } else {
        stack = stack.slice();
        magStack = magStack.slice();
        const d2 = applyStack(step, delta, stack, 1);
        const m2 = applyStack(step, mag, magStack, 1);
        if (d2 !== delta) {
          next.set(d2);
          nextMag.set(m2);
          [delta, next] = [next, delta];
          [mag, nextMag] = [nextMag, mag];
        }
      }
    }
    return changed;
  }
}
