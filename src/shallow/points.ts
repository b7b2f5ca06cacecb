/**
 * Points of a partition's domain in input space, for checking a representation: one interior
 * point per cell, points next to (and on) cell boundaries, and random points of the domain.
 * Slice coordinates are mapped to input space with the partition's own slice.
 */
import type { Random } from "../model/random.ts";
import type { Partition } from "../regions/partition.ts";

/** Points as rows of a count x inputSize array. */
export interface PointSet {
  count: number;
  inputSize: number;
  data: Float64Array;
}

/** How far a boundary point is pulled into its cell, as a fraction of its distance to the cell's centre. */
export const BOUNDARY_PULL = 1e-9;

function pointSet(rows: number[][], inputSize: number): PointSet {
  const data = new Float64Array(rows.length * inputSize);
  rows.forEach((r, i) => {
    data.set(r, i * inputSize);
  });
  return { count: rows.length, inputSize, data };
}

function inputSizeOf(p: Partition): number {
  if (p.kind === "line") return p.path.length / (p.segments + 1);
  if (p.kind === "whole") return p.inputSize;
  return p.origin.length;
}

/** Slice coordinates y (line: [segment, t]) to input space. */
function toInput(p: Partition, y: readonly number[]): number[] {
  const n0 = inputSizeOf(p);
  if (p.kind === "line") {
    const [g, t] = y;
    return Array.from({ length: n0 }, (_, i) => p.path[g * n0 + i] + t * (p.path[(g + 1) * n0 + i] - p.path[g * n0 + i]));
  }
  if (p.kind === "plane") return Array.from({ length: n0 }, (_, i) => p.origin[i] + y[0] * p.e1[i] + y[1] * p.e2[i]);
  // Whole-domain partitions: y is u = Q x, and Q^T u has the same u (and pattern).
  const x = p.kind === "whole" ? new Array<number>(n0).fill(0) : Array.from(p.origin);
  for (let c = 0; c < p.dim; c++) for (let i = 0; i < n0; i++) x[i] += y[c] * p.basis[c * n0 + i];
  return x;
}

/** A cell's vertices in slice coordinates (line: [segment, t] at both ends). */
function cellVertices(p: Partition, cell: number): number[][] {
  if (p.kind === "line")
    return [
      [p.segmentOf[cell], p.tStart[cell]],
      [p.segmentOf[cell], p.tEnd[cell]],
    ];
  if (p.kind === "plane") {
    const out: number[][] = [];
    for (let v = p.cellStart[cell]; v < p.cellStart[cell + 1]; v++) out.push([p.vertices[2 * v], p.vertices[2 * v + 1]]);
    return out;
  }
  if (p.kind === "whole") throw new Error("whole-domain partitions keep no vertices");
  const out: number[][] = [];
  for (let v = p.vertexStart[cell]; v < p.vertexStart[cell + 1]; v++) out.push(Array.from(p.vertices.subarray(v * p.dim, (v + 1) * p.dim)));
  return out;
}

function mean(rows: number[][]): number[] {
  const out = rows[0].map(() => 0);
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) out[i] += r[i] / rows.length;
  }
  return out;
}

/** One interior point per cell: the line piece's midpoint, the plane cell's vertex centroid, the space cell's centre. */
export function interiorPoints(p: Partition): PointSet {
  const rows: number[][] = [];
  for (let cell = 0; cell < p.cellCount; cell++) {
    if (p.kind === "space" || p.kind === "whole") rows.push(toInput(p, Array.from(p.centres.subarray(cell * p.dim, (cell + 1) * p.dim))));
    else rows.push(toInput(p, mean(cellVertices(p, cell))));
  }
  return pointSet(rows, inputSizeOf(p));
}

/**
 * Points on and next to cell boundaries: every vertex of every cell (on the boundary), the same
 * pulled into the cell by BOUNDARY_PULL, and (plane) edge midpoints, on and pulled in. At most
 * `limit` points (cells are visited in order).
 */
export function boundaryPoints(p: Partition, limit = 20000): PointSet {
  const rows: number[][] = [];
  const pull = (y: number[], centre: number[]): number[] => y.map((v, i) => (p.kind === "line" && i === 0 ? v : v + BOUNDARY_PULL * (centre[i] - v)));
  for (let cell = 0; cell < p.cellCount && rows.length < limit; cell++) {
    const verts = cellVertices(p, cell);
    const centre = p.kind === "space" ? Array.from(p.centres.subarray(cell * p.dim, (cell + 1) * p.dim)) : mean(verts);
    const near = [...verts];
    if (p.kind === "plane") for (let i = 0; i < verts.length; i++) near.push(mean([verts[i], verts[(i + 1) % verts.length]]));
    for (const y of near) {
      rows.push(toInput(p, y));
      rows.push(toInput(p, pull(y, centre)));
    }
  }
  return pointSet(rows.slice(0, limit), inputSizeOf(p));
}

/** `count` random points spread over the cells: a random convex combination of a random cell's vertices. */
export function randomPoints(p: Partition, count: number, rng: Random): PointSet {
  const rows: number[][] = [];
  for (let i = 0; i < count; i++) {
    const verts = cellVertices(p, rng.int(p.cellCount));
    const weights = verts.map(() => -Math.log(1 - rng.next()));
    const total = weights.reduce((a, b) => a + b, 0);
    const y = verts[0].map((_, d) => verts.reduce((acc, v, k) => acc + (weights[k] / total) * v[d], 0));
    if (p.kind === "line") y[0] = verts[0][0];
    rows.push(toInput(p, y));
  }
  return pointSet(rows, inputSizeOf(p));
}
