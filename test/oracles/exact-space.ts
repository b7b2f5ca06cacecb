/**
 * Independent oracle for the space engine: the partition of a box [lo, hi]^n0 (or of the exact
 * 3-D slice through four points) into activation regions, in exact rational arithmetic, by the
 * plainest algorithm (as exact-partition.ts does in 2-D): every layer cuts every cell by every
 * unit's breakpoint set; a cell is kept only when it has positive volume. A cell is a convex
 * polytope with its constraint rows and its vertices; a cut keeps the vertices on its side and adds
 * the crossings of the edges it crosses, where two vertices span an edge exactly when the rows
 * tight at both have rank k - 1. It shares nothing with the engine but the network's layers.
 * Tiny networks only (BigInt rationals everywhere).
 */
import type { Network } from "../../src/model/layers.ts";
import { type Affine, constA, cutLayers, evalAt, type Cell as OracleCell } from "./affine.ts";
import { ONE, Q, ZERO } from "./rational.ts";

/** A convex polytope of positive volume: rows f with f >= 0 on it, and its vertices. */
interface Polytope {
  rows: Affine[];
  verts: Q[][];
}

type Cell = OracleCell<Polytope>;

/** The rank of a list of vectors, exactly (Gaussian elimination over Q). */
function rank(vectors: Q[][]): number {
  const m = vectors.map((v) => v.slice());
  let r = 0;
  const cols = m.length > 0 ? m[0].length : 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && row[c].sign() !== 0);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p], m[r]];
    for (let i = r + 1; i < m.length; i++) {
      if (m[i][c].sign() === 0) continue;
      const f = m[i][c].div(m[r][c]);
      m[i] = m[i].map((x, j) => x.sub(m[r][j].mul(f)));
    }
    r++;
  }
  return r;
}

/** Whether vertices u and v (indices) span an edge: the rows tight at both have rank k - 1. */
function adjacent(poly: Polytope, tight: boolean[][], u: number, v: number, k: number): boolean {
  const common: Q[][] = [];
  for (let r = 0; r < poly.rows.length; r++) if (tight[u][r] && tight[v][r]) common.push(poly.rows[r].slice(1));
  return common.length >= k - 1 && rank(common) >= k - 1;
}

function tightSets(poly: Polytope): boolean[][] {
  return poly.verts.map((p) => poly.rows.map((f) => evalAt(f, p).sign() === 0));
}

/**
 * The part of the polytope where f >= 0 (f > 0 when strict), null when it has no positive volume.
 * Where f is identically zero on the cell, strictness alone decides.
 */
function clip(poly: Polytope, f: Affine, strict = false): Polytope | null {
  const k = f.length - 1;
  const vals = poly.verts.map((p) => evalAt(f, p).sign());
  if (vals.every((s) => s === 0)) return strict ? null : poly;
  if (vals.every((s) => s >= 0)) return poly;
  if (vals.every((s) => s <= 0)) return null;
  // Vertices strictly on both sides: the part f >= 0 of a full-dimensional polytope has volume.
  const tight = tightSets(poly);
  const verts: Q[][] = poly.verts.filter((_, i) => vals[i] >= 0);
  for (let u = 0; u < poly.verts.length; u++) {
    if (vals[u] <= 0) continue;
    for (let v = 0; v < poly.verts.length; v++) {
      if (vals[v] >= 0 || !adjacent(poly, tight, u, v, k)) continue;
      const fu = evalAt(f, poly.verts[u]);
      const fv = evalAt(f, poly.verts[v]);
      const t = fu.div(fu.sub(fv));
      verts.push(poly.verts[u].map((x, c) => x.add(poly.verts[v][c].sub(x).mul(t))));
    }
  }
  return { rows: [...poly.rows, f], verts };
}

export interface SpaceOracleResult {
  regions: number;
  patterns: string[];
  /** Distinct vertices of the cells (the complex's vertices, boundary included). */
  vertices: number;
  /** Distinct edges of the cells. */
  edges: number;
}

const key = (p: Q[]): string => p.map((x) => `${x.n}/${x.d}`).join(",");

function summarise(cells: Cell[], k: number): SpaceOracleResult {
  const vertices = new Set<string>();
  const edges = new Set<string>();
  for (const c of cells) {
    const names = c.poly.verts.map(key);
    for (const n of names) vertices.add(n);
    // Only the rows of the final polytope matter for its edges (redundant ones do no harm).
    const tight = tightSets(c.poly);
    for (let u = 0; u < names.length; u++)
      for (let v = u + 1; v < names.length; v++) if (adjacent(c.poly, tight, u, v, k)) edges.add(names[u] < names[v] ? `${names[u]}|${names[v]}` : `${names[v]}|${names[u]}`);
  }
  return { regions: cells.length, patterns: cells.map((c) => c.pattern), vertices: vertices.size, edges: edges.size };
}

/** The unit cube [lo, hi]^k as a polytope in its k coordinates. */
function cube(k: number, lo: Q, hi: Q): Polytope {
  const rows: Affine[] = [];
  for (let d = 0; d < k; d++) {
    const up = constA(k, lo.neg());
    up[d + 1] = ONE;
    rows.push(up);
    const down = constA(k, hi);
    down[d + 1] = ONE.neg();
    rows.push(down);
  }
  const verts: Q[][] = [];
  for (let m = 0; m < 2 ** k; m++) verts.push(Array.from({ length: k }, (_, d) => ((m >> d) & 1 ? hi : lo)));
  return { rows, verts };
}

/** Activation regions of a network in the box [lo, hi]^n0 (n0 small: 2^n0 corners). */
export function exactSpaceBoxRegions(net: Network, lo: number, hi: number): SpaceOracleResult {
  const k = net.inputSize;
  const acts: Affine[] = Array.from({ length: k }, (_, d) => {
    const f = constA(k, ZERO);
    f[d + 1] = ONE;
    return f;
  });
  return summarise(cutLayers(net.layers, [{ poly: cube(k, Q.of(lo), Q.of(hi)), acts, stack: [], pattern: "" }], k, clip), k);
}

/**
 * Activation regions in the exact slice through points P0..Pk: x = P0 + sum y_c (P_c - P0) with
 * y in [0, 1]^k, the differences taken exactly (not rounded to float64).
 */
export function exactSliceRegions(net: Network, points: readonly ArrayLike<number>[]): SpaceOracleResult {
  const k = points.length - 1;
  const p0 = Array.from(points[0], Q.of);
  const acts: Affine[] = p0.map((x, i) => [x, ...points.slice(1).map((p) => Q.of(p[i]).sub(x))]);
  return summarise(cutLayers(net.layers, [{ poly: cube(k, ZERO, ONE), acts, stack: [], pattern: "" }], k, clip), k);
}
