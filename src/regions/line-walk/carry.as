// line-walk.as's whole bound of a layer: state-blind through |W|_inf, or per unit carried
// through the piece's states (carry).

import { ld, sd, li, lanesMax } from "./memory";
import { EPS, SUBNORMAL_SLACK, MIN_SUBNORMAL, NIN, NPAD, NORM, L0, L1, EA, EB, PERUNIT, TT0, TT1, ABSWT, gi, gd, IDX, XA, XB, inErr0, inErr1 } from "./layers";
import { activeOf } from "./product";

/**
 * Layer m's whole bound per channel (against the exact map), state-blind: its own, plus the layer
 * above's whole bound (TT, kept by its decide: the layers above are not changed while the walk is
 * below them) through |W|_inf, from the segment's input bound. The same doubles as the chain from
 * layer 0 each time.
 */
export let T0: f64 = 0;
export let T1: f64 = 0;
export function totalBound(m: i32): void {
  const t0 = m == 0 ? inErr0 : gd(m - 1, TT0);
  const t1 = m == 0 ? inErr1 : gd(m - 1, TT1);
  const norm = gd(m, NORM);
  T0 = (gd(m, L0) + norm * t0) * (1 + 4 * EPS);
  T1 = (gd(m, L1) + norm * t1) * (1 + 4 * EPS);
}

/**
 * Layer m's whole bound per unit (m >= 1, PERUNIT), carried through the states as the engine's
 * (line-carry.ts carry): both maps have layer m - 1's states on this piece, so an off relu passes
 * nothing and output i's input error is at most sum_j |W_ij| E_j over the active units j, E_j
 * unit j's whole bound (EA, EB of a PERUNIT layer, else its channel's TT). The sum of n
 * non-negative products rounds by at most (n + 1) roundoffs, or 2^-1075 each where it underflows:
 * (s + (n + 2) 2^-1074) (1 + (n + 16) u), the engine's widening. Then the unit's whole bound
 * (L + that) (1 + 4 u), plus 2^-1000. T0, T1: their largest.
 */
export function carry(m: i32): void {
  const p = m - 1;
  const n = activeOf(p);
  const nin = gi(m, NIN);
  // The units' bounds read where they are, by unit (no copy per carry); a state-blind layer
  // above has its channel's TT set at its active units instead.
  let pa = XA;
  let pb = XB;
  if (gi(p, PERUNIT) != 0) {
    pa = gi(p, EA);
    pb = gi(p, EB);
  } else {
    const t0 = gd(p, TT0);
    const t1 = gd(p, TT1);
    for (let q = 0; q < n; q++) {
      const j = li(IDX, q);
      sd(XA, j, t0);
      sd(XB, j, t1);
    }
  }
  const np = gi(m, NPAD);
  const wt = gi(m, ABSWT);
  const panel = nin << 6;
  const ea = gi(m, EA);
  const eb = gi(m, EB);
  const zero = f64x2.splat(0);
  const floor = f64x2.splat(<f64>(nin + 2) * MIN_SUBNORMAL);
  const widen = f64x2.splat(1 + <f64>(nin + 16) * EPS);
  const up = f64x2.splat(1 + 4 * EPS);
  const slack = f64x2.splat(SUBNORMAL_SLACK);
  const l0 = f64x2.splat(gd(m, L0));
  const l1 = f64x2.splat(gd(m, L1));
  let ga = zero;
  let gb = zero;
  for (let i = 0; i < np; i += 8) {
    const o = i << 3;
    let a0 = zero;
    let a1 = zero;
    let a2 = zero;
    let a3 = zero;
    let b0 = zero;
    let b1 = zero;
    let b2 = zero;
    let b3 = zero;
    const base = wt + (i >> 3) * panel;
    for (let q = 0; q < n; q++) {
      const j = li(IDX, q);
      const col = <usize>(base + (j << 6));
      const w0 = v128.load(col);
      const w1 = v128.load(col + 16);
      const w2 = v128.load(col + 32);
      const w3 = v128.load(col + 48);
      const xa = f64x2.splat(ld(pa, j));
      const xb = f64x2.splat(ld(pb, j));
      a0 = f64x2.add(a0, f64x2.mul(w0, xa));
      a1 = f64x2.add(a1, f64x2.mul(w1, xa));
      a2 = f64x2.add(a2, f64x2.mul(w2, xa));
      a3 = f64x2.add(a3, f64x2.mul(w3, xa));
      b0 = f64x2.add(b0, f64x2.mul(w0, xb));
      b1 = f64x2.add(b1, f64x2.mul(w1, xb));
      b2 = f64x2.add(b2, f64x2.mul(w2, xb));
      b3 = f64x2.add(b3, f64x2.mul(w3, xb));
    }
    // (L + (s + floor) widen) up + 2^-1000
    a0 = f64x2.add(f64x2.mul(f64x2.add(l0, f64x2.mul(f64x2.add(a0, floor), widen)), up), slack);
    a1 = f64x2.add(f64x2.mul(f64x2.add(l0, f64x2.mul(f64x2.add(a1, floor), widen)), up), slack);
    a2 = f64x2.add(f64x2.mul(f64x2.add(l0, f64x2.mul(f64x2.add(a2, floor), widen)), up), slack);
    a3 = f64x2.add(f64x2.mul(f64x2.add(l0, f64x2.mul(f64x2.add(a3, floor), widen)), up), slack);
    b0 = f64x2.add(f64x2.mul(f64x2.add(l1, f64x2.mul(f64x2.add(b0, floor), widen)), up), slack);
    b1 = f64x2.add(f64x2.mul(f64x2.add(l1, f64x2.mul(f64x2.add(b1, floor), widen)), up), slack);
    b2 = f64x2.add(f64x2.mul(f64x2.add(l1, f64x2.mul(f64x2.add(b2, floor), widen)), up), slack);
    b3 = f64x2.add(f64x2.mul(f64x2.add(l1, f64x2.mul(f64x2.add(b3, floor), widen)), up), slack);
    v128.store(<usize>(ea + o), a0);
    v128.store(<usize>(ea + o + 16), a1);
    v128.store(<usize>(ea + o + 32), a2);
    v128.store(<usize>(ea + o + 48), a3);
    v128.store(<usize>(eb + o), b0);
    v128.store(<usize>(eb + o + 16), b1);
    v128.store(<usize>(eb + o + 32), b2);
    v128.store(<usize>(eb + o + 48), b3);
    // (every term is >= 0 and not NaN: the inputs were below 2^1000, the weights finite)
    ga = f64x2.pmax(ga, f64x2.pmax(f64x2.pmax(a0, a1), f64x2.pmax(a2, a3)));
    gb = f64x2.pmax(gb, f64x2.pmax(f64x2.pmax(b0, b1), f64x2.pmax(b2, b3)));
  }
  T0 = lanesMax(ga);
  T1 = lanesMax(gb);
}
