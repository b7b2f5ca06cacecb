import type { LpSolver } from "../../geometry/lp.ts";
import { refuseDomain } from "../refusal.ts";
import type { SpaceOptions } from "../space.ts";

/** The domain's box [lo, hi] in slice coordinates: the given box, [-1, 1], or a polytope's bounding box (by LP, padded). */
export function domainBox(options: SpaceOptions, k: number, lp: LpSolver | null): [number, number] {
  if (options.box) {
    const [lo, hi] = options.box;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`box needs finite lo < hi, got ${lo}, ${hi}`);
    refuseDomain([lo, hi], "the box");
    return [lo, hi];
  }
  if (!options.polytope) return [-1, 1];
  if (!lp) throw new Error("a polytope domain without a box needs an LP solver (options.lp = await loadLp()) for its bounding box");
  const { A, b } = options.polytope;
  let lo = Infinity;
  let hi = -Infinity;
  const c = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (const sign of [1, -1]) {
      c.fill(0);
      c[j] = sign;
      const r = lp.solve({
        numCols: k,
        numRows: b.length,
        cost: c,
        matrix: A,
        rowUpper: b,
        maximize: true,
      });
      if (r.status === "infeasible") throw new Error("the domain polytope is empty");
      if (r.status !== "optimal") throw new Error("the domain polytope is unbounded: give a box as well");
      if (sign > 0) hi = Math.max(hi, r.objective);
      else lo = Math.min(lo, -r.objective);
    }
  }
  const pad = 1e-9 * Math.max(1, hi - lo);
  return [lo - pad, hi + pad];
}
