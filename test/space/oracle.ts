/**
 * Independent oracles for the space engine's tests: an LP over every activation pattern (does the
 * set of points with that pattern have interior in the box?), and small combinatorics.
 */
import { chebyshevCentre, type LpSolver } from "../../src/geometry/lp.ts";
import { applyStates, type Compiled, pushAffine } from "../../src/model/forward.ts";
import { applyStack, unitCount } from "../../src/model/steps.ts";

/**
 * Number of patterns whose region inside [lo, hi]^n0 (intersected with {x : A x <= b} when
 * `domain` is given) contains a ball of radius > minRadius, by depth-first search over units with
 * an LP (Chebyshev centre) at each node: no vertex, no engine code, only the compiled steps with
 * fixed states.
 */
export function lpRegionCount(
  lp: LpSolver,
  compiled: Compiled,
  lo: number,
  hi: number,
  minRadius = 1e-7,
  domain: { A: ArrayLike<number>; b: ArrayLike<number> } | null = null,
): number {
  const n0 = compiled.inputSize;
  const C = n0 + 1;
  const rowsA: number[] = [];
  const rowsB: number[] = [];
  for (let d = 0; d < n0; d++) {
    const a = new Array(n0).fill(0);
    a[d] = 1;
    rowsA.push(...a);
    rowsB.push(hi);
    a[d] = -1;
    rowsA.push(...a);
    rowsB.push(-lo);
  }
  if (domain) {
    rowsA.push(...Array.from(domain.A));
    rowsB.push(...Array.from(domain.b));
  }
  const map0 = new Float64Array(C * n0);
  for (let d = 0; d < n0; d++) map0[(d + 1) * n0 + d] = 1;
  const feasible = (A: number[], b: number[]): boolean => chebyshevCentre(lp, A, b, b.length, n0).radius > minRadius;
  let count = 0;
  // Add "g(y) = g0 + g.y <= 0" (strict: "< 0") as a row a.y <= -g0. A row with no gradient is
  // decided by its constant, with the forward pass's strictness (a zero row never turns a unit on).
  const push = (A: number[], b: number[], g: (c: number) => number, strict = false): boolean => {
    let norm = 0;
    for (let d = 0; d < n0; d++) norm += Math.abs(g(d + 1));
    if (norm <= 1e-12 * (1 + Math.abs(g(0)))) return strict ? g(0) < 0 : g(0) <= 0;
    for (let d = 0; d < n0; d++) A.push(g(d + 1));
    b.push(-g(0));
    return true;
  };
  const walk = (s: number, map: Float64Array, stack: Float64Array[], A: number[], b: number[]): void => {
    if (s === compiled.steps.length) {
      count++;
      return;
    }
    const step = compiled.steps[s];
    if (step.kind === "affine") {
      const next = new Float64Array(C * step.outSize);
      pushAffine(step, map, next, C);
      walk(s + 1, next, stack, A, b);
      return;
    }
    if (step.kind !== "elementwise" && step.kind !== "max") {
      const st = stack.slice();
      walk(s + 1, applyStack(step, map, st, C), st, A, b);
      return;
    }
    const units = unitCount(step);
    const states = new Uint8Array(units);
    const n = step.kind === "elementwise" ? step.size : step.inSize;
    const unit = (j: number, A: number[], b: number[]): void => {
      if (j === units) {
        const next = new Float64Array(C * units);
        applyStates(step, states, map, next, C);
        walk(s + 1, next, stack, A, b);
        return;
      }
      const options = step.kind === "elementwise" ? step.breakpoints.length + 1 : step.offsets[j + 1] - step.offsets[j];
      for (let state = 0; state < options; state++) {
        const A2 = A.slice();
        const b2 = b.slice();
        let ok = true;
        if (step.kind === "elementwise") {
          const t = step.breakpoints;
          const z = (c: number): number => map[c * n + j];
          if (state > 0) ok &&= push(A2, b2, (c) => (c === 0 ? t[state - 1] - z(0) : -z(c)), true); // z > t_{s-1}
          if (state < t.length) ok &&= push(A2, b2, (c) => (c === 0 ? z(0) - t[state] : z(c))); // z <= t_s
        } else {
          const start = step.offsets[j];
          const ip = step.indices[start + state];
          for (let q = 0; q < options; q++) {
            if (q === state) continue;
            const iq = step.indices[start + q];
            ok &&= push(A2, b2, (c) => map[c * n + iq] - map[c * n + ip], q < state); // z_q <= z_p, ties to the first
          }
        }
        if (!ok || !feasible(A2, b2)) continue;
        states[j] = state;
        unit(j + 1, A2, b2);
      }
    };
    unit(0, A, b);
  };
  walk(0, map0, [], rowsA, rowsB);
  return count;
}

export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Number of linearly independent subsets of the rows (counting the empty set), by brute force. */
export function independentSubsets(rows: number[][]): number {
  const m = rows.length;
  let count = 0;
  for (let mask = 0; mask < 1 << m; mask++) {
    const chosen = rows.filter((_, i) => (mask >> i) & 1);
    if (rank(chosen) === chosen.length) count++;
  }
  return count;
}

export function rank(rows: number[][]): number {
  const m = rows.map((r) => r.slice());
  let r = 0;
  const cols = m.length ? m[0].length : 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    let piv = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs(m[i][c]) > Math.abs(m[piv][c])) piv = i;
    if (Math.abs(m[piv][c]) < 1e-9) continue;
    [m[r], m[piv]] = [m[piv], m[r]];
    for (let i = r + 1; i < m.length; i++) {
      const f = m[i][c] / m[r][c];
      for (let j = c; j < cols; j++) m[i][j] -= f * m[r][j];
    }
    r++;
  }
  return r;
}
