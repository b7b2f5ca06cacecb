// The plane engine's whole descent for the common case, in WebAssembly (AssemblyScript source,
// compiled by scripts/build-engine-wasm.ts into plane-cut-wasm.ts; plane-cut.ts drives it).
//
// Why: a count's first call in a fresh process ran the engine's JavaScript cold (interpreter,
// then TurboFan compiling it while it runs); WebAssembly runs at compiled speed from its first
// instruction. This is plane.ts's depth-first walk for networks made of elementwise steps each
// followed by a dense step (relu, leaky relu, hard tanh MLPs), with the same float64 operations
// in the same order (so the same bits): the cut by each unit's breakpoint lines (centroid
// filter, vertex tests, the recursive cut with its line lists, polygon splits and
// intersections), the walk of the pieces with rank-one updates and full products every REFRESH
// pieces, and the cells' output. It decides only what plane.ts decides by its first float
// tests; anything else (a vertex within a rounding bound, a value out of range) makes the whole
// run give up (return 0) and plane.ts's JavaScript counts from the start, exactly as before.
//
// No managed objects: raw linear memory, a bump allocator reset per run, structs at fixed offsets.

import { EPS, SATURATED, GROW, REFRESH } from "./plane-cut/constants";
import { bad, ld, sd, li, si, gi, pi, gd, alloc, freeList, V_PTR, V_LEN, vnew, runMax, nanLanes, laneMaxNaN } from "./plane-cut/memory";
import { lineChunks, linesMade, newLines, cutDepth, placeLine } from "./plane-cut/lines";
import { arenaNew, arenaBegin, arenaPush, signs, signsCap } from "./plane-cut/polygons";
import { S_N, S_M, S_PIECECOUNT, S_MAP, S_ERR, S_Q, S_SINCE, S_WRITTEN, S_PIECEARENA, S_Z, S_ZERR, S_ROWABS, S_GAIN, S_CARRIED, S_GLOBAL, S_ROWUPDATES, steps, stepCount, pattern, words, reach, vertices, edgeLine, cellStart, patterns, outputMaps, areas, cellCount, stepAt, prepare, vertexBase } from "./plane-cut/steps";
import { adjointStart } from "./plane-cut/adjoint";
import { emptyRecord, cutElementwise } from "./plane-cut/cut";
import { exactInput, advance, inRange, emit } from "./plane-cut/walk";
import { shareParts, sharePart, shareChunk, shareClaims, chunkSeen, chunkMine, shareRecord, shareBaseLines } from "./plane-cut/share";

/** Why the last run gave up (bad), at which step's cut (cutDepth), after how many cells: for bench/plane-kernel-giveups.ts. */
export function giveUpReason(): i32 {
  return bad;
}
export function giveUpStep(): i32 {
  return cutDepth;
}
export function giveUpCells(): i32 {
  return cellCount;
}

export { reset, alloc } from "./plane-cut/memory";
export { deriveStep } from "./plane-cut/steps";
export { adjointOptions, adjointLogAt, adjointLogBytes } from "./plane-cut/adjoint";
export { shareRecordAt, shareRecordBytes, shareLinesBefore } from "./plane-cut/share";

// ---- the run --------------------------------------------------------------------------------

/** Where run's results are: pointer and length (bytes) of each output (the cells' and the new lines'), the cell count, and whether more cells follow. */
let header: i32 = 0;
/** The walk's depth (the step whose pieces are being walked; -1: done), kept between run and resume. */
let depth: i32 = -1;
/**
 * Vertex bytes after which the walk hands its cells to plane-cut.ts and goes on in `resume` with
 * emptied output vectors (run's last argument): a bump allocator cannot free, so vectors that
 * doubled up to a large count's size held about 3x their content (896 bytes per cell on
 * 2-256x4-1 He against 282 in the partition), and the memory is kept after the count.
 */
let handoverBytes: i32 = 0;


/**
 * The descent from the first elementwise step: `stepPtr` holds `count` step structs (inputs
 * filled), `lineIn` the domain's `lineCount` lines, `rootPtr` the domain polygon (vn vertices of
 * u, v, err as f64 at rootPtr and line, side as i32 after them), z and zErr the first step's map.
 * Returns the header's address (its word 15 is 1 when `resume` must be called for more cells),
 * or 0 when plane.ts must count instead.
 */
export function run(stepPtr: i32, count: i32, lineIn: i32, lineCount: i32, rootPtr: i32, vn: i32, z: i32, zErr: i32, patternWords: i32, domainReach: f64, handover: i32, parts: i32, part: i32, chunk: i32, claims: i32): i32 {
  shareParts = parts;
  sharePart = part;
  shareClaims = claims != 0;
  chunkSeen = -1;
  chunkMine = false;
  freeList = 0; // blocks of an earlier run: reset() has handed their memory out again
  steps = stepPtr;
  handoverBytes = handover;
  stepCount = count;
  words = patternWords;
  reach = domainReach;
  cellCount = 0;
  vertexBase = 0;
  depth = -1;
  for (let p = 0; p < count; p++) prepare(stepAt(p));
  adjointStart(count);
  pi(stepAt(0), S_Z, z);
  pi(stepAt(0), S_ZERR, zErr);
  for (let p = 1; p < count; p++) {
    pi(stepAt(p), S_Z, gi(stepAt(p - 1), S_MAP));
    pi(stepAt(p), S_ZERR, gi(stepAt(p - 1), S_GLOBAL));
  }
  lineChunks = vnew(64);
  newLines = vnew(1 << 12);
  for (let id = 0; id < lineCount; id++) placeLine(id, ld(lineIn, 3 * id), ld(lineIn, 3 * id + 1), ld(lineIn, 3 * id + 2), 0, 0, 0);
  linesMade = lineCount; // the domain's, in slots 0 .. lineCount - 1 (step 0's cut starts after them)
  pattern = alloc(4 * words);
  memory.fill(<usize>pattern, 0, <usize>(4 * words));
  signsCap = 256;
  signs = alloc(signsCap);
  vertices = vnew(1 << 16);
  edgeLine = vnew(1 << 15);
  cellStart = vnew(1 << 13);
  patterns = vnew(1 << 13);
  outputMaps = vnew(1 << 14);
  areas = vnew(1 << 13);
  header = alloc(64);
  const cs = gi(cellStart, V_PTR);
  si(cs, 0, 0);
  pi(cellStart, V_LEN, 4);
  const rootArena = arenaNew();
  const r = arenaBegin(rootArena, vn);
  const ints = rootPtr + 24 * vn;
  for (let k = 0; k < vn; k++) arenaPush(rootArena, r, ld(rootPtr, 3 * k), ld(rootPtr, 3 * k + 1), ld(rootPtr, 3 * k + 2), li(ints, 2 * k), li(ints, 2 * k + 1));

  shareRecord = vnew(1 << 8);
  emptyRecord = alloc(16);
  si(emptyRecord, 0, 0);
  cutElementwise(stepAt(0), rootArena, r);
  if (bad) return 0;
  shareBaseLines = linesMade;
  // plane.ts's shareChunk: automatic (0) is the runs between full products when there are at
  // least 16 of them, else 16 pieces.
  const pieces = gi(stepAt(0), S_PIECECOUNT);
  shareChunk = chunk > 0 ? chunk : pieces >= 16 * (REFRESH + 1) ? REFRESH + 1 : 16;
  startWalk(stepAt(0));
  depth = 0;
  return walk();
}

/** The next cells after run's header said more follow: the output vectors start empty again. */
export function resume(): i32 {
  vertexBase += gi(edgeLine, V_LEN) >> 2;
  pi(vertices, V_LEN, 0);
  pi(edgeLine, V_LEN, 0);
  pi(cellStart, V_LEN, 0);
  pi(patterns, V_LEN, 0);
  pi(outputMaps, V_LEN, 0);
  pi(areas, V_LEN, 0);
  pi(newLines, V_LEN, 0);
  return walk();
}

function walk(): i32 {
  const count = stepCount;
  let d = depth;
  while (d >= 0) {
    const st = stepAt(d);
    const piece = advance(st);
    if (piece < 0) {
      d--;
      continue;
    }
    const m = gi(st, S_M);
    if (!inRange(gi(st, S_MAP), m, gi(st, S_ERR))) {
      bad = 4;
      return 0;
    }
    if (d + 1 < count) {
      const next = stepAt(d + 1);
      globalBounds(st);
      cutElementwise(next, gi(st, S_PIECEARENA), piece);
      if (bad) return 0;
      startWalk(next);
      d++;
    } else {
      emit(gi(st, S_PIECEARENA), piece, gi(st, S_MAP), m);
      if (gi(vertices, V_LEN) >= handoverBytes) {
        depth = d;
        return writeHeader(1);
      }
    }
  }
  depth = -1;
  return writeHeader(0);
}

function writeHeader(more: i32): i32 {
  pi(header, 0, gi(vertices, V_PTR));
  pi(header, 4, gi(vertices, V_LEN));
  pi(header, 8, gi(edgeLine, V_PTR));
  pi(header, 12, gi(edgeLine, V_LEN));
  pi(header, 16, gi(cellStart, V_PTR));
  pi(header, 20, gi(cellStart, V_LEN));
  pi(header, 24, gi(patterns, V_PTR));
  pi(header, 28, gi(patterns, V_LEN));
  pi(header, 32, gi(outputMaps, V_PTR));
  pi(header, 36, gi(outputMaps, V_LEN));
  pi(header, 40, gi(areas, V_PTR));
  pi(header, 44, gi(areas, V_LEN));
  pi(header, 48, gi(newLines, V_PTR));
  pi(header, 52, gi(newLines, V_LEN));
  pi(header, 56, cellCount);
  pi(header, 60, more);
  return header;
}

@inline function startWalk(st: i32): void {
  pi(st, S_Q, 0);
  pi(st, S_SINCE, REFRESH);
  pi(st, S_WRITTEN, 0);
}

/**
 * plane.ts's advance: the piece's map's bound relative to the exact map (S_GLOBAL, the next
 * step's S_ZERR), its carried part from the map cut (S_ZERR) through |W D|_inf on the piece.
 */
@inline function globalBounds(st: i32): void {
  const zErr = gi(st, S_ZERR);
  const carried = gi(st, S_CARRIED);
  if (exactInput(st)) for (let c = 0; c < 3; c++) sd(carried, c, 0);
  else {
    const m = gi(st, S_M);
    const n = gi(st, S_N);
    const rowAbs = gi(st, S_ROWABS);
    // The largest row sum, two at a time (runMax: no branch per entry as a scalar f64.max has in
    // V8; sums >= 0 from +0, so the same double in any order, a NaN kept).
    let top2 = f64x2.splat(0);
    let nan2 = v128.xor(top2, top2);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const x = v128.load(<usize>(rowAbs + (i << 3)));
      top2 = runMax(top2, x);
      nan2 = nanLanes(nan2, x);
    }
    let top: f64 = laneMaxNaN(top2, nan2);
    for (; i < m; i++) top = max<f64>(top, ld(rowAbs, i));
    const gain = min<f64>(gd(st, S_GAIN), (top + <f64>(n + 4 + 2 * gi(st, S_ROWUPDATES)) * EPS * ld(rowAbs, m)) * (1 + <f64>(n + 16) * EPS));
    const open = !(ld(zErr, 0) < SATURATED && ld(zErr, 1) < SATURATED && ld(zErr, 2) < SATURATED);
    for (let c = 0; c < 3; c++) sd(carried, c, open ? SATURATED : gain * ld(zErr, c));
  }
  const err = gi(st, S_ERR);
  const g = gi(st, S_GLOBAL);
  for (let c = 0; c < 3; c++) sd(g, c, (ld(err, c) + ld(carried, c)) * GROW);
  if (!(ld(g, 0) < SATURATED && ld(g, 1) < SATURATED && ld(g, 2) < SATURATED)) for (let c = 0; c < 3; c++) sd(g, c, SATURATED);
}
