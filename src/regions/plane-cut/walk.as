// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The walk of a step's pieces (plane.ts: advance, denseAfterStates, rankOne) and the cells' output.

import { EPS, MIN_NORMAL, REFRESH, SIDE_DOMAIN } from "./constants";
import { ld, sd, li, si, lb, sb, gi, pi, gd, V_PTR, V_LEN, vreserve, laneMax, runMax, nanLanes, laneMaxNaN } from "./memory";
import { linesMade } from "./lines";
import { A_UV, A_LINE, A_SIDE, A_START, A_SIZE, arenaArea } from "./polygons";
import { S_N, S_SLOPES, S_ICPT, S_M, S_WT, S_BIAS, S_COLMAX, S_BIT, S_BITS, S_NORM, S_GAMMA, S_BIASMAX, S_FULL, S_CROSSING, S_PIECES, S_STATES, S_PIECECOUNT, S_MAP, S_ERR, S_Q, S_SINCE, S_WRITTEN, S_ACTIVE, S_G0, S_G1, S_G2, S_Z, S_ZERR, S_ROWABS, S_ROWUPDATES, S_ROWSTATES, S_UPDATES, steps, stepCount, pattern, words, reach, vertices, edgeLine, cellStart, patterns, outputMaps, areas, cellCount, stepAt, vertexBase } from "./steps";
import { claimChunk, shareParts, sharePart, shareChunk, shareClaims, chunkSeen, chunkMine, shareRecord } from "./share";

// ---- the walk of a step's pieces (plane.ts: advance, denseAfterStates, rankOne) ----------------

export let largest0: f64 = 0;
export let largest1: f64 = 0;
export let largest2: f64 = 0;

/** map = dense(step(z) with states `full`); the largest |output| per channel in largest0..2. */
@inline export function denseAfterStates(st: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const z = gi(st, S_Z);
  const full = gi(st, S_FULL);
  const slopes = gi(st, S_SLOPES);
  const icpt = gi(st, S_ICPT);
  const active = gi(st, S_ACTIVE);
  const g0 = gi(st, S_G0);
  const g1 = gi(st, S_G1);
  const g2 = gi(st, S_G2);
  let count = 0;
  // Two units at a time in f64x2 lanes (each lane the scalar operations: slope * z + intercept,
  // no fused multiply-add), the running maxima lane-wise (runMax): f64.max on a scalar is a
  // compare and branches in V8 (whether |x| is the new largest: taken at random). Over values
  // >= 0 from +0 the maxima are the same doubles in any order (a NaN stays a NaN: the run gives
  // up on it as before, inRange).
  let top0 = f64x2.splat(0);
  let top1 = top0;
  let top2 = top0;
  let nan0 = v128.xor(top0, top0);
  let nan1 = nan0;
  let nan2 = nan0;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const sa = lb(full, j);
    const sb_ = lb(full, j + 1);
    const slope = f64x2.replace_lane(f64x2.splat(ld(slopes, sa)), 1, ld(slopes, sb_));
    const ic = f64x2.replace_lane(f64x2.splat(ld(icpt, sa)), 1, ld(icpt, sb_));
    const x0 = f64x2.add(f64x2.mul(slope, v128.load(<usize>(z + (j << 3)))), ic);
    const x1 = f64x2.mul(slope, v128.load(<usize>(z + ((n + j) << 3))));
    const x2 = f64x2.mul(slope, v128.load(<usize>(z + ((2 * n + j) << 3))));
    top0 = runMax(top0, f64x2.abs(x0));
    top1 = runMax(top1, f64x2.abs(x1));
    top2 = runMax(top2, f64x2.abs(x2));
    nan0 = nanLanes(nan0, x0);
    nan1 = nanLanes(nan1, x1);
    nan2 = nanLanes(nan2, x2);
    const a0 = f64x2.extract_lane(x0, 0);
    const a1 = f64x2.extract_lane(x1, 0);
    const a2 = f64x2.extract_lane(x2, 0);
    si(active, count, j);
    sd(g0, count, a0);
    sd(g1, count, a1);
    sd(g2, count, a2);
    count += <i32>(a0 != 0) | <i32>(a1 != 0) | <i32>(a2 != 0);
    const b0 = f64x2.extract_lane(x0, 1);
    const b1 = f64x2.extract_lane(x1, 1);
    const b2 = f64x2.extract_lane(x2, 1);
    si(active, count, j + 1);
    sd(g0, count, b0);
    sd(g1, count, b1);
    sd(g2, count, b2);
    count += <i32>(b0 != 0) | <i32>(b1 != 0) | <i32>(b2 != 0);
  }
  let l0: f64 = laneMaxNaN(top0, nan0);
  let l1: f64 = laneMaxNaN(top1, nan1);
  let l2: f64 = laneMaxNaN(top2, nan2);
  for (; j < n; j++) {
    const s = lb(full, j);
    const slope = ld(slopes, s);
    const x0 = slope * ld(z, j) + ld(icpt, s);
    const x1 = slope * ld(z, n + j);
    const x2 = slope * ld(z, 2 * n + j);
    l0 = max<f64>(l0, Math.abs(x0));
    l1 = max<f64>(l1, Math.abs(x1));
    l2 = max<f64>(l2, Math.abs(x2));
    si(active, count, j);
    sd(g0, count, x0);
    sd(g1, count, x1);
    sd(g2, count, x2);
    count += <i32>(x0 != 0) | <i32>(x1 != 0) | <i32>(x2 != 0);
  }
  largest0 = l0;
  largest1 = l1;
  largest2 = l2;
  const WT = gi(st, S_WT);
  const bias = gi(st, S_BIAS);
  const map = gi(st, S_MAP);
  // Four outputs at a time in registers (two f64x2 lanes per channel), over every active unit:
  // each output still sums its bias, then unit 0, 1, ... in that order, with IEEE lane-wise
  // multiplies and adds (no fused multiply-add), so the bits are those of a scalar loop; the
  // product is most of a large count's time (a full one for the first piece of every cut).
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let a0 = v128.load(<usize>(bias + (i << 3)));
    let a1 = v128.load(<usize>(bias + (i << 3) + 16));
    let b0 = zero;
    let b1 = zero;
    let c0 = zero;
    let c1 = zero;
    for (let k = 0; k < count; k++) {
      const col = <usize>(WT + ((li(active, k) * m + i) << 3));
      const w0 = v128.load(col);
      const w1 = v128.load(col + 16);
      const x0 = f64x2.splat(ld(g0, k));
      const x1 = f64x2.splat(ld(g1, k));
      const x2 = f64x2.splat(ld(g2, k));
      a0 = f64x2.add(a0, f64x2.mul(w0, x0));
      a1 = f64x2.add(a1, f64x2.mul(w1, x0));
      b0 = f64x2.add(b0, f64x2.mul(w0, x1));
      b1 = f64x2.add(b1, f64x2.mul(w1, x1));
      c0 = f64x2.add(c0, f64x2.mul(w0, x2));
      c1 = f64x2.add(c1, f64x2.mul(w1, x2));
    }
    v128.store(<usize>(map + (i << 3)), a0);
    v128.store(<usize>(map + (i << 3) + 16), a1);
    v128.store(<usize>(map + ((m + i) << 3)), b0);
    v128.store(<usize>(map + ((m + i) << 3) + 16), b1);
    v128.store(<usize>(map + ((2 * m + i) << 3)), c0);
    v128.store(<usize>(map + ((2 * m + i) << 3) + 16), c1);
  }
  for (; i < m; i++) {
    let a = ld(bias, i);
    let b: f64 = 0;
    let c: f64 = 0;
    for (let k = 0; k < count; k++) {
      const w = ld(WT, li(active, k) * m + i);
      a += w * ld(g0, k);
      b += w * ld(g1, k);
      c += w * ld(g2, k);
    }
    sd(map, i, a);
    sd(map, m + i, b);
    sd(map, 2 * m + i, c);
  }
}

export function rankOne(st: i32, j: i32, from: i32, to: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const z = gi(st, S_Z);
  const slopes = gi(st, S_SLOPES);
  const icpt = gi(st, S_ICPT);
  const ds = ld(slopes, to) - ld(slopes, from);
  const d0 = ds * ld(z, j) + ld(icpt, to) - ld(icpt, from);
  const d1 = ds * ld(z, n + j);
  const d2 = ds * ld(z, 2 * n + j);
  const WT = gi(st, S_WT);
  const map = gi(st, S_MAP);
  const col = j * m;
  // Two outputs at a time (f64x2: IEEE lane-wise, the scalar loop's bits; the largest |entry|
  // per channel is a max, which no order changes), then the odd one.
  const v0 = f64x2.splat(d0);
  const v1 = f64x2.splat(d1);
  const v2 = f64x2.splat(d2);
  let top0 = f64x2.splat(0);
  let top1 = top0;
  let top2 = top0;
  let nan0 = v128.xor(top0, top0);
  let nan1 = nan0;
  let nan2 = nan0;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const w = v128.load(<usize>(WT + ((col + i) << 3)));
    const p0 = <usize>(map + (i << 3));
    const p1 = <usize>(map + ((m + i) << 3));
    const p2 = <usize>(map + ((2 * m + i) << 3));
    const m0 = f64x2.add(v128.load(p0), f64x2.mul(w, v0));
    const m1 = f64x2.add(v128.load(p1), f64x2.mul(w, v1));
    const m2 = f64x2.add(v128.load(p2), f64x2.mul(w, v2));
    v128.store(p0, m0);
    v128.store(p1, m1);
    v128.store(p2, m2);
    top0 = runMax(top0, f64x2.abs(m0));
    top1 = runMax(top1, f64x2.abs(m1));
    top2 = runMax(top2, f64x2.abs(m2));
    nan0 = nanLanes(nan0, m0);
    nan1 = nanLanes(nan1, m1);
    nan2 = nanLanes(nan2, m2);
  }
  let big0: f64 = laneMaxNaN(top0, nan0);
  let big1: f64 = laneMaxNaN(top1, nan1);
  let big2: f64 = laneMaxNaN(top2, nan2);
  for (; i < m; i++) {
    const w = ld(WT, col + i);
    const m0 = ld(map, i) + w * d0;
    const m1 = ld(map, m + i) + w * d1;
    const m2 = ld(map, 2 * m + i) + w * d2;
    sd(map, i, m0);
    sd(map, m + i, m1);
    sd(map, 2 * m + i, m2);
    big0 = max<f64>(big0, Math.abs(m0));
    big1 = max<f64>(big1, Math.abs(m1));
    big2 = max<f64>(big2, Math.abs(m2));
  }
  const wMax = ld(gi(st, S_COLMAX), j);
  const err = gi(st, S_ERR);
  sd(err, 0, ld(err, 0) + 4 * EPS * (big0 + wMax * Math.abs(d0)));
  sd(err, 1, ld(err, 1) + 4 * EPS * (big1 + wMax * Math.abs(d1)));
  sd(err, 2, ld(err, 2) + 4 * EPS * (big2 + wMax * Math.abs(d2)));
  // plane-row-sums.ts's rowAbsUpdate (two outputs at a time: lane-wise, the scalar loop's bits); not
  // kept where the map cut is exact (its bound 0 carries nothing, globalBounds).
  if (!exactInput(st)) {
    rowAbsUpdate(st, j, from, to);
    sb(gi(st, S_ROWSTATES), j, to);
    pi(st, S_ROWUPDATES, gi(st, S_ROWUPDATES) + 1);
  }
}

/** plane-row-sums.ts's rowAbsUpdate: unit j's state from `from` to `to` (two outputs at a time: lane-wise, the scalar loop's bits). */
export function rowAbsUpdate(st: i32, j: i32, from: i32, to: i32): void {
  const slopes = gi(st, S_SLOPES);
  const dsAbs = Math.abs(ld(slopes, to)) - Math.abs(ld(slopes, from));
  if (dsAbs == 0) return;
  const m = gi(st, S_M);
  const WT = gi(st, S_WT);
  const col = j * m;
  const rowAbs = gi(st, S_ROWABS);
  const d2 = f64x2.splat(dsAbs);
  let k = 0;
  for (; k + 2 <= m; k += 2) {
    const p = <usize>(rowAbs + (k << 3));
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(d2, f64x2.abs(v128.load(<usize>(WT + ((col + k) << 3)))))));
  }
  for (; k < m; k++) sd(rowAbs, k, ld(rowAbs, k) + dsAbs * Math.abs(ld(WT, col + k)));
}

/** plane-row-sums.ts's RowSums.at: the row sums for the piece's states (S_FULL), by updates from S_ROWSTATES or in full. */
@inline export function rowAbsAt(st: i32): void {
  if (exactInput(st)) return;
  const n = gi(st, S_N);
  const full = gi(st, S_FULL);
  const states = gi(st, S_ROWSTATES);
  let changed = 0;
  for (let j = 0; j < n; j++) if (lb(states, j) != lb(full, j)) changed++;
  const updates = gi(st, S_ROWUPDATES);
  if (updates < 0 || updates + changed > REFRESH) {
    rowAbsFull(st);
    memory.copy(<usize>states, <usize>full, <usize>n);
    pi(st, S_ROWUPDATES, 0);
    return;
  }
  for (let j = 0; j < n; j++) {
    if (lb(states, j) == lb(full, j)) continue;
    rowAbsUpdate(st, j, lb(states, j), lb(full, j));
    sb(states, j, lb(full, j));
  }
  pi(st, S_ROWUPDATES, updates + changed);
}

/**
 * Whether step st's map being cut is exact (S_ZERR all 0: its pieces carry no bound from it) or
 * st is the last step (no step cuts its pieces' maps, the output's): no row sums are kept.
 */
@inline export function exactInput(st: i32): bool {
  const zErr = gi(st, S_ZERR);
  return (ld(zErr, 0) == 0 && ld(zErr, 1) == 0 && ld(zErr, 2) == 0) || st == stepAt(stepCount - 1);
}

/**
 * plane-row-sums.ts's rowAbsFull: per output, sum_j |slope of unit j's state| |W_ij|, units in order; not
 * made where the map cut is exact. Four outputs at a time in registers over the units whose
 * slope is not 0 (each output's sum in unit order, lane-wise: the scalar loop's bits), after the
 * product, whose scratch (S_ACTIVE, S_G0) it reuses.
 */
export function rowAbsFull(st: i32): void {
  if (exactInput(st)) return;
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const full = gi(st, S_FULL);
  const slopes = gi(st, S_SLOPES);
  const WT = gi(st, S_WT);
  const rowAbs = gi(st, S_ROWABS);
  const units = gi(st, S_ACTIVE);
  const scale = gi(st, S_G0);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const sj = Math.abs(ld(slopes, lb(full, j)));
    if (sj == 0) continue;
    si(units, count, j);
    sd(scale, count, sj);
    count++;
  }
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let a0 = zero;
    let a1 = zero;
    for (let k = 0; k < count; k++) {
      const col = <usize>(WT + ((li(units, k) * m + i) << 3));
      const s2 = f64x2.splat(ld(scale, k));
      a0 = f64x2.add(a0, f64x2.mul(s2, f64x2.abs(v128.load(col))));
      a1 = f64x2.add(a1, f64x2.mul(s2, f64x2.abs(v128.load(col + 16))));
    }
    v128.store(<usize>(rowAbs + (i << 3)), a0);
    v128.store(<usize>(rowAbs + (i << 3) + 16), a1);
  }
  for (; i < m; i++) {
    let a: f64 = 0;
    for (let k = 0; k < count; k++) a = a + ld(scale, k) * Math.abs(ld(WT, li(units, k) * m + i));
    sd(rowAbs, i, a);
  }
}

export function setState(st: i32, unit: i32, state: i32): void {
  const bits = gi(st, S_BITS);
  const stride = 32 % bits == 0 ? bits : 32;
  const bit = gi(st, S_BIT) + unit * stride;
  const word = bit >>> 5;
  const shift = bit & 31;
  const mask: u32 = (bits == 32 ? 0xffffffff : ((<u32>1 << bits) - 1)) << shift;
  const w = <u32>li(pattern, word);
  si(pattern, word, <i32>((w & ~mask) | ((<u32>state << shift) & mask)));
}

/**
 * The pattern's field of every unit j < n set from `full`: setState's layout (stride, mask) read
 * once, not per unit (a step's first piece writes all n units, and most pieces of a deep narrow
 * network are a step's first).
 */
@inline export function setStates(st: i32, full: i32, n: i32): void {
  const bits = gi(st, S_BITS);
  const stride = 32 % bits == 0 ? bits : 32;
  const low: u32 = bits == 32 ? 0xffffffff : ((<u32>1 << bits) - 1);
  let bit = gi(st, S_BIT);
  // The word being filled is kept in a register and stored when the fields move to the next
  // word (not a load and store of the same word per unit, each load waiting on the last store).
  let word = bit >>> 5;
  let w = <u32>li(pattern, word);
  for (let j = 0; j < n; j++) {
    const at = bit >>> 5;
    if (at != word) {
      si(pattern, word, <i32>w);
      word = at;
      w = <u32>li(pattern, word);
    }
    const shift = bit & 31;
    const mask: u32 = low << shift;
    w = (w & ~mask) | ((<u32>lb(full, j) << shift) & mask);
    bit += stride;
  }
  si(pattern, word, <i32>w);
}

/**
 * The next piece of step st with its map ready, or -1 when its pieces are done. In a share
 * (shareParts != 0), the first step's pieces of other shares are passed over as plane.ts's
 * advance passes them: their states still go into `full` (records hold changes), their maps are
 * made only when the next piece's builds on them (chunks not whole runs between full products).
 */
export function advance(st: i32): i32 {
  while (true) {
    const q = gi(st, S_Q);
    if (q >= gi(st, S_PIECECOUNT)) return -1;
    if (shareParts == 0 || st != steps) return advanceOwn(st, q, true);
    const chunk = q / shareChunk;
    if (chunk != chunkSeen) {
      chunkSeen = chunk;
      chunkMine = shareClaims ? claimChunk(chunk) != 0 : chunk % shareParts == sharePart;
    }
    if (chunkMine) {
      shareRecordPush(q);
      return advanceOwn(st, q, true);
    }
    if (shareChunk % (REFRESH + 1) == 0) {
      takeStates(st, li(gi(gi(st, S_STATES), V_PTR), q));
      pi(st, S_SINCE, REFRESH);
      pi(st, S_WRITTEN, 0);
      pi(st, S_Q, q + 1);
    } else advanceOwn(st, q, false);
  }
  return -1;
}

/** A piece's record (see advanceOwn) taken into `full`: each listed crossing unit's state. */
@inline export function takeStates(st: i32, record: i32): void {
  const changed = li(record, 0);
  const crossing = gi(st, S_CROSSING);
  const full = gi(st, S_FULL);
  for (let e = 1; e <= changed; e++) {
    const x = li(record, e);
    sb(full, li(crossing, x >> 8), x & 255);
  }
}

/** A share's record of a top piece it descends into: the piece, and the cells and lines before it. */
export function shareRecordPush(q: i32): void {
  const rp = vreserve(shareRecord, 12);
  const at = gi(shareRecord, V_LEN) >> 2;
  si(rp, at, q);
  si(rp, at + 1, cellCount);
  si(rp, at + 2, linesMade);
  pi(shareRecord, V_LEN, 4 * (at + 3));
}

/** Piece q's map (and, when `mine`, its part of the pattern); returns the piece. */
export function advanceOwn(st: i32, q: i32, mine: bool): i32 {
  // Piece q's record: the crossing units whose state differs from piece q - 1's (all for q = 0,
  // in index order). `full` holds piece q - 1's states until the end of this call.
  const record = li(gi(gi(st, S_STATES), V_PTR), q);
  const changed = li(record, 0);
  const crossing = gi(st, S_CROSSING);
  const full = gi(st, S_FULL);
  const since = gi(st, S_SINCE);
  if (q > 0 && since < REFRESH) {
    for (let e = 1; e <= changed; e++) {
      const x = li(record, e);
      const j = li(crossing, x >> 8);
      const from = lb(full, j);
      rankOne(st, j, from, x & 255);
      if (from != (x & 255)) pi(st, S_UPDATES, gi(st, S_UPDATES) + 1);
    }
    pi(st, S_SINCE, since + 1);
  } else {
    takeStates(st, record);
    denseAfterStates(st);
    const norm = gd(st, S_NORM);
    const gamma = gd(st, S_GAMMA);
    const err = gi(st, S_ERR);
    sd(err, 0, norm * gamma * largest0 + 2 * EPS * gd(st, S_BIASMAX));
    sd(err, 1, norm * gamma * largest1 + 0);
    sd(err, 2, norm * gamma * largest2 + 0);
    rowAbsAt(st);
    pi(st, S_SINCE, 0);
    pi(st, S_UPDATES, 0);
  }
  if (!mine) {
    // Another share's piece whose map the next piece's builds on: its states, not its pattern.
    takeStates(st, record);
    pi(st, S_WRITTEN, 0);
    pi(st, S_Q, q + 1);
    return -1;
  }
  if (!gi(st, S_WRITTEN)) {
    pi(st, S_WRITTEN, 1);
    takeStates(st, record);
    const n = gi(st, S_N);
    setStates(st, full, n);
  } else {
    for (let e = 1; e <= changed; e++) {
      const x = li(record, e);
      const j = li(crossing, x >> 8);
      sb(full, j, x & 255);
      setState(st, j, x & 255);
    }
  }
  pi(st, S_Q, q + 1);
  return li(gi(gi(st, S_PIECES), V_PTR), q);
}

/** walkAffine's `finite` at the end of a walk: the map (3 x m) and its bounds in range; else give up. */
@inline export function inRange(map: i32, m: i32, err: i32): bool {
  // Two entries at a time and without a branch per entry (they all pass but on a give-up): a NaN
  // or infinity fails x - x == 0, a subnormal |x| < MIN_NORMAL with x != 0; the same decisions
  // as one entry at a time, in a fifth of a deep narrow network's cut (m = 8).
  const len = 3 * m;
  const zero = f64x2.splat(0);
  const tiny = f64x2.splat(MIN_NORMAL);
  let finite = f64x2.eq(zero, zero);
  let subnormal = v128.xor(finite, finite);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const x = v128.load(<usize>(map + (i << 3)));
    finite = v128.and(finite, f64x2.eq(f64x2.sub(x, x), zero));
    subnormal = v128.or(subnormal, v128.and(f64x2.lt(f64x2.abs(x), tiny), f64x2.ne(x, zero)));
  }
  let out = <i32>!v128.all_true<i64>(finite) | <i32>v128.any_true(subnormal);
  for (; i < len; i++) {
    const x = ld(map, i);
    out |= <i32>!(x - x == 0) | (<i32>(Math.abs(x) < MIN_NORMAL) & <i32>(x != 0));
  }
  if (out) return false;
  const small = reach != 0 && reach < 1 ? reach : 0;
  if (small > 0) {
    let smallest = Infinity;
    for (let i = m; i < len; i++) {
      const a = Math.abs(ld(map, i));
      if (a != 0 && a < smallest) smallest = a;
    }
    if (smallest * small < MIN_NORMAL) return false;
  }
  for (let c = 0; c < 3; c++) if (!(ld(err, c) - ld(err, c) == 0)) return false;
  return true;
}

export function emit(ar: i32, p: i32, map: i32, out: i32): void {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  const vd = vreserve(vertices, 16 * n);
  const ed = vreserve(edgeLine, 4 * n);
  const v0 = gi(vertices, V_LEN) >> 3;
  const e0 = gi(edgeLine, V_LEN) >> 2;
  const uv = gi(ar, A_UV);
  const side = gi(ar, A_SIDE);
  const line = gi(ar, A_LINE);
  for (let k = 0; k < n; k++) {
    sd(vd, v0 + 2 * k, ld(uv, 2 * (s + k)));
    sd(vd, v0 + 2 * k + 1, ld(uv, 2 * (s + k) + 1));
    const sk = li(side, s + k);
    si(ed, e0 + k, sk == SIDE_DOMAIN ? -1 : 2 * li(line, s + k) + sk);
  }
  pi(vertices, V_LEN, 8 * (v0 + 2 * n));
  pi(edgeLine, V_LEN, 4 * (e0 + n));
  const cs = vreserve(cellStart, 4);
  si(cs, gi(cellStart, V_LEN) >> 2, vertexBase + e0 + n);
  pi(cellStart, V_LEN, gi(cellStart, V_LEN) + 4);
  const pp = vreserve(patterns, 4 * words);
  memory.copy(<usize>(pp + gi(patterns, V_LEN)), <usize>pattern, <usize>(4 * words));
  pi(patterns, V_LEN, gi(patterns, V_LEN) + 4 * words);
  const mp = vreserve(outputMaps, 24 * out);
  const m0 = gi(outputMaps, V_LEN) >> 3;
  for (let o = 0; o < out; o++) for (let c = 0; c < 3; c++) sd(mp, m0 + 3 * o + c, ld(map, c * out + o));
  pi(outputMaps, V_LEN, 8 * (m0 + 3 * out));
  const ap = vreserve(areas, 8);
  sd(ap, gi(areas, V_LEN) >> 3, arenaArea(ar, p));
  pi(areas, V_LEN, gi(areas, V_LEN) + 8);
  cellCount++;
}
