// line-walk.as's products: a layer's active units, its map as a full product of its input, a
// rank-one update after a crossing, and a propagated change, each with its rounding bound.

import { ld, li, si, lanesMax } from "./memory";
import { EPS, MIN_SUBNORMAL, tinyIf, NIN, NPAD, WT, BIAS, COLMAX, NORM, BIASMAX, A, B, V, WORD0, NWORDS, L0, L1, LF0, LF1, R0, R1, VMAX, MAXA, MAXB, REFRESH_AT, gi, gd, pd, N0, INPUT, PAT, ACT, IDX, D0, D1 } from "./layers";

// The layer whose active units ACT and IDX list (gatherActive), with their count; -1: none. A
// write to that layer's states in PAT, or to ACT, makes it -1. carry reads the list propagate or
// fullProduct made just before it for the same layer and states (the same list: the same doubles).
export let gathered: i32 = -1;
export let gatheredCount: i32 = 0;

/** Lists layer p's active units (its states in PAT) and their offsets in a panel of layer p + 1's weights; their count. */
export function gatherActive(p: i32): i32 {
  const w0 = gi(p, WORD0);
  const nw = gi(p, NWORDS);
  let n = 0;
  for (let w = 0; w < nw; w++) {
    let bits = load<u32>(<usize>(PAT + ((w0 + w) << 2)));
    while (bits != 0) {
      const j = (w << 5) + <i32>ctz(bits);
      bits &= bits - 1;
      si(ACT, n, j << 6);
      si(IDX, n, j);
      n++;
    }
  }
  gathered = p;
  gatheredCount = n;
  return n;
}

/** Layer p's active units listed in ACT and IDX (made again only when not the list there); their count. */
@inline export function activeOf(p: i32): i32 {
  return gathered == p ? gatheredCount : gatherActive(p);
}

/**
 * Layer m's map as a full product of its input (the segment's map for m = 0, else layer m - 1's
 * map masked by its states): 8 outputs at a time, both channels in registers. Its bound: the
 * affine step's, (n + 2) u (|W|_inf max|x| + max|bias|) per channel (any order of the sums).
 */
export function fullProduct(m: i32): void {
  let n: i32;
  let x0: f64 = 0;
  let x1: f64 = 0;
  const np = gi(m, NPAD);
  // the input's values read where they are, by unit (IDX; no copy)
  let pa = INPUT;
  let pb = INPUT + (N0 << 3);
  if (m == 0) {
    n = N0;
    gathered = -1;
    for (let j = 0; j < n; j++) {
      si(IDX, j, j);
      x0 = max(x0, abs(ld(pa, j)));
      x1 = max(x1, abs(ld(pb, j)));
    }
  } else {
    const p = m - 1;
    n = gatherActive(p);
    pa = gi(p, A);
    pb = gi(p, B);
    for (let q = 0; q < n; q++) {
      const j = li(IDX, q);
      x0 = max(x0, abs(ld(pa, j)));
      x1 = max(x1, abs(ld(pb, j)));
    }
  }
  const wt = gi(m, WT);
  const panel = gi(m, NIN) << 6;
  const bias = gi(m, BIAS);
  const ma = gi(m, A);
  const mb = gi(m, B);
  const zero = f64x2.splat(0);
  let ga = zero;
  let gb = zero;
  for (let i = 0; i < np; i += 8) {
    const o = i << 3;
    let a0 = v128.load(<usize>(bias + o));
    let a1 = v128.load(<usize>(bias + o + 16));
    let a2 = v128.load(<usize>(bias + o + 32));
    let a3 = v128.load(<usize>(bias + o + 48));
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
    v128.store(<usize>(ma + o), a0);
    v128.store(<usize>(ma + o + 16), a1);
    v128.store(<usize>(ma + o + 32), a2);
    v128.store(<usize>(ma + o + 48), a3);
    v128.store(<usize>(mb + o), b0);
    v128.store(<usize>(mb + o + 16), b1);
    v128.store(<usize>(mb + o + 32), b2);
    v128.store(<usize>(mb + o + 48), b3);
    ga = f64x2.pmax(ga, f64x2.pmax(f64x2.pmax(f64x2.abs(a0), f64x2.abs(a1)), f64x2.pmax(f64x2.abs(a2), f64x2.abs(a3))));
    gb = f64x2.pmax(gb, f64x2.pmax(f64x2.pmax(f64x2.abs(b0), f64x2.abs(b1)), f64x2.pmax(f64x2.abs(b2), f64x2.abs(b3))));
  }
  pd(m, MAXA, lanesMax(ga));
  pd(m, MAXB, lanesMax(gb));
  const gamma = <f64>(gi(m, NIN) + 2) * EPS * (1 + 8 * EPS);
  const norm = gd(m, NORM);
  const l0 = tinyIf(gamma * (norm * x0 + gd(m, BIASMAX)));
  const l1 = tinyIf(gamma * norm * x1);
  pd(m, L0, l0);
  pd(m, L1, l1);
  pd(m, LF0, l0);
  pd(m, LF1, l1);
}

/**
 * Layer m's map after unit j of layer m - 1 changed state (s = 1: on, -1: off): plus s W[:, j]
 * (D0, D1), D the unit's map. V = s W[:, j] (exact) starts the chain for the layers below. True
 * when the bound grew past REFRESH times the last full product's (the caller makes it again).
 */
export function rankOne(m: i32, j: i32, s: f64): bool {
  const p = m - 1;
  D0 = ld(gi(p, A), j);
  D1 = ld(gi(p, B), j);
  const np = gi(m, NPAD);
  const col = gi(m, WT) + (j << 6);
  const panel = gi(m, NIN) << 6;
  const ma = gi(m, A);
  const mb = gi(m, B);
  const mv = gi(m, V);
  const sv = f64x2.splat(s);
  const d0 = f64x2.splat(D0);
  const d1 = f64x2.splat(D1);
  let m0 = f64x2.splat(0);
  let m1 = f64x2.splat(0);
  for (let i = 0; i < np; i += 8) {
    const o = i << 3;
    const w = <usize>(col + (i >> 3) * panel);
    const v0 = f64x2.mul(v128.load(w), sv);
    const v1 = f64x2.mul(v128.load(w, 16), sv);
    const v2 = f64x2.mul(v128.load(w, 32), sv);
    const v3 = f64x2.mul(v128.load(w, 48), sv);
    const pv = <usize>(mv + o);
    v128.store(pv, v0);
    v128.store(pv, v1, 16);
    v128.store(pv, v2, 32);
    v128.store(pv, v3, 48);
    const pa = <usize>(ma + o);
    const a0 = f64x2.add(v128.load(pa), f64x2.mul(v0, d0));
    const a1 = f64x2.add(v128.load(pa, 16), f64x2.mul(v1, d0));
    const a2 = f64x2.add(v128.load(pa, 32), f64x2.mul(v2, d0));
    const a3 = f64x2.add(v128.load(pa, 48), f64x2.mul(v3, d0));
    v128.store(pa, a0);
    v128.store(pa, a1, 16);
    v128.store(pa, a2, 32);
    v128.store(pa, a3, 48);
    m0 = f64x2.pmax(m0, f64x2.pmax(f64x2.pmax(f64x2.abs(a0), f64x2.abs(a1)), f64x2.pmax(f64x2.abs(a2), f64x2.abs(a3))));
    const pb = <usize>(mb + o);
    const b0 = f64x2.add(v128.load(pb), f64x2.mul(v0, d1));
    const b1 = f64x2.add(v128.load(pb, 16), f64x2.mul(v1, d1));
    const b2 = f64x2.add(v128.load(pb, 32), f64x2.mul(v2, d1));
    const b3 = f64x2.add(v128.load(pb, 48), f64x2.mul(v3, d1));
    v128.store(pb, b0);
    v128.store(pb, b1, 16);
    v128.store(pb, b2, 32);
    v128.store(pb, b3, 48);
    m1 = f64x2.pmax(m1, f64x2.pmax(f64x2.pmax(f64x2.abs(b0), f64x2.abs(b1)), f64x2.pmax(f64x2.abs(b2), f64x2.abs(b3))));
  }
  const cm = ld(gi(m, COLMAX), j);
  const big0 = lanesMax(m0);
  const big1 = lanesMax(m1);
  pd(m, MAXA, big0);
  pd(m, MAXB, big1);
  const r0 = tinyIf(EPS * (cm * abs(D0) + big0) * (1 + 4 * EPS));
  const r1 = tinyIf(EPS * (cm * abs(D1) + big1) * (1 + 4 * EPS));
  pd(m, R0, r0);
  pd(m, R1, r1);
  pd(m, VMAX, cm);
  const l0 = (gd(m, L0) + r0) * (1 + 2 * EPS);
  const l1 = (gd(m, L1) + r1) * (1 + 2 * EPS);
  pd(m, L0, l0);
  pd(m, L1, l1);
  const at = gd(m, REFRESH_AT);
  return !(l0 <= at * gd(m, LF0)) || !(l1 <= at * gd(m, LF1));
}
/**
 * Layer m's map after layer m - 1's moved by V (D0, D1) (+ its rounding R) with its states the
 * same: V' = W D V, one channel, 8 outputs at a time, and the map plus V' (D0, D1). Bound
 * (numerics.md, "Propagated map"): the previous one plus V''s rounding times |D|, the input's
 * rounding through W, and the update's own. True when it grew past REFRESH times the last full
 * product's.
 */
export function propagate(m: i32): bool {
  const p = m - 1;
  const np = gi(m, NPAD);
  const n = gatherActive(p);
  // V read where it is, by unit (IDX; no copy)
  const xv = gi(p, V);
  const wt = gi(m, WT);
  const panel = gi(m, NIN) << 6;
  const ma = gi(m, A);
  const mb = gi(m, B);
  const mv = gi(m, V);
  const d0 = f64x2.splat(D0);
  const d1 = f64x2.splat(D1);
  const zero = f64x2.splat(0);
  let vm = zero;
  let ga = zero;
  let gb = zero;
  // 8 outputs per block, two units per iteration (the loads of the weights set the pace)
  const idx = IDX;
  const pairs = n & ~1;
  for (let i = 0; i < np; i += 8) {
    const o = i << 3;
    let c0 = zero;
    let c1 = zero;
    let c2 = zero;
    let c3 = zero;
    const base = wt + (i >> 3) * panel;
    for (let q = 0; q < pairs; q += 2) {
      const j = li(idx, q);
      const j2 = li(idx, q + 1);
      const col = <usize>(base + (j << 6));
      const col2 = <usize>(base + (j2 << 6));
      const x = f64x2.splat(ld(xv, j));
      const y = f64x2.splat(ld(xv, j2));
      c0 = f64x2.add(c0, f64x2.mul(v128.load(col), x));
      c1 = f64x2.add(c1, f64x2.mul(v128.load(col, 16), x));
      c2 = f64x2.add(c2, f64x2.mul(v128.load(col, 32), x));
      c3 = f64x2.add(c3, f64x2.mul(v128.load(col, 48), x));
      c0 = f64x2.add(c0, f64x2.mul(v128.load(col2), y));
      c1 = f64x2.add(c1, f64x2.mul(v128.load(col2, 16), y));
      c2 = f64x2.add(c2, f64x2.mul(v128.load(col2, 32), y));
      c3 = f64x2.add(c3, f64x2.mul(v128.load(col2, 48), y));
    }
    if (pairs < n) {
      const j = li(idx, pairs);
      const col = <usize>(base + (j << 6));
      const x = f64x2.splat(ld(xv, j));
      c0 = f64x2.add(c0, f64x2.mul(v128.load(col), x));
      c1 = f64x2.add(c1, f64x2.mul(v128.load(col, 16), x));
      c2 = f64x2.add(c2, f64x2.mul(v128.load(col, 32), x));
      c3 = f64x2.add(c3, f64x2.mul(v128.load(col, 48), x));
    }
    // V' and the maps plus V' (D0, D1), with their largest |values|
    const pv = <usize>(mv + o);
    const pa = <usize>(ma + o);
    const pb = <usize>(mb + o);
    v128.store(pv, c0);
    v128.store(pv, c1, 16);
    v128.store(pv, c2, 32);
    v128.store(pv, c3, 48);
    vm = f64x2.pmax(vm, f64x2.pmax(f64x2.pmax(f64x2.abs(c0), f64x2.abs(c1)), f64x2.pmax(f64x2.abs(c2), f64x2.abs(c3))));
    const a0 = f64x2.add(v128.load(pa), f64x2.mul(c0, d0));
    const a1 = f64x2.add(v128.load(pa, 16), f64x2.mul(c1, d0));
    const a2 = f64x2.add(v128.load(pa, 32), f64x2.mul(c2, d0));
    const a3 = f64x2.add(v128.load(pa, 48), f64x2.mul(c3, d0));
    v128.store(pa, a0);
    v128.store(pa, a1, 16);
    v128.store(pa, a2, 32);
    v128.store(pa, a3, 48);
    ga = f64x2.pmax(ga, f64x2.pmax(f64x2.pmax(f64x2.abs(a0), f64x2.abs(a1)), f64x2.pmax(f64x2.abs(a2), f64x2.abs(a3))));
    const b0 = f64x2.add(v128.load(pb), f64x2.mul(c0, d1));
    const b1 = f64x2.add(v128.load(pb, 16), f64x2.mul(c1, d1));
    const b2 = f64x2.add(v128.load(pb, 32), f64x2.mul(c2, d1));
    const b3 = f64x2.add(v128.load(pb, 48), f64x2.mul(c3, d1));
    v128.store(pb, b0);
    v128.store(pb, b1, 16);
    v128.store(pb, b2, 32);
    v128.store(pb, b3, 48);
    gb = f64x2.pmax(gb, f64x2.pmax(f64x2.pmax(f64x2.abs(b0), f64x2.abs(b1)), f64x2.pmax(f64x2.abs(b2), f64x2.abs(b3))));
  }
  const vmax = lanesMax(vm);
  const big0 = lanesMax(ga);
  const big1 = lanesMax(gb);
  pd(m, MAXA, big0);
  pd(m, MAXB, big1);
  const norm = gd(m, NORM);
  const ad0 = abs(D0);
  const ad1 = abs(D1);
  const r0 = tinyIf(EPS * (vmax * ad0 + big0) * (1 + 4 * EPS));
  const r1 = tinyIf(EPS * (vmax * ad1 + big1) * (1 + 4 * EPS));
  const gamma = <f64>(gi(m, NIN) + 1) * EPS * (1 + 8 * EPS);
  const vin = gd(p, VMAX);
  // V is a product of weights, never held to SMALL as the maps are: a product W_ij V_j may fall
  // below float64's normal range (2^-550 2^-550 is 0), off by up to 2^-1075 absolutely, which a
  // relative bound misses, and |D| (up to 2^1000) multiplies it. So (n + 2) 2^-1074 |D| more per
  // channel: the n products' and those of norm vin |D| below (taken before gamma for that reason).
  const under = <f64>(gi(m, NIN) + 2) * MIN_SUBNORMAL;
  const l0 = tinyIf((gd(m, L0) + norm * vin * ad0 * gamma + under * ad0 + norm * gd(p, R0) + r0) * (1 + 4 * EPS));
  const l1 = tinyIf((gd(m, L1) + norm * vin * ad1 * gamma + under * ad1 + norm * gd(p, R1) + r1) * (1 + 4 * EPS));
  pd(m, R0, r0);
  pd(m, R1, r1);
  pd(m, VMAX, vmax);
  pd(m, L0, l0);
  pd(m, L1, l1);
  const at = gd(m, REFRESH_AT);
  return !(l0 <= at * gd(m, LF0)) || !(l1 <= at * gd(m, LF1));
}
