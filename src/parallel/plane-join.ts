/**
 * Joining plane shares on threads (parallel/plane.ts) into the partition one engine makes alone,
 * array for array, without copying the cells on the calling thread.
 *
 * regions/plane-merge.ts joins shares on one thread: it allocates the joined arrays and copies
 * every share into them. On this project's machine the first write to fresh memory costs about
 * 3 ms of CPU per MB (page faults of a virtual machine), so joining 331,110 cells (93 MB) took
 * 0.3-0.5 s after both shares, on one thread. Here the join is split in three:
 *
 * 1. each thread, after its share, sorts the edges its cells have on the lines every share has
 *    (the domain's and the top cut's: the only lines whose two sides can lie in different
 *    shares) and finds the adjacency along the lines its own pieces made (plane-merge's
 *    ownPairs);
 * 2. the calling thread puts the top pieces in order, gives each its place in the joined arrays
 *    (`joinLayout`) and allocates them as shared memory;
 * 3. each thread writes its own pieces into them (`placeShare`), in parallel, while the calling
 *    thread merges the sorted edges into the adjacency along the shared lines (`sharedLinePairs`,
 *    linear in those edges).
 *
 * Adjacency pairs come out in planeAdjacency's order: by line id, along each line by the start
 * of the edges (ties: the earlier cell), which makes the linear pieces the same too.
 */
import type { PlanePartition } from "../regions/partition.ts";
import type { PlaneShareResult } from "../regions/plane.ts";
import { type LineEdges, sortedLineEdges } from "../regions/plane-adjacency.ts";
import { shareAdjacencyKernel } from "../regions/plane-adjacency-kernel.ts";
import { type OwnPairs, ownPairs, ownPairsOf } from "../regions/plane-merge.ts";

/** A share's edges on the shared lines (ids below baseLines), sorted by line, then start along it, then cell. */
export type SharedEdges = LineEdges;

/** Thread side: the share's edges on the shared lines, sorted as planeAdjacency sorts them. */
export function sharedEdges(share: PlaneShareResult): SharedEdges {
  const { cellCount, cellStart, vertices, edgeLine, lines } = share.partition;
  return sortedLineEdges(cellCount, cellStart, vertices, edgeLine, lines, share.baseLines);
}

/**
 * Thread side: the share's own adjacency pairs and its edges on the shared lines (ownPairs and
 * sharedEdges), in one pass of the WebAssembly kernel where it is available (one edge list and
 * sort for both, where the JavaScript sorted the shared lines' edges a second time).
 */
export function shareJoinParts(share: PlaneShareResult): { own: OwnPairs; edges: SharedEdges } {
  const p = share.partition;
  const fast = shareAdjacencyKernel(p.cellCount, p.cellStart, p.vertices, p.edgeLine, p.lines, share.baseLines);
  if (fast === null) return { own: ownPairs(share), edges: sharedEdges(share) };
  return { own: ownPairsOf(share, fast.pairs), edges: fast.edges };
}

/** What a thread sends back after its share: the share, its own adjacency, its shared-line edges. */
export interface ShareDone {
  share: PlaneShareResult;
  own: OwnPairs;
  edges: SharedEdges;
}

/** Where each of a share's top pieces goes in the joined arrays (one entry per piece). */
export interface SharePlaces {
  cell: Uint32Array;
  vertex: Uint32Array;
  line: Uint32Array;
  /** Entry (two per pair) of its first own adjacency pair, counted from the first own pair. */
  pair: Uint32Array;
}

/** The joined arrays (shared memory, written by the threads) and the joined order's totals. */
export type JoinedArrays = Pick<PlanePartition, "cellStart" | "vertices" | "edgeLine" | "patterns" | "outputMaps" | "areas" | "lines" | "adjacency">;

export interface JoinLayout {
  places: SharePlaces[];
  /** The joined cell of each share's cells (for the shared-line edges). */
  joinedCell: Int32Array[];
  cells: number;
  vertices: number;
  lines: number;
  /** Entries (two per pair) of the shares' own adjacency pairs. */
  ownPairEntries: number;
}

/** Calling thread: the joined order of the top pieces (ascending over all shares) and each piece's place. */
export function joinLayout(done: readonly ShareDone[]): JoinLayout {
  const base = done[0].share.baseLines;
  const places = done.map(({ share }) => {
    const n = share.topPieces.length;
    return { cell: new Uint32Array(n), vertex: new Uint32Array(n), line: new Uint32Array(n), pair: new Uint32Array(n) };
  });
  const joinedCell = done.map(({ share }) => new Int32Array(share.partition.cellCount));
  const cursor = new Int32Array(done.length);
  let cell = 0;
  let vertex = 0;
  let line = base;
  let pair = 0;
  for (;;) {
    // The share holding the next top piece (shares hold disjoint ascending lists).
    let from = -1;
    for (let i = 0; i < done.length; i++) {
      const c = cursor[i];
      const tp = done[i].share.topPieces;
      if (c < tp.length && (from < 0 || tp[c] < done[from].share.topPieces[cursor[from]])) from = i;
    }
    if (from < 0) break;
    const { share, own } = done[from];
    const j = cursor[from]++;
    const place = places[from];
    place.cell[j] = cell;
    place.vertex[j] = vertex;
    place.line[j] = line;
    place.pair[j] = pair;
    const c0 = share.cellAt[j];
    const c1 = share.cellAt[j + 1];
    const map = joinedCell[from];
    for (let c = c0; c < c1; c++) map[c] = cell + c - c0;
    cell += c1 - c0;
    vertex += share.partition.cellStart[c1] - share.partition.cellStart[c0];
    line += share.lineAt[j + 1] - share.lineAt[j];
    pair += own.pairAt[j + 1] - own.pairAt[j];
  }
  return { places, joinedCell, cells: cell, vertices: vertex, lines: line, ownPairEntries: pair };
}

/**
 * Calling thread: the adjacency along the shared lines, from every share's sorted edges (a merge
 * per line, then planeAdjacency's sweep of the two sides).
 */
export function sharedLinePairs(done: readonly ShareDone[], joinedCell: readonly Int32Array[]): Uint32Array {
  const n = done.length;
  let total = 0;
  for (const d of done) total += d.edges.line.length;
  // Every edge of every share in one set of arrays, its cell the joined one; shares' runs per line.
  const line = new Int32Array(total);
  const side = new Uint8Array(total);
  const t0 = new Float64Array(total);
  const t1 = new Float64Array(total);
  const cell = new Int32Array(total);
  const from = new Int32Array(n + 1);
  for (let s = 0, at = 0; s < n; s++) {
    const e = done[s].edges;
    const map = joinedCell[s];
    line.set(e.line, at);
    side.set(e.side, at);
    t0.set(e.t0, at);
    t1.set(e.t1, at);
    for (let k = 0; k < e.cell.length; k++) cell[at + k] = map[e.cell[k]];
    at += e.line.length;
    from[s + 1] = at;
  }
  const at = from.slice(0, n);
  const merged = new Int32Array(total);
  const plus = new Int32Array(total);
  const minus = new Int32Array(total);
  const pairs = new Uint32Array(2 * total);
  let count = 0;
  for (;;) {
    // The next line: the smallest among the shares' next edges.
    let id = -1;
    for (let s = 0; s < n; s++) if (at[s] < from[s + 1] && (id < 0 || line[at[s]] < id)) id = line[at[s]];
    if (id < 0) break;
    // Merge the shares' runs on this line by start, ties by joined cell.
    let m = 0;
    for (;;) {
      let best = -1;
      for (let s = 0; s < n; s++) {
        const k = at[s];
        if (k >= from[s + 1] || line[k] !== id) continue;
        if (best < 0 || t0[k] < t0[best] || (t0[k] === t0[best] && cell[k] < cell[best])) best = k;
      }
      if (best < 0) break;
      merged[m++] = best;
      for (let s = 0; s < n; s++) if (at[s] === best) at[s]++;
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let np = 0;
    let nm = 0;
    for (let g = 0; g < m; g++) {
      const k = merged[g];
      if (side[k] === 0) plus[np++] = k;
      else minus[nm++] = k;
      lo = Math.min(lo, t0[k]);
      hi = Math.max(hi, t1[k]);
    }
    // Overlaps shorter than this are rounding at shared endpoints, not shared edges (planeAdjacency).
    const tol = 1e-10 * (hi - lo);
    let i = 0;
    let j = 0;
    while (i < np && j < nm) {
      const a = plus[i];
      const b = minus[j];
      if (Math.min(t1[a], t1[b]) - Math.max(t0[a], t0[b]) > tol) {
        pairs[count++] = Math.min(cell[a], cell[b]);
        pairs[count++] = Math.max(cell[a], cell[b]);
      }
      if (t1[a] < t1[b]) i++;
      else j++;
    }
  }
  return pairs.subarray(0, count);
}

/**
 * Shared-memory arrays for the joined partition (the threads write them in parallel). The
 * adjacency is allocated for its largest size: the shared lines' pairs (at most one per shared
 * edge, computed by the calling thread while the threads place their shares) end where the own
 * pairs begin, at `pairBase`; `adjacencyOf` gives the array once their number is known. Pages
 * never written cost nothing.
 */
export function sharedJoinedArrays(layout: JoinLayout, words: number, mapSize: number, sharedEdgeCount: number): JoinedArrays & { pairBase: number } {
  const cells = layout.cells;
  const make = <T>(Type: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T => new Type(new SharedArrayBuffer(n * Type.BYTES_PER_ELEMENT));
  const pairBase = 2 * sharedEdgeCount;
  return {
    cellStart: make(Uint32Array, cells + 1),
    vertices: make(Float64Array, 2 * layout.vertices),
    edgeLine: make(Int32Array, layout.vertices),
    patterns: make(Uint32Array, cells * words),
    outputMaps: make(Float64Array, cells * mapSize),
    areas: make(Float64Array, cells),
    lines: make(Float64Array, 3 * layout.lines),
    adjacency: make(Uint32Array, pairBase + layout.ownPairEntries),
    pairBase,
  };
}

/** The joined adjacency: the shared lines' pairs written just before the own pairs, then a view of both. */
export function adjacencyOf(out: JoinedArrays & { pairBase: number }, sharedPairs: Uint32Array): Uint32Array {
  const start = out.pairBase - sharedPairs.length;
  out.adjacency.set(sharedPairs, start);
  return out.adjacency.subarray(start);
}

/** What a thread needs to write its share into the joined arrays. */
export interface PlaceTask {
  share: PlaneShareResult;
  own: OwnPairs;
  places: SharePlaces;
  out: JoinedArrays;
  words: number;
  mapSize: number;
  /** Where the own pairs start in out.adjacency (after the shared lines' pairs' entries). */
  pairBase: number;
}

/** Thread side: the share's pieces written at their places in the joined arrays. */
export function placeShare({ share, own, places, out, words, mapSize, pairBase }: PlaceTask): void {
  const p = share.partition;
  const base = share.baseLines;
  for (let j = 0; j < share.topPieces.length; j++) {
    const c0 = share.cellAt[j];
    const c1 = share.cellAt[j + 1];
    const l0 = share.lineAt[j];
    const l1 = share.lineAt[j + 1];
    const cell = places.cell[j];
    const vertex = places.vertex[j];
    const line = places.line[j];
    const shift = line - l0; // local line id -> joined id, for the lines this piece made
    out.lines.set(p.lines.subarray(3 * l0, 3 * l1), 3 * line);
    const v0 = p.cellStart[c0];
    const v1 = p.cellStart[c1];
    for (let c = c0; c < c1; c++) out.cellStart[cell + c - c0 + 1] = vertex + p.cellStart[c + 1] - v0;
    out.vertices.set(p.vertices.subarray(2 * v0, 2 * v1), 2 * vertex);
    for (let v = v0; v < v1; v++) {
      const tag = p.edgeLine[v];
      const id = tag >> 1;
      if (tag < 0 || id < base) out.edgeLine[vertex + v - v0] = tag;
      else if (id >= l0 && id < l1) out.edgeLine[vertex + v - v0] = 2 * (id + shift) + (tag & 1);
      else throw new Error("internal: a plane share's cell uses another piece's line");
    }
    out.patterns.set(p.patterns.subarray(c0 * words, c1 * words), cell * words);
    out.outputMaps.set(p.outputMaps.subarray(c0 * mapSize, c1 * mapSize), cell * mapSize);
    out.areas.set(p.areas.subarray(c0, c1), cell);
    const cellShift = cell - c0;
    let at = pairBase + places.pair[j];
    for (let q = own.pairAt[j]; q < own.pairAt[j + 1]; q++) out.adjacency[at++] = own.pairs[q] + cellShift;
  }
}
