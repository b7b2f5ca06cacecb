/**
 * Checks of a shallow representation against its deep network, by forward passes of both (the
 * saved tessera network, not the pieces' own evaluator, so the max layer is checked too):
 * - max_S g_S = f on random points and on points on and next to region boundaries;
 * - g_S <= f for every piece on those points;
 * - on each cell, its own piece attains the max (at the cell's interior point) and equals f.
 * Errors are relative to the output's scale on the domain: max |f| over the points checked.
 */
import { type Compiled, forward, prepare } from "../model/forward.ts";
import { createRandom } from "../model/random.ts";
import type { Partition } from "../regions/partition.ts";
import { boundaryPoints, interiorPoints, type PointSet, randomPoints } from "./points.ts";
import { evaluatePieces, type ShallowRepresentation, shallowNetwork } from "./represent.ts";

/** What `checkShallow` found: errors of max g against f at random, boundary and interior points. */
export interface ShallowCheck {
  /** Random points, boundary points and interior points (one per cell) checked. */
  randomPoints: number;
  boundaryPoints: number;
  interiorPoints: number;
  /** max |f| over the points: the scale errors are relative to (at least 1e-300). */
  scale: number;
  /** max |max_S g_S - f| / scale, through a forward pass of the saved network. */
  maxRelativeError: number;
  /** max over points and pieces of (g_S - f) / scale: at most rounding when g_S <= f holds. */
  maxExcess: number;
  /** Cells whose own piece misses the max or differs from f by more than the tolerance. */
  ownPieceFailures: number;
  tolerance: number;
  ok: boolean;
}

/** Points and tolerance of `checkShallow`. */
export interface CheckOptions {
  /** Random points (default 2000). */
  points?: number;
  /** Most boundary points (default 20000). */
  boundary?: number;
  seed?: number;
  /** Relative tolerance (default 1e-12). */
  tolerance?: number;
}

/** Check a shallow representation against the network it came from, by forward passes. */
export function checkShallow(compiled: Compiled, rep: ShallowRepresentation, partition: Partition, options: CheckOptions = {}): ShallowCheck {
  const tolerance = options.tolerance ?? 1e-12;
  const shallow = prepare(shallowNetwork(rep));
  const random = randomPoints(partition, options.points ?? 2000, createRandom(options.seed ?? 1));
  const boundary = boundaryPoints(partition, options.boundary ?? 20000);
  const interior = interiorPoints(partition);
  const m = rep.outputSize;
  const K = rep.pieces.length;
  const deep = (set: PointSet): Float64Array[] => rowsOf(set).map((x) => forward(compiled, x).output);
  const values = [random, boundary, interior].map(deep);
  let scale = 1e-300;
  for (const set of values) for (const f of set) for (const v of f) scale = Math.max(scale, Math.abs(v));

  let maxError = 0;
  let maxExcess = -Infinity;
  [random, boundary].forEach((set, s) => {
    rowsOf(set).forEach((x, i) => {
      const f = values[s][i];
      const g = forward(shallow, x).output;
      const pieces = evaluatePieces(rep, x);
      for (let o = 0; o < m; o++) {
        maxError = Math.max(maxError, Math.abs(g[o] - f[o]) / scale);
        for (let k = 0; k < K; k++) maxExcess = Math.max(maxExcess, (pieces[k * m + o] - f[o]) / scale);
      }
    });
  });

  let ownPieceFailures = 0;
  rowsOf(interior).forEach((x, cell) => {
    const f = values[2][cell];
    const pieces = evaluatePieces(rep, x);
    const own = rep.pieceOfCell[cell];
    let fails = false;
    for (let o = 0; o < m; o++) {
      const mine = pieces[own * m + o];
      if (Math.abs(mine - f[o]) > tolerance * scale) fails = true;
      for (let k = 0; k < K; k++) if (pieces[k * m + o] > mine + tolerance * scale) fails = true;
    }
    if (fails) ownPieceFailures++;
  });

  return {
    randomPoints: random.count,
    boundaryPoints: boundary.count,
    interiorPoints: interior.count,
    scale,
    maxRelativeError: maxError,
    maxExcess,
    ownPieceFailures,
    tolerance,
    ok: maxError <= tolerance && maxExcess <= tolerance && ownPieceFailures === 0,
  };
}

function rowsOf(set: PointSet): Float64Array[] {
  return Array.from({ length: set.count }, (_, i) => set.data.subarray(i * set.inputSize, (i + 1) * set.inputSize));
}

/** What `checkWithEngine` found: the saved shallow network's cells carry the deep network's maps. */
export interface EngineCheck {
  /** Cells the engine found in the saved network, and those large enough to test. */
  cells: number;
  checked: number;
  /** Cells below the measure threshold: slivers where pieces meet f in float rounding. */
  tiny: number;
  /** Tested cells whose output map is not the deep network's map there (f_S of the region). */
  mismatches: number;
  /** The engine's linear pieces of the saved network (slivers included). */
  linearPieces: number;
}

/**
 * Cross-check with an engine: every cell of `shallowPartition` (an exact engine's partition of
 * the saved network over the same domain) must carry the deep network's affine map of the region
 * its interior point lies in. Cells smaller than `minFraction` of the domain's measure (length,
 * area; in-radius over domain radius for space) are counted as tiny and not tested: where
 * several pieces meet f at a vertex, rounding leaves slivers of that size.
 */
export function checkWithEngine(deep: Compiled, rep: ShallowRepresentation, shallowPartition: Partition, minFraction = 1e-9): EngineCheck {
  const p = shallowPartition;
  const m = rep.outputSize;
  const n0 = rep.inputSize;
  const words = deep.layout.words;
  const pieceOf = new Map<string, number>();
  for (let k = 0; k < rep.pieces.length; k++) pieceOf.set(rep.patterns.subarray(k * words, (k + 1) * words).join(","), k);
  const { size, total } = cellMeasures(p);
  const interior = interiorPoints(p);
  const channels = p.kind === "line" ? 2 : p.kind === "plane" ? 3 : p.dim + 1;
  const expected = new Float64Array(channels);
  let checked = 0;
  let tiny = 0;
  let mismatches = 0;
  for (let cell = 0; cell < p.cellCount; cell++) {
    if (!(size[cell] >= minFraction * total)) {
      tiny++;
      continue;
    }
    checked++;
    const x = interior.data.subarray(cell * n0, (cell + 1) * n0);
    const k = pieceOf.get(forward(deep, x).pattern.join(","));
    if (k === undefined) {
      mismatches++;
      continue;
    }
    const affine = rep.pieces[k].affine;
    let bad = false;
    for (let o = 0; o < m; o++) {
      sliceMap(p, cell, affine.subarray(o * (n0 + 1), (o + 1) * (n0 + 1)), expected);
      const got = p.outputMaps.subarray((cell * m + o) * channels, (cell * m + o + 1) * channels);
      let scale = 1e-300;
      for (let c = 0; c < channels; c++) scale = Math.max(scale, Math.abs(got[c]), Math.abs(expected[c]));
      for (let c = 0; c < channels; c++) if (Math.abs(got[c] - expected[c]) > 1e-9 * scale) bad = true;
    }
    if (bad) mismatches++;
  }
  return { cells: p.cellCount, checked, tiny, mismatches, linearPieces: p.linearPieces };
}

/** Each cell's measure (length, area, or in-radius for space) and the domain's. */
function cellMeasures(p: Partition): { size: Float64Array; total: number } {
  if (p.kind === "line") return { size: p.lengths, total: p.lengths.reduce((a, b) => a + b, 0) };
  if (p.kind === "plane") return { size: p.areas, total: p.areas.reduce((a, b) => a + b, 0) };
  if (p.kind === "whole") return { size: p.radii, total: ((p.box[1] - p.box[0]) * Math.sqrt(p.inputSize)) / 2 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of p.vertices) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { size: p.radii, total: (hi - lo) / 2 };
}

/** An input-space affine row [c, g_1..g_n0] in the partition's coordinates for `cell`. */
function sliceMap(p: Partition, cell: number, row: Float64Array, out: Float64Array): void {
  const n0 = row.length - 1;
  const at = (point: ArrayLike<number>, offset: number): number => {
    let v = row[0];
    for (let i = 0; i < n0; i++) v += row[1 + i] * point[offset + i];
    return v;
  };
  const along = (dir: ArrayLike<number>, offset: number): number => {
    let v = 0;
    for (let i = 0; i < n0; i++) v += row[1 + i] * dir[offset + i];
    return v;
  };
  if (p.kind === "line") {
    const g = p.segmentOf[cell];
    out[0] = at(p.path, g * n0);
    out[1] = at(p.path, (g + 1) * n0) - out[0];
    return;
  }
  out[0] = p.kind === "whole" ? row[0] : at(p.origin, 0);
  if (p.kind === "plane") {
    out[1] = along(p.e1, 0);
    out[2] = along(p.e2, 0);
    return;
  }
  for (let c = 0; c < p.dim; c++) out[1 + c] = along(p.basis, c * n0);
}
