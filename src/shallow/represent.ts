/**
 * A deep network rewritten as f = max_S g_S over the activation regions S of a domain, each
 * g_S a one-hidden-layer relu network plus an affine term (piece.ts), and saved as a tessera
 * network: one `max` layer over K branches, branch S = add(dense -> relu -> dense, dense).
 * Every engine and the forward pass then check the representation like any other network.
 *
 * The equality holds on the domain the regions cover; outside it max_S g_S <= f still holds
 * (every g_S <= f everywhere) but regions met only outside are missing.
 */
import type { Compiled } from "../model/forward.ts";
import { dense, type Layer, type Network } from "../model/layers.ts";
import { patternsEqual } from "../model/pattern.ts";
import type { Partition } from "../regions/partition.ts";
import { freezeRegion } from "./frozen.ts";
import { type Hinges, hingesOf } from "./hinges.ts";
import { evaluatePiece, type ShallowPiece, shallowPiece } from "./piece.ts";

/** A network as a maximum of one-hidden-layer pieces, one per activation region of a partition. */
export interface ShallowRepresentation {
  inputSize: number;
  outputSize: number;
  /** One piece per distinct activation pattern of the partition (K = activation regions). */
  pieces: ShallowPiece[];
  /** The pattern of each piece: K x layout.words. */
  patterns: Uint32Array;
  /** Piece index of each cell of the partition. */
  pieceOfCell: Int32Array;
  /** The hinges (rectified terms available to a piece): relu units of the deep network. */
  hinges: Hinges;
}

/** One piece per activation region of `partition` (a partition of `compiled` by any exact engine). */
export function shallowRepresentation(compiled: Compiled, partition: Partition): ShallowRepresentation {
  const hinges = hingesOf(compiled);
  const words = partition.layout.words;
  const byHash = new Map<string, number[]>();
  const firstCell: number[] = [];
  const pieceOfCell = new Int32Array(partition.cellCount);
  for (let cell = 0; cell < partition.cellCount; cell++) {
    const key = partition.patterns.subarray(cell * words, (cell + 1) * words).join(",");
    const same = byHash.get(key);
    const found = same?.find((p) => patternsEqual(partition.patterns, firstCell[p] * words, partition.patterns, cell * words, words));
    if (found !== undefined) {
      pieceOfCell[cell] = found;
      continue;
    }
    pieceOfCell[cell] = firstCell.length;
    if (same) same.push(firstCell.length);
    else byHash.set(key, [firstCell.length]);
    firstCell.push(cell);
  }
  const patterns = new Uint32Array(firstCell.length * words);
  const pieces = firstCell.map((cell, k) => {
    patterns.set(partition.patterns.subarray(cell * words, (cell + 1) * words), k * words);
    return shallowPiece(freezeRegion(compiled, hinges, partition.patterns, cell * words), hinges.count);
  });
  return { inputSize: compiled.inputSize, outputSize: compiled.outputSize, pieces, patterns, pieceOfCell, hinges };
}

/** Every piece's value at x: K x outputSize. */
export function evaluatePieces(rep: ShallowRepresentation, x: ArrayLike<number>, out = new Float64Array(rep.pieces.length * rep.outputSize)): Float64Array {
  rep.pieces.forEach((piece, k) => {
    evaluatePiece(piece, x, out, k * rep.outputSize);
  });
  return out;
}

/** max_S g_S(x) for every output. */
export function evaluateMax(rep: ShallowRepresentation, x: ArrayLike<number>): Float64Array {
  const values = evaluatePieces(rep, x);
  const m = rep.outputSize;
  const best = new Float64Array(m).fill(-Infinity);
  for (let k = 0; k < rep.pieces.length; k++) for (let o = 0; o < m; o++) best[o] = Math.max(best[o], values[k * m + o]);
  return best;
}

/** The layers of one piece: dense -> relu -> dense (times -lambda), added to the affine term. */
export function pieceLayers(piece: ShallowPiece, inputSize: number, outputSize: number): Layer[] {
  const width = inputSize + 1;
  const rows = (maps: Float64Array, count: number): { w: number[][]; b: number[] } => {
    const w: number[][] = [];
    const b: number[] = [];
    for (let r = 0; r < count; r++) {
      b.push(maps[r * width]);
      w.push(Array.from(maps.subarray(r * width + 1, (r + 1) * width)));
    }
    return { w, b };
  };
  const affine = rows(piece.affine, outputSize);
  const affineLayer = dense(affine.w, affine.b);
  if (piece.hidden === 0) return [affineLayer];
  const hidden = rows(piece.hiddenMaps, piece.hidden);
  const out: number[][] = [];
  for (let o = 0; o < outputSize; o++) out.push(Array.from({ length: piece.hidden }, (_, k) => -piece.lambda[k * outputSize + o]));
  return [
    {
      type: "add",
      branches: [[dense(hidden.w, hidden.b), { type: "relu" }, dense(out)], [affineLayer]],
    },
  ];
}

/**
 * The representation as a tessera network: max over one branch per piece (a single piece is
 * its branch alone, since a max needs two branches).
 */
export function shallowNetwork(rep: ShallowRepresentation): Network {
  const branches = rep.pieces.map((p) => pieceLayers(p, rep.inputSize, rep.outputSize));
  const layers: Layer[] = branches.length === 1 ? branches[0] : [{ type: "max", branches }];
  return { inputSize: rep.inputSize, layers };
}
