/**
 * The decision boundary of a plane partition, exact per cell: the network is affine on a cell,
 * so the boundary is a union of straight segments, found by clipping each cell by the half-planes
 * where one class wins.
 */
import type { PlanePartition } from "../regions/partition.ts";

/**
 * The decision boundary as segments [u1, v1, u2, v2, ...] in slice coordinates, exact per cell
 * (the network is affine on a cell, so the boundary is a union of straight segments):
 * - one output f: the zero level set f = 0 (classes "f > 0" and "f < 0");
 * - two outputs: the zero level set of f0 - f1;
 * - C > 2 outputs: where the argmax changes, i.e. the edges between the sub-polygons on which each
 *   output is the largest.
 * One rule covers all three: class i's part of a cell is the cell clipped by f_i >= f_k for every
 * other k (with a constant 0 as the second class for one output); its edges that come from a clip
 * line f_i = f_k with k > i are boundary (k > i so each is drawn once).
 */
export function decisionBoundary(partition: PlanePartition): Float64Array {
  const outs = partition.outputSize;
  const classes = outs === 1 ? 2 : outs;
  const maps = partition.outputMaps;
  // Per-class affine maps of the current cell: classes x 3 (constant, d/du, d/dv).
  const f = new Float64Array(classes * 3);
  const out: number[] = [];
  let poly: Polygon = emptyPolygon(16);
  let scratch: Polygon = emptyPolygon(16);
  for (let cell = 0; cell < partition.cellCount; cell++) {
    f.fill(0);
    for (let k = 0; k < Math.min(outs, classes); k++) {
      for (let c = 0; c < 3; c++) f[k * 3 + c] = maps[(cell * outs + k) * 3 + c];
    }
    const start = partition.cellStart[cell];
    const end = partition.cellStart[cell + 1];
    for (let i = 0; i < classes - 1; i++) {
      poly = loadCell(partition, start, end, poly);
      for (let k = 0; k < classes && poly.n > 0; k++) {
        if (k === i) continue;
        scratch = clipHalfPlane(poly, f[i * 3] - f[k * 3], f[i * 3 + 1] - f[k * 3 + 1], f[i * 3 + 2] - f[k * 3 + 2], k, scratch);
        [poly, scratch] = [scratch, poly];
      }
      for (let j = 0; j < poly.n; j++) {
        if (poly.tag[j] <= i) continue;
        const next = (j + 1) % poly.n;
        const u1 = poly.uv[2 * j];
        const v1 = poly.uv[2 * j + 1];
        const u2 = poly.uv[2 * next];
        const v2 = poly.uv[2 * next + 1];
        if (u1 !== u2 || v1 !== v2) out.push(u1, v1, u2, v2);
      }
    }
  }
  return Float64Array.from(out);
}

/** A convex polygon with, per vertex, a tag for its outgoing edge (-1: the cell's own boundary). */
interface Polygon {
  n: number;
  uv: Float64Array;
  tag: Int32Array;
}

function emptyPolygon(capacity: number): Polygon {
  return { n: 0, uv: new Float64Array(2 * capacity), tag: new Int32Array(capacity) };
}

function reserve(p: Polygon, n: number): Polygon {
  if (p.tag.length >= n) return p;
  const q = emptyPolygon(2 * n);
  q.uv.set(p.uv.subarray(0, 2 * p.n));
  q.tag.set(p.tag.subarray(0, p.n));
  q.n = p.n;
  return q;
}

function loadCell(partition: PlanePartition, start: number, end: number, into: Polygon): Polygon {
  const p = reserve(into, end - start);
  p.n = end - start;
  p.uv.set(partition.vertices.subarray(2 * start, 2 * end));
  p.tag.fill(-1, 0, p.n);
  return p;
}

/**
 * Sutherland-Hodgman against g(u, v) = c + a u + b v >= 0; new edges on g = 0 get `tag`.
 * Values within rounding of zero count as zero, so a map that vanishes on a whole cell or along
 * a cell edge (f = relu(...) next to a dead region) draws no boundary there: only sign changes do.
 */
function clipHalfPlane(p: Polygon, c: number, a: number, b: number, tag: number, into: Polygon): Polygon {
  const q = reserve(into, 2 * p.n + 2);
  q.n = 0;
  let reach = 0;
  for (let j = 0; j < 2 * p.n; j += 2) reach = Math.max(reach, Math.abs(a * p.uv[j]) + Math.abs(b * p.uv[j + 1]));
  const tol = 1e-12 * (Math.abs(c) + reach);
  const g = (u: number, v: number): number => {
    const x = c + a * u + b * v;
    return Math.abs(x) <= tol ? 0 : x;
  };
  const push = (u: number, v: number, t: number): void => {
    q.uv[2 * q.n] = u;
    q.uv[2 * q.n + 1] = v;
    q.tag[q.n] = t;
    q.n++;
  };
  for (let j = 0; j < p.n; j++) {
    const next = (j + 1) % p.n;
    const u1 = p.uv[2 * j];
    const v1 = p.uv[2 * j + 1];
    const u2 = p.uv[2 * next];
    const v2 = p.uv[2 * next + 1];
    const g1 = g(u1, v1);
    const g2 = g(u2, v2);
    if (g1 >= 0) {
      push(u1, v1, p.tag[j]);
      if (g2 < 0) {
        const t = g1 / (g1 - g2);
        push(u1 + t * (u2 - u1), v1 + t * (v2 - v1), tag);
      }
    } else if (g2 >= 0) {
      const t = g1 / (g1 - g2);
      push(u1 + t * (u2 - u1), v1 + t * (v2 - v1), p.tag[j]);
    }
  }
  return q;
}
