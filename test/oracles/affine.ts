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

/** A cell of an oracle's partition: its region (P: a polygon, an interval, a polytope), the activations and the residual stack on it. */
export interface Cell<P> {
  poly: P;
  acts: Affine[];
  stack: Affine[][];
  pattern: string;
}

/** The part of a cell's region where f >= 0 (f > 0 when strict), null when it has no positive measure. */
export type Clip<P> = (poly: P, f: Affine, strict?: boolean) => P | null;

/**
 * Every layer cuts every cell by every unit's breakpoint set (the plainest algorithm): the
 * cells of positive measure after the network, with their patterns.
 */
export function cutLayers<P>(layers: Layer[], cells: Cell<P>[], k: number, clip: Clip<P>): Cell<P>[] {
  for (const layer of layers) {
    const next: Cell<P>[] = [];
    for (const cell of cells) {
      if (layer.type === "dense") next.push({ ...cell, acts: denseRows(layer, cell.acts, k) });
      else if (layer.type === "identity") next.push(cell);
      else if (layer.type === "batch-norm") throw new Error("oracle: batch-norm not supported");
      else if (layer.type === "residual") {
        const inner = cutLayers(layer.layers, [{ ...cell, stack: [...cell.stack, cell.acts] }], k, clip);
        for (const c of inner) next.push({ ...c, acts: c.acts.map((f, i) => addA(f, cell.acts[i])), stack: cell.stack });
      } else if (layer.type === "maxout") {
        // Candidate i wins where it is >= every other; a candidate identical to another on the
        // whole cell loses to the first index (the forward pass's order).
        let parts: Cell<P>[] = [{ ...cell, acts: [], pattern: `${cell.pattern}|` }];
        for (let g = 0; g < cell.acts.length / layer.k; g++) {
          const cand = cell.acts.slice(g * layer.k, (g + 1) * layer.k);
          const grown: Cell<P>[] = [];
          for (const part of parts) {
            for (let i = 0; i < layer.k; i++) {
              let poly: P | null = part.poly;
              for (let o = 0; o < layer.k && poly; o++) {
                if (o === i) continue;
                const diff = subA(cand[i], cand[o]);
                if (diff.every((x) => x.sign() === 0)) poly = i < o ? poly : null;
                else poly = clip(poly, diff);
              }
              if (poly) grown.push({ ...part, poly, acts: [...part.acts, cand[i]], pattern: `${part.pattern}${i}` });
            }
          }
          parts = grown;
        }
        next.push(...parts);
      } else {
        const pw = pieces(layer);
        if (!pw) throw new Error(`oracle: unsupported layer ${layer.type}`);
        let parts: { poly: P; states: number[] }[] = [{ poly: cell.poly, states: [] }];
        for (const f of cell.acts) {
          const grown: { poly: P; states: number[] }[] = [];
          for (const part of parts) {
            // State s where t_{s-1} < z <= t_s: the forward pass's convention ("not above").
            for (let s = 0; s <= pw.t.length; s++) {
              let poly: P | null = part.poly;
              if (s > 0 && poly) poly = clip(poly, subA(f, constA(k, pw.t[s - 1])), true);
              if (s < pw.t.length && poly) poly = clip(poly, scaleA(subA(f, constA(k, pw.t[s])), ONE.neg()));
              if (poly) grown.push({ poly, states: [...part.states, s] });
            }
          }
          parts = grown;
        }
        for (const part of parts) {
          const acts = cell.acts.map((f, j) => addA(scaleA(f, pw.slope[part.states[j]]), constA(k, pw.icpt[part.states[j]])));
          next.push({ poly: part.poly, acts, stack: cell.stack, pattern: `${cell.pattern}|${part.states.join("")}` });
        }
      }
    }
    cells = next;
  }
  return cells;
}
