/**
 * Independent oracle: the partition of a box (2 inputs), a parallelogram through three points or
 * a segment into activation regions, computed in exact rational arithmetic by the plainest
 * algorithm (affine.ts cutLayers): every layer cuts every cell by every unit's breakpoint set; a
 * cell is kept only if it has positive area (length). It shares nothing with the engines but the
 * network's layers. Tiny networks only.
 */
import type { Network } from "../../src/model/layers.ts";
import { type Affine, cutLayers, evalAt, type Cell as OracleCell } from "./affine.ts";
import { ONE, Q, ZERO } from "./rational.ts";

/** A cell: a convex polygon (2D, vertices ccw) or an interval (1D: [lo, hi]); plus the activations. */
type Cell = OracleCell<Q[][]>;

/**
 * The part of a convex polygon / interval where f >= 0 (f > 0 when strict), null when it has no
 * positive measure. Where f is identically zero on the cell, strictness alone decides.
 */
export function clip(poly: Q[][], f: Affine, strict = false): Q[][] | null {
  const vals = poly.map((p) => evalAt(f, p));
  if (vals.every((v) => v.sign() === 0)) return strict ? null : poly;
  if (poly[0].length === 1) {
    const [a, b] = poly;
    const [fa, fb] = vals;
    if (fa.sign() >= 0 && fb.sign() >= 0) return poly;
    if (fa.sign() <= 0 && fb.sign() <= 0) return null;
    const t = a[0].add(b[0].sub(a[0]).mul(fa.div(fa.sub(fb))));
    return fa.sign() > 0 ? [a, [t]] : [[t], b];
  }
  const out: Q[][] = [];
  for (let i = 0; i < poly.length; i++) {
    const j = (i + 1) % poly.length;
    const [fi, fj] = [vals[i], vals[j]];
    if (fi.sign() >= 0) out.push(poly[i]);
    if ((fi.sign() > 0 && fj.sign() < 0) || (fi.sign() < 0 && fj.sign() > 0)) {
      const t = fi.div(fi.sub(fj));
      out.push(poly[i].map((x, k) => x.add(poly[j][k].sub(x).mul(t))));
    }
  }
  // Positive area?
  let twice = ZERO;
  for (let i = 0; i < out.length; i++) {
    const j = (i + 1) % out.length;
    twice = twice.add(out[i][0].mul(out[j][1]).sub(out[j][0].mul(out[i][1])));
  }
  return twice.sign() > 0 ? out : null;
}

export interface OracleResult {
  regions: number;
  patterns: string[];
  /** Total area (length), exact. */
  measure: Q;
}

function measureOf(poly: Q[][]): Q {
  if (poly[0].length === 1) return poly[1][0].sub(poly[0][0]);
  let twice = ZERO;
  for (let i = 0; i < poly.length; i++) {
    const j = (i + 1) % poly.length;
    twice = twice.add(poly[i][0].mul(poly[j][1]).sub(poly[j][0].mul(poly[i][1])));
  }
  return twice.div(new Q(2n));
}

/** Activation regions of a 2-input network in the box [lo, hi]^2. */
export function exactBoxRegions(net: Network, lo: number, hi: number): OracleResult {
  if (net.inputSize !== 2) throw new Error("oracle: 2 inputs");
  const [L, H] = [Q.of(lo), Q.of(hi)];
  const poly = [
    [L, L],
    [H, L],
    [H, H],
    [L, H],
  ];
  const acts: Affine[] = [
    [ZERO, ONE, ZERO],
    [ZERO, ZERO, ONE],
  ];
  return summarise(cutLayers(net.layers, [{ poly, acts, stack: [], pattern: "" }], 2, clip));
}

/**
 * Activation regions of the parallelogram p1 + s (p2 - p1) + t (p3 - p1), s, t in [0, 1] (any
 * input size): the differences are taken exactly, so this is the parallelogram asked, whatever
 * float64 makes of p2 - p1.
 */
export function exactParallelogramRegions(net: Network, p1: ArrayLike<number>, p2: ArrayLike<number>, p3: ArrayLike<number>): OracleResult {
  const poly = [
    [ZERO, ZERO],
    [ONE, ZERO],
    [ONE, ONE],
    [ZERO, ONE],
  ];
  const acts: Affine[] = Array.from({ length: p1.length }, (_, i) => {
    const o = Q.of(p1[i]);
    return [o, Q.of(p2[i]).sub(o), Q.of(p3[i]).sub(o)];
  });
  return summarise(cutLayers(net.layers, [{ poly, acts, stack: [], pattern: "" }], 2, clip));
}

/** Activation regions along the segment a -> b (any input size), parameter t in [0, 1]. */
export function exactSegmentRegions(net: Network, a: number[], b: number[]): OracleResult {
  const acts: Affine[] = a.map((x, i) => [Q.of(x), Q.of(b[i]).sub(Q.of(x))]);
  return summarise(cutLayers(net.layers, [{ poly: [[ZERO], [ONE]], acts, stack: [], pattern: "" }], 1, clip));
}

function summarise(cells: Cell[]): OracleResult {
  let measure = ZERO;
  for (const c of cells) measure = measure.add(measureOf(c.poly));
  return { regions: cells.length, patterns: cells.map((c) => c.pattern), measure };
}
