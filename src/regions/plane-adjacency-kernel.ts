/**
 * planeAdjacency and the plane engine's linearPieces in WebAssembly (plane-adjacency.wat): the
 * same edges, sort and sweep as the JavaScript in plane-adjacency.ts, so the same pairs in the
 * same order, and the same union of equal maps as partition.ts, so the same pieces. Both run
 * once per count over every cell, and JavaScript that runs once is interpreted: in a fresh
 * process they were about a fifth of a small network's first count. The partition's arrays are
 * copied in bulk (native copies, no loop in JavaScript) and the results copied out.
 */
import { growMemory, instantiateEmbedded } from "../model/wasm-module.ts";
import type { LineEdges } from "./plane-adjacency.ts";
import { PLANE_ADJACENCY_WASM_BASE64 } from "./plane-adjacency-wasm.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  adjacency(cells: number, at: number): number;
  share(cells: number, at: number, base: number): number;
  pieces(cells: number, pairs: number, pairCount: number, maps: number, mapSize: number, channels: number, reach: number, parent: number, id: number, pieceOf: number): number;
}

const wasm = instantiateEmbedded<Kernel>(PLANE_ADJACENCY_WASM_BASE64);

/** Bytes rounded up to 8 (every array starts 8-aligned). */
const aligned = (bytes: number): number => (bytes + 7) & ~7;

/** The kernel's arrays (byte offsets, in the order its table lists them) after `start`, the memory grown and the partition copied in. */
function loadEdges(kernel: Kernel, start: number, cellCount: number, cellStart: Uint32Array, vertices: Float64Array, edgeLine: Int32Array, lines: Float64Array): Int32Array {
  const E = edgeLine.length;
  const lineIds = Math.floor(lines.length / 3);
  // The offsets table (16 i32) at 0, then the arrays in the order the kernel's table lists them.
  const sizes = [4 * (cellCount + 1), 16 * E, 4 * E, 8 * lines.length, 4 * E, 4 * E, 8 * E, 8 * E, 4 * E, 4 * E, 4 * E, 4 * (lineIds + 1), 4 * lineIds, 4 * E, 4 * E, 8 * E];
  const at = new Int32Array(16);
  let next = start;
  for (let k = 0; k < 16; k++) {
    at[k] = next;
    next += aligned(sizes[k]);
  }
  growMemory(kernel.memory, next);
  const buffer = kernel.memory.buffer;
  new Int32Array(buffer, 0, 16).set(at);
  new Uint32Array(buffer, at[0], cellCount + 1).set(cellStart.subarray(0, cellCount + 1));
  new Float64Array(buffer, at[1], 2 * E).set(vertices.subarray(0, 2 * E));
  new Int32Array(buffer, at[2], E).set(edgeLine);
  new Float64Array(buffer, at[3], lines.length).set(lines);
  return at;
}

/** The adjacency pairs (see planeAdjacency), or null where WebAssembly is unavailable. */
export function adjacencyKernel(cellCount: number, cellStart: Uint32Array, vertices: Float64Array, edgeLine: Int32Array, lines: Float64Array): Uint32Array | null {
  if (wasm === null) return null;
  const at = loadEdges(wasm, 64, cellCount, cellStart, vertices, edgeLine, lines);
  const count = wasm.adjacency(cellCount, 0);
  return new Uint32Array(wasm.memory.buffer, at[15], 2 * count).slice();
}

/**
 * A plane share's two parts of the adjacency in one pass (parallel/plane-join.ts): the pairs
 * along lines with ids from `base` on (planeAdjacency of the share with the edges on lower lines
 * untagged) and the edges on lines below `base`, sorted (sortedLineEdges(..., base)); the same
 * arrays as those two calls. Null where WebAssembly is unavailable.
 */
export function shareAdjacencyKernel(
  cellCount: number,
  cellStart: Uint32Array,
  vertices: Float64Array,
  edgeLine: Int32Array,
  lines: Float64Array,
  base: number,
): { pairs: Uint32Array; edges: LineEdges } | null {
  if (wasm === null) return null;
  // Byte 64 receives the number of edges below `base`: the arrays start after it.
  const at = loadEdges(wasm, 72, cellCount, cellStart, vertices, edgeLine, lines);
  const count = wasm.share(cellCount, 0, base);
  const buffer = wasm.memory.buffer;
  const m = new Int32Array(buffer, 64, 1)[0];
  const order = new Int32Array(buffer, at[9], m);
  const lineIn = new Int32Array(buffer, at[4], edgeLine.length);
  const sideIn = new Int32Array(buffer, at[5], edgeLine.length);
  const t0In = new Float64Array(buffer, at[6], edgeLine.length);
  const t1In = new Float64Array(buffer, at[7], edgeLine.length);
  const cellIn = new Int32Array(buffer, at[8], edgeLine.length);
  const edges: LineEdges = { line: new Int32Array(m), side: new Uint8Array(m), t0: new Float64Array(m), t1: new Float64Array(m), cell: new Int32Array(m) };
  for (let g = 0; g < m; g++) {
    const e = order[g];
    edges.line[g] = lineIn[e];
    edges.side[g] = sideIn[e];
    edges.t0[g] = t0In[e];
    edges.t1[g] = t1In[e];
    edges.cell[g] = cellIn[e];
  }
  return { pairs: new Uint32Array(buffer, at[15], 2 * count).slice(), edges };
}

/** linearPieces(cellCount, adjacency, outputMaps, mapSize, channels, reach) of partition.ts, or null where WebAssembly is unavailable. */
export function linearPiecesKernel(
  cellCount: number,
  adjacency: Uint32Array,
  outputMaps: Float64Array,
  mapSize: number,
  channels: number,
  reach: number,
): { count: number; pieceOf: Int32Array } | null {
  if (wasm === null) return null;
  const pairs = 64;
  const maps = pairs + aligned(4 * adjacency.length);
  const parent = maps + 8 * cellCount * mapSize;
  const id = parent + aligned(4 * cellCount);
  const pieceOf = id + aligned(4 * cellCount);
  growMemory(wasm.memory, pieceOf + 4 * cellCount);
  const buffer = wasm.memory.buffer;
  new Uint32Array(buffer, pairs, adjacency.length).set(adjacency);
  new Float64Array(buffer, maps, cellCount * mapSize).set(outputMaps.subarray(0, cellCount * mapSize));
  const count = wasm.pieces(cellCount, pairs, adjacency.length >> 1, maps, mapSize, channels, reach, parent, id, pieceOf);
  return { count, pieceOf: new Int32Array(buffer, pieceOf, cellCount).slice() };
}
