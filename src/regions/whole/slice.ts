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
import { type AffineStep, denseStep, type Step } from "../../model/steps.ts";
import { type Dyadic, dyadicOf, explicitWeight, lift } from "../exact-maps.ts";

/**
 * x = origin + sum_c t_c basis[c] (each basis vector inputSize long). `points`: the points P0..Pk
 * a slice through points was made from (origin P0, basis their differences rounded): the exact
 * decisions then take the exact differences, so the slice counted is the one through the points.
 */
export interface AffineSlice {
  origin: Float64Array;
  basis: readonly Float64Array[];
  points?: readonly Float64Array[];
}

/**
 * The folded step's weights (outSize x k, row-major) and bias, exactly: the float64 fold rounds
 * W B and W origin + b, and its exact decisions must be those of the slice itself (exact-rows.ts).
 * Made on first need (BigInt products, m k n0 of them), kept per folded step.
 */
const exactFolds = new WeakMap<AffineStep, () => { w: Dyadic; b: Dyadic }>();

/** The exact weights and bias of a folded step (sliceCompiled), or undefined for any other step. */
export function exactFoldOf(step: AffineStep): { w: Dyadic; b: Dyadic } | undefined {
  return exactFolds.get(step)?.();
}

function exactFold(first: AffineStep | null, slice: AffineSlice): () => { w: Dyadic; b: Dyadic } {
  let made: { w: Dyadic; b: Dyadic } | null = null;
  return () => {
    made ??= foldExactly(first, slice);
    return made;
  };
}

function foldExactly(first: AffineStep | null, slice: AffineSlice): { w: Dyadic; b: Dyadic } {
  const n0 = slice.origin.length;
  const k = slice.basis.length;
  // Origin and directions with one exponent: the points' exact differences, or the basis as given.
  const points = slice.points && slice.points.length === k + 1 ? slice.points : null;
  const all = dyadicOf(points ? points.flatMap((p) => Array.from(p)) : [...Array.from(slice.origin), ...slice.basis.flatMap((d) => Array.from(d))]);
  const origin = all.v.slice(0, n0);
  const dirs = Array.from({ length: k }, (_, c) => {
    const at = (1 + c) * n0;
    return points ? origin.map((o, i) => all.v[at + i] - o) : all.v.slice(at, at + n0);
  });
  if (!first) {
    // x = origin + B t itself is the first step: weights B (n0 x k), bias the origin.
    const w: bigint[] = new Array(n0 * k);
    for (let i = 0; i < n0; i++) for (let c = 0; c < k; c++) w[i * k + c] = dirs[c][i];
    return { w: { e: all.e, v: w }, b: { e: all.e, v: origin } };
  }
  const W = dyadicOf(explicitWeight(first));
  const bias = dyadicOf(first.bias);
  const m = first.outSize;
  const dot = (i: number, x: bigint[]): bigint => {
    let acc = 0n;
    for (let d = 0; d < n0; d++) {
      const wv = W.v[i * n0 + d];
      if (wv !== 0n && x[d] !== 0n) acc += wv * x[d];
    }
    return acc;
  };
  const eW = W.e + all.e;
  const eB = Math.min(eW, bias.e);
  const w: bigint[] = new Array(m * k);
  const b: bigint[] = new Array(m);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < k; c++) w[i * k + c] = dot(i, dirs[c]);
    b[i] = lift(dot(i, origin), eW, eB) + lift(bias.v[i], bias.e, eB);
  }
  return { w: { e: eW, v: w }, b: { e: eB, v: b } };
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
    const folded = denseStep(`slice+${first.label}`, k, m, weight, bias);
    exactFolds.set(folded, exactFold(first, slice));
    steps = [folded, ...compiled.steps.slice(1)];
  } else {
    const weight = new Float64Array(n0 * k);
    for (let i = 0; i < n0; i++) for (let c = 0; c < k; c++) weight[i * k + c] = slice.basis[c][i];
    const put = denseStep("slice", k, n0, weight, Float64Array.from(slice.origin));
    exactFolds.set(put, exactFold(null, slice));
    steps = [put, ...compiled.steps];
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
