// line-walk.as's decisions on a piece: each unit's sign at both ends, the breakpoints and their
// order, certified by the layer's bound; a child layer's piece.

import { ld, sd, li, si, copyWords, lanesMin } from "./memory";
import { EPS, SUBNORMAL_SLACK, BIG, tinyIf, NOUT, SMALL, A, B, EVR, EVF, EVU, WORD0, NWORDS, EVN, EVI, LO, DLO, HI, DHI, SAME, MAXA, MAXB, EA, EB, PERUNIT, TT0, TT1, gi, pi, gd, pd, PAT, EVQ, SAVED } from "./layers";
import { gathered } from "./product";
import { T0, T1, totalBound, carry } from "./carry";
import { ADJ_OK, measure } from "./measure";

/**
 * Decides layer m on its current piece [LO +- DLO, HI +- DHI]: each unit's sign at both ends,
 * certified with one margin per end, E = T0 + T1 (|t| + d) + max|b| d + 2 u (max|a| + max|b| |t|)
 * (the whole bound, the end's radius d times the slope, the evaluation's rounding); a unit with
 * different signs has one breakpoint, -a / b, with its radius
 * (|exact root - computed| <= (u |a| + T0 + T1 |r|) / (|b| - T1)). The breakpoints sorted, each
 * apart from the next by more than their radii. Writes the states at the piece's start into the
 * pattern (SAME: they are those it held). False: something is open, give up. Where the layer's
 * bound is per unit (PERUNIT: carry), T0, T1 are the unit's own (EA, EB) in the margins and radii.
 */
export function decide(m: i32): bool {
  const per = gi(m, PERUNIT) != 0;
  if (per) carry(m);
  else totalBound(m);
  pd(m, TT0, T0);
  pd(m, TT1, T1);
  if (!per) return decideWith(m, false) == DECIDED;
  // the states the piece's start held (a second try compares with them again)
  const w0 = gi(m, WORD0);
  const nw = gi(m, NWORDS);
  copyWords(SAVED, PAT + (w0 << 2), nw);
  // First the units' largest bound for all (one margin per end, not one per unit): where it
  // decides every sign and no unit changes sign, each unit's own bound decides the same (the
  // same tests with margins no larger: the same operations, monotone in the bound), and the
  // pattern and SAME are those decideWith(m, true) writes. Anything else: each unit's own.
  if (decideWith(m, false) == DECIDED && gi(m, EVN) == 0) return true;
  copyWords(PAT + (w0 << 2), SAVED, nw);
  if (!ADJ_OK) return decideWith(m, true) == DECIDED;
  const first = decideWith(m, true);
  if (first != OPEN) return first == DECIDED;
  copyWords(PAT + (w0 << 2), SAVED, nw);
  if (gathered == m) gathered = -1;
  if (!measure(m)) return false;
  pd(m, TT0, T0);
  pd(m, TT1, T1);
  return decideWith(m, true) == DECIDED;
}

export const DECIDED = 0;
export const OPEN = 1; // a bound left a sign, a root or an order open
export const REFUSED = 2; // a value out of range or near the subnormals: no bound helps

/** decide's tests with the bound T0, T1 (per: each unit's, EA and EB). */
export function decideWith(m: i32, per: bool): i32 {
  if (gathered == m) gathered = -1;
  const ea = T0;
  const eb = T1;
  const bigA = gd(m, MAXA);
  const bigB = gd(m, MAXB);
  if (!(bigA < BIG) || !(bigB < BIG)) return REFUSED;
  if (!(ea < BIG) || !(eb < BIG)) return OPEN;
  const lo = gd(m, LO);
  const hi = gd(m, HI);
  const dlo = gd(m, DLO);
  const dhi = gd(m, DHI);
  const widen = 1 + 16 * EPS;
  // per unit: the same margins with each unit's T0, T1 (((T0 + T1 c) + kd) + ke) widen + 2^-1000
  const uea = gi(m, EA);
  const ueb = gi(m, EB);
  const c0 = f64x2.splat(abs(lo) + dlo);
  const c1 = f64x2.splat(abs(hi) + dhi);
  const kd0 = f64x2.splat(bigB * dlo);
  const kd1 = f64x2.splat(bigB * dhi);
  const ke0 = f64x2.splat(2 * EPS * (bigA + bigB * abs(lo)));
  const ke1 = f64x2.splat(2 * EPS * (bigA + bigB * abs(hi)));
  const widenv = f64x2.splat(widen);
  const slack = f64x2.splat(SUBNORMAL_SLACK);
  const e0 = tinyIf((ea + eb * (abs(lo) + dlo) + bigB * dlo + 2 * EPS * (bigA + bigB * abs(lo))) * widen);
  const e1 = tinyIf((ea + eb * (abs(hi) + dhi) + bigB * dhi + 2 * EPS * (bigA + bigB * abs(hi))) * widen);
  let pe0 = f64x2.splat(e0);
  let ne0 = f64x2.splat(-e0);
  let pe1 = f64x2.splat(e1);
  let ne1 = f64x2.splat(-e1);
  const lov = f64x2.splat(lo);
  const hiv = f64x2.splat(hi);
  const ma = gi(m, A);
  const mb = gi(m, B);
  const n = gi(m, NOUT);
  const w0 = gi(m, WORD0);
  const evr = gi(m, EVR);
  const evf = gi(m, EVF);
  const evu = gi(m, EVU);
  let same = true;
  let word: u32 = 0;
  let events = 0;
  const thr = gd(m, SMALL);
  const zero = f64x2.splat(0);
  let pending = 0;
  let small = f64x2.splat(BIG);
  let open = zero;
  // Pairs of units; an odd last unit's partner is padding (-1: off, no breakpoint).
  for (let i = 0; i < n; i += 2) {
    const o = i << 3;
    const a = v128.load(<usize>(ma + o));
    const b = v128.load(<usize>(mb + o));
    small = f64x2.pmin(small, f64x2.pmin(f64x2.abs(a), f64x2.abs(b)));
    if (per) {
      const ta = v128.load(<usize>(uea + o));
      const tb = v128.load(<usize>(ueb + o));
      pe0 = f64x2.add(f64x2.mul(f64x2.add(f64x2.add(f64x2.add(ta, f64x2.mul(tb, c0)), kd0), ke0), widenv), slack);
      pe1 = f64x2.add(f64x2.mul(f64x2.add(f64x2.add(f64x2.add(ta, f64x2.mul(tb, c1)), kd1), ke1), widenv), slack);
      ne0 = f64x2.neg(pe0);
      ne1 = f64x2.neg(pe1);
    }
    const g0 = f64x2.add(a, f64x2.mul(b, lov));
    const g1 = f64x2.add(a, f64x2.mul(b, hiv));
    const p0 = f64x2.gt(g0, pe0);
    const n0 = f64x2.lt(g0, ne0);
    const p1 = f64x2.gt(g1, pe1);
    const n1 = f64x2.lt(g1, ne1);
    open = v128.or(open, v128.not(v128.and(v128.or(p0, n0), v128.or(p1, n1))));
    word |= <u32>i64x2.bitmask(p0) << (<u32>i & 31);
    // pairs with a breakpoint, listed (their roots are made after the loop, which keeps this
    // loop's registers for its own values)
    const ev = v128.or(v128.and(p0, n1), v128.and(n0, p1));
    if (v128.any_true(ev)) {
      si(EVQ, pending, (i << 2) | i64x2.bitmask(ev));
      pending++;
    }
    if ((i & 31) == 30 || i + 2 >= n) {
      const wp = <usize>(PAT + ((w0 + (i >> 5)) << 2));
      if (load<u32>(wp) != word) same = false;
      store<u32>(wp, word);
      word = 0;
    }
  }
  if (v128.any_true(open)) return OPEN;
  for (let k = 0; k < pending; k++) {
    const entry = li(EVQ, k);
    let evBits = entry & 3;
    const i = entry >> 2;
    while (evBits != 0) {
      const u = i + ctz(evBits);
      evBits &= evBits - 1;
      const au = ld(ma, u);
      const bu = ld(mb, u);
      const abu = abs(bu);
      const ua = per ? ld(uea, u) : ea;
      const ub = per ? ld(ueb, u) : eb;
      if (!(abu > 2 * ub)) return OPEN;
      const r = -au / bu;
      const f = tinyIf(((EPS * abs(au) + ua + ub * abs(r)) * (1 + 16 * EPS)) / ((abu - ub) * (1 - 4 * EPS)));
      // insertion by r
      let at = events;
      while (at > 0 && ld(evr, at - 1) > r) {
        sd(evr, at, ld(evr, at - 1));
        sd(evf, at, ld(evf, at - 1));
        si(evu, at, li(evu, at - 1));
        at--;
      }
      sd(evr, at, r);
      sd(evf, at, f);
      si(evu, at, u);
      events++;
    }
  }
  // A non-zero value near float64's subnormal range: the engine's products and sums could fall
  // below 2^-1022 there, which it refuses, so give up (an exact 0 is the engine's 0 too; scanned
  // only when the smallest |value| is small).
  if (lanesMin(small) < thr && nonzeroBelow(ma, mb, n, thr)) return REFUSED;
  for (let e = 1; e < events; e++) {
    const gap = ld(evr, e) - ld(evr, e - 1);
    if (!(gap > (ld(evf, e) + ld(evf, e - 1)) * (1 + 8 * EPS))) return OPEN;
  }
  pi(m, EVN, events);
  pi(m, EVI, 0);
  pi(m, SAME, same ? 1 : 0);
  return DECIDED;
}
/** Whether a value of the map (a, b: n units) is non-zero and under thr. */
export function nonzeroBelow(a: i32, b: i32, n: i32, thr: f64): bool {
  for (let i = 0; i < n; i++) {
    const x = abs(ld(a, i));
    const y = abs(ld(b, i));
    if ((x < thr && x != 0) || (y < thr && y != 0)) return true;
  }
  return false;
}

/** Layer p + 1's piece: layer p's current sub-piece. */
export function childPiece(p: i32): void {
  const i = gi(p, EVI);
  const n = gi(p, EVN);
  const c = p + 1;
  if (i == 0) {
    pd(c, LO, gd(p, LO));
    pd(c, DLO, gd(p, DLO));
  } else {
    pd(c, LO, ld(gi(p, EVR), i - 1));
    pd(c, DLO, ld(gi(p, EVF), i - 1));
  }
  if (i == n) {
    pd(c, HI, gd(p, HI));
    pd(c, DHI, gd(p, DHI));
  } else {
    pd(c, HI, ld(gi(p, EVR), i));
    pd(c, DHI, ld(gi(p, EVF), i));
  }
}
