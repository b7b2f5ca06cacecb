// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The adjoint bound on a settled chain (plane-adjoint.ts, as plane.ts runs it).

import { EPS, TINY, SATURATED } from "./constants";
import { ld, sd, li, si, lb, sb, gi, pi, gd, alloc, V_PTR, V_LEN, vnew, vreserve } from "./memory";
import { S_N, S_SLOPES, S_M, S_WT, S_NORM, S_FULL, S_CROSSING, S_LEA, S_LEB, S_LEC, S_UNITOF, S_ERR, S_ZERR, S_CARRIED, S_LOWERED, S_LROUND, S_WROW, STEP_BYTES, steps, stepAt } from "./steps";
import { ul0, ul1, ul2, ue0, ue1, ue2, unitLocal } from "./unit-bounds";

// ---- the adjoint bound on a settled chain (plane-adjoint.ts, as plane.ts runs it) ---------------
//
// Where a unit's own bound leaves a vertex open and the carried part is the larger, plane.ts takes
// an a posteriori bound from the cell's chain of fused steps (docs/numerics.md, "An adjoint bound
// on a settled chain"): the rows of the signed products W D ... W D back from the map cut, with a
// rigorous bound of their own rounding. The kernel's steps are that chain: each step's dense
// weight (S_WT), the slopes of its states on the piece (S_SLOPES at S_FULL), its local bound
// (S_ERR); the chain stops at the first step or at one whose cut lowered its input's bounds
// (S_LOWERED), with that step's S_ZERR as the start. adjointRows below is plane-adjoint.ts's,
// the same float64 operations in the same order (its weights read from the transposed copy).

/** Whether the kernel makes adjoint bounds (a count's PlaneAdjointProbe, plane-adjoint.ts, with off or seen keeps it from them: plane.ts then makes them). */
export let adjointOn: bool = true;
/** Whether every bound made is logged (adjointLogAt): the tests compare them with plane-adjoint.ts's. */
export let adjointLogOn: bool = false;
export let adjointLog: i32 = 0; // vector of f64 records: kernel step, unit, the bound's 3 channels (before the clamp)

/** The count's PlaneAdjointProbe switches for the next runs (plane-cut.ts): make adjoint bounds, log them. */
export function adjointOptions(on: i32, log: i32): void {
  adjointOn = on != 0;
  adjointLogOn = log != 0;
}
export function adjointLogAt(): i32 {
  return gi(adjointLog, V_PTR);
}
export function adjointLogBytes(): i32 {
  return gi(adjointLog, V_LEN);
}

/** Whether the cut being made has any unit's adjoint bound (plane.ts adjointAny). */
export let adjointAny: bool = false;
/** The cut's chain: its links (steps chainFirst .. chainFirst + adjointCount - 1; -1: not made yet). */
export let adjointCount: i32 = -1;
export let chainFirst: i32 = 0;
/** Per unit of the step being cut: its adjoint bound (f64 x 3) and whether it is made (u8): plane.ts adjointOf, adjointHave. */
export let adjOf: i32 = 0;
export let adjHave: i32 = 0;
/** adjointRows' buffers (plane-adjoint.ts's AdjointScratch; the gathered rows twice, a level's and the next), for scratchRows rows of scratchWidth entries. */
export let scratchWidth: i32 = 0;
export let scratchRows: i32 = 0;
export let aNonzero: i32 = 0;
export let aUOf: i32 = 0;
export let aFOf: i32 = 0;
export let aSums: i32 = 0;
export let aCounts: i32 = 0;
export let aNonzero2: i32 = 0;
export let aUOf2: i32 = 0;
export let aFOf2: i32 = 0;
export let aCounts2: i32 = 0;
/** A row's next sums su, sf per unit (lanes stored as made), and the states' slopes of the step's units. */
export let aLaneU: i32 = 0;
export let aLaneF: i32 = 0;
export let aD: i32 = 0;
export let aActive: i32 = 0;
export let aRows: i32 = 0;
export let aOut: i32 = 0;
/**
 * The rows' one list when every row has the same entries (after a level whose slope-0 units are
 * skipped: each row then has an entry for every unit that passes): the units (i32), and each
 * entry's u and f of every row side by side ([t * R2 + b], R2 the rows rounded up to even), a
 * level's and the next (adjointRows' uniform path).
 */
export let aListU: i32 = 0;
export let aListU2: i32 = 0;
export let aU2: i32 = 0;
export let aF2: i32 = 0;
export let aU2Next: i32 = 0;
export let aF2Next: i32 = 0;
/** The rows' bounds while they are summed, by channel and row ([c * R2 + b]), two rows at a time. */
export let aOutC: i32 = 0;

export const ADJOINT_ALL: f64 = 65536; // plane.ts's ADJOINT_ALL (2^16 multiply-adds)
export const OVERFLOW_GUARD: f64 = 1.0715086071862673e301; // 2^1000: plane-adjoint.ts's skip guard

/** A new cut: no adjoint bound yet (plane.ts adjointReset). */
@inline export function adjointReset(st: i32): void {
  adjointCount = -1;
  pi(st, S_LOWERED, 0);
  if (!adjointAny) return;
  adjointAny = false;
  memory.fill(<usize>adjHave, 0, <usize>maxUnits);
}

/** The widest step's units: adjOf, adjHave, aRows and aOut hold that many (adjointStart). */
export let maxUnits: i32 = 0;

/** A run's adjoint state: nothing made, the per-unit arrays for its widest step, adjointRows' buffers made when first needed. */
export function adjointStart(count: i32): void {
  adjointAny = false;
  adjointCount = -1;
  maxUnits = 0;
  for (let p = 0; p < count; p++) maxUnits = max<i32>(maxUnits, gi(stepAt(p), S_N));
  adjOf = alloc(24 * maxUnits);
  adjHave = alloc(maxUnits);
  memory.fill(<usize>adjHave, 0, <usize>maxUnits);
  aRows = alloc(4 * maxUnits);
  aOut = alloc(24 * maxUnits);
  scratchWidth = 0;
  scratchRows = 0;
  if (adjointLogOn) adjointLog = vnew(1 << 10);
}

/** adjointRows' buffers for `rows` rows of `width` entries (grown, never shrunk, in a run). */
export function ensureScratch(width: i32, rows: i32): void {
  if (width <= scratchWidth && rows <= scratchRows) return;
  scratchWidth = max<i32>(width, scratchWidth);
  scratchRows = max<i32>(rows, scratchRows);
  const cells = scratchWidth * scratchRows;
  aNonzero = alloc(4 * cells);
  aUOf = alloc(8 * cells);
  aFOf = alloc(8 * cells);
  aNonzero2 = alloc(4 * cells);
  aUOf2 = alloc(8 * cells);
  aFOf2 = alloc(8 * cells);
  aCounts2 = alloc(4 * scratchRows);
  aLaneU = alloc(8 * (scratchWidth + 8));
  aLaneF = alloc(8 * (scratchWidth + 8));
  aD = alloc(8 * scratchWidth);
  aActive = alloc(4 * scratchWidth);
  aSums = alloc(8 * (scratchRows + 1));
  aCounts = alloc(4 * scratchRows);
  const wide = scratchWidth * (scratchRows + 1);
  aListU = alloc(4 * scratchWidth);
  aListU2 = alloc(4 * scratchWidth);
  aU2 = alloc(8 * wide);
  aF2 = alloc(8 * wide);
  aU2Next = alloc(8 * wide);
  aF2Next = alloc(8 * wide);
  aOutC = alloc(24 * (scratchRows + 1));
}

/** plane-adjoint-bounds.ts's makeChain: back from the step above st while no cut lowered a step's input bounds. */
export function makeChain(st: i32): void {
  const d = (st - steps) / STEP_BYTES;
  let g = d - 1;
  while (g > 0 && gi(stepAt(g), S_LOWERED) == 0) g--;
  chainFirst = g;
  adjointCount = d - g;
}

/**
 * plane-adjoint.ts's adjointRows over the cut's chain: rows aRows[0 .. rowCount) of the map cut,
 * each one's bound into aOut (3 channels), the same doubles as the TypeScript.
 *
 * One change of layout, not of arithmetic: the TypeScript writes a level's rows (u, f) densely,
 * then gathers them (gatherRows: each row's sum of |u| + f over the units passed, in order, and
 * its entries that add anything). Here each entry is gathered as soon as its row's sums are made: the
 * multiply makes the units in increasing order, which is the order of the TypeScript's active
 * list (the next level's support), so the same terms are added to the same sums in the same order.
 */
export function adjointRows(rowCount: i32): void {
  const count = adjointCount;
  let width = 0;
  for (let k = 0; k < count; k++) {
    const lk = stepAt(chainFirst + k);
    width = max<i32>(width, max<i32>(gi(lk, S_N), gi(lk, S_M)));
  }
  ensureScratch(width, rowCount);
  // A level's gathered rows (read by the multiply) and the next one's (made by it), swapped per level.
  let nonzero = aNonzero;
  let uOf = aUOf;
  let fOf = aFOf;
  let counts = aCounts;
  let nextNonzero = aNonzero2;
  let nextUOf = aUOf2;
  let nextFOf = aFOf2;
  let nextCounts = aCounts2;
  const sums = aSums;
  const rows = aRows;
  const out = aOut;
  // Whether the rows' entries are one list (aListU, uniformCount entries; u and f in aU2, aF2 by
  // entry and row) instead of a list per row: see the uniform path below.
  const R2 = (rowCount + 1) & ~1;
  let uniform = false;
  let uniformCount = 0;
  let listU = aListU;
  let listNext = aListU2;
  let u2 = aU2;
  let f2 = aF2;
  let u2Next = aU2Next;
  let f2Next = aF2Next;
  let n = gi(stepAt(chainFirst + count - 1), S_M);
  const outC = aOutC;
  for (let b = 0; b < 3 * R2; b++) sd(outC, b, 0);
  // The first level: gatherRows over every unit of the map cut, for u = e_i and f = 0, written
  // as its result: row b's one entry, unit i = rows[b] with u 1 and f 0 + G 1 = G, and the sum
  // of |u| + f over the units, +0 but for unit i's 1: 1. (The TypeScript makes the dense rows
  // and gathers them: the same doubles, without two fills of memory per row, which V8 makes
  // calls out of the module.)
  {
    const G = <f64>(n + 3) * EPS;
    for (let b = 0; b < rowCount; b++) {
      const o = b * width;
      si(nonzero, o, li(rows, b));
      sd(uOf, o, 1);
      sd(fOf, o, G);
      sd(sums, b, 1);
      si(counts, b, 1);
    }
  }
  for (let k = count - 1; k >= -1; k--) {
    const lk = k >= 0 ? stepAt(chainFirst + k) : 0;
    const L = k >= 0 ? gi(lk, S_ERR) : gi(stepAt(chainFirst), S_ZERR);
    const grow = 1 + <f64>(n + 3) * EPS;
    const L0 = ld(L, 0);
    const L1 = ld(L, 1);
    const L2 = ld(L, 2);
    // Each row's bound out += S L per channel, two rows at a time (f64x2 lanes: the scalar
    // operations per row; a pad row past rowCount is summed and never read).
    const vGrow = f64x2.splat(grow);
    const vTiny = f64x2.splat(TINY);
    for (let b = 0; b < R2; b += 2) {
      const S = f64x2.add(f64x2.mul(v128.load(<usize>(sums + (b << 3))), vGrow), vTiny);
      if (L0 != 0) {
        const at = <usize>(outC + (b << 3));
        v128.store(at, f64x2.add(v128.load(at), f64x2.mul(S, f64x2.splat(L0))));
      }
      if (L1 != 0) {
        const at = <usize>(outC + ((R2 + b) << 3));
        v128.store(at, f64x2.add(v128.load(at), f64x2.mul(S, f64x2.splat(L1))));
      }
      if (L2 != 0) {
        const at = <usize>(outC + ((2 * R2 + b) << 3));
        v128.store(at, f64x2.add(v128.load(at), f64x2.mul(S, f64x2.splat(L2))));
      }
    }
    if (k < 0) break;
    const m = gi(lk, S_N);
    const WT = gi(lk, S_WT);
    const outSize = gi(lk, S_M);
    const slopes = gi(lk, S_SLOPES);
    const full = gi(lk, S_FULL);
    const up = 1 + <f64>(n + 5) * EPS;
    const norm = gd(lk, S_NORM);
    let skip = true;
    for (let b = 0; b < rowCount; b++) if (!(ld(sums, b) * norm < OVERFLOW_GUARD)) skip = false;
    // The next level's gatherRows constant (its n is this step's inputs, m).
    const G2 = <f64>(m + 3) * EPS;
    // The states' slopes of this step's units, once for every row.
    // and the units that pass anything, in increasing order (the TypeScript's active list): a
    // list made once a level, not a test per unit and row (half of them pass, at random).
    let na = 0;
    for (let j = 0; j < m; j++) {
      const d = ld(slopes, lb(full, j));
      sd(aD, j, d);
      si(aActive, na, j);
      na += !skip || d != 0 ? 1 : 0;
    }
    const Wr = gi(lk, S_WROW);
    const zero = f64x2.splat(0);
    if (uniform && !skip) {
      // A level that sums every unit (the overflow guard): back to a list per row (rare).
      for (let b = 0; b < rowCount; b++) {
        const o = b * width;
        for (let t = 0; t < uniformCount; t++) {
          si(nonzero, o + t, li(listU, t));
          sd(uOf, o + t, ld(u2, t * R2 + b));
          sd(fOf, o + t, ld(f2, t * R2 + b));
        }
        si(counts, b, uniformCount);
      }
      uniform = false;
    }
    if (uniform) {
      // The uniform path: every row has the same entries (units listU[t], t < uniformCount), so
      // each passing unit q's sums are made for two rows at a time in f64x2 lanes (lane = row),
      // only for the units that pass (the per-row path makes every input's, half of them for
      // nothing), each lane its row's terms in the same order from 0 (no fused multiply-add): the
      // same doubles. This level skips slope-0 units too (uniform && skip), so every row's next
      // entries are again the passing units (f0 >= TINY, never 0): one list again.
      const vUp = f64x2.splat(up);
      const vTiny = f64x2.splat(TINY);
      const vG2 = f64x2.splat(G2);
      const c = uniformCount;
      let p = 0;
      for (; p + 8 <= R2; p += 8) {
        let sum0 = zero;
        let sum1 = zero;
        let sum2 = zero;
        let sum3 = zero;
        for (let a = 0; a < na; a++) {
          const q = li(aActive, a);
          let su0 = zero;
          let su1 = zero;
          let su2 = zero;
          let su3 = zero;
          let sf0 = zero;
          let sf1 = zero;
          let sf2 = zero;
          let sf3 = zero;
          for (let t = 0; t < c; t++) {
            const wq = ld(Wr, li(listU, t) * m + q);
            const w = f64x2.splat(wq);
            const aw = f64x2.splat(Math.abs(wq));
            const at = <usize>(u2 + ((t * R2 + p) << 3));
            const af = <usize>(f2 + ((t * R2 + p) << 3));
            su0 = f64x2.add(su0, f64x2.mul(v128.load(at), w));
            su1 = f64x2.add(su1, f64x2.mul(v128.load(at, 16), w));
            su2 = f64x2.add(su2, f64x2.mul(v128.load(at, 32), w));
            su3 = f64x2.add(su3, f64x2.mul(v128.load(at, 48), w));
            sf0 = f64x2.add(sf0, f64x2.mul(v128.load(af), aw));
            sf1 = f64x2.add(sf1, f64x2.mul(v128.load(af, 16), aw));
            sf2 = f64x2.add(sf2, f64x2.mul(v128.load(af, 32), aw));
            sf3 = f64x2.add(sf3, f64x2.mul(v128.load(af, 48), aw));
          }
          const d = ld(aD, q);
          const vd = f64x2.splat(d);
          const vad = f64x2.splat(Math.abs(d));
          const ur0 = f64x2.mul(su0, vd);
          const ur1 = f64x2.mul(su1, vd);
          const ur2 = f64x2.mul(su2, vd);
          const ur3 = f64x2.mul(su3, vd);
          const fa0 = f64x2.add(f64x2.mul(f64x2.mul(sf0, vad), vUp), vTiny);
          const fa1 = f64x2.add(f64x2.mul(f64x2.mul(sf1, vad), vUp), vTiny);
          const fa2 = f64x2.add(f64x2.mul(f64x2.mul(sf2, vad), vUp), vTiny);
          const fa3 = f64x2.add(f64x2.mul(f64x2.mul(sf3, vad), vUp), vTiny);
          const au0 = f64x2.abs(ur0);
          const au1 = f64x2.abs(ur1);
          const au2 = f64x2.abs(ur2);
          const au3 = f64x2.abs(ur3);
          sum0 = f64x2.add(sum0, f64x2.add(au0, fa0));
          sum1 = f64x2.add(sum1, f64x2.add(au1, fa1));
          sum2 = f64x2.add(sum2, f64x2.add(au2, fa2));
          sum3 = f64x2.add(sum3, f64x2.add(au3, fa3));
          si(listNext, a, q);
          const nu = <usize>(u2Next + ((a * R2 + p) << 3));
          const nf = <usize>(f2Next + ((a * R2 + p) << 3));
          v128.store(nu, ur0);
          v128.store(nu, ur1, 16);
          v128.store(nu, ur2, 32);
          v128.store(nu, ur3, 48);
          v128.store(nf, f64x2.add(fa0, f64x2.mul(vG2, au0)));
          v128.store(nf, f64x2.add(fa1, f64x2.mul(vG2, au1)), 16);
          v128.store(nf, f64x2.add(fa2, f64x2.mul(vG2, au2)), 32);
          v128.store(nf, f64x2.add(fa3, f64x2.mul(vG2, au3)), 48);
        }
        const sp = <usize>(sums + (p << 3));
        v128.store(sp, sum0);
        v128.store(sp, sum1, 16);
        v128.store(sp, sum2, 32);
        v128.store(sp, sum3, 48);
      }
      for (; p < R2; p += 2) {
        let sum = zero;
        for (let a = 0; a < na; a++) {
          const q = li(aActive, a);
          let su = zero;
          let sf = zero;
          for (let t = 0; t < c; t++) {
            const wq = ld(Wr, li(listU, t) * m + q);
            su = f64x2.add(su, f64x2.mul(v128.load(<usize>(u2 + ((t * R2 + p) << 3))), f64x2.splat(wq)));
            sf = f64x2.add(sf, f64x2.mul(v128.load(<usize>(f2 + ((t * R2 + p) << 3))), f64x2.splat(Math.abs(wq))));
          }
          const d = ld(aD, q);
          const ur = f64x2.mul(su, f64x2.splat(d));
          const fa = f64x2.add(f64x2.mul(f64x2.mul(sf, f64x2.splat(Math.abs(d))), vUp), vTiny);
          const au = f64x2.abs(ur);
          sum = f64x2.add(sum, f64x2.add(au, fa));
          si(listNext, a, q);
          v128.store(<usize>(u2Next + ((a * R2 + p) << 3)), ur);
          v128.store(<usize>(f2Next + ((a * R2 + p) << 3)), f64x2.add(fa, f64x2.mul(vG2, au)));
        }
        v128.store(<usize>(sums + (p << 3)), sum);
      }
      uniformCount = na;
      const tl = listU;
      listU = listNext;
      listNext = tl;
      const tu2 = u2;
      u2 = u2Next;
      u2Next = tu2;
      const tf2 = f2;
      f2 = f2Next;
      f2Next = tf2;
      n = m;
      continue;
    }
    // Eight inputs j .. j + 7 at a time (f64x2 lanes, the row-major weight's adjacent entries),
    // then pairs, then one: each lane's sums are the scalar ones, term by term in the rows' order
    // from 0 (no fused multiply-add), so the same doubles; eight independent sums in registers let
    // the additions' latency overlap.
    for (let b = 0; b < rowCount; b++) {
      const o = b * width;
      const end = o + li(counts, b);
      let j = 0;
      for (; j + 7 < m; j += 8) {
        let su0 = zero;
        let su1 = zero;
        let su2 = zero;
        let su3 = zero;
        let sf0 = zero;
        let sf1 = zero;
        let sf2 = zero;
        let sf3 = zero;
        const at = Wr + 8 * j;
        for (let t = o; t < end; t++) {
          const row = at + 8 * m * li(nonzero, t);
          const w0 = v128.load(<usize>row);
          const w1 = v128.load(<usize>row, 16);
          const w2 = v128.load(<usize>row, 32);
          const w3 = v128.load(<usize>row, 48);
          const ut = f64x2.splat(ld(uOf, t));
          const ft = f64x2.splat(ld(fOf, t));
          su0 = f64x2.add(su0, f64x2.mul(ut, w0));
          su1 = f64x2.add(su1, f64x2.mul(ut, w1));
          su2 = f64x2.add(su2, f64x2.mul(ut, w2));
          su3 = f64x2.add(su3, f64x2.mul(ut, w3));
          sf0 = f64x2.add(sf0, f64x2.mul(ft, f64x2.abs(w0)));
          sf1 = f64x2.add(sf1, f64x2.mul(ft, f64x2.abs(w1)));
          sf2 = f64x2.add(sf2, f64x2.mul(ft, f64x2.abs(w2)));
          sf3 = f64x2.add(sf3, f64x2.mul(ft, f64x2.abs(w3)));
        }
        v128.store(<usize>(aLaneU + 8 * j), su0, 0);
        v128.store(<usize>(aLaneF + 8 * j), sf0, 0);
        v128.store(<usize>(aLaneU + 8 * j), su1, 16);
        v128.store(<usize>(aLaneF + 8 * j), sf1, 16);
        v128.store(<usize>(aLaneU + 8 * j), su2, 32);
        v128.store(<usize>(aLaneF + 8 * j), sf2, 32);
        v128.store(<usize>(aLaneU + 8 * j), su3, 48);
        v128.store(<usize>(aLaneF + 8 * j), sf3, 48);
      }
      for (; j + 1 < m; j += 2) {
        if (skip && ld(aD, j) == 0 && ld(aD, j + 1) == 0) continue;
        let su = zero;
        let sf = zero;
        const at = Wr + 8 * j;
        for (let t = o; t < end; t++) {
          const w = v128.load(<usize>(at + 8 * m * li(nonzero, t)));
          su = f64x2.add(su, f64x2.mul(f64x2.splat(ld(uOf, t)), w));
          sf = f64x2.add(sf, f64x2.mul(f64x2.splat(ld(fOf, t)), f64x2.abs(w)));
        }
        v128.store(<usize>(aLaneU + 8 * j), su);
        v128.store(<usize>(aLaneF + 8 * j), sf);
      }
      if (j < m) {
        if (!skip || ld(aD, j) != 0) {
          const col = WT + 8 * j * outSize; // column j of the transposed weight: row r's w_rj at r
          let su: f64 = 0;
          let sf: f64 = 0;
          for (let t = o; t < end; t++) {
            const w = ld(col, li(nonzero, t));
            su += ld(uOf, t) * w;
            sf += ld(fOf, t) * Math.abs(w);
          }
          sd(aLaneU, j, su);
          sd(aLaneF, j, sf);
        }
      }
      // The entries made, in increasing order (the TypeScript's active list, the next level's
      // support): u = su d, f = sf |d| up + TINY (0 where d is 0), then the next level's
      // gatherRows on each at once: the row's sum of |u| + f, and (u, f + G' |u|) kept where u or
      // f is not 0.
      let sum: f64 = 0;
      if (skip) {
        // Every passing unit has d != 0, so f0 >= TINY (or NaN): each row's entries are the
        // passing units, the same list for every row: kept as one (the uniform path's input).
        for (let a = 0; a < na; a++) {
          const q = li(aActive, a);
          const d = ld(aD, q);
          const ur = ld(aLaneU, q) * d;
          const f0 = ld(aLaneF, q) * Math.abs(d) * up + TINY;
          const au = Math.abs(ur);
          sum += au + f0;
          si(listNext, a, q);
          sd(u2Next, a * R2 + b, ur);
          sd(f2Next, a * R2 + b, f0 + G2 * au);
        }
        sd(sums, b, sum);
        continue;
      }
      let nr = o;
      for (let a = 0; a < na; a++) {
        const q = li(aActive, a);
        const d = ld(aD, q);
        const ur = ld(aLaneU, q) * d;
        const f0 = d == 0 ? 0 : ld(aLaneF, q) * Math.abs(d) * up + TINY;
        const au = Math.abs(ur);
        sum += au + f0;
        if (ur == 0 && f0 == 0) continue;
        si(nextNonzero, nr, q);
        sd(nextUOf, nr, ur);
        sd(nextFOf, nr, f0 + G2 * au);
        nr++;
      }
      sd(sums, b, sum);
      si(nextCounts, b, nr - o);
    }
    if (skip) {
      uniform = true;
      uniformCount = na;
      const tl = listU;
      listU = listNext;
      listNext = tl;
      const tu2 = u2;
      u2 = u2Next;
      u2Next = tu2;
      const tf2 = f2;
      f2 = f2Next;
      f2Next = tf2;
      n = m;
      continue;
    }
    const tn = nonzero;
    nonzero = nextNonzero;
    nextNonzero = tn;
    const tu = uOf;
    uOf = nextUOf;
    nextUOf = tu;
    const tf = fOf;
    fOf = nextFOf;
    nextFOf = tf;
    const tc = counts;
    counts = nextCounts;
    nextCounts = tc;
    n = m;
  }
  const widen = 1 + <f64>(count + 8) * EPS;
  for (let b = 0; b < rowCount; b++) for (let c = 0; c < 3; c++) sd(out, b * 3 + c, ld(outC, c * R2 + b) * widen + TINY);
}

/** plane-adjoint-bounds.ts's keep: unit j's bound, aOut[3 at ..), into adjOf (NaN or overflow: SATURATED). */
export function adjointKeep(st: i32, j: i32, at: i32): void {
  for (let c = 0; c < 3; c++) {
    const o = ld(aOut, 3 * at + c);
    sd(adjOf, 3 * j + c, o != o ? SATURATED : min<f64>(o, SATURATED));
  }
  sb(adjHave, j, 1);
  adjointAny = true;
  if (adjointLogOn) {
    const lp = vreserve(adjointLog, 40);
    const e = gi(adjointLog, V_LEN) >> 3;
    sd(lp, e, <f64>((st - steps) / STEP_BYTES));
    sd(lp, e + 1, <f64>j);
    for (let c = 0; c < 3; c++) sd(lp, e + 2 + c, ld(aOut, 3 * at + c));
    pi(adjointLog, V_LEN, 8 * (e + 5));
  }
}

/** plane-adjoint-bounds.ts's make: the chain at the cut's first call; every unit at once where cheap (and the cut's channel bounds lowered), else unit j. */
export function adjointMake(st: i32, j: i32): void {
  if (adjointCount < 0) makeChain(st);
  const n = gi(st, S_N);
  let cost: f64 = 0;
  for (let k = 0; k < adjointCount; k++) {
    const lk = stepAt(chainFirst + k);
    cost += <f64>gi(lk, S_N) * <f64>gi(lk, S_M);
  }
  if (cost * <f64>n <= ADJOINT_ALL) {
    // plane-adjoint-bounds.ts's makeAll.
    let missing = 0;
    for (let i = 0; i < n; i++) if (lb(adjHave, i) == 0) si(aRows, missing++, i);
    adjointRows(missing);
    for (let b = 0; b < missing; b++) adjointKeep(st, li(aRows, b), b);
    let g0: f64 = 0;
    let g1: f64 = 0;
    let g2: f64 = 0;
    for (let i = 0; i < n; i++) {
      g0 = max<f64>(g0, ld(adjOf, 3 * i));
      g1 = max<f64>(g1, ld(adjOf, 3 * i + 1));
      g2 = max<f64>(g2, ld(adjOf, 3 * i + 2));
    }
    const zErr = gi(st, S_ZERR);
    if (g0 < ld(zErr, 0)) {
      sd(zErr, 0, g0);
      pi(st, S_LOWERED, 1);
    }
    if (g1 < ld(zErr, 1)) {
      sd(zErr, 1, g1);
      pi(st, S_LOWERED, 1);
    }
    if (g2 < ld(zErr, 2)) {
      sd(zErr, 2, g2);
      pi(st, S_LOWERED, 1);
    }
  } else {
    si(aRows, 0, j);
    adjointRows(1);
    adjointKeep(st, j, 0);
  }
}

/** plane-adjoint-bounds.ts's boundFor: unit j's adjoint bound made (where its carried part is the larger in some channel); whether it is there. */
export function adjointFor(st: i32, j: i32): bool {
  if (lb(adjHave, j) != 0) return true;
  if (!adjointOn || st == steps) return false;
  unitLocal(st, j);
  const carried = gi(st - STEP_BYTES, S_CARRIED);
  if (!(ld(carried, 0) > ul0 || ld(carried, 1) > ul1 || ld(carried, 2) > ul2)) return false;
  adjointMake(st, j);
  return true;
}

/** plane-adjoint-bounds.ts's lower: ue0..2 lowered to unit j's adjoint bound where smaller; whether any was. */
export function adjointLower(st: i32, j: i32): bool {
  if (!adjointFor(st, j)) return false;
  let lowered = false;
  const a0 = ld(adjOf, 3 * j);
  const a1 = ld(adjOf, 3 * j + 1);
  const a2 = ld(adjOf, 3 * j + 2);
  if (a0 < ue0) {
    ue0 = a0;
    lowered = true;
  }
  if (a1 < ue1) {
    ue1 = a1;
    lowered = true;
  }
  if (a2 < ue2) {
    ue2 = a2;
    lowered = true;
  }
  return lowered;
}

/** plane.ts's adjointLine: listed line k's bounds lowered to its unit's adjoint bound (made if `make`); whether any was. */
export function adjointLine(st: i32, k: i32, make: bool): bool {
  const j = li(gi(st, S_CROSSING), li(gi(st, S_UNITOF), k));
  if (make ? !adjointFor(st, j) : lb(adjHave, j) == 0) return false;
  const lea = gi(st, S_LEA);
  const leb = gi(st, S_LEB);
  const lec = gi(st, S_LEC);
  const ea = ld(adjOf, 3 * j) + ld(gi(st, S_LROUND), k);
  const a1 = ld(adjOf, 3 * j + 1);
  const a2 = ld(adjOf, 3 * j + 2);
  if (!(ea < ld(lea, k) || a1 < ld(leb, k) || a2 < ld(lec, k))) return false;
  sd(lea, k, min<f64>(ld(lea, k), ea));
  sd(leb, k, min<f64>(ld(leb, k), a1));
  sd(lec, k, min<f64>(ld(lec, k), a2));
  return true;
}
