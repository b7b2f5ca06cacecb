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
import { planePartitionOf } from "./plane-partition.ts";

/**
 * The adjacency pairs along the lines a share's pieces made (ids from baseLines on), in the order
 * `planeAdjacency` gives them, grouped by top piece (`pairAt`, as `cellAt`). Such a line cuts
 * only cells of the piece that made it, so a share computes these itself; the join is left with
 * the lines of the domain and the top cut (see mergePlaneShares).
 */
export interface OwnPairs {
  pairs: Uint32Array;
  pairAt: Uint32Array;
}

export function ownPairs(share: PlaneShareResult): OwnPairs {
  const p = share.partition;
  const base = share.baseLines;
  const tags = p.edgeLine.slice();
  for (let k = 0; k < tags.length; k++) if (tags[k] >= 0 && tags[k] >> 1 < base) tags[k] = -1;
  return ownPairsOf(share, planeAdjacency(p.cellCount, p.cellStart, p.vertices, tags, p.lines));
}

/** A share's own pairs (see ownPairs; in planeAdjacency's order) grouped by top piece. */
export function ownPairsOf(share: PlaneShareResult, pairs: Uint32Array): OwnPairs {
  // Pairs come by line id, and a piece's lines follow the previous piece's: grouped by piece.
  const pieces = share.topPieces.length;
  const pairAt = new Uint32Array(pieces + 1);
  let j = 0;
  for (let k = 0; k < pairs.length; k += 2) {
    // Both cells of a pair are the piece's; pieces without pairs start and end here.
    while (pairs[k] >= share.cellAt[j + 1]) pairAt[++j] = k;
  }
  for (let r = j + 1; r <= pieces; r++) pairAt[r] = pairs.length;
  return { pairs, pairAt };
}

export function mergePlaneShares(
  shares: readonly PlaneShareResult[],
  slice: PlaneSlice,
  domain: Float64Array,
  layout: PatternLayout,
  outputSize: number,
  own?: readonly OwnPairs[],
): PlanePartition {
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
  // Per top piece in the joined order: its share, its index there, its first joined cell.
  const pieceShare = new Int32Array(pieces);
  const pieceIndex = new Int32Array(pieces);
  const pieceCell = new Int32Array(pieces);
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
    pieceShare[k] = from;
    pieceIndex[k] = j;
    pieceCell[k] = cell;
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
  const adjacency = own
    ? joinAdjacency(shares, own, base, cells, cellStart, vertices, edgeLine, lines, pieceShare, pieceIndex, pieceCell)
    : planeAdjacency(cells, cellStart, vertices, edgeLine, lines);
  const linear = linearPieces(cells, adjacency, outputMaps, mapSize, 3, maxAbs(domain));
  return planePartitionOf(slice, domain, layout, outputSize, {
    cellCount: cells,
    cellStart,
    vertices,
    edgeLine,
    lines,
    areas,
    outputMaps,
    patterns,
    linearPieces: linear.count,
    pieceOf: linear.pieceOf,
    adjacency,
    // Each share repeats the top cut: its uncertain decisions once, then each share's own.
    uncertain: (shares[0].baseUncertain ?? 0) + shares.reduce((sum, sh) => sum + (sh.partition.uncertain ?? 0) - (sh.baseUncertain ?? 0), 0),
  });
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/**
 * planeAdjacency of the joined arrays, from its two parts: the pairs along the lines every share
 * has (the domain's and the top cut's: ids below `base`), which come first, then each piece's own
 * pairs (ownPairs) in the order of the pieces, with their cells renumbered.
 */
function joinAdjacency(
  shares: readonly PlaneShareResult[],
  own: readonly OwnPairs[],
  base: number,
  cells: number,
  cellStart: Uint32Array,
  vertices: Float64Array,
  edgeLine: Int32Array,
  lines: Float64Array,
  pieceShare: Int32Array,
  pieceIndex: Int32Array,
  pieceCell: Int32Array,
): Uint32Array {
  const tags = edgeLine.slice();
  for (let k = 0; k < tags.length; k++) if (tags[k] >> 1 >= base) tags[k] = -1;
  const first = planeAdjacency(cells, cellStart, vertices, tags, lines);
  let total = first.length;
  for (const o of own) total += o.pairs.length;
  const out = new Uint32Array(total);
  out.set(first);
  let at = first.length;
  for (let k = 0; k < pieceShare.length; k++) {
    const s = pieceShare[k];
    const j = pieceIndex[k];
    const { pairs, pairAt } = own[s];
    const shift = pieceCell[k] - shares[s].cellAt[j];
    for (let q = pairAt[j]; q < pairAt[j + 1]; q++) out[at++] = pairs[q] + shift;
  }
  return out;
}
