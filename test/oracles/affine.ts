/**
 * Affine functions in exact rationals, shared by the oracles (exact-partition.ts in 1-2
 * dimensions, exact-space.ts in 3 and more): c[0] + sum c[j] y_j of k coordinates, a dense
 * layer applied to them, and the scalar activations' pieces.
 */
import type { Layer } from "../../src/model/layers.ts";
import { ONE, Q, ZERO } from "./rational.ts";

export type Affine = Q[];

export const addA = (a: Affine, b: Affine): Affine => a.map((x, i) => x.add(b[i]));
export const subA = (a: Affine, b: Affine): Affine => a.map((x, i) => x.sub(b[i]));
export const scaleA = (a: Affine, s: Q): Affine => a.map((x) => x.mul(s));
export const constA = (k: number, value: Q): Affine => [value, ...Array.from({ length: k }, () => ZERO)];

export function evalAt(f: Affine, p: Q[]): Q {
  let s = f[0];
  for (let i = 0; i < p.length; i++) s = s.add(f[i + 1].mul(p[i]));
  return s;
}

export function denseRows(layer: Extract<Layer, { type: "dense" }>, acts: Affine[], k: number): Affine[] {
  const out: Affine[] = [];
  for (let i = 0; i < layer.outSize; i++) {
    let f = constA(k, Q.of(layer.bias[i]));
    for (let j = 0; j < layer.inSize; j++) {
      const w = layer.weight[i * layer.inSize + j];
      if (w !== 0) f = addA(f, scaleA(acts[j], Q.of(w)));
    }
    out.push(f);
  }
  return out;
}

/** Scalar piecewise-linear activations: breakpoints, slopes and intercepts per piece. */
export function pieces(layer: Layer): { t: Q[]; slope: Q[]; icpt: Q[] } | null {
  switch (layer.type) {
    case "relu":
      return { t: [ZERO], slope: [ZERO, ONE], icpt: [ZERO, ZERO] };
    case "leaky-relu":
      return { t: [ZERO], slope: [Q.of(layer.slope), ONE], icpt: [ZERO, ZERO] };
    case "abs":
      return { t: [ZERO], slope: [ONE.neg(), ONE], icpt: [ZERO, ZERO] };
    case "hard-tanh":
      return { t: [Q.of(layer.lo), Q.of(layer.hi)], slope: [ZERO, ONE, ZERO], icpt: [Q.of(layer.lo), ZERO, Q.of(layer.hi)] };
    default:
      return null;
  }
}
