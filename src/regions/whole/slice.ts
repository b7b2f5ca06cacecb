/**
 * An affine slice x = origin + sum_c t_c basis_c of input space, of any dimension k, as a network
 * of k inputs: the slice's map is folded into the network's first affine step (W' = W B, b' =
 * W origin + b, float64, each column one pass of the step's own linear map, so convolutions fold
 * as well as dense layers), or put before the first step when that one is not affine. The
 * regions of the folded network over a box or polytope in t are exactly the regions of the
 * network on the slice, with the same patterns (the steps, their order and the pattern layout
 * are unchanged when the map is folded). The whole-domain engine counts any k this way
 * (regions/whole.ts); the space engine takes slices of up to 8 dimensions itself.
 */
import type { Compiled } from "../../model/forward.ts";
import { patternLayout } from "../../model/pattern.ts";
import { denseStep, type Step } from "../../model/steps.ts";

/** x = origin + sum_c t_c basis[c] (each basis vector inputSize long). */
export interface AffineSlice {
  origin: Float64Array;
  basis: readonly Float64Array[];
}

export function sliceCompiled(compiled: Compiled, slice: AffineSlice): Compiled {
  const n0 = compiled.inputSize;
  const k = slice.basis.length;
  if (slice.origin.length !== n0) throw new Error(`slice origin has ${slice.origin.length} coordinates, the network has ${n0} inputs`);
  slice.basis.forEach((d, c) => {
    if (d.length !== n0) throw new Error(`slice direction ${c + 1} has ${d.length} coordinates, the network has ${n0} inputs`);
  });
  const first = compiled.steps[0];
  let steps: Step[];
  if (first?.kind === "affine") {
    const m = first.outSize;
    const weight = new Float64Array(m * k);
    const column = new Float64Array(m);
    for (let c = 0; c < k; c++) {
      first.applyLinear(slice.basis[c], 0, column, 0);
      for (let i = 0; i < m; i++) weight[i * k + c] = column[i];
    }
    const bias = new Float64Array(m);
    first.applyLinear(slice.origin, 0, bias, 0);
    for (let i = 0; i < m; i++) bias[i] += first.bias[i];
    steps = [denseStep(`slice+${first.label}`, k, m, weight, bias), ...compiled.steps.slice(1)];
  } else {
    const weight = new Float64Array(n0 * k);
    for (let i = 0; i < n0; i++) for (let c = 0; c < k; c++) weight[i * k + c] = slice.basis[c][i];
    steps = [denseStep("slice", k, n0, weight, Float64Array.from(slice.origin)), ...compiled.steps];
  }
  return { ...compiled, inputSize: k, steps, layout: steps.length === compiled.steps.length ? compiled.layout : patternLayout(steps), maxWidth: Math.max(compiled.maxWidth, k) };
}

/** The input-space point origin + sum_c t_c basis[c] of slice point t. */
export function slicePoint(slice: AffineSlice, t: ArrayLike<number>, out: Float64Array = new Float64Array(slice.origin.length)): Float64Array {
  out.set(slice.origin);
  slice.basis.forEach((d, c) => {
    const tc = t[c];
    if (tc !== 0) for (let i = 0; i < out.length; i++) out[i] += tc * d[i];
  });
  return out;
}
