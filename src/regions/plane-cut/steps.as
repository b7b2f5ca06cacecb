// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// One struct per elementwise step (with the dense step after it): its fields, the run's outputs, what deriveStep and prepare make of plane-cut.ts's inputs.

import { EPS } from "./constants";
import { ld, sd, gi, pi, pd, alloc, vnew } from "./memory";
import { arenaNew } from "./polygons";

// ---- steps: one struct per elementwise step (with the dense step after it) ---------------------

// Inputs (written by plane-cut.ts).
export const S_N = 0; // units
export const S_TN = 4; // breakpoints
export const S_T = 8; // f64[tn]
export const S_SLOPES = 12; // f64[tn + 1]
export const S_ICPT = 16; // f64[tn + 1]
export const S_M = 20; // the dense step's outputs
export const S_WT = 24; // f64[n * m], column-major (WT[j * m + i]); plane-cut.ts gives the row-major weight, deriveStep transposes it
export const S_BIAS = 28; // f64[m]
export const S_COLMAX = 32; // f64[n] (deriveStep)
export const S_BIT = 36; // pattern: first bit
export const S_BITS = 40; // pattern: bits per unit
export const S_NORM = 48; // f64: the dense step's norm (deriveStep)
export const S_GAMMA = 56; // f64: (n + 2) eps
export const S_BIASMAX = 64; // f64 (deriveStep)
// Scratch (made by prepare).
export const S_FULL = 72;
export const S_CROSSINGOF = 76;
export const S_CROSSING = 80;
export const S_CUR = 84;
export const S_NC = 88;
export const S_PIECES = 92; // vector of i32
export const S_STATES = 96; // vector of i32: each piece's record of states (addPiece)
export const S_PIECECOUNT = 100;
export const S_LA = 104; // f64[L] each: la, lb, lc, lea, leb, lec
export const S_LB = 108;
export const S_LC = 112;
export const S_LEA = 116;
export const S_LEB = 120;
export const S_LEC = 124;
export const S_UNITOF = 128;
export const S_IDOF = 132;
export const S_WORK = 136;
export const S_WORKCAP = 140;
export const S_UNDECIDED = 144;
export const S_MAP = 148; // f64[3m]
export const S_ERR = 152; // f64[3]
export const S_Q = 156;
export const S_SINCE = 160;
export const S_WRITTEN = 164;
export const S_ARENA = 168;
export const S_ACTIVE = 172;
export const S_G0 = 176;
export const S_G1 = 180;
export const S_G2 = 184;
export const S_Z = 188; // the map being cut (the previous step's S_MAP, or the first map)
export const S_ZERR = 192; // f64[3]: its bounds relative to the exact map (the previous step's S_GLOBAL, or the first map's)
// Bounds relative to the exact map (plane.ts's carried, globalErr, rowAbs; docs/numerics.md).
export const S_ROWABS = 196; // f64[m + 1]: per output, sum_j |W_ij| |slope of unit j's state| on the piece; at m, the norm times the largest |slope| (deriveStep)
export const S_GAIN = 200; // f64: the dense step's norm times the largest |slope|, widened (deriveStep): plane.ts's gainMax
export const S_CARRIED = 208; // f64[3]: the piece's gain times S_ZERR, the part of S_MAP's bound carried from before (globalBounds)
export const S_GLOBAL = 212; // f64[3]: S_ERR (local) plus S_CARRIED, rounded up: how far S_MAP may be from the exact map
export const S_ROWUPDATES = 216; // updates of S_ROWABS since it was made in full (-1: not yet)
export const S_ROWSTATES = 44; // u8[n]: the states S_ROWABS is of
// The slots of the step's live lines (beginLines): its first line's id, its first slot, the
// slot after its last line.
export const S_LINEFIRST = 220;
export const S_LINEBASE = 224;
export const S_LINEEND = 228;
// The pieces' records of states (addPiece, stateRow), at the end of the struct.
export const S_LAST = 232; // u8[n]: the states of the cut's last piece
export const S_ROWCHUNKS = 236; // the first chunk (0: none yet)
export const S_ROWCHUNK = 240; // the chunk rows come from now (0: none yet in this cut)
export const S_ROWUSED = 244; // bytes of it given out
export const S_ROWCAP = 248; // bytes of rows per chunk
// Per-unit and adjoint bounds (plane-elementwise-cut.ts unitBound, adjointLine; plane-adjoint-bounds.ts lower; docs/numerics.md).
export const S_UPDATES = 256; // rank-one updates of S_MAP since its last full product (plane.ts CellFrame.updates)
export const S_LOWERED = 260; // whether the step's cut lowered S_ZERR to its units' adjoint bounds (CellFrame.lowered)
export const S_LROUND = 264; // f64[L]: each listed line's rounding of its shift (2 eps |z_j|, 0 for a breakpoint 0)
export const S_LOWN = 268; // u8[L]: whether the line's bounds are its unit's own (plane.ts StepScratch.own)
export const S_SLOPEMAX = 280; // f64: the largest |slope| (map-error.ts largestSlope; deriveStep)
export const S_ICPTMAX = 288; // f64: the largest |intercept| (unit-error.ts largestIntercept; deriveStep)
export const S_WROW = 296; // f64[m * n]: the row-major weight plane-cut.ts gave (W[i * n + j]; deriveStep keeps it for adjointRows)
/**
 * The arena the cut's pieces are in (i32): S_ARENA, or, when the cut made no line, the arena of the
 * polygon cut, whose polygon is then the one piece, not copied (95% of the cuts of a deep narrow
 * network). That arena is a step's above (or the domain's) and stays as it is until this cut's
 * walk is done.
 */
export const S_PIECEARENA = 300;
export const STEP_BYTES: i32 = 320; // plane-cut.ts lays the structs out with the same size

export let steps: i32 = 0;
export let stepCount: i32 = 0;
export let pattern: i32 = 0;
export let words: i32 = 0;
export let reach: f64 = 0;
// Output.
export let vertices: i32 = 0;
export let edgeLine: i32 = 0;
export let cellStart: i32 = 0;
export let patterns: i32 = 0;
export let outputMaps: i32 = 0;
export let areas: i32 = 0;
export let cellCount: i32 = 0;

@inline export function stepAt(p: i32): i32 {
  return steps + p * STEP_BYTES;
}

/**
 * What plane-cut.ts used to compute in JavaScript for each step before a run, from the dense
 * step's row-major weight (given at S_WT) and bias: its column-major copy (replacing S_WT), the
 * largest |entry| of each column (S_COLMAX), its norm (S_NORM: max row sum of |w|) and the
 * largest |bias| (S_BIASMAX). The same float64 operations in the same order as dense-kernel.ts's
 * transposedWeights and map-error.ts's columnMaxima, affineNormInf and maxAbs (f64.max is
 * Math.max, NaN and signed zeros included), so the same bits. Why here: a count runs them once,
 * so in a fresh process JavaScript interpreted them (about a tenth of a small first call).
 */
export function deriveStep(st: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const W = gi(st, S_WT);
  const WT = alloc(8 * n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sd(WT, j * m + i, ld(W, i * n + j));
  pi(st, S_WT, WT);
  pi(st, S_WROW, W);
  const colMax = alloc(8 * n);
  for (let j = 0; j < n; j++) {
    let best: f64 = 0;
    for (let i = 0; i < m; i++) {
      const aw = abs<f64>(ld(WT, j * m + i));
      if (aw > best) best = aw;
    }
    sd(colMax, j, best);
  }
  pi(st, S_COLMAX, colMax);
  let norm: f64 = 0;
  for (let i = 0; i < m; i++) {
    let row: f64 = 0;
    for (let j = 0; j < n; j++) row += abs<f64>(ld(W, i * n + j));
    norm = max<f64>(norm, row);
  }
  pd(st, S_NORM, norm);
  const bias = gi(st, S_BIAS);
  let biasMax: f64 = 0;
  for (let i = 0; i < m; i++) biasMax = max<f64>(biasMax, abs<f64>(ld(bias, i)));
  pd(st, S_BIASMAX, biasMax);
  // map-error.ts's largestSlope, and plane.ts's gain (piecewise) in the same order.
  const slopes = gi(st, S_SLOPES);
  let slopeMax: f64 = 0;
  for (let s = 0; s <= gi(st, S_TN); s++) slopeMax = max<f64>(slopeMax, abs<f64>(ld(slopes, s)));
  pd(st, S_SLOPEMAX, slopeMax);
  // unit-error.ts's largestIntercept, in the same order.
  const icpt = gi(st, S_ICPT);
  let icptMax: f64 = 0;
  for (let s = 0; s <= gi(st, S_TN); s++) icptMax = max<f64>(icptMax, abs<f64>(ld(icpt, s)));
  pd(st, S_ICPTMAX, icptMax);
  const normSlope = norm * slopeMax;
  pd(st, S_GAIN, normSlope * (1 + <f64>(n + 16) * EPS));
  const rowAbs = alloc(8 * (m + 1));
  sd(rowAbs, m, normSlope);
  pi(st, S_ROWABS, rowAbs);
}

export function prepare(st: i32): void {
  const n = gi(st, S_N);
  const L = n * gi(st, S_TN);
  const m = gi(st, S_M);
  pi(st, S_FULL, alloc(n));
  pi(st, S_CROSSINGOF, alloc(4 * n));
  pi(st, S_CROSSING, alloc(4 * n));
  pi(st, S_CUR, alloc(n));
  pi(st, S_NC, 0);
  pi(st, S_PIECES, vnew(256));
  pi(st, S_STATES, vnew(1024));
  pi(st, S_ROWCHUNKS, 0);
  pi(st, S_ROWCHUNK, 0);
  pi(st, S_ROWUSED, 0);
  pi(st, S_ROWCAP, max<i32>(1 << 15, 8 * (4 + 4 * n)));
  pi(st, S_LAST, alloc(n));
  pi(st, S_PIECECOUNT, 0);
  pi(st, S_LA, alloc(8 * L));
  pi(st, S_LB, alloc(8 * L));
  pi(st, S_LC, alloc(8 * L));
  pi(st, S_LEA, alloc(8 * L));
  pi(st, S_LEB, alloc(8 * L));
  pi(st, S_LEC, alloc(8 * L));
  pi(st, S_LROUND, alloc(8 * L));
  pi(st, S_LOWN, alloc(L));
  pi(st, S_UPDATES, 0);
  pi(st, S_LOWERED, 0);
  pi(st, S_UNITOF, alloc(4 * L));
  pi(st, S_IDOF, alloc(4 * L));
  pi(st, S_WORKCAP, 4 * L + 16);
  pi(st, S_WORK, alloc(4 * (4 * L + 16)));
  pi(st, S_UNDECIDED, alloc(8 * L));
  pi(st, S_MAP, alloc(24 * m));
  pi(st, S_ERR, alloc(24));
  pi(st, S_ROWSTATES, alloc(n));
  pi(st, S_ROWUPDATES, -1);
  pi(st, S_CARRIED, alloc(24));
  pi(st, S_GLOBAL, alloc(24));
  pi(st, S_ARENA, arenaNew());
  pi(st, S_ACTIVE, alloc(4 * n));
  pi(st, S_G0, alloc(8 * n));
  pi(st, S_G1, alloc(8 * n));
  pi(st, S_G2, alloc(8 * n));
}

/** Vertices of the cells handed over before the ones in the output vectors (cellStart counts from the first cell). */
export let vertexBase: i32 = 0;
