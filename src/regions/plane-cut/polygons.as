// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// Polygon arenas (geometry/polygon.ts's PolygonArena) and their float-stage signs, classification, intersections and splits.

import { EPS, WHOLE_PLUS, WHOLE_MINUS, SPLIT, SIDE_PLUS, SIDE_MINUS } from "./constants";
import { ld, sd, li, si, sb, gi, pi, alloc, regrow } from "./memory";
import { lineAt } from "./lines";

// ---- polygon arenas (geometry/polygon.ts's PolygonArena) --------------------------------------

export const A_UV = 0;
export const A_ERR = 4;
export const A_LINE = 8;
export const A_SIDE = 12;
export const A_VCAP = 16;
export const A_START = 20;
export const A_SIZE = 24;
export const A_PCAP = 28;
export const A_VCOUNT = 32;
export const A_PCOUNT = 36;

export function arenaNew(): i32 {
  const a = alloc(48);
  const vcap = 256;
  const pcap = 64;
  pi(a, A_UV, alloc(16 * vcap));
  pi(a, A_ERR, alloc(8 * vcap));
  pi(a, A_LINE, alloc(4 * vcap));
  pi(a, A_SIDE, alloc(4 * vcap));
  pi(a, A_VCAP, vcap);
  pi(a, A_START, alloc(4 * pcap));
  pi(a, A_SIZE, alloc(4 * pcap));
  pi(a, A_PCAP, pcap);
  pi(a, A_VCOUNT, 0);
  pi(a, A_PCOUNT, 0);
  return a;
}

export function arenaBegin(a: i32, maxVertices: i32): i32 {
  const vc = gi(a, A_VCOUNT);
  let cap = gi(a, A_VCAP);
  if (vc + maxVertices > cap) {
    const old = cap;
    while (cap < vc + maxVertices) cap *= 2;
    pi(a, A_UV, regrow(gi(a, A_UV), 16 * vc, 16 * cap));
    pi(a, A_ERR, regrow(gi(a, A_ERR), 8 * vc, 8 * cap));
    pi(a, A_LINE, regrow(gi(a, A_LINE), 4 * vc, 4 * cap));
    pi(a, A_SIDE, regrow(gi(a, A_SIDE), 4 * vc, 4 * cap));
    pi(a, A_VCAP, cap);
    if (old < 0) unreachable();
  }
  const pc = gi(a, A_PCOUNT);
  let pcap = gi(a, A_PCAP);
  if (pc >= pcap) {
    pi(a, A_START, regrow(gi(a, A_START), 4 * pc, 8 * pcap));
    pi(a, A_SIZE, regrow(gi(a, A_SIZE), 4 * pc, 8 * pcap));
    pcap *= 2;
    pi(a, A_PCAP, pcap);
  }
  si(gi(a, A_START), pc, vc);
  si(gi(a, A_SIZE), pc, 0);
  pi(a, A_PCOUNT, pc + 1);
  return pc;
}

@inline export function arenaPush(a: i32, p: i32, u: f64, v: f64, err: f64, line: i32, side: i32): void {
  const k = gi(a, A_VCOUNT);
  pi(a, A_VCOUNT, k + 1);
  const uv = gi(a, A_UV);
  sd(uv, 2 * k, u);
  sd(uv, 2 * k + 1, v);
  sd(gi(a, A_ERR), k, err);
  si(gi(a, A_LINE), k, line);
  si(gi(a, A_SIDE), k, side);
  const size = gi(a, A_SIZE);
  si(size, p, li(size, p) + 1);
}

/**
 * Polygon p of arena src as a new polygon of arena dst (arenaBegin made room for its vertices):
 * arenaPush's stores with both arenas' arrays read once, not per vertex (every cut of a piece
 * begins with this copy, and most of a deep narrow network's cuts end there too).
 */
@inline export function arenaCopy(dst: i32, src: i32, p: i32): i32 {
  const n = li(gi(src, A_SIZE), p);
  const q = arenaBegin(dst, n);
  const s = li(gi(src, A_START), p);
  const d = gi(dst, A_VCOUNT);
  const suv = gi(src, A_UV) + 16 * s;
  const ser = gi(src, A_ERR) + 8 * s;
  const sli = gi(src, A_LINE) + 4 * s;
  const ssi = gi(src, A_SIDE) + 4 * s;
  const duv = gi(dst, A_UV) + 16 * d;
  const der = gi(dst, A_ERR) + 8 * d;
  const dli = gi(dst, A_LINE) + 4 * d;
  const dsi = gi(dst, A_SIDE) + 4 * d;
  for (let k = 0; k < n; k++) {
    v128.store(<usize>(duv + 16 * k), v128.load(<usize>(suv + 16 * k)));
    store<i64>(<usize>(der + 8 * k), load<i64>(<usize>(ser + 8 * k)));
    si(dli, k, li(sli, k));
    si(dsi, k, li(ssi, k));
  }
  pi(dst, A_VCOUNT, d + n);
  const size = gi(dst, A_SIZE);
  si(size, q, li(size, q) + n);
  return q;
}

/** signedPolygonArea (geometry/polygon-area.ts). */
export function arenaArea(a: i32, p: i32): f64 {
  const start = li(gi(a, A_START), p);
  const count = li(gi(a, A_SIZE), p);
  const uv = gi(a, A_UV);
  let twice: f64 = 0;
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const j = start + ((k + 1) % count);
    twice += ld(uv, 2 * i) * ld(uv, 2 * j + 1) - ld(uv, 2 * j) * ld(uv, 2 * i + 1);
  }
  return twice / 2;
}

// ---- signs, classification, splits (geometry/polygon.ts, float stage only) ---------------------

export let signs: i32 = 0;
export let signsCap: i32 = 0;

/** Whether classifyFloat's undecided vertex had a bound without coefficients' part (plane.ts decides its sign exactly, no tie). */
export let tieExact: i32 = 0;

/**
 * classify's float stage: WHOLE_PLUS, WHOLE_MINUS or SPLIT with every vertex's sign in `signs`,
 * or 0 when a vertex is within the line's bound (plane.ts would go on to ties and exact signs).
 */
export function classifyFloat(ar: i32, p: i32, a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): i32 {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  if (n > signsCap) {
    signsCap = 2 * n;
    signs = alloc(signsCap);
  }
  const uv = gi(ar, A_UV);
  const er = gi(ar, A_ERR);
  let plus = false;
  let minus = false;
  for (let k = 0; k < n; k++) {
    const i = s + k;
    const u = ld(uv, 2 * i);
    const v = ld(uv, 2 * i + 1);
    const bu = b * u;
    const cv = c * v;
    const f = a + bu + cv;
    const coef = ea + eb * Math.abs(u) + ec * Math.abs(v);
    const bound = (Math.abs(b) + Math.abs(c) + eb + ec) * ld(er, i) + 4 * EPS * (Math.abs(a) + Math.abs(bu) + Math.abs(cv)) + coef;
    if (f > bound) {
      sb(signs, k, 1);
      plus = true;
    } else if (-f > bound) {
      sb(signs, k, 255);
      minus = true;
    } else {
      // plane.ts's vertexSign: a rounding tie where the bound has a coefficient's part, else the
      // sign of the computed line at the vertex, exactly (no tie; the kernel cannot).
      tieExact = coef > 0 ? 0 : 1;
      return 0;
    }
  }
  if (plus && minus) return SPLIT;
  return plus ? WHOLE_PLUS : WHOLE_MINUS;
}

@inline export function sign(k: i32): i32 {
  return <i32>load<i8>(<usize>(signs + k));
}

export let pu0: f64 = 0;
export let pv0: f64 = 0;
export let pe0: f64 = 0;

/** lineIntersection: (pu0, pv0, pe0). */
export function lineIntersection(l1: i32, l2: i32): void {
  const p1 = lineAt(l1);
  const p2 = lineAt(l2);
  const a1 = ld(p1, 0);
  const b1 = ld(p1, 1);
  const c1 = ld(p1, 2);
  const a2 = ld(p2, 0);
  const b2 = ld(p2, 1);
  const c2 = ld(p2, 2);
  const D = b1 * c2 - c1 * b2;
  const u = (c1 * a2 - a1 * c2) / D;
  const v = (a1 * b2 - a2 * b1) / D;
  const dErr = 2 * EPS * (Math.abs(b1 * c2) + Math.abs(c1 * b2));
  const absD = Math.abs(D);
  const eu = (2 * EPS * (Math.abs(c1 * a2) + Math.abs(a1 * c2)) + Math.abs(u) * dErr) / absD + EPS * Math.abs(u);
  const ev = (2 * EPS * (Math.abs(a1 * b2) + Math.abs(a2 * b1)) + Math.abs(v) * dErr) / absD + EPS * Math.abs(v);
  pu0 = u;
  pv0 = v;
  pe0 = 4 * max<f64>(eu, ev);
}

@inline export function isFinite(x: f64): bool {
  return x - x == 0;
}

/** intersect: edge line e with cut line l, between vertices i and j of arena ar. */
export function intersect(ar: i32, e: i32, l: i32, i: i32, j: i32): void {
  lineIntersection(e, l);
  const uv = gi(ar, A_UV);
  const ui = ld(uv, 2 * i);
  const vi = ld(uv, 2 * i + 1);
  const uj = ld(uv, 2 * j);
  const vj = ld(uv, 2 * j + 1);
  const seg = Math.abs(uj - ui) + Math.abs(vj - vi);
  if (isFinite(pe0) && pe0 <= seg) return;
  const L = lineAt(l);
  const fi = ld(L, 0) + ld(L, 1) * ui + ld(L, 2) * vi;
  const fj = ld(L, 0) + ld(L, 1) * uj + ld(L, 2) * vj;
  let t = fi / (fi - fj);
  if (!(t >= 0 && t <= 1)) t = 0.5;
  pu0 = ui + t * (uj - ui);
  pv0 = vi + t * (vj - vi);
  const er = gi(ar, A_ERR);
  pe0 = seg + ld(er, i) + ld(er, j);
}

/**
 * plane-vertex-error.ts's widenCutVertices: the radius of every vertex of polygon p on cut line l
 * widened by how far its lines' exact intersection may be (vertexDisplacement), the same float64
 * operations in the same order.
 */
export function widenCut(ar: i32, p: i32, l: i32): void {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  const lines = gi(ar, A_LINE);
  const uv = gi(ar, A_UV);
  const er = gi(ar, A_ERR);
  const L = lineAt(l);
  const eaL = ld(L, 3);
  const ebL = ld(L, 4);
  const ecL = ld(L, 5);
  for (let k = 0; k < n; k++) {
    const incoming = li(lines, s + ((k + n - 1) % n));
    const outgoing = li(lines, s + k);
    if (incoming != l && outgoing != l) continue;
    const O = lineAt(incoming == l ? outgoing : incoming);
    const ea = ld(O, 3);
    const eb = ld(O, 4);
    const ec = ld(O, 5);
    if (eaL == 0 && ebL == 0 && ecL == 0 && ea == 0 && eb == 0 && ec == 0) continue;
    const i = s + k;
    const u = ld(uv, 2 * i);
    const v = ld(uv, 2 * i + 1);
    const r = ld(er, i);
    const b1 = ld(L, 1);
    const c1 = ld(L, 2);
    const b2 = ld(O, 1);
    const c2 = ld(O, 2);
    const au = Math.abs(u) + r;
    const av = Math.abs(v) + r;
    const r1 = eaL + ebL * au + ecL * av;
    const r2 = ea + eb * au + ec * av;
    const B1 = Math.abs(b1) + ebL;
    const C1 = Math.abs(c1) + ecL;
    const B2 = Math.abs(b2) + eb;
    const C2 = Math.abs(c2) + ec;
    const bc = Math.abs(b1 * c2);
    const cb = Math.abs(c1 * b2);
    const moved = ebL * C2 + Math.abs(b1) * ec + ecL * B2 + Math.abs(c1) * eb;
    const low = (Math.abs(b1 * c2 - c1 * b2) - 2 * EPS * (bc + cb) - moved) * (1 - 8 * EPS);
    let d: f64 = Infinity;
    if (low > 0) {
      const du = (C2 * r1 + C1 * r2) / low;
      const dv = (B2 * r1 + B1 * r2) / low;
      d = max<f64>(du, dv) * (1 + 16 * EPS);
      if (!(d < Infinity)) d = Infinity;
    }
    sd(er, i, r + d);
  }
}

/** split: polygon p of ar (signs all non-zero) by line l into its plus and minus parts (appended); returns the plus one. */
export function split(ar: i32, p: i32, l: i32): i32 {
  const plus = emitSide(ar, p, l, 1);
  emitSide(ar, p, l, -1);
  return plus;
}

export function emitSide(ar: i32, p: i32, l: i32, want: i32): i32 {
  const n = li(gi(ar, A_SIZE), p);
  const q = arenaBegin(ar, n + 2);
  // After arenaBegin: the arrays may have moved.
  const s = li(gi(ar, A_START), p);
  const cutSide = want > 0 ? SIDE_PLUS : SIDE_MINUS;
  for (let k = 0; k < n; k++) {
    const sk = sign(k) * want;
    const sn = sign((k + 1) % n) * want;
    const i = s + k;
    const j = s + ((k + 1) % n);
    const lineI = li(gi(ar, A_LINE), i);
    if (sk >= 0) {
      const uv = gi(ar, A_UV);
      arenaPush(ar, q, ld(uv, 2 * i), ld(uv, 2 * i + 1), ld(gi(ar, A_ERR), i), lineI, li(gi(ar, A_SIDE), i));
      if (sk > 0 && sn < 0) {
        intersect(ar, lineI, l, i, j);
        arenaPush(ar, q, pu0, pv0, pe0, l, cutSide);
      }
    } else if (sn > 0) {
      intersect(ar, lineI, l, i, j);
      arenaPush(ar, q, pu0, pv0, pe0, lineI, li(gi(ar, A_SIDE), i));
    }
  }
  return q;
}
