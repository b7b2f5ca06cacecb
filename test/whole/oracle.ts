/**
 * An independent oracle for the whole-domain engine in any input dimension: depth-first over
 * the units in step order, one HiGHS LP per node of the pattern tree in input space (no
 * reduction, no traversal, no engine code): does the set of box points with this pattern prefix
 * contain a ball of radius > minRadius around a point of the box? The box enters as column bounds,
 * a polytope domain (A x <= b) as rows present from the root on.
 */
import type { LpSolver } from "../../src/geometry/lp.ts";
import { applyStates, type Compiled, pushAffine } from "../../src/model/forward.ts";
import { applyStack, unitCount } from "../../src/model/steps.ts";

export function bruteForceCount(lp: LpSolver, compiled: Compiled, lo: number, hi: number, minRadius = 1e-7, polytope?: { A: Float64Array; b: Float64Array }): number {
  const n0 = compiled.inputSize;
  const C = n0 + 1;
  const map0 = new Float64Array(C * n0);
  for (let d = 0; d < n0; d++) map0[(d + 1) * n0 + d] = 1;
  const rows: number[][] = [];
  const rhs: number[] = [];
  if (polytope) {
    for (let j = 0; j < polytope.b.length; j++) {
      rows.push(Array.from(polytope.A.subarray(j * n0, (j + 1) * n0)));
      rhs.push(polytope.b[j]);
    }
  }
  /** Largest margin s of the rows (as rows . x + s |row| <= rhs) over x in the box. */
  const margin = (): number => {
    const m = rows.length;
    if (m === 0) return Infinity;
    const n = n0 + 1;
    const matrix = new Float64Array(m * n);
    rows.forEach((row, i) => {
      let norm = 0;
      for (let d = 0; d < n0; d++) {
        matrix[i * n + d] = row[d];
        norm += row[d] * row[d];
      }
      matrix[i * n + n0] = Math.sqrt(norm);
    });
    const cost = new Float64Array(n);
    cost[n0] = 1;
    const colLower = new Float64Array(n).fill(lo);
    const colUpper = new Float64Array(n).fill(hi);
    colLower[n0] = -1;
    colUpper[n0] = 1;
    const res = lp.solve({ numCols: n, numRows: m, cost, matrix, rowUpper: Float64Array.from(rhs), colLower, colUpper, maximize: true });
    return res.status === "optimal" ? res.objective : -1;
  };
  let count = 0;
  // Push "g0 + g . x <= 0" (sign chosen by the caller); a constant row is decided by its value.
  const withRow = (g: Float64Array, gOff: number, stride: number, sign: number, t: number, strictIfConstant: boolean, body: () => void): void => {
    let norm = 0;
    for (let d = 0; d < n0; d++) norm += Math.abs(g[gOff + (d + 1) * stride]);
    const g0 = sign * (g[gOff] - t);
    if (norm <= 1e-12 * (1 + Math.abs(g0))) {
      if (strictIfConstant ? g0 < 0 : g0 <= 0) body();
      return;
    }
    const row: number[] = [];
    for (let d = 0; d < n0; d++) row.push(sign * g[gOff + (d + 1) * stride]);
    rows.push(row);
    rhs.push(-g0);
    if (margin() > minRadius) body();
    rows.pop();
    rhs.pop();
  };
  const walk = (s: number, map: Float64Array, stack: Float64Array[]): void => {
    if (s === compiled.steps.length) {
      count++;
      return;
    }
    const step = compiled.steps[s];
    if (step.kind === "affine") {
      const out = new Float64Array(C * step.outSize);
      pushAffine(step, map, out, C);
      walk(s + 1, out, stack);
      return;
    }
    if (step.kind !== "elementwise" && step.kind !== "max") {
      const next = stack.slice();
      walk(s + 1, applyStack(step, map, next, C), next);
      return;
    }
    const units = unitCount(step);
    const inSize = step.kind === "elementwise" ? step.size : step.inSize;
    const states = new Uint8Array(units);
    const unit = (j: number): void => {
      if (j === units) {
        const out = new Float64Array(C * units);
        applyStates(step, states, map, out, C);
        walk(s + 1, out, stack);
        return;
      }
      if (step.kind === "elementwise") {
        const t = step.breakpoints;
        // State st: t[st-1] < z <= t[st].
        for (let st = 0; st <= t.length; st++) {
          states[j] = st;
          const upper = (then: () => void) => (st < t.length ? withRow(map, j, inSize, 1, t[st], false, then) : then());
          const lower = (then: () => void) => (st > 0 ? withRow(map, j, inSize, -1, t[st - 1], true, then) : then());
          upper(() => lower(() => unit(j + 1)));
        }
        return;
      }
      const start = step.offsets[j];
      const g = step.offsets[j + 1] - start;
      for (let p = 0; p < g; p++) {
        states[j] = p;
        const diff = new Float64Array(C);
        const others = (q: number): void => {
          if (q === g) {
            unit(j + 1);
            return;
          }
          if (q === p) {
            others(q + 1);
            return;
          }
          for (let c = 0; c < C; c++) diff[c] = map[c * inSize + step.indices[start + q]] - map[c * inSize + step.indices[start + p]];
          withRow(diff.slice(), 0, 1, 1, 0, q < p, () => others(q + 1));
        };
        others(0);
      }
    };
    unit(0);
  };
  walk(0, map0, []);
  return count;
}
