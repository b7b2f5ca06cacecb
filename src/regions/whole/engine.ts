/**
 * The traversal of the region adjacency graph (docs/whole.md). Regions are numbered in the
 * order they are found and processed in that order (breadth-first). Processing a region:
 *
 * 1. its rows in the reduced space (constraints.ts), coincident rows grouped (one facet each);
 * 2. for each group, the neighbour's pattern across it without a point (neighbour.ts);
 * 3. the group is decided, cheapest first:
 *    - known: the neighbour already certified this facet from its side;
 *    - bounds: the hyperplane misses the interior of U (support function) -> not a facet;
 *    - known points: the neighbour's pattern was already found, and the segment between the two
 *      regions' centres crosses the hyperplane at a point where every other row holds with a
 *      margin -> a facet (no LP);
 *    - an LP (box-lp.ts): the largest margin of the other rows on the hyperplane, certified from
 *      both sides; above the thinness threshold a facet, below not, straddling it uncertain;
 * 4. a facet to an unknown pattern gives a new region, with its centre from one LP.
 *
 * Thinness: a region or facet whose in-radius (the margin) is at most eps * radius is not
 * counted, as in the space engine (docs/space.md); the LP certificates decide on which side of
 * that threshold each margin lies, and an undecided one is counted in `uncertain`.
 */
import type { Compiled } from "../../model/forward.ts";
import { forward } from "../../model/forward.ts";
import { type Growable, growableFloat64, growableInt32, growableUint32 } from "../buffers.ts";
import { type Budget, caughtLimit, type LimitReached } from "../limits.ts";
import { BoxLp } from "./box-lp.ts";
import { hyperplaneIds, maxRows, RegionRows, regionRows, rowScratch } from "./constraints.ts";
import { NeighbourPass } from "./neighbour.ts";
import { PatternTable } from "./pattern-table.ts";
import { type Reduction, supportRange } from "./reduce.ts";

export interface TraverseOptions {
  eps: number;
  start: ArrayLike<number> | null;
  /** Limits and progress: one tick per region processed; a limit ends the traversal early. */
  budget: Budget;
}

export interface TraverseStats {
  lpSolves: number;
  lpIterations: number;
  /** Facets decided from the other side, by a segment between centres, by an LP. */
  knownFacets: number;
  witnessFacets: number;
  lpFacets: number;
  /** Candidate rows decided not to be facets: hyperplane outside U, by an LP, or crossing changes nothing. */
  supportRejected: number;
  lpRejected: number;
  unchanged: number;
  /** Decisions the certificates could not make (gap across the threshold, or the LP failed). */
  uncertain: number;
  /** Neighbours found across a facet whose own in-radius is below the threshold (not counted). */
  thinRegions: number;
}

export interface TraverseResult {
  /** Set when a limit stopped the traversal: regions found so far, facets of those processed. */
  stopped: LimitReached | null;
  table: PatternTable;
  r: number;
  centres: Float64Array;
  inputPoints: Float64Array;
  margins: Float64Array;
  outputs: Float64Array;
  facetStart: Uint32Array;
  facetHyperplane: Int32Array;
  facetNeighbour: Int32Array;
  edges: Uint32Array;
  stats: TraverseStats;
}

export function traverse(compiled: Compiled, red: Reduction, options: TraverseOptions): TraverseResult {
  const { r, n0 } = red;
  const words = compiled.layout.words;
  const outputSize = compiled.outputSize;
  const mapSize = outputSize * (r + 1);
  const ids = hyperplaneIds(compiled.steps);
  const capacity = maxRows(compiled.steps);
  const rows = new RegionRows(r, capacity, outputSize);
  const other = new RegionRows(r, capacity, outputSize);
  const scratch = rowScratch(compiled, red);
  const pass = new NeighbourPass(compiled, red);
  const lp = new BoxLp(red);
  const table = new PatternTable(words);
  const threshold = options.eps * red.radius;
  const flatTol = 1e-10;
  const stats: TraverseStats = {
    lpSolves: 0,
    lpIterations: 0,
    knownFacets: 0,
    witnessFacets: 0,
    lpFacets: 0,
    supportRejected: 0,
    lpRejected: 0,
    unchanged: 0,
    uncertain: 0,
    thinRegions: 0,
  };

  const centres = growableFloat64();
  const inputs = growableFloat64();
  const margins = growableFloat64();
  const outputs = growableFloat64();
  const facetStart = growableUint32();
  const facetHp = growableInt32();
  const facetNb = growableInt32();
  const edges = growableUint32();
  // Facets certified from the other side: a linked list per region of (hyperplane id, region).
  const knownHead = growableInt32();
  const knownNext = growableInt32();
  const knownHp = growableInt32();
  const knownFrom = growableInt32();

  // LP buffers (rows of one problem).
  const lpA = new Float64Array(capacity * r);
  const lpNu = new Float64Array(capacity);
  const lpB = new Float64Array(capacity);
  const lpEq = new Uint8Array(capacity);
  const sHi = 2 * red.radius + 1;

  /** The interior LP of `rs`: certified margin bounds, the point left in lp.x / lp.u. */
  const interior = (rs: RegionRows): { lower: number; upper: number; ok: boolean } => {
    for (let f = 0; f < rs.flatCount; f++) if (rs.flatValue[f] > flatTol) return { lower: -Infinity, upper: -Infinity, ok: true };
    const K = rs.count;
    let maxB = 0;
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < r; c++) lpA[k * r + c] = rs.A[k * r + c];
      lpB[k] = rs.b[k];
      lpNu[k] = 1;
      lpEq[k] = 0;
      maxB = Math.max(maxB, Math.abs(rs.b[k]));
    }
    const res = lp.solve(K, lpA, lpNu, lpB, lpEq, -(maxB + sHi), sHi);
    return { lower: res.lower, upper: res.upper, ok: res.status === "optimal" };
  };

  const addRegion = (pattern: Uint32Array, offset: number, rs: RegionRows, margin: number): number => {
    const id = table.add(pattern, offset);
    centres.reserve(r);
    for (let c = 0; c < r; c++) centres.data[centres.length++] = lp.u[c];
    inputs.reserve(n0);
    for (let d = 0; d < n0; d++) inputs.data[inputs.length++] = lp.x[d];
    margins.push(margin);
    // Stored as the other engines do: outputSize x (r + 1), [o * (r + 1) + c].
    outputs.reserve(mapSize);
    for (let o = 0; o < outputSize; o++) for (let c = 0; c <= r; c++) outputs.data[outputs.length++] = rs.output[c * outputSize + o];
    knownHead.push(-1);
    return id;
  };

  // The start region: the box centre, else seeded points of the box.
  const startPattern = new Uint32Array(words);
  {
    const x = new Float64Array(n0);
    let seed = 0x2545f491;
    let found = false;
    for (let attempt = 0; attempt < 64 && !found; attempt++) {
      for (let d = 0; d < n0; d++) {
        if (attempt === 0 && options.start) x[d] = options.start[d];
        else if (attempt === 0 || (attempt === 1 && options.start)) x[d] = 0.5 * (red.lo + red.hi);
        else {
          seed ^= seed << 13;
          seed ^= seed >>> 17;
          seed ^= seed << 5;
          x[d] = red.lo + ((seed >>> 0) / 4294967296) * (red.hi - red.lo);
        }
      }
      startPattern.set(forward(compiled, x).pattern);
      regionRows(compiled, red, ids, startPattern, 0, rows, scratch);
      const res = interior(rows);
      if (res.lower > threshold) {
        addRegion(startPattern, 0, rows, res.lower);
        found = true;
      }
    }
    if (!found) throw new Error("no region with interior found from the box centre or 64 sampled points");
  }

  // The last piecewise step, when it is elementwise with one breakpoint (see 3c).
  let lastStep = -1;
  compiled.steps.forEach((step, s) => {
    if (step.kind === "elementwise" || step.kind === "max") lastStep = s;
  });
  const lastDef = lastStep >= 0 ? compiled.steps[lastStep] : null;
  const lastSingle = lastDef !== null && lastDef.kind === "elementwise" && lastDef.breakpoints.length === 1;
  const groupOf = new Int32Array(capacity);
  const members = new Int32Array(capacity);
  const neighbour = new Uint32Array(words);
  const hpCache = new Float64Array(2 * ids.total).fill(Number.NaN);
  const y = new Float64Array(r);

  const budget = options.budget;
  let stopped: LimitReached | null = null;
  let processed = 0;
  try {
    for (let i = 0; i < table.count; i++) {
      processRegion(i);
      processed++;
      budget.tick();
    }
  } catch (e) {
    stopped = caughtLimit(e);
  }
  // Regions found but not processed (a limit stopped the traversal) list no facets.
  for (let i = processed; i < table.count; i++) facetStart.push(facetHp.length);
  facetStart.push(facetHp.length);
  stats.lpSolves = lp.solves;
  stats.lpIterations = lp.iterations;
  return {
    stopped,
    table,
    r,
    centres: centres.toArray(),
    inputPoints: inputs.toArray(),
    margins: margins.toArray(),
    outputs: outputs.toArray(),
    facetStart: facetStart.toArray(),
    facetHyperplane: facetHp.toArray(),
    facetNeighbour: facetNb.toArray(),
    edges: edges.toArray(),
    stats,
  };

  function processRegion(i: number): void {
    facetStart.push(facetHp.length);
    regionRows(compiled, red, ids, table.patterns, i * words, rows, scratch);
    const K = rows.count;
    // Coincident rows (same unit normal and offset) form one group.
    for (let k = 0; k < K; k++) groupOf[k] = k;
    for (let k = 0; k < K; k++) {
      if (groupOf[k] !== k) continue;
      for (let q = k + 1; q < K; q++) {
        if (groupOf[q] !== q) continue;
        if (coincident(rows, k, q, r, threshold)) groupOf[q] = k;
      }
    }
    const cu = i * r;
    for (let k = 0; k < K; k++) {
      if (groupOf[k] !== k) continue;
      budget.poll();
      let size = 0;
      for (let q = k; q < K; q++) if (groupOf[q] === k) members[size++] = q;
      // 1. Certified from the other side.
      let known = -1;
      for (let e = knownHead.data[i]; e >= 0 && known < 0; e = knownNext.data[e]) {
        for (let g = 0; g < size; g++) if (rows.hp[members[g]] === knownHp.data[e]) known = knownFrom.data[e];
      }
      if (known >= 0) {
        stats.knownFacets++;
        facetHp.push(rows.hp[k]);
        facetNb.push(known);
        continue;
      }
      // 2. The neighbour's pattern.
      if (!pass.across(rows, members, size, flatTol, table.patterns, i * words, neighbour, 0)) {
        stats.unchanged++;
        continue;
      }
      // 3a. Bounds: does the hyperplane meet the interior of U (with room above the threshold)?
      let min: number;
      let max: number;
      let err: number;
      const hp = rows.hp[k];
      if (rows.step[k] === red.first && rows.kind[k] !== 2) {
        if (Number.isNaN(hpCache[2 * hp])) {
          const range = supportRange(red, rows.A, k * r);
          const sign = rows.kind[k] === 0 ? 1 : -1;
          hpCache[2 * hp] = sign > 0 ? range.min : -range.max;
          hpCache[2 * hp + 1] = sign > 0 ? range.max : -range.min;
          err = range.err;
        }
        const sign = rows.kind[k] === 0 ? 1 : -1;
        min = sign > 0 ? hpCache[2 * hp] : -hpCache[2 * hp + 1];
        max = sign > 0 ? hpCache[2 * hp + 1] : -hpCache[2 * hp];
        err = 1e-12 * (Math.abs(min) + Math.abs(max) + 1);
      } else {
        ({ min, max, err } = supportRange(red, rows.A, k * r));
      }
      const b = rows.b[k];
      if (!(b > min + err + threshold && b < max - err - threshold)) {
        stats.supportRejected++;
        continue;
      }
      // 3b. Known points: a segment from this centre to the neighbour's.
      let nb = table.find(neighbour, 0);
      if (nb >= 0 && segmentWitness(rows, groupOf, k, centres.data, cu, nb * r, r, threshold, y)) {
        stats.witnessFacets++;
        recordFacet(i, nb, hp, members, size);
        continue;
      }
      // 3c. The LP: margin of the other groups on the hyperplane. When the facet's units are
      // in the last piecewise step and have one breakpoint, nothing else changes across it: the
      // neighbour's rows are these with the facet's flipped, and one LP over them decides the
      // facet (the neighbour has interior iff the facet exists) and gives the neighbour's centre.
      let flipOnly = lastSingle;
      for (let g = 0; g < size && flipOnly; g++) if (rows.step[members[g]] !== lastStep) flipOnly = false;
      let K2 = 0;
      let maxB = 0;
      for (let q = 0; q < K; q++) {
        if (groupOf[q] !== q && groupOf[q] !== k) continue;
        if (groupOf[q] === k && q !== k) continue;
        const sign = flipOnly && q === k ? -1 : 1;
        for (let c = 0; c < r; c++) lpA[K2 * r + c] = sign * rows.A[q * r + c];
        lpB[K2] = sign * rows.b[q];
        lpNu[K2] = q === k && !flipOnly ? 0 : 1;
        lpEq[K2] = q === k && !flipOnly ? 1 : 0;
        maxB = Math.max(maxB, Math.abs(rows.b[q]));
        K2++;
      }
      const res = lp.solve(K2, lpA, lpNu, lpB, lpEq, -(maxB + sHi), sHi);
      if (res.status === "error" || (res.lower <= threshold && res.upper > threshold)) {
        stats.uncertain++;
        continue;
      }
      if (res.status === "infeasible" || res.upper <= threshold) {
        stats.lpRejected++;
        continue;
      }
      stats.lpFacets++;
      if (nb < 0 && flipOnly) {
        regionRows(compiled, red, ids, neighbour, 0, other, scratch);
        nb = addRegion(neighbour, 0, other, res.lower);
      } else if (nb < 0) {
        regionRows(compiled, red, ids, neighbour, 0, other, scratch);
        const inner = interior(other);
        if (!inner.ok || (inner.lower <= threshold && inner.upper > threshold)) {
          stats.uncertain++;
          continue;
        }
        if (inner.lower <= threshold) {
          stats.thinRegions++;
          continue;
        }
        nb = addRegion(neighbour, 0, other, inner.lower);
      }
      recordFacet(i, nb, hp, members, size);
    }
  }
  function recordFacet(i: number, nb: number, hp: number, group: Int32Array, size: number): void {
    facetHp.push(hp);
    facetNb.push(nb);
    edges.push(Math.min(i, nb));
    edges.push(Math.max(i, nb));
    if (nb > i) {
      // Tell the neighbour (processed later) which hyperplanes this facet lies on.
      for (let g = 0; g < size; g++) {
        knownNext.push(knownHead.data[nb]);
        knownHp.push(rows.hp[group[g]]);
        knownFrom.push(i);
        knownHead.data[nb] = knownNext.length - 1;
      }
    }
  }
}

/** Rows k and q are the same hyperplane with the same side (unit normals and offsets agree). */
function coincident(rows: RegionRows, k: number, q: number, r: number, threshold: number): boolean {
  const A = rows.A;
  for (let c = 0; c < r; c++) if (Math.abs(A[k * r + c] - A[q * r + c]) > 1e-9) return false;
  return Math.abs(rows.b[k] - rows.b[q]) <= threshold;
}

/**
 * The segment from centre a to centre b (in u) crosses row k's hyperplane at a point y where
 * every row of another group holds with more than the threshold: y is then in the relative
 * interior of the facet (and in U, between two points of U).
 */
function segmentWitness(rows: RegionRows, groupOf: Int32Array, k: number, centres: Float64Array, a: number, b: number, r: number, threshold: number, y: Float64Array): boolean {
  const A = rows.A;
  let fa = -rows.b[k];
  let fb = -rows.b[k];
  for (let c = 0; c < r; c++) {
    fa += A[k * r + c] * centres[a + c];
    fb += A[k * r + c] * centres[b + c];
  }
  if (!(fa < 0 && fb > 0)) return false;
  const t = -fa / (fb - fa);
  for (let c = 0; c < r; c++) y[c] = centres[a + c] + t * (centres[b + c] - centres[a + c]);
  for (let q = 0; q < rows.count; q++) {
    if (groupOf[q] === k) continue;
    let v = -rows.b[q];
    for (let c = 0; c < r; c++) v += A[q * r + c] * y[c];
    if (!(v < -threshold)) return false;
  }
  return true;
}

export type { Growable };
