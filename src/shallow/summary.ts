/**
 * The size of a shallow representation, the figures An et al. compare between networks: the
 * number of pieces K, hidden units per piece and in total, how many of those units are
 * distinct across pieces (a unit relu(a . [1, x]) and relu(c a . [1, x]), c > 0, are the same
 * unit with the factor moved into lambda), and the largest coefficient lambda.
 */
import type { Compiled } from "../model/forward.ts";
import { isPiecewise } from "../model/steps.ts";
import type { ShallowRepresentation } from "./represent.ts";

/** Sizes of a shallow representation: depth, pieces, hidden units per piece. */
export interface ShallowSummary {
  /** Piecewise-linear layers of the deep network (steps with state-carrying units). */
  depth: number;
  /** Piecewise-linear units of the deep network. */
  units: number;
  /** Number of pieces K (= activation regions of the domain). */
  pieces: number;
  hiddenPerPiece: { min: number; mean: number; max: number };
  /** Hidden relu units over all pieces. */
  hiddenTotal: number;
  /** Hidden units that differ across pieces (rows equal up to a positive factor, to 1e-9, count once). */
  distinctHidden: number;
  /** Largest lambda of any piece (how strongly a piece leans on its hidden units). */
  maxLambda: number;
}

/** The sizes of a shallow representation. */
export function shallowSummary(compiled: Compiled, rep: ShallowRepresentation): ShallowSummary {
  const hidden = rep.pieces.map((p) => p.hidden);
  const total = hidden.reduce((a, b) => a + b, 0);
  const width = rep.inputSize + 1;
  const distinct = new Set<string>();
  let maxLambda = 0;
  for (const piece of rep.pieces) {
    for (let k = 0; k < piece.hidden; k++) distinct.add(unitKey(piece.hiddenMaps.subarray(k * width, (k + 1) * width)));
    for (const l of piece.lambda) maxLambda = Math.max(maxLambda, l);
  }
  return {
    depth: compiled.steps.filter(isPiecewise).length,
    units: compiled.layout.units,
    pieces: rep.pieces.length,
    hiddenPerPiece: {
      min: hidden.length > 0 ? Math.min(...hidden) : 0,
      mean: hidden.length > 0 ? total / hidden.length : 0,
      max: hidden.length > 0 ? Math.max(...hidden) : 0,
    },
    hiddenTotal: total,
    distinctHidden: distinct.size,
    maxLambda,
  };
}

/** A unit's row scaled to max |coefficient| = 1 and rounded, as a key. */
function unitKey(row: Float64Array): string {
  let top = 0;
  for (const v of row) top = Math.max(top, Math.abs(v));
  if (top === 0) return "0";
  return Array.from(row, (v) => Math.round((v / top) * 1e9)).join(",");
}
