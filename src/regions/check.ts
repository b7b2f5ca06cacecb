/**
 * Self-checks of a partition, independent of how it was computed:
 * - the cells' measures (lengths, areas) add up to the domain's;
 * - each cell's interior point reproduces the cell's pattern and output by a forward pass;
 * - patterns are distinct (activation regions are convex, so one cell per pattern);
 * - planar partitions satisfy Euler's relation V - E + F = 1 (vertices merged within a tolerance);
 * - with the domain given, a space partition's complex counted again with every vertex, edge and
 *   facet enumerated, where the count derived some of them (edges by Euler's relation, facets
 *   from the cells' incidences: docs/space.md), gives the same counts.
 * Returns the problems found (empty when all is well). Used by tests and `--check` in the CLI.
 */

import type { Domain } from "../domain/domain.ts";
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import { type Compiled, forward } from "../model/forward.ts";
import { getState, patternsEqual } from "../model/pattern.ts";
import type { LinePartition, Partition, PlanePartition, SpacePartition } from "./partition.ts";
import { spacePartition } from "./space.ts";
import { spaceArguments } from "./space-domain.ts";
import { checkWhole } from "./whole/check.ts";

/** What the self-checks found (`problems` is empty when all is well). */
export interface CheckReport {
  problems: string[];
  /** Cells whose interior point was too close to the boundary to test by a forward pass. */
  skippedThinCells: number;
  /**
   * Cells where the forward pass picks another argmax of a max unit with the same output:
   * branches equal up to rounding (ties), which the engines resolve to the first branch.
   */
  ties?: number;
  /** Euler's relation; not checked (absent) when cells thinner than its vertex-merging tolerance exist. */
  euler?: { vertices: number; edges: number; faces: number };
}

const MAX_LISTED = 5;

/**
 * Self-checks of a partition: measures add up to the domain's, interior points reproduce their
 * patterns by a forward pass, patterns are distinct, Euler's relation; with `domain` (the one the
 * partition was counted on), a space partition's complex enumerated again.
 */
export function checkPartition(compiled: Compiled, partition: Partition, domain?: Domain): CheckReport {
  switch (partition.kind) {
    case "plane":
      return checkPlane(compiled, partition);
    case "line":
      return checkLine(compiled, partition);
    case "whole":
      return { problems: checkWhole(compiled, partition).problems, skippedThinCells: 0 };
    default: {
      const report = checkSpace(compiled, partition);
      if (domain) report.problems.push(...checkSpaceComplex(compiled, partition, domain));
      return report;
    }
  }
}

/**
 * The complex's counts of a space partition against a second count that enumerates all of them
 * (every edge and facet hashed, every facet matched: `countEdges`, `countFacets`), so the counts
 * the first one derived by Euler's relation and from the facet incidences are checked by one that
 * does not derive them. Nothing to check where the complex was not counted.
 */
function checkSpaceComplex(compiled: Compiled, p: SpacePartition, domain: Domain): string[] {
  if (p.vertexCount < 0) return [];
  const again = spacePartition(compiled, { ...spaceArguments(domain), countEdges: true, countFacets: true });
  const got = [p.cellCount, p.vertexCount, p.edgeCount, p.facetCount];
  const enumerated = [again.cellCount, again.vertexCount, again.edgeCount, again.facetCount];
  if (got.every((v, i) => v === enumerated[i])) return [];
  return [`the complex counted again with every edge and facet enumerated differs: cells, vertices, edges, facets ${got.join(", ")} against ${enumerated.join(", ")}`];
}

/** Space partitions: interior points (centres) against a forward pass; distinct patterns. */
function checkSpace(compiled: Compiled, p: SpacePartition): CheckReport {
  const problems: string[] = [];
  const n0 = compiled.inputSize;
  const k = p.dim;
  const x = new Float64Array(n0);
  let skipped = 0;
  for (let i = 0; i < p.cellCount; i++) {
    if (!(p.radii[i] > 1e-9)) {
      skipped++;
      continue;
    }
    const y = p.centres.subarray(i * k, (i + 1) * k);
    for (let d = 0; d < n0; d++) {
      let v = p.origin[d];
      for (let c = 0; c < k; c++) v += y[c] * p.basis[c * n0 + d];
      x[d] = v;
    }
    const out = p.outputSize;
    compareOutput(
      compiled,
      p,
      x,
      (o) => {
        const m = (i * out + o) * (k + 1);
        let v = p.outputMaps[m];
        for (let c = 0; c < k; c++) v += y[c] * p.outputMaps[m + 1 + c];
        return v;
      },
      i,
      problems,
    );
  }
  distinctPatterns(p, problems, () => true);
  nearVertices(compiled, p, problems);
  return { problems, skippedThinCells: skipped, ties: tieCount.get(p) ?? 0 };
}

/**
 * Probes toward each vertex of each cell, at distances 10^-1 .. 10^-15 of the way from the cell's
 * interior point (while they stay clear of the facets by more than rounding): every probe lies in the (convex) cell, so a forward pass must give the cell's
 * pattern. A region the engine lost (taken for part of a neighbour, when a hyperplane was judged
 * to only touch a cell) lies at the vertices that were judged on the hyperplane, and small
 * regions near a vertex of a large cell are missed by probes at the centre and by uniform samples
 * alike; this finds them at any scale (in every cell, or evenly spread cells of a partition too large
 * to probe whole). A mismatch counts only when the probes at a quarter and
 * four times the distance agree with it, so a probe within rounding of a facet is no finding.
 */
const PROBE_BUDGET = 2_000_000;

function nearVertices(compiled: Compiled, p: SpacePartition, problems: string[]): void {
  const n0 = compiled.inputSize;
  const k = p.dim;
  const words = p.layout.words;
  const x = new Float64Array(n0);
  const y = new Float64Array(k);
  const differs = (i: number, v: number, lambda: number): boolean => {
    if (!(lambda < 1)) return true;
    for (let c = 0; c < k; c++) {
      const at = p.vertices[v * k + c];
      y[c] = at + lambda * (p.centres[i * k + c] - at);
    }
    for (let d = 0; d < n0; d++) {
      let s = p.origin[d];
      for (let c = 0; c < k; c++) s += y[c] * p.basis[c * n0 + d];
      x[d] = s;
    }
    const { pattern } = forward(compiled, x);
    return !patternsEqual(pattern, 0, p.patterns, i * words, words) && !differsOnlyInMaxUnits(compiled, pattern, p.patterns, i * words);
  };
  // At most about PROBE_BUDGET forward passes: every cell when they fit, else every stride-th.
  const vertices = p.vertexStart[p.cellCount] - p.vertexStart[0];
  const stride = Math.max(1, Math.ceil((vertices * 15) / PROBE_BUDGET));
  for (let i = 0; i < p.cellCount; i += stride) {
    if (!(p.radii[i] > 0)) continue;
    let centre = 0;
    for (let c = 0; c < k; c++) centre = Math.max(centre, Math.abs(p.centres[i * k + c]));
    for (let v = p.vertexStart[i]; v < p.vertexStart[i + 1]; v++) {
      let size = centre;
      for (let c = 0; c < k; c++) size = Math.max(size, Math.abs(p.vertices[v * k + c]));
      for (let j = 1; j <= 15; j++) {
        const lambda = 10 ** -j;
        // A probe about lambda * radius from the facets through the vertex: far enough from them
        // to be decided in float64 when that is well above the coordinates' rounding.
        if (lambda * p.radii[i] < 1e-13 * size) break;
        if (differs(i, v, lambda) && differs(i, v, lambda / 4) && differs(i, v, 4 * lambda)) {
          note(problems, `cell ${i}: points near its vertex ${v - p.vertexStart[i]} have another activation pattern (a region the engine did not separate)`);
          return;
        }
      }
    }
  }
}

function note(problems: string[], message: string): void {
  if (problems.length < MAX_LISTED) problems.push(message);
  else if (problems.length === MAX_LISTED) problems.push("(more problems not listed)");
}

function distinctPatterns(p: Partition, problems: string[], sameGroup: (a: number, b: number) => boolean): void {
  const words = p.layout.words;
  const seen = new Map<string, number>();
  for (let i = 0; i < p.cellCount; i++) {
    const key = p.patterns.subarray(i * words, (i + 1) * words).join(",");
    const j = seen.get(key);
    if (j !== undefined && sameGroup(i, j)) note(problems, `cells ${j} and ${i} have the same activation pattern`);
    seen.set(key, i);
  }
}

const scales = new WeakMap<Partition, number>();

/** Largest coefficient of any cell's output map (cached per partition). */
function outputScale(p: Partition): number {
  let s = scales.get(p);
  if (s === undefined) {
    s = 1e-300;
    for (const v of p.outputMaps) s = Math.max(s, Math.abs(v));
    scales.set(p, s);
  }
  return s;
}

/** Forward pass at x against cell `cell`'s output map and pattern. */
function compareOutput(compiled: Compiled, p: Partition, x: Float64Array, expected: (o: number) => number, cell: number, problems: string[]): void {
  const { output, pattern } = forward(compiled, x);
  // Outputs can cancel to ~0 through large intermediate values: compare relative to the
  // partition's typical output magnitude, not to the value itself.
  const scale = outputScale(p) * (1 + Math.max(...Array.from(x, Math.abs)));
  for (let o = 0; o < output.length; o++) {
    const e = expected(o);
    // Written so that NaN or infinity fails the test rather than passing it.
    if (!(Math.abs(output[o] - e) <= 1e-9 * (Math.abs(e) + scale))) {
      note(problems, `cell ${cell}: output ${o} is ${output[o]} by a forward pass, ${expected(o)} by the cell's affine map`);
      return;
    }
  }
  if (!patternsEqual(pattern, 0, p.patterns, cell * p.layout.words, p.layout.words)) {
    if (differsOnlyInMaxUnits(compiled, pattern, p.patterns, cell * p.layout.words)) tieCount.set(p, (tieCount.get(p) ?? 0) + 1);
    else note(problems, `cell ${cell}: a forward pass at its interior point gives another activation pattern`);
  }
}

const tieCount = new WeakMap<Partition, number>();

/** Whether two patterns agree on every unit except units of max steps (argmax ties). */
function differsOnlyInMaxUnits(compiled: Compiled, a: Uint32Array, b: Uint32Array, bOff: number): boolean {
  const layout = compiled.layout;
  for (let s = 0; s < compiled.steps.length; s++) {
    if (layout.stepBit[s] < 0 || compiled.steps[s].kind === "max") continue;
    for (let u = 0; u < layout.stepUnits[s]; u++) if (getState(layout, a, 0, s, u) !== getState(layout, b, bOff, s, u)) return false;
  }
  return true;
}

function checkLine(compiled: Compiled, p: LinePartition): CheckReport {
  const problems: string[] = [];
  const n0 = compiled.inputSize;
  // Lengths per segment.
  const covered = new Float64Array(p.segments);
  for (let i = 0; i < p.cellCount; i++) covered[p.segmentOf[i]] += p.tEnd[i] - p.tStart[i];
  covered.forEach((c, g) => {
    if (Math.abs(c - 1) > 1e-9) note(problems, `segment ${g}: pieces cover ${c} of the parameter range [0, 1]`);
  });
  let skipped = 0;
  const x = new Float64Array(n0);
  for (let i = 0; i < p.cellCount; i++) {
    const g = p.segmentOf[i];
    const t = (p.tStart[i] + p.tEnd[i]) / 2;
    if (p.tEnd[i] - p.tStart[i] < 1e-9) {
      skipped++;
      continue;
    }
    for (let k = 0; k < n0; k++) x[k] = p.path[g * n0 + k] + t * (p.path[(g + 1) * n0 + k] - p.path[g * n0 + k]);
    const out = p.outputSize;
    compareOutput(compiled, p, x, (o) => p.outputMaps[(i * out + o) * 2] + t * p.outputMaps[(i * out + o) * 2 + 1], i, problems);
  }
  distinctPatterns(p, problems, (a, b) => p.segmentOf[a] === p.segmentOf[b]);
  return { problems, skippedThinCells: skipped, ties: tieCount.get(p) ?? 0 };
}

function checkPlane(compiled: Compiled, p: PlanePartition): CheckReport {
  const problems: string[] = [];
  const domainArea = signedPolygonArea(p.domain);
  let total = 0;
  // Cells can be thinner than float64 coordinates resolve (their shoelace area rounds to 0 or
  // slightly below); only an area clearly below zero is wrong.
  for (let i = 0; i < p.cellCount; i++) {
    if (p.areas[i] < -1e-12 * domainArea) note(problems, `cell ${i} has negative area ${p.areas[i]}`);
    total += p.areas[i];
  }
  if (Math.abs(total - domainArea) > 1e-9 * domainArea) note(problems, `cell areas add up to ${total}, the domain's area is ${domainArea}`);

  // Interior points: the centroid of each cell, tested when it is not within rounding of an edge.
  let span = 0;
  for (let k = 0; k < p.domain.length; k++) span = Math.max(span, Math.abs(p.domain[k]));
  const n0 = compiled.inputSize;
  const x = new Float64Array(n0);
  let skipped = 0;
  for (let i = 0; i < p.cellCount; i++) {
    const s = p.cellStart[i];
    const e = p.cellStart[i + 1];
    let cu = 0;
    let cv = 0;
    for (let k = s; k < e; k++) {
      cu += p.vertices[2 * k];
      cv += p.vertices[2 * k + 1];
    }
    cu /= e - s;
    cv /= e - s;
    // Distance from the centroid to the nearest edge line.
    let inner = Number.POSITIVE_INFINITY;
    for (let k = s; k < e; k++) {
      const j = k + 1 < e ? k + 1 : s;
      const du = p.vertices[2 * j] - p.vertices[2 * k];
      const dv = p.vertices[2 * j + 1] - p.vertices[2 * k + 1];
      const len = Math.hypot(du, dv);
      if (len > 0) inner = Math.min(inner, Math.abs(du * (cv - p.vertices[2 * k + 1]) - dv * (cu - p.vertices[2 * k])) / len);
    }
    if (!(inner > 1e-9 * (span + 1))) {
      skipped++;
      continue;
    }
    for (let k = 0; k < n0; k++) x[k] = p.origin[k] + cu * p.e1[k] + cv * p.e2[k];
    const out = p.outputSize;
    compareOutput(
      compiled,
      p,
      x,
      (o) => {
        const m = (i * out + o) * 3;
        return p.outputMaps[m] + cu * p.outputMaps[m + 1] + cv * p.outputMaps[m + 2];
      },
      i,
      problems,
    );
  }
  distinctPatterns(p, problems, () => true);
  const ties = tieCount.get(p) ?? 0;
  // Merging vertices within a tolerance is only sound when no cell is that thin.
  if (skipped > 0) return { problems, skippedThinCells: skipped, ties };
  const euler = eulerCounts(p, 1e-9 * (span + 1));
  if (euler.vertices - euler.edges + euler.faces !== 1) {
    note(problems, `Euler's relation fails: V - E + F = ${euler.vertices} - ${euler.edges} + ${euler.faces} != 1`);
  }
  return { problems, skippedThinCells: skipped, ties, euler };
}

/**
 * V, E, F of the planar graph. Vertices of different cells within `tol` are one vertex. Edges:
 * along every cut line, the points where the two sides' edge fragments begin or end split its
 * segment into elementary edges; boundary edges count once each.
 */
function eulerCounts(p: PlanePartition, tol: number): { vertices: number; edges: number; faces: number } {
  const m = p.vertices.length / 2;
  // Cluster vertices: sort by u, union those within tol in both coordinates.
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  order.sort((a, b) => p.vertices[2 * a] - p.vertices[2 * b]);
  const parent = new Int32Array(m);
  for (let k = 0; k < m; k++) parent[k] = k;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let a = 0; a < m; a++) {
    const i = order[a];
    for (let b = a + 1; b < m; b++) {
      const j = order[b];
      if (p.vertices[2 * j] - p.vertices[2 * i] > tol) break;
      if (Math.abs(p.vertices[2 * j + 1] - p.vertices[2 * i + 1]) <= tol) {
        const ri = find(i);
        const rj = find(j);
        if (ri !== rj) parent[ri] = rj;
      }
    }
  }
  let vertices = 0;
  for (let k = 0; k < m; k++) if (find(k) === k) vertices++;
  // Edges.
  const endpointsOnLine = new Map<number, Set<number>>();
  let boundary = 0;
  for (let i = 0; i < p.cellCount; i++) {
    const s = p.cellStart[i];
    const e = p.cellStart[i + 1];
    for (let k = s; k < e; k++) {
      const tag = p.edgeLine[k];
      if (tag < 0) {
        boundary++;
        continue;
      }
      const j = k + 1 < e ? k + 1 : s;
      let set = endpointsOnLine.get(tag >> 1);
      if (!set) {
        set = new Set();
        endpointsOnLine.set(tag >> 1, set);
      }
      set.add(find(k));
      set.add(find(j));
    }
  }
  let edges = boundary;
  for (const set of endpointsOnLine.values()) edges += set.size - 1;
  return { vertices, edges, faces: p.cellCount };
}
