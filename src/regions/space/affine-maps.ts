/**
 * The space engine's affine steps (space/engine.ts): a cell's map after each, with its rounding
 * bounds, in JavaScript or by the affine kernel (space/kernel.ts), and the family update that
 * gives a piece's map from its family's first piece's.
 */
import { transposedWeights } from "../../model/dense-kernel.ts";
import { pushAffine } from "../../model/forward.ts";
import type { AffineStep } from "../../model/steps.ts";
import { affineError, channelError, EPS, normInfOf, smallestWeight } from "../map-error.ts";
import type { SpaceKernel } from "./kernel.ts";
import type { KernelOffsets } from "./kernel-placement.ts";
import { unitErrors as unitErrorsOf } from "./step-maps.ts";

// A module-local copy (see space/engine.ts: tsx turns a read of an imported binding into a call).
const unitErrors = unitErrorsOf;

/** The engine's per-step arrays that `AffineMaps` reads and writes (by reference: the engine's own). */
export interface AffineMapArrays {
  /** Per step: its output map, and its rounding bounds laid out as the map. */
  maps: Float64Array[];
  errs: Float64Array[];
  /**
   * Per affine step: a reference input and output of the step for the current family, the pieces
   * cut from one parent at the last piecewise step (see `affine`), the output's bounds, and whether
   * they are set (the engine clears it at each piecewise step).
   */
  famBefore: Float64Array[];
  famAfter: Float64Array[];
  famErr: Float64Array[];
  famValid: Uint8Array;
  /** Per step: its operands' offsets in the kernel's memory (null: in JavaScript). */
  at: (KernelOffsets | null)[];
  /** Per step: whether its input map and bounds are in the kernel's memory. */
  inputInKernel: Uint8Array;
  /** Per affine step in the kernel: a copy of its input (when not in the kernel), and the sums of |terms| per unit. */
  inputs: Float64Array[];
  sums: Float64Array[];
}

export class AffineMaps {
  private readonly maps: Float64Array[];
  private readonly errs: Float64Array[];
  private readonly famBefore: Float64Array[];
  private readonly famAfter: Float64Array[];
  private readonly famErr: Float64Array[];
  private readonly famValid: Uint8Array;
  private readonly at: (KernelOffsets | null)[];
  private readonly inputInKernel: Uint8Array;
  private readonly inputs: Float64Array[];
  private readonly sums: Float64Array[];
  /** Per-channel bounds of the scalar rule (map-error.ts), for steps without an explicit matrix. */
  private readonly channelErr: Float64Array;

  /**
   * `famAbs`: per affine step of a family, scratch for an update's |terms|; `stats`, `statsAt`: the
   * kernel's `stats` of an affine step's input (4 per channel), and where they are.
   */
  constructor(
    private readonly C: number,
    private readonly kernel: SpaceKernel | null,
    arrays: AffineMapArrays,
    private readonly famAbs: Float64Array[],
    private readonly stats: Float64Array,
    private readonly statsAt: number,
  ) {
    this.maps = arrays.maps;
    this.errs = arrays.errs;
    this.famBefore = arrays.famBefore;
    this.famAfter = arrays.famAfter;
    this.famErr = arrays.famErr;
    this.famValid = arrays.famValid;
    this.at = arrays.at;
    this.inputInKernel = arrays.inputInKernel;
    this.inputs = arrays.inputs;
    this.sums = arrays.sums;
    this.channelErr = new Float64Array(C);
  }

  /**
   * The map after an affine step. Pieces of one parent (a family) differ only in the units whose
   * state differs, and the step is linear, so with an explicit matrix a piece's result is the
   * family's first piece's plus the columns of the differing units: O(changes x outSize) instead
   * of O(inSize x outSize).
   */
  affine(s: number, step: AffineStep, map: Float64Array): Float64Array {
    const at = this.at[s];
    if (at !== null) return this.affineInKernel(s, step, map, at);
    const out = this.maps[s];
    const err = this.errs[s];
    const C = this.C;
    if (this.famValid[s]) {
      const n = step.inSize;
      const m = step.outSize;
      const WT = transposedWeights(step); // famValid implies an explicit matrix
      const ref = this.famBefore[s];
      const after = this.famAfter[s];
      const abs = this.famAbs[s];
      out.set(after);
      err.set(this.famErr[s]);
      for (let c = 0; c < C; c++) {
        // The family's bound, plus the rounding of this update, per unit: each of its additions
        // rounds relative to at most |famAfter| + sum |W_ri d_i|, and the differences d_i round too.
        let terms = 0;
        const o = c * m;
        abs.fill(0, o, o + m);
        for (let i = 0; i < n; i++) {
          const d = map[c * n + i] - ref[c * n + i];
          if (d === 0) continue;
          terms++;
          const col = i * m;
          for (let r = 0; r < m; r++) {
            const t = WT[col + r] * d;
            out[o + r] += t;
            abs[o + r] += Math.abs(t);
          }
        }
        if (terms === 0) continue;
        const g = (terms + 2) * EPS;
        for (let r = 0; r < m; r++) err[o + r] += g * (Math.abs(after[o + r]) + 2 * abs[o + r]);
      }
      return out;
    }
    pushAffine(step, map, out, C);
    // The scalar rule's checks (exact channels, underflow); per unit with an explicit matrix.
    affineError(step, map, out, this.channelErr, normInfOf(step), C);
    unitErrors(step, map, out, this.channelErr, err, C);
    if (this.famBefore[s].length > 0) {
      this.famBefore[s].set(map);
      this.famAfter[s].set(out);
      this.famErr[s].set(err);
      this.famValid[s] = 1;
    }
    return out;
  }

  /** `affine` by the kernel: the same operations in the same order (kernel.wat). */
  private affineInKernel(s: number, step: AffineStep, map: Float64Array, at: KernelOffsets): Float64Array {
    const kernel = this.kernel as SpaceKernel;
    const out = this.maps[s];
    const err = this.errs[s];
    const C = this.C;
    const n = step.inSize;
    const m = step.outSize;
    let x: number;
    if (this.inputInKernel[s] === 1) x = map.byteOffset / 8;
    else {
      this.inputs[s].set(map);
      x = at.input;
    }
    if (this.famValid[s]) {
      kernel.family(x, at.before, n, m, C, at.wt, at.after, at.famErr, at.map, at.err, at.list);
      return out;
    }
    kernel.product(x, n, m, C, at.wt, at.bias, at.map, at.abs, this.statsAt);
    const channelErr = this.channelErr;
    this.affineErrorFromStats(step, out, channelErr, C);
    // unitErrors' bounds, from the kernel's sums of |terms|.
    const sums = this.sums[s];
    const gamma = (n + 2) * EPS;
    for (let c = 0; c < C; c++) {
      const o = c * m;
      if (channelErr[c] === 0) {
        err.fill(channelErr[c], o, o + m);
        continue;
      }
      if (c === 0) for (let i = 0; i < m; i++) err[i] = gamma * sums[i] + 2 * EPS * Math.abs(out[i]);
      else for (let i = o; i < o + m; i++) err[i] = gamma * sums[i] + 0;
    }
    if (at.before >= 0) {
      this.famBefore[s].set(map);
      this.famAfter[s].set(out);
      this.famErr[s].set(err);
      this.famValid[s] = 1;
    }
    return out;
  }

  /** affineError (map-error.ts) from the kernel's scan of the input (`stats`, made by the product). */
  private affineErrorFromStats(step: AffineStep, y: Float64Array, yErr: Float64Array, C: number): void {
    const stats = this.stats;
    const norm = normInfOf(step);
    const gamma = (step.inSize + 2) * EPS;
    const wMin = smallestWeight(step);
    for (let c = 0; c < C; c++) yErr[c] = channelError(step, c, stats[4 * c], stats[4 * c + 1] === 1, stats[4 * c + 2], stats[4 * c + 3], wMin, norm, gamma, y);
  }
}
