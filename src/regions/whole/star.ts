/**
 * Regions without an LP around a common point of the first layer's hyperplanes.
 *
 * When the first piecewise step is elementwise with one breakpoint t and its s hyperplanes
 * z_j(u) = t (the units with a gradient) have independent normals, they meet in an affine
 * subspace; if that subspace passes through the interior of U (a point x0 of the box with room
 * delta to every face, found by one LP over a shrunk box), then every one of the 2^s sign
 * combinations of those units is a region of the first layer near x0: the point
 *
 *   u = u0 + eps D sigma,   D = M^T (M M^T)^-1  (so z_S(u) = z_S(u0) + eps sigma)
 *
 * lies in it, and x = x0 + eps Q^T D sigma stays in the box for every sigma when
 * eps * max_j sum_k |(Q^T D)_jk| <= delta. Trained MNIST networks are like that: the 20
 * hyperplanes of a trained 784-20-10 network meet 0.137 inside [0,1]^784, so all 2^20
 * patterns are regions (docs/whole.md).
 *
 * With a polytope domain the LP also maximises x0's margin to the polytope's rows (none: no
 * star), and eps keeps half of it, so the candidates lie inside the polytope too.
 *
 * The traversal uses such a point as a candidate for a neighbour it has not found (a pattern
 * whose first-layer states are sigma): the point is certified like any other, by the margins
 * of the neighbour's own rows at it (deeper units included), so a candidate that misses
 * only costs that evaluation and the LP runs as before. Nothing here is trusted.
 */
import { invertInPlace } from "../../geometry/invert.ts";
import type { Compiled } from "../../model/forward.ts";
import { getState } from "../../model/pattern.ts";
import { BoxLp } from "./box-lp.ts";
import type { RegionRows } from "./constraints.ts";
import type { Reduction } from "./reduce.ts";

export interface Star {
  /** First-layer units on the common subspace (s of them), and the step they belong to. */
  units: Int32Array;
  step: number;
  breakpoint: number;
  /** Point on the subspace (reduced space, r) and its input point (n0), room delta to the box. */
  u0: Float64Array;
  x0: Float64Array;
  /** r x s: column k moves z of unit units[k] by 1 and the other units of the star not at all. */
  D: Float64Array;
  /** n0 x s: Q^T D (the same move in input space). */
  E: Float64Array;
  eps: number;
}

/** The common point, or null when the first layer's hyperplanes do not meet inside U. */
export function findStar(compiled: Compiled, red: Reduction, lazyDomainRows = true): Star | null {
  const { r, n0, m, map0, lo, hi } = red;
  const stepIndex = red.first;
  const step = compiled.steps[stepIndex];
  if (step?.kind !== "elementwise" || step.breakpoints.length !== 1) return null;
  const t = step.breakpoints[0];
  const C = r + 1;
  // Units with a gradient (dead units are constant: their state never changes).
  const chosen: number[] = [];
  for (let j = 0; j < m; j++) {
    let norm = 0;
    let scale = Math.abs(map0[j]);
    for (let c = 1; c < C; c++) {
      norm += map0[c * m + j] ** 2;
      scale = Math.max(scale, Math.abs(map0[c * m + j]));
    }
    if (Math.sqrt(norm) > 1e-12 * scale && norm > 0) chosen.push(j);
  }
  const s = chosen.length;
  if (s === 0 || s > r) return null;
  // M (s x r), G = M M^T, its inverse by Gauss-Jordan with partial pivoting.
  const M = new Float64Array(s * r);
  chosen.forEach((j, k) => {
    for (let c = 0; c < r; c++) M[k * r + c] = map0[(c + 1) * m + j];
  });
  const G = new Float64Array(s * s);
  for (let a = 0; a < s; a++)
    for (let b = 0; b < s; b++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += M[a * r + c] * M[b * r + c];
      G[a * s + b] = acc;
    }
  const Ginv = invert(G, s);
  if (!Ginv) return null;
  const D = new Float64Array(r * s);
  for (let c = 0; c < r; c++)
    for (let k = 0; k < s; k++) {
      let acc = 0;
      for (let a = 0; a < s; a++) acc += M[a * r + c] * Ginv[a * s + k];
      D[c * s + k] = acc;
    }
  // Is D really a right inverse (independent normals, not nearly dependent)?
  for (let a = 0; a < s; a++)
    for (let k = 0; k < s; k++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += M[a * r + c] * D[c * s + k];
      if (Math.abs(acc - (a === k ? 1 : 0)) > 1e-8) return null;
    }
  const E = new Float64Array(n0 * s);
  const Q = red.Q;
  for (let j = 0; j < n0; j++)
    for (let k = 0; k < s; k++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += Q[c * n0 + j] * D[c * s + k];
      E[j * s + k] = acc;
    }
  let spread = 0;
  for (let j = 0; j < n0; j++) {
    let acc = 0;
    for (let k = 0; k < s; k++) acc += Math.abs(E[j * s + k]);
    spread = Math.max(spread, acc);
  }
  // The subspace z_S = t through the box shrunk by delta: equality rows, nothing to maximise;
  // with a polytope domain, the largest margin (up to 1) to its rows (reduce.ts).
  const dom = red.domain;
  const K = s + dom.count;
  const rowsA = new Float64Array(K * r);
  const rowsB = new Float64Array(K);
  const nu = new Float64Array(K);
  const eq = new Uint8Array(K);
  for (let k = 0; k < s; k++) {
    for (let c = 0; c < r; c++) rowsA[k * r + c] = M[k * r + c];
    rowsB[k] = t - map0[chosen[k]];
    eq[k] = 1;
  }
  let maxB = 0;
  for (let j = 0; j < dom.count; j++) {
    for (let c = 0; c < r; c++) rowsA[(s + j) * r + c] = dom.A[j * r + c];
    rowsB[s + j] = dom.b[j];
    nu[s + j] = 1;
    maxB = Math.max(maxB, Math.abs(dom.b[j]));
  }
  // How far a unit move of the star's signs moves the domain's rows: eps keeps half the margin.
  let domSpread = 0;
  for (let j = 0; j < dom.count; j++) {
    let acc = 0;
    for (let k = 0; k < s; k++) {
      let ak = 0;
      for (let c = 0; c < r; c++) ak += dom.A[j * r + c] * D[c * s + k];
      acc += Math.abs(ak);
    }
    domSpread = Math.max(domSpread, acc);
  }
  for (const fraction of [0.1, 0.01]) {
    const delta = fraction * (hi - lo);
    const lp = new BoxLp({ n0, r, Q, lo: lo + delta, hi: hi - delta, domain: dom, lazyDomainRows });
    const res = dom.count === 0 ? lp.solve(s, rowsA, nu, rowsB, eq, 0, 1) : lp.solve(K, rowsA, nu, rowsB, eq, -(maxB + 2 * red.radius + 1), 1);
    if (res.status !== "optimal" || !(res.lower > Number.NEGATIVE_INFINITY)) continue;
    // A polytope the subspace misses (or only touches): no star.
    if (dom.count > 0 && !(res.lower > 0)) continue;
    const room = dom.count > 0 && domSpread > 0 ? (0.5 * res.lower) / domSpread : Number.POSITIVE_INFINITY;
    // The point's own room (the LP's point is clamped into the shrunk box).
    return {
      units: Int32Array.from(chosen),
      step: stepIndex,
      breakpoint: t,
      u0: Float64Array.from(res.u),
      x0: Float64Array.from(res.x),
      D,
      E,
      eps: Math.min((0.5 * delta) / spread, room),
    };
  }
  return null;
}

/**
 * The candidate point of the star for `pattern` into u (and x when given): the first-layer
 * states of the star's units pick the signs.
 */
export function starPoint(star: Star, compiled: Compiled, pattern: Uint32Array, offset: number, u: Float64Array, x: Float64Array | null): void {
  const s = star.units.length;
  const r = u.length;
  const sigma = starSigma(star, compiled, pattern, offset);
  for (let c = 0; c < r; c++) {
    let acc = star.u0[c];
    for (let k = 0; k < s; k++) acc += star.eps * star.D[c * s + k] * sigma[k];
    u[c] = acc;
  }
  if (x) {
    const n0 = x.length;
    for (let j = 0; j < n0; j++) {
      let acc = star.x0[j];
      for (let k = 0; k < s; k++) acc += star.eps * star.E[j * s + k] * sigma[k];
      x[j] = acc;
    }
  }
}

let sigmaScratch = new Float64Array(0);
function starSigma(star: Star, compiled: Compiled, pattern: Uint32Array, offset: number): Float64Array {
  const s = star.units.length;
  if (sigmaScratch.length < s) sigmaScratch = new Float64Array(s);
  for (let k = 0; k < s; k++) sigmaScratch[k] = getState(compiled.layout, pattern, offset, star.step, star.units[k]) === 0 ? -1 : 1;
  return sigmaScratch;
}

/**
 * Certified margin of the point u for the region of `rows`: the least b_k - A_k . u over its
 * rows minus a bound on the rounding (as the LP's certificate does), -Infinity when a flat row
 * is violated. With `groupOf`, the rows of group `flipped` count negated: the rows of the
 * region across a flip-only facet (processor.ts), bit for bit as its own regionRows gives them.
 */
export function marginAt(rows: RegionRows, u: Float64Array, uErr: number, flatTol: number, groupOf: Int32Array | null = null, flipped = -1): number {
  for (let f = 0; f < rows.flatCount; f++) if (rows.flatValue[f] > flatTol) return Number.NEGATIVE_INFINITY;
  const r = rows.r;
  const A = rows.A;
  let uNorm = 0;
  for (let c = 0; c < r; c++) uNorm += Math.abs(u[c]);
  let margin = Number.POSITIVE_INFINITY;
  for (let k = 0; k < rows.count; k++) {
    // A negated row gives the negated products, exactly: the margin of the rows with it negated.
    const sign = groupOf !== null && groupOf[k] === flipped ? -1 : 1;
    let acc = sign * rows.b[k];
    let mag = Math.abs(rows.b[k]);
    for (let c = 0; c < r; c++) {
      const v = sign * (A[k * r + c] * u[c]);
      acc -= v;
      mag += Math.abs(v);
    }
    // Rows have unit normals: an error uErr in u moves a row by at most uErr.
    const value = acc - 1e-12 * (mag + uNorm) - uErr;
    if (value < margin) margin = value;
  }
  return margin;
}

function invert(G: Float64Array, s: number): Float64Array | null {
  let scale = 0;
  for (let i = 0; i < s * s; i++) scale = Math.max(scale, Math.abs(G[i]));
  const inv = new Float64Array(s * s);
  return invertInPlace(Float64Array.from(G), inv, s, 1e-12 * scale) ? inv : null;
}
