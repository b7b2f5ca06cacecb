/**
 * Joins the shares of a plane partition split among workers (PlaneShare, regions/plane.ts) into
 * the partition one engine makes alone, array for array.
 *
 * Every share cuts the domain by the first piecewise step the same way, and the engine's cells
 * never cross that cut's lines, so no cell is ever split between shares: there is nothing to
 * stitch geometrically. Joining is putting the top pieces back in their order: the cells of
 * piece q come after those of every piece before it, and the lines a piece made (cut lines of
 * deeper steps) get the ids they have in the one-engine run, where they follow the lines of the
 * pieces before. Lines made before any descent (the domain's and the top cut's) are the same in
 * every share. Adjacency and linear pieces are then computed on the joined arrays, as the engine
 * does, so they are the same too.
 */
import type { PatternLayout } from "../model/pattern.ts";
import { maxAbs } from "./map-error.ts";
import { linearPieces, type PlanePartition } from "./partition.ts";
import type { PlaneShareResult, PlaneSlice } from "./plane.ts";
import { planeAdjacency } from "./plane-adjacency.ts";

export function mergePlaneShares(shares: readonly PlaneShareResult[], slice: PlaneSlice, domain: Float64Array, layout: PatternLayout, outputSize: number): PlanePartition {
  if (shares.length === 0) throw new Error("internal: no plane shares to merge");
  const base = shares[0].baseLines;
  const baseCoef = shares[0].partition.lines.subarray(0, 3 * base);
  for (const sh of shares) {
    if (sh.baseLines !== base || !sameValues(sh.partition.lines.subarray(0, 3 * base), baseCoef)) throw new Error("internal: plane shares disagree on the top cut");
  }
  const words = layout.words;
  const mapSize = 3 * outputSize;
  let cells = 0;
  let vertexCount = 0;
  let lineCount = base;
  let pieces = 0;
  for (const sh of shares) {
    cells += sh.partition.cellCount;
    vertexCount += sh.partition.edgeLine.length;
    lineCount += sh.lineAt[sh.topPieces.length] - sh.lineAt[0];
    pieces += sh.topPieces.length;
  }
  const cellStart = new Uint32Array(cells + 1);
  const vertices = new Float64Array(2 * vertexCount);
  const edgeLine = new Int32Array(vertexCount);
  const patterns = new Uint32Array(cells * words);
  const outputMaps = new Float64Array(cells * mapSize);
  const areas = new Float64Array(cells);
  const lines = new Float64Array(3 * lineCount);
  lines.set(baseCoef);

  const cursor = new Int32Array(shares.length);
  let cell = 0;
  let vertex = 0;
  let line = base;
  for (let k = 0; k < pieces; k++) {
    // The share holding the next top piece (shares hold disjoint ascending lists).
    let from = -1;
    for (let i = 0; i < shares.length; i++) {
      const c = cursor[i];
      if (c < shares[i].topPieces.length && (from < 0 || shares[i].topPieces[c] < shares[from].topPieces[cursor[from]])) from = i;
    }
    const sh = shares[from];
    const j = cursor[from]++;
    const p = sh.partition;
    const c0 = sh.cellAt[j];
    const c1 = sh.cellAt[j + 1];
    const l0 = sh.lineAt[j];
    const l1 = sh.lineAt[j + 1];
    const shift = line - l0; // local line id -> joined id, for the lines this piece made
    lines.set(p.lines.subarray(3 * l0, 3 * l1), 3 * line);
    const v0 = p.cellStart[c0];
    const v1 = p.cellStart[c1];
    for (let c = c0; c < c1; c++) cellStart[cell + c - c0 + 1] = vertex + p.cellStart[c + 1] - v0;
    vertices.set(p.vertices.subarray(2 * v0, 2 * v1), 2 * vertex);
    for (let v = v0; v < v1; v++) {
      const tag = p.edgeLine[v];
      const id = tag >> 1;
      if (tag < 0 || id < base) edgeLine[vertex + v - v0] = tag;
      else if (id >= l0 && id < l1) edgeLine[vertex + v - v0] = 2 * (id + shift) + (tag & 1);
      else throw new Error("internal: a plane share's cell uses another piece's line");
    }
    patterns.set(p.patterns.subarray(c0 * words, c1 * words), cell * words);
    outputMaps.set(p.outputMaps.subarray(c0 * mapSize, c1 * mapSize), cell * mapSize);
    areas.set(p.areas.subarray(c0, c1), cell);
    cell += c1 - c0;
    vertex += v1 - v0;
    line += l1 - l0;
  }
  const adjacency = planeAdjacency(cells, cellStart, vertices, edgeLine, lines);
  const linear = linearPieces(cells, adjacency, outputMaps, mapSize, 3, maxAbs(domain));
  return {
    kind: "plane",
    origin: slice.origin,
    e1: slice.e1,
    e2: slice.e2,
    domain,
    cellCount: cells,
    cellStart,
    vertices,
    edgeLine,
    lines,
    areas,
    outputMaps,
    patterns,
    layout,
    outputSize,
    activationRegions: cells,
    linearPieces: linear.count,
    pieceOf: linear.pieceOf,
    adjacency,
  };
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}
