/**
 * The explorer's whole-domain count (docs/whole.md): every activation region of the session's
 * model over the box [lo, hi]^n0, by the whole-domain engine, in the engine worker, with a size
 * guard (the number of regions can grow as 2^units: the count is offered up to WHOLE_MAX_UNITS
 * piecewise units and stops at WHOLE_MAX_CELLS regions, reported as incomplete), progress lines,
 * and the page's Cancel (the worker is replaced, worker.ts).
 */
import { prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { wholePartition } from "../regions/whole.ts";

/** Most piecewise units the explorer counts a whole box for. */
export const WHOLE_MAX_UNITS = 32;
/** Regions after which the count stops (a lower bound, said so). */
export const WHOLE_MAX_CELLS = 200_000;

export interface WholeCountResult {
  lo: number;
  hi: number;
  inputSize: number;
  regions: number;
  pieces: number;
  facets: number;
  uncertain: number;
  reducedDimension: number;
  seconds: number;
  /** False when WHOLE_MAX_CELLS stopped it: the counts are lower bounds. */
  complete: boolean;
}

/** Why the model is too large for a whole count here, or null. */
export function wholeRefusal(units: number): string | null {
  if (units > WHOLE_MAX_UNITS) return `this model has ${units} piecewise units: the explorer counts a whole box up to ${WHOLE_MAX_UNITS} (use tessera count MODEL --box LO,HI)`;
  return null;
}

export function wholeCount(network: Network, lo: number, hi: number, progress: (text: string) => void): WholeCountResult {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`the box needs LO < HI, got ${lo}, ${hi}`);
  const compiled = prepare(network);
  const refusal = wholeRefusal(compiled.layout.units);
  if (refusal) throw new Error(refusal);
  const t0 = performance.now();
  const part = wholePartition(compiled, {
    box: [lo, hi],
    points: false,
    maxCells: WHOLE_MAX_CELLS,
    onProgress: ({ cells, seconds }) => progress(`whole box: ${cells} regions processed, ${seconds.toFixed(1)} s`),
    progressEvery: 0.25,
  });
  return {
    lo,
    hi,
    inputSize: compiled.inputSize,
    regions: part.activationRegions,
    pieces: part.linearPieces,
    facets: part.facetCount,
    uncertain: part.uncertain,
    reducedDimension: part.dim,
    seconds: (performance.now() - t0) / 1000,
    complete: part.stopped === undefined,
  };
}
