/**
 * Self-checks of a whole-domain partition, independent of the traversal:
 * - each cell's input-space point lies strictly inside the box (and the polytope), and a
 *   forward pass there (at origin + sum y_c basis_c for a slice) reproduces the cell's pattern
 *   and its output map (evaluated at u = Q x); where the float64 pass gives another pattern, the
 *   pattern of the point in exact arithmetic decides (exact-pattern.ts): a unit exactly on its
 *   breakpoint on the whole cell is in the state below it, as the engine counts it, and float64
 *   can put it either side;
 * - the adjacency graph is closed: every facet names a cell, and every adjacent pair is listed
 *   as a facet from both sides;
 * - no decision was left uncertain.
 */
import { type Compiled, forward } from "../../model/forward.ts";
import { patternsEqual } from "../../model/pattern.ts";
import type { WholePartition } from "../partition.ts";
import { hyperplaneIds } from "./constraints.ts";
import { ExactDecider } from "./exact-decision.ts";
import { exactPattern } from "./exact-pattern.ts";
import { reduce } from "./reduce.ts";
import { sliceCompiled, slicePoint } from "./slice.ts";

const MAX_LISTED = 5;
/** Cells whose margin is at most this times the box's radius are thin (the engine's default eps). */
const THIN = 1e-9;

export function checkWhole(compiled: Compiled, p: WholePartition): { problems: string[]; thinCells: number } {
  const problems: string[] = [];
  let thinCells = 0;
  const note = (text: string): void => {
    if (problems.length < MAX_LISTED) problems.push(text);
    else if (problems.length === MAX_LISTED) problems.push("(more problems not listed)");
  };
  const n0 = p.inputSize;
  const r = p.dim;
  const words = p.layout.words;
  const [lo, hi] = p.box;
  if (p.uncertain > 0) note(`${p.uncertain} decisions were uncertain (the count may be off)`);
  // The network the traversal ran on (a slice folded in), for exact patterns and thin cells.
  let traversed: Compiled | null = null;
  let exact: ExactDecider | null = null;
  const R = Math.max(Math.abs(lo), Math.abs(hi)) * Math.sqrt(n0);
  if (p.points.length === n0 * p.cellCount) {
    const u = new Float64Array(r);
    for (let i = 0; i < p.cellCount; i++) {
      const x = p.points.subarray(i * n0, (i + 1) * n0);
      const inBox = x.every((v) => v > lo && v < hi);
      const inPolytope = !p.polytope || insidePolytope(p.polytope, x);
      const { output, pattern } = forward(compiled, p.slice ? slicePoint(p.slice, x) : x);
      let samePattern = patternsEqual(pattern, 0, p.patterns, i * words, words);
      if (!samePattern) {
        traversed ??= p.slice ? sliceCompiled(compiled, p.slice) : compiled;
        samePattern = patternsEqual(exactPattern(traversed, x), 0, p.patterns, i * words, words);
      }
      if (!(inBox && inPolytope && samePattern) && p.radii[i] <= THIN * R) {
        // A cell thinner than float64 can place a point in (its point is the rounding of one
        // strictly inside): its pattern's set of points is checked for interior exactly instead.
        traversed ??= p.slice ? sliceCompiled(compiled, p.slice) : compiled;
        if (!exact) {
          const red = reduce(traversed, lo, hi, p.polytope);
          exact = new ExactDecider(traversed, red, hyperplaneIds(traversed.steps), red.domain.input);
        }
        const verdict = exact.region(p.patterns, i * words, null);
        if (!verdict.decided) note(`cell ${i}: thinner than float64 resolves, and its interior could not be decided exactly`);
        else if (!verdict.interior) note(`cell ${i}: thinner than float64 resolves, and its pattern has no interior (exact)`);
        else thinCells++;
      } else {
        if (!inBox) note(`cell ${i}: its point is not strictly inside the box`);
        if (!inPolytope) note(`cell ${i}: its point is not strictly inside the polytope`);
        if (!samePattern) note(`cell ${i}: a forward pass at its point gives another pattern (in exact arithmetic too)`);
      }
      for (let c = 0; c < r; c++) {
        let acc = 0;
        for (let d = 0; d < n0; d++) acc += p.basis[c * n0 + d] * x[d];
        u[c] = acc;
      }
      const m = p.outputSize;
      for (let o = 0; o < m; o++) {
        const base = (i * m + o) * (r + 1);
        let v = p.outputMaps[base];
        let scale = Math.abs(v);
        for (let c = 0; c < r; c++) {
          const t = p.outputMaps[base + 1 + c] * u[c];
          v += t;
          scale += Math.abs(t);
        }
        if (Math.abs(v - output[o]) > 1e-7 * (1 + scale)) note(`cell ${i}: output ${o} is ${output[o]} by a forward pass, ${v} by the cell's map`);
      }
    }
  }
  const pairs = new Set<number>();
  for (let e = 0; e < p.adjacency.length; e += 2) pairs.add(p.adjacency[e] * p.cellCount + p.adjacency[e + 1]);
  const listed = new Set<number>();
  for (let i = 0; i < p.cellCount; i++) {
    for (let f = p.facetStart[i]; f < p.facetStart[i + 1]; f++) {
      const j = p.facetNeighbour[f];
      if (!(j >= 0 && j < p.cellCount) || j === i) {
        note(`cell ${i}: facet ${f} has no cell across (${j})`);
        continue;
      }
      const key = Math.min(i, j) * p.cellCount + Math.max(i, j);
      if (!pairs.has(key)) note(`cell ${i}: facet toward ${j} missing from the adjacency`);
      listed.add(i * p.cellCount + j);
    }
  }
  for (const key of pairs) {
    const a = Math.floor(key / p.cellCount);
    const b = key % p.cellCount;
    if (!listed.has(a * p.cellCount + b) || !listed.has(b * p.cellCount + a)) note(`cells ${a} and ${b}: adjacent, but the facet is not listed from both sides`);
  }
  return { problems, thinCells };
}

/** A x < b, every row. */
function insidePolytope(polytope: { A: Float64Array; b: Float64Array }, x: Float64Array): boolean {
  const n = x.length;
  for (let j = 0; j < polytope.b.length; j++) {
    let acc = 0;
    for (let d = 0; d < n; d++) acc += polytope.A[j * n + d] * x[d];
    // A row with no gradient is a constant: it holds or it does not, nowhere strictly.
    if (!(acc < polytope.b[j]) && !(polytope.A.subarray(j * n, (j + 1) * n).every((v) => v === 0) && polytope.b[j] >= 0)) return false;
  }
  return true;
}
