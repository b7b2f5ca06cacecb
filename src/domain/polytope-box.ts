/**
 * The bounding cube of a polytope {x : A x <= b} given without one. The engines take a cube
 * [lo, hi]^n (space-domain.ts, whole-domain.ts) and the polytope's rows cut it, so the cube is
 * lo = min_j min x_j and hi = max_j max x_j over the polytope, widened by a margin that covers the
 * LP's tolerances: one feasibility LP (an empty polytope is refused), then bounds of every
 * coordinate by propagation through the rows and from the parallelotope of its two-sided rows
 * (parallelotope-bounds.ts; both cheap and valid, but loose in general), and LPs
 * only for the coordinates whose bound could still be the cube's end, in order: the exact
 * maximum of the first is compared with the next one's propagated bound, and so on. A box of
 * rows (x_j >= 0, ...) with a cut, or a turned frame (the box's rows under a rotation), needs a
 * few LPs, not 2n (1,570 LPs took 56 s in 784 dimensions); a coordinate without a finite bound gets an LP, which refuses an unbounded
 * polytope, naming the coordinate and the direction.
 */
import type { LpSolver } from "../geometry/lp.ts";
import { DomainError, type PolytopeDomain } from "./domain.ts";
import { parallelotopeBounds } from "./parallelotope-bounds.ts";

/** The enclosing cube, and the LPs it took. */
export interface PolytopeExtent {
  cube: [number, number];
  lpSolves: number;
}

/**
 * HiGHS accepts a point within its feasibility tolerance (1e-7, absolute on the rows' activities):
 * the optimum may sit that far outside the polytope, or that far inside its extreme. The cube is
 * widened by more than that, relative to the polytope's scale.
 */
const MARGIN = 1e-6;
/** Passes of bound propagation (each tightens every bound it can from every row). */
const PASSES = 30;

/**
 * Bounds lo <= x <= hi implied by the rows (Infinity where none is), by propagation: from row
 * a . x <= b, a_j x_j <= b - sum_{i != j} min(a_i x_i), each term at the bound that minimises it.
 * Every bound is valid (rounding is covered by an outward slack); it may be far from tight.
 */
export function propagatedBounds(A: ArrayLike<number>, b: ArrayLike<number>, n: number): { lo: Float64Array; hi: Float64Array } {
  const rows = b.length;
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  const eps = 4 * Number.EPSILON;
  for (let pass = 0; pass < PASSES; pass++) {
    let changed = false;
    for (let r = 0; r < rows; r++) {
      // The row's least activity over the current bounds: finite part, magnitude, infinite terms.
      let finite = 0;
      let magnitude = Math.abs(b[r]);
      let infinite = 0;
      let infiniteAt = -1;
      for (let i = 0; i < n; i++) {
        const a = A[r * n + i];
        if (a === 0) continue;
        const t = a > 0 ? a * lo[i] : a * hi[i];
        if (t === -Infinity) {
          infinite++;
          infiniteAt = i;
        } else {
          finite += t;
          magnitude += Math.abs(t);
        }
      }
      if (infinite > 1) continue;
      // A row of one coefficient +-1 bounds its coordinate exactly (x_j <= b): no slack.
      const single = nonzeros(A, r, n) === 1;
      for (let j = 0; j < n; j++) {
        const a = A[r * n + j];
        if (a === 0 || (infinite === 1 && j !== infiniteAt)) continue;
        const own = infinite === 1 ? 0 : a > 0 ? a * lo[j] : a * hi[j];
        const rest = finite - own;
        const slack = single && Math.abs(a) === 1 ? 0 : eps * (magnitude + Math.abs(own)) * (n + 2);
        if (a > 0) {
          const bound = (b[r] - rest + slack) / a;
          if (bound < hi[j] - 1e-9 * (Math.abs(bound) + 1)) {
            hi[j] = bound;
            changed = true;
          }
        } else {
          const bound = (b[r] - rest + slack) / a;
          if (bound > lo[j] + 1e-9 * (Math.abs(bound) + 1)) {
            lo[j] = bound;
            changed = true;
          }
        }
      }
    }
    if (!changed) break;
  }
  return { lo, hi };
}

/**
 * Bounds of every coordinate from the rows alone, without an LP (the explorer has none): those of
 * propagation, tightened by the parallelotope of the two-sided rows. A turned frame bounds no
 * coordinate by a row of its own, so propagation finds nothing, but its rows pair into slabs
 * whose parallelotope gives every coordinate's exact extent.
 */
export function rowBounds(A: ArrayLike<number>, b: ArrayLike<number>, n: number, slabs = parallelotopeBounds(A, b, n)): { lo: Float64Array; hi: Float64Array } {
  const { lo, hi } = propagatedBounds(A, b, n);
  if (slabs !== null)
    for (let j = 0; j < n; j++) {
      lo[j] = Math.max(lo[j], slabs.lo[j]);
      hi[j] = Math.min(hi[j], slabs.hi[j]);
    }
  return { lo, hi };
}

function nonzeros(A: ArrayLike<number>, r: number, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (A[r * n + i] !== 0) count++;
  return count;
}

/**
 * The cube around {x : A x <= b} (A: rows x n, row-major). Throws a DomainError, one line, when
 * the inequalities have no common point or when the polytope is unbounded (with a coordinate and
 * the direction along which it is).
 */
export function polytopeExtent(lp: LpSolver, A: ArrayLike<number>, b: ArrayLike<number>, n: number): PolytopeExtent {
  const rows = b.length;
  const problem = { numCols: n, numRows: rows, matrix: A, rowUpper: b };
  const empty = () => new DomainError(`the polytope is empty: its ${rows} inequalities have no common point`);
  const before = lp.solves;
  // A turned frame (every row one side of n independent slabs) is its own parallelotope: nonempty,
  // with the extents computed, so no LP is needed at all.
  const frame = parallelotopeBounds(A, b, n);
  if (frame?.exact) {
    let [bottom, top] = [Math.min(...frame.lo), Math.max(...frame.hi)];
    if (!(bottom < top)) [bottom, top] = [bottom - MARGIN, top + MARGIN]; // a single point: the engines find it thin
    if (!(Number.isFinite(bottom) && Number.isFinite(top))) throw new DomainError(`the polytope's bounding box [${bottom}, ${top}] is beyond float64's range`);
    return { cube: [bottom, top], lpSolves: 0 };
  }
  const feasible = lp.solve({ ...problem, cost: new Float64Array(n) });
  if (feasible.status === "infeasible") throw empty();
  if (feasible.status === "error") throw new DomainError("the polytope could not be decided: the LP solver failed on its inequalities");
  const { lo, hi } = rowBounds(A, b, n, frame);
  const cost = new Float64Array(n);
  /** The largest of sign * x_j over the polytope, exactly where propagation might not be tight. */
  const extreme = (sign: number, bound: Float64Array): number => {
    const order = Array.from({ length: n }, (_, j) => j).sort((p, q) => sign * (bound[q] - bound[p]) || p - q);
    let best = -Infinity;
    for (const j of order) {
      // Within half the margin the cube gets below, the propagated bound is enclosed as it is.
      if (sign * bound[j] <= best + 0.5 * MARGIN * Math.max(Math.abs(best), 1)) break;
      cost.fill(0);
      cost[j] = sign;
      const r = lp.solve({ ...problem, cost, maximize: true });
      if (r.status === "unbounded")
        throw new DomainError(`the polytope is unbounded: x${j} can ${sign > 0 ? "grow" : "fall"} without limit (bound it with more inequalities, or give a box)`);
      if (r.status === "infeasible") throw empty();
      if (r.status !== "optimal") throw new DomainError(`the polytope's extent along x${j} could not be decided: the LP solver failed`);
      best = Math.max(best, r.objective);
    }
    return sign * best;
  };
  const max = extreme(1, hi);
  const min = extreme(-1, lo);
  const pad = MARGIN * Math.max(max - min, Math.abs(min), Math.abs(max), 1);
  // Propagated bounds are valid too: where the rows bound the cube's ends exactly (x_j <= 1),
  // the cube ends there, and boundedPolytope drops those rows.
  let top = -Infinity;
  let bottom = Infinity;
  for (let j = 0; j < n; j++) {
    top = Math.max(top, hi[j]);
    bottom = Math.min(bottom, lo[j]);
  }
  let cube: [number, number] = [Math.max(min - pad, bottom), Math.min(max + pad, top)];
  if (!(cube[0] < cube[1])) cube = [min - pad, max + pad]; // a single point: the engines find it thin
  if (!(Number.isFinite(cube[0]) && Number.isFinite(cube[1]))) throw new DomainError(`the polytope's bounding box [${min}, ${max}] is beyond float64's range`);
  return { cube, lpSolves: lp.solves - before };
}

/** The polytope with its enclosing cube (unchanged when it has one); refused as polytopeExtent does. */
export function boundedPolytope(domain: PolytopeDomain, lp: LpSolver): PolytopeDomain {
  if (domain.box) return domain;
  return inCube(domain, polytopeExtent(lp, domain.A, domain.b, domain.inputSize).cube);
}

/** The polytope inside `cube` (which must enclose it), without the rows that hold on the whole cube. */
export function inCube(domain: PolytopeDomain, cube: [number, number]): PolytopeDomain {
  const n = domain.inputSize;
  // Rows that hold on the whole cube (x_j >= 0 of a box given as rows) cut nothing: each would
  // be a row of every LP of the whole engine and a dimension of its reduced space.
  const kept: number[] = [];
  const scale = Math.max(Math.abs(cube[0]), Math.abs(cube[1]));
  for (let r = 0; r < domain.b.length; r++) {
    let most = 0;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const a = domain.A[r * n + i];
      most += Math.max(a * cube[0], a * cube[1]);
      size += Math.abs(a);
    }
    const single = nonzeros(domain.A, r, n) === 1 && size === 1;
    const error = single ? 0 : 4 * Number.EPSILON * (n + 2) * size * scale;
    if (!(most + error <= domain.b[r])) kept.push(r);
  }
  if (kept.length === 0) kept.push(0);
  if (kept.length === domain.b.length) return { ...domain, box: cube };
  const A = new Float64Array(kept.length * n);
  kept.forEach((r, k) => {
    A.set(domain.A.subarray(r * n, (r + 1) * n), k * n);
  });
  return { ...domain, A, b: Float64Array.from(kept, (r) => domain.b[r]), box: cube };
}
