// line-walk.as's adjoint bound (measure), where the carried bound leaves a deep layer open.

import { alloc, ld, sd, li, si, copyWords, zeroRow, sameWords } from "./memory";
import { EPS, NIN, NOUT, NPAD, WT, WORD0, NWORDS, LO, DLO, HI, DHI, L0, L1, MAXA, MAXB, EA, EB, PERUNIT, TT0, TT1, gi, gd, PAT, ACT, IDX } from "./layers";
import { gatherActive } from "./product";
import { T0, T1 } from "./carry";

// ---- the adjoint bound ----------------------------------------------------------------------
//
// Deep narrow networks: the carried bound still grows by |W| |D| a layer (about 1.6x in He
// networks of width 8), and by layer 70-80 of He 2-8x120 it leaves signs open. Where it does,
// measure bounds the layer's map against the exact one through the signed products of W D
// (line-adjoint.ts's argument, numerics.md's adjoint paragraph, in the kernel's own float64
// order): e_m = r_m + W_m D_{m-1} e_{m-1}, |r_q| <= L_q (L: the layer's own rounding against the
// exact product of its computed input), so with P_{m,m} = I, P_{m,q-1} = P_{m,q} W_q D_{q-1},
//   |e_m| <= sum_{q > s} |P_{m,q}| L_q + |P_{m,s}| E_s
// for any level s at or below m, E_s layer s's whole bound (per unit or per channel). P is
// computed as U with |U - P| <= F: U' = fl(U W D) is within (F + g |U|) |W| D + k 2^-1075 of
// P W D, g = gamma_k; F' is that computed rounded up. Only where every |W| is at most 2^50 and
// the widest layer at most 64 units (the matrices' memory; line-walk.ts says which).

export let ADJ_STRIDE: i32 = 0;
export let ADJ_C: i32 = 0;
export let ADJ_RA: i32 = 0; // the levels' sum so far per row, channel a
export let ADJ_RB: i32 = 0;
export let ADJ_SA: i32 = 0; // the bound at the last level per row, channel a
export let ADJ_SB: i32 = 0;
// More than every absolute loss of a measure (underflowing products, spread by |W| <= 2^50):
// 2^-990, kept by a sum whose ulp is below it.
export const ADJ_SLACK: f64 = 9.556619453472961e-299; // 2^-990
export const ADJ_STOP: f64 = 9.313225746154785e-10; // 2^-30: a level whose part is under this of the values ends the chain
export const ADJ_LEVELS: i32 = 64; // at most this many levels (F grows like the carried bound): then the chain ends there
export const ADJ_EVERY: i32 = 4; // the end is tried every this many levels (its test costs more than a kept level)
// Kept chains (cost only): U and F at level l of layer m's chain are functions of the states of
// the layers between alone (and the weights), so each slot keeps one layer's levels, each with
// the states it went on with; the next measure of that layer makes them again only from the
// first level whose states changed. The same operations in the same order: the same doubles.
export const ADJ_SLOTS: i32 = 4;
export let ADJ_LEVEL_BYTES: i32 = 0;
export let ADJ_SLOT_BYTES: i32 = 0;
export let ADJ_OK: bool = false; // false: no measure (line-walk.ts: too wide, or weights past 2^50)
export let ADJ_MEM: i32 = 0; // the chains' memory, made at the first measure (0: not yet)
export let ADJ_ROWS: i32 = 0; // the level's row sums of |U| + F
// per slot (i32 each, in raw memory: nothing managed here): its layer, the levels made (0 .. valid - 1), when last used
export let SLOT_LAYER: i32 = 0;
export let SLOT_VALID: i32 = 0;
export let SLOT_STAMP: i32 = 0;
export let stampNow: i32 = 0;

/** Lays out the adjoint bound's memory (configure): widest units per layer, words of states at most per layer. */
export function adjointLayout(widest: i32, adjoint: i32): void {
  ADJ_STRIDE = (widest + 7) & ~7;
  const S = ADJ_STRIDE;
  ADJ_C = alloc(S << 3);
  ADJ_RA = alloc(S << 3);
  ADJ_RB = alloc(S << 3);
  ADJ_SA = alloc(S << 3);
  ADJ_SB = alloc(S << 3);
  // per level: U, F (S x S), the row sums (S), the states words (S / 32 + 1)
  ADJ_LEVEL_BYTES = ((2 * S * S + S) << 3) + (((((S >> 5) + 1) << 2) + 15) & ~15);
  ADJ_SLOT_BYTES = (ADJ_LEVELS + 1) * ADJ_LEVEL_BYTES;
  ADJ_OK = adjoint != 0;
  ADJ_MEM = 0;
  SLOT_LAYER = alloc(ADJ_SLOTS << 2);
  SLOT_VALID = alloc(ADJ_SLOTS << 2);
  SLOT_STAMP = alloc(ADJ_SLOTS << 2);
  for (let k = 0; k < ADJ_SLOTS; k++) {
    si(SLOT_LAYER, k, -1);
    si(SLOT_VALID, k, 0);
    si(SLOT_STAMP, k, 0);
  }
  stampNow = 0;
}

@inline export function levelAt(slot: i32, l: i32): i32 {
  return ADJ_MEM + slot * ADJ_SLOT_BYTES + l * ADJ_LEVEL_BYTES;
}

/** Measures made and levels made (not kept), for tests and benches. */
export let measures: i32 = 0;
export let levelsMade: i32 = 0;
export function measureCount(): i32 {
  return measures;
}
export function levelCount(): i32 {
  return levelsMade;
}
/**
 * Layer m's bound per unit (PERUNIT) lowered to the adjoint bound where that is smaller (both
 * hold). False: no measure here (none configured).
 */
export function measure(m: i32): bool {
  if (!ADJ_OK || m == 0) return false;
  if (ADJ_MEM == 0) ADJ_MEM = alloc(ADJ_SLOTS * ADJ_SLOT_BYTES);
  measures++;
  const S = ADJ_STRIDE;
  const row = S << 3;
  const square = S * row;
  const nm = gi(m, NOUT);
  const npm = gi(m, NPAD);
  // the slot keeping layer m's chain, or the one used least recently, made empty
  let slot = -1;
  let oldest = 0;
  for (let k = 0; k < ADJ_SLOTS; k++) {
    if (li(SLOT_LAYER, k) == m) slot = k;
    if (li(SLOT_STAMP, k) < li(SLOT_STAMP, oldest)) oldest = k;
  }
  if (slot < 0) {
    slot = oldest;
    si(SLOT_LAYER, slot, m);
    si(SLOT_VALID, slot, 0);
  }
  si(SLOT_STAMP, slot, ++stampNow);
  if (li(SLOT_VALID, slot) == 0) {
    // level 0: P_{m,m} = I, F = 0, row sums 1
    const at = levelAt(slot, 0);
    for (let r = 0; r < nm; r++) {
      zeroRow(at + r * row, npm);
      zeroRow(at + square + r * row, npm);
      sd(at + r * row, r, 1);
      sd(at + 2 * square, r, 1);
    }
    si(SLOT_VALID, slot, 1);
  }
  for (let r = 0; r < nm; r++) {
    sd(ADJ_RA, r, 0);
    sd(ADJ_RB, r, 0);
  }
  const reach = max(abs(gd(m, LO)) + gd(m, DLO), abs(gd(m, HI)) + gd(m, DHI));
  const scale = ADJ_STOP * (gd(m, MAXA) + gd(m, MAXB) * reach);
  let levels = 0;
  let q = m;
  for (;;) {
    const l = m - q;
    const at = levelAt(slot, l);
    const U = at;
    const F = at + square;
    const RS = at + 2 * square;
    const npq = gi(q, NPAD);
    levels++;
    if (q < m && (q == 0 || levels >= ADJ_LEVELS || l % ADJ_EVERY == 0)) {
      // the chain's end here: the sum so far plus |P_{m,q}| E_q (tried every ADJ_EVERY levels)
      const per = gi(q, PERUNIT) != 0;
      const ea = gi(q, EA);
      const eb = gi(q, EB);
      const t0 = gd(q, TT0);
      const t1 = gd(q, TT1);
      let worst: f64 = 0;
      for (let r = 0; r < nm; r++) {
        const ur = U + r * row;
        const fr = F + r * row;
        let sa: f64 = 0;
        let sb: f64 = 0;
        // (the two loops differ only in where E_q is read)
        if (per) {
          for (let i = 0; i < npq; i++) {
            const x = abs(ld(ur, i)) + ld(fr, i);
            sa += x * ld(ea, i);
            sb += x * ld(eb, i);
          }
        } else {
          for (let i = 0; i < npq; i++) {
            const x = abs(ld(ur, i)) + ld(fr, i);
            sa += x * t0;
            sb += x * t1;
          }
        }
        sd(ADJ_SA, r, ld(ADJ_RA, r) + sa);
        sd(ADJ_SB, r, ld(ADJ_RB, r) + sb);
        worst = max(worst, sa + sb * reach);
      }
      if (q == 0 || levels >= ADJ_LEVELS || worst <= scale) break;
    }
    // level q's own rounding: rowsum(|U| + F) L_q
    // (two rows per step, each lane the same operations; an odd last row's partner is a row
    // slot past nm, never read)
    const la = f64x2.splat(gd(q, L0));
    const lb = f64x2.splat(gd(q, L1));
    for (let r = 0; r < nm; r += 2) {
      const o = <usize>(r << 3);
      const rs = v128.load(<usize>RS + o);
      v128.store(<usize>ADJ_RA + o, f64x2.add(v128.load(<usize>ADJ_RA + o), f64x2.mul(rs, la)));
      v128.store(<usize>ADJ_RB + o, f64x2.add(v128.load(<usize>ADJ_RB + o), f64x2.mul(rs, lb)));
    }
    // (q == 0 only when m == 0, excluded above)
    const p = q - 1;
    // the next level, kept where it went on with these states of layer p
    const w0 = gi(p, WORD0);
    const nw = gi(p, NWORDS);
    const states = RS + row;
    const next = levelAt(slot, l + 1);
    if (l + 1 < li(SLOT_VALID, slot) && sameWords(states, PAT + (w0 << 2), nw)) {
      q = p;
      continue;
    }
    copyWords(states, PAT + (w0 << 2), nw);
    si(SLOT_VALID, slot, l + 2);
    levelsMade++;
    // U' = U W_q D_p, F' = ((F + g |U|) |W_q| D_p) (1 + (k + 8) u) + 2^-990, their row sums
    const n = gatherActive(p);
    const npp = gi(p, NPAD);
    const k = npq + 8;
    const g = <f64>k * EPS * (1 + 9.5367431640625e-7);
    const gv = f64x2.splat(g);
    const widen = 1 + <f64>(k + 8) * EPS;
    const wt = gi(q, WT);
    const panel = gi(q, NIN) << 6;
    const U2 = next;
    const F2 = next + square;
    const RS2 = next + 2 * square;
    for (let r = 0; r < nm; r++) {
      const ur = U + r * row;
      const fr = F + r * row;
      const cr = ADJ_C;
      for (let i = 0; i < npq; i += 2) {
        const o = <usize>(i << 3);
        v128.store(<usize>cr + o, f64x2.add(v128.load(<usize>fr + o), f64x2.mul(gv, f64x2.abs(v128.load(<usize>ur + o)))));
      }
      const u2 = U2 + r * row;
      const f2 = F2 + r * row;
      zeroRow(u2, npp);
      zeroRow(f2, npp);
      let rs: f64 = 0;
      for (let t = 0; t < n; t++) {
        const col = li(ACT, t);
        let su = f64x2.splat(0);
        let sf = f64x2.splat(0);
        let su2 = f64x2.splat(0);
        let sf2 = f64x2.splat(0);
        for (let b = 0; b < npq; b += 8) {
          const w = <usize>(wt + (b >> 3) * panel + col);
          const w0 = v128.load(w);
          const w1 = v128.load(w, 16);
          const w2 = v128.load(w, 32);
          const w3 = v128.load(w, 48);
          const uo = <usize>(ur + (b << 3));
          const co = <usize>(cr + (b << 3));
          su = f64x2.add(su, f64x2.mul(v128.load(uo), w0));
          su2 = f64x2.add(su2, f64x2.mul(v128.load(uo, 16), w1));
          su = f64x2.add(su, f64x2.mul(v128.load(uo, 32), w2));
          su2 = f64x2.add(su2, f64x2.mul(v128.load(uo, 48), w3));
          sf = f64x2.add(sf, f64x2.mul(v128.load(co), f64x2.abs(w0)));
          sf2 = f64x2.add(sf2, f64x2.mul(v128.load(co, 16), f64x2.abs(w1)));
          sf = f64x2.add(sf, f64x2.mul(v128.load(co, 32), f64x2.abs(w2)));
          sf2 = f64x2.add(sf2, f64x2.mul(v128.load(co, 48), f64x2.abs(w3)));
        }
        const j = li(IDX, t);
        su = f64x2.add(su, su2);
        sf = f64x2.add(sf, sf2);
        const uj = f64x2.extract_lane(su, 0) + f64x2.extract_lane(su, 1);
        const fj = (f64x2.extract_lane(sf, 0) + f64x2.extract_lane(sf, 1)) * widen + ADJ_SLACK;
        sd(u2, j, uj);
        sd(f2, j, fj);
        rs += abs(uj) + fj;
      }
      sd(RS2, r, rs);
    }
    q = p;
  }
  // rounded up: every sum above of non-negative terms (2 widest per row, the levels, the end's)
  const up = 1 + <f64>(2 * S + levels + 16) * EPS;
  const ea = gi(m, EA);
  const eb = gi(m, EB);
  let t0: f64 = 0;
  let t1: f64 = 0;
  for (let r = 0; r < nm; r++) {
    const a = ld(ADJ_SA, r) * up + ADJ_SLACK;
    const b = ld(ADJ_SB, r) * up + ADJ_SLACK;
    // (a bound that is not finite is not used: the carried one stays)
    if (a < ld(ea, r)) sd(ea, r, a);
    if (b < ld(eb, r)) sd(eb, r, b);
    t0 = max(t0, ld(ea, r));
    t1 = max(t1, ld(eb, r));
  }
  // the padding's (never read as an input: off on every piece)
  for (let r = nm; r < npm; r++) {
    t0 = max(t0, ld(ea, r));
    t1 = max(t1, ld(eb, r));
  }
  T0 = t0;
  T1 = t1;
  return true;
}
