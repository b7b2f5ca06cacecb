/**
 * The first test of an elementwise step against the cell it cuts, for every unit at once: the sign
 * of each breakpoint hyperplane z_j - t_b over the cell's bounding box, by the interval arithmetic
 * of `PolytopeArena.boxSide`, operation for operation (so every decision is the one boxSide gives).
 *
 * Deep in a network most hyperplanes miss a cell (3-32x3-1: 94% of the units a cell meets), and
 * a decision made on the cell holds for every piece cut from it whose box lies inside the cell's
 * and whose vertices' error bounds are no larger (`containedIn`): the walk then passes those
 * units by without a test per piece, where it tested each piece (and copied the unit's
 * hyperplane) before. The walk makes the test on the cell's envelope (`envelope`: its box and
 * bound widened by a small margin), so that the pieces whose crossings round out of the cell's box
 * or carry larger bounds than its corners inherit the decisions too (`insideEnvelope`).
 */
import type { PolytopeArena } from "./polytope.ts";
import { gammaOf, Side } from "./side.ts";

/**
 * Into sides[j * T + b] (T breakpoints per unit): Above or Below when z_j - t_b has that sign over
 * polytope p's bounding box (within the tolerance boxSide allows), else Split (undecided).
 */
export function boxSides(arena: PolytopeArena, p: number, z: Float64Array, zErr: Float64Array, n: number, t: Float64Array, eps: number, sides: Int8Array): void {
  boxSidesOver(arena.box, 2 * arena.k * p, arena.radMax[p], arena.k, z, zErr, n, t, eps, sides);
}

/**
 * `boxSides` over any box (its corners lo, hi at box[at ..], box[at + k ..]) and error bound r:
 * the polytope's own (`boxSides`) or its envelope (`envelope`).
 */
export function boxSidesOver(
  box: Float64Array,
  at: number,
  r: number,
  k: number,
  z: Float64Array,
  zErr: Float64Array,
  n: number,
  t: Float64Array,
  eps: number,
  sides: Int8Array,
): void {
  const lo = at;
  const hi = lo + k;
  const rel = gammaOf(k) + eps;
  const T = t.length;
  if (k === 3) {
    boxSides3(box, at, r, z, zErr, n, t, rel, sides);
    return;
  }
  for (let j = 0; j < n; j++) {
    const z0 = z[j];
    for (let b = 0; b < T; b++) {
      // boxSide with h = (z0 - t_b, z_j's slopes) and its bounds e = (zErr_j + the subtraction's rounding, zErr's slopes).
      const h0 = z0 - t[b];
      let min = h0;
      let max = h0;
      let mag = Math.abs(h0);
      let bound = zErr[j] + subtractionError(z0, t[b], h0);
      for (let i = 0; i < k; i++) {
        const c = z[(i + 1) * n + j];
        const a = Math.abs(c);
        const y = Math.max(Math.abs(box[lo + i]), Math.abs(box[hi + i])) + r;
        mag += a * y;
        bound += zErr[(i + 1) * n + j] * y + a * r;
        if (c >= 0) {
          min += c * box[lo + i];
          max += c * box[hi + i];
        } else {
          min += c * box[hi + i];
          max += c * box[lo + i];
        }
      }
      const tol = 2 * bound + rel * mag + Number.MIN_VALUE;
      sides[j * T + b] = min > tol ? Side.Above : max < -tol ? Side.Below : Side.Split;
    }
  }
}

/**
 * `boxSides` in 3-D, unrolled: the box's corners, the coordinates' reach y_i (the same for every
 * unit) and their error terms in locals; the same operations in the same order.
 */
function boxSides3(box: Float64Array, at: number, r: number, z: Float64Array, zErr: Float64Array, n: number, t: Float64Array, rel: number, sides: Int8Array): void {
  const lo0 = box[at];
  const lo1 = box[at + 1];
  const lo2 = box[at + 2];
  const hi0 = box[at + 3];
  const hi1 = box[at + 4];
  const hi2 = box[at + 5];
  const y0 = Math.max(Math.abs(lo0), Math.abs(hi0)) + r;
  const y1 = Math.max(Math.abs(lo1), Math.abs(hi1)) + r;
  const y2 = Math.max(Math.abs(lo2), Math.abs(hi2)) + r;
  const T = t.length;
  for (let j = 0; j < n; j++) {
    const z0 = z[j];
    const c0 = z[n + j];
    const c1 = z[2 * n + j];
    const c2 = z[3 * n + j];
    const a0 = Math.abs(c0);
    const a1 = Math.abs(c1);
    const a2 = Math.abs(c2);
    const e0 = zErr[n + j];
    const e1 = zErr[2 * n + j];
    const e2 = zErr[3 * n + j];
    for (let b = 0; b < T; b++) {
      const h0 = z0 - t[b];
      let min = h0;
      let max = h0;
      let mag = Math.abs(h0);
      let bound = zErr[j] + subtractionError(z0, t[b], h0);
      mag += a0 * y0;
      bound += e0 * y0 + a0 * r;
      if (c0 >= 0) {
        min += c0 * lo0;
        max += c0 * hi0;
      } else {
        min += c0 * hi0;
        max += c0 * lo0;
      }
      mag += a1 * y1;
      bound += e1 * y1 + a1 * r;
      if (c1 >= 0) {
        min += c1 * lo1;
        max += c1 * hi1;
      } else {
        min += c1 * hi1;
        max += c1 * lo1;
      }
      mag += a2 * y2;
      bound += e2 * y2 + a2 * r;
      if (c2 >= 0) {
        min += c2 * lo2;
        max += c2 * hi2;
      } else {
        min += c2 * hi2;
        max += c2 * lo2;
      }
      const tol = 2 * bound + rel * mag + Number.MIN_VALUE;
      sides[j * T + b] = min > tol ? Side.Above : max < -tol ? Side.Below : Side.Split;
    }
  }
}

/**
 * Whether boxSide decides for polytope q of `arena` whatever it decides for p: q's box inside p's
 * and q's error bound at most p's. Then every term of boxSide's interval sum for q is at least
 * (min) or at most (max) p's, and its tolerance at most p's, in floating point too (rounding is
 * monotone), so a sign p's box decides, q's decides the same way.
 */
export function containedIn(arena: PolytopeArena, q: number, p: number): boolean {
  const k = arena.k;
  const box = arena.box;
  if (arena.radMax[q] > arena.radMax[p]) return false;
  const qa = 2 * k * q;
  const pa = 2 * k * p;
  for (let i = 0; i < k; i++) if (box[qa + i] < box[pa + i] || box[qa + k + i] > box[pa + k + i]) return false;
  return true;
}

/**
 * How far a piece's vertices' error bounds may exceed the cell's, and its box reach out of the
 * cell's, and still inherit the cell's box decisions: 2^-36 of the cell's largest coordinate.
 * The pieces an elementwise step cuts from a cell have crossings among their vertices, whose error
 * bounds are 2^-40 of their size or less where interpolated (else they are solved) and whose
 * coordinates may round out of the cell's box by that much: with the cell's own box and bound,
 * 40% of 3-32x3-1's pieces were outside (a cell with exact corners has bound 0) and were tested
 * again, always deciding as the cell (107,022 tests); with this margin none was (the largest
 * excess seen was 2^-39 of the cell's size).
 */
export const ENVELOPE_MARGIN = 2 ** -36;

/**
 * Polytope p's envelope, into env (2k + 1 numbers): its box widened by R on every side (lo - R,
 * hi + R), then R, with R the larger of p's error bound and ENVELOPE_MARGIN times p's largest
 * |coordinate|. A decision of `boxSidesOver` on the envelope is boxSide's on p itself (p is inside
 * with no larger bound: see `containedIn`) and on every piece `insideEnvelope`; the envelope only
 * leaves undecided (Split: then tested piece by piece, as before) a hyperplane that passes within
 * about 2^-34 of p's size of p's box.
 */
export function envelope(arena: PolytopeArena, p: number, env: Float64Array): void {
  const k = arena.k;
  const box = arena.box;
  const at = 2 * k * p;
  let size = 0;
  for (let i = 0; i < 2 * k; i++) size = Math.max(size, Math.abs(box[at + i]));
  const R = Math.max(arena.radMax[p], ENVELOPE_MARGIN * size);
  for (let i = 0; i < k; i++) {
    env[i] = box[at + i] - R;
    env[k + i] = box[at + k + i] + R;
  }
  env[2 * k] = R;
}

/** `containedIn` for an envelope (see `envelope`): q's box inside env's and q's error bound at most env's. */
export function insideEnvelope(arena: PolytopeArena, q: number, env: Float64Array): boolean {
  const k = arena.k;
  const box = arena.box;
  if (arena.radMax[q] > env[2 * k]) return false;
  const qa = 2 * k * q;
  for (let i = 0; i < k; i++) if (box[qa + i] < env[i] || box[qa + k + i] > env[k + i]) return false;
  return true;
}

/** |(a - b) - d| for d = fl(a - b), exactly (Knuth's TwoSum): 0 when the subtraction was exact. */
export function subtractionError(a: number, b: number, d: number): number {
  const v = d - a;
  return Math.abs(a - (d - v) + (-b - v));
}
