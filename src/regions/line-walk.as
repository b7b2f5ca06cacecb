// The line engine's count of one segment's activation regions, in WebAssembly, for the common
// case (AssemblyScript source, compiled by scripts/build-engine-wasm.ts into line-walk-wasm.ts;
// line-walk.ts drives it, line-segments.ts counts with it).
//
// Why: counting many segments (`countSegments`, `count --lines`) spent its time in the line
// engine's walk of each piece, a third of it JavaScript around the products. This is that walk
// for dense/relu networks, count only, in one module: the first layer's map, each piece's
// breakpoints, the crossings, rank-one updates and propagated one-channel products down the
// layers (docs/numerics.md, "Propagated map"), and the distinct patterns of the segment.
//
// Exactness: it does not follow line.ts's float64 operations. Every decision (a unit's sign at a
// piece's end, two breakpoints' order) is certified by a rounding bound against the EXACT map of
// the network on the segment: each layer's bound is its own rounding plus the previous layer's
// whole bound through |W|_inf (so it covers every layer above, not only the last step as the
// engine's local bounds do), or in deep narrow networks per unit through the states (carry) and,
// where that still leaves a decision open, through the signed products of W D (measure, the
// adjoint bound); a piece's ends are intervals that contain the exact breakpoints.
// Whatever a bound leaves open (a sign or an order within its bound, a value near zero, out of
// float64's range, states that should agree and do not) makes the kernel give up on the segment
// (return 0): line-segments.ts then counts it with the LineEngine, as before. So a segment
// counted here has the exact count, the engine's whenever the engine's is exact.
//
// No managed objects: raw linear memory, a bump allocator (line-walk.ts lays the network out once
// per network), per-layer records at fixed offsets.

const EPS: f64 = 1.1102230246251565e-16; // 2^-53
const SUBNORMAL_SLACK: f64 = 9.332636185032189e-302; // 2^-1000
const BIG: f64 = 1.0715086071862673e301; // 2^1000
const MIN_SUBNORMAL: f64 = 4.9406564584124654e-324; // 2^-1074
const OUT_MAX: f64 = 7.090649168385425e+277; // 2^923: the output's values stay below it (and the engine's bounds on them finite)
// A propagated or updated map's bound past this many times its last full product's: a full product
// (layers with their own REFRESH_AT: that instead).
const REFRESH: f64 = 16;

// ---- memory ---------------------------------------------------------------------------------

let top: i32 = 0;

/** Forget everything allocated (a new network's layout). */
export function reset(): void {
  top = (<i32>__heap_base + 15) & ~15;
  forgetPatterns();
}

/** `bytes` of fresh memory (16-byte aligned), growing the memory when needed. */
export function alloc(bytes: i32): i32 {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const have = <i32>memory.size() << 16;
  if (top > have) {
    const pages = (top - have + 0xffff) >>> 16;
    if (memory.grow(max<i32>(pages, have >>> 19)) < 0 && memory.grow(pages) < 0) unreachable();
  }
  return p;
}

@inline function ld(p: i32, i: i32): f64 { return load<f64>(<usize>(p + (i << 3))); }
@inline function sd(p: i32, i: i32, x: f64): void { store<f64>(<usize>(p + (i << 3)), x); }
@inline function li(p: i32, i: i32): i32 { return load<i32>(<usize>(p + (i << 2))); }
@inline function si(p: i32, i: i32, x: i32): void { store<i32>(<usize>(p + (i << 2)), x); }

// ---- the layers -------------------------------------------------------------------------------
//
// Dense layer k (0 .. K-1), each followed by relu (their units make the pattern), has a record of
// STRIDE bytes at LAY + k STRIDE. The network's last dense step, when there is one (no pattern),
// is not walked: the engine only refuses its values out of float64's range, which the largest
// values of the last relu's input bound (OUT_NORM, OUT_BIAS). Fields (i32 and f64 alike in 8-byte
// slots):

const STRIDE: i32 = 320;
// set by line-walk.ts
const NIN = 0; // inputs
const NOUT = 8; // outputs
const NPAD = 16; // outputs padded to a multiple of 8 (zero weights, bias -1: see BIAS)
const WT = 24; // weights in panels of 8 outputs: outputs 8b .. 8b + 7 of input j at WT + 64 (b NIN + j)
const BIAS = 32; // NPAD; -1 for a dead unit (zero row and bias: 0 on every input, so off) and the padding, which are then off on every piece
const COLMAX = 40; // per input j: max_i |W_ij|
const NORM = 48; // |W|_inf rounded up
const BIASMAX = 56; // max |bias|
const SMALL = 64; // a non-zero value of this layer's map below this gives up (2^-900, or that over the next layer's smallest weight: near float64's subnormal range)
const A = 72; // map, constant term per unit (NPAD)
const B = 80; // map, slope per unit (NPAD)
const V = 88; // the last change's direction per unit (NPAD): the map moved by V (D0, D1)
const EVR = 96; // the current piece's breakpoints, sorted (NOUT)
const EVF = 104; // their radii: the exact breakpoint is within EVR +- EVF
const EVU = 112; // their units (i32)
const WORD0 = 120; // first pattern word of the layer's states
const NWORDS = 128; // its words
// set by the walk
const EVN = 136; // breakpoints in the current piece
const EVI = 144; // sub-pieces of the current piece done (the walk is in sub-piece EVI)
const LO = 152; // the current piece: [LO +- DLO, HI +- DHI] holds its exact ends
const DLO = 160;
const HI = 168;
const DHI = 176;
const L0 = 184; // the map's rounding against the exact product of this layer's computed input, per channel
const L1 = 192;
const LF0 = 200; // the same right after the last full product
const LF1 = 208;
const R0 = 216; // the last change's own rounding: the map moved by V (D0, D1) + r, |r| <= R
const R1 = 224;
const VMAX = 232; // max |V|
const SAME = 240; // whether the last decide found the states it left at the end of the previous piece
const MAXA = 248; // the map's largest |value| per channel (NaN may be missed: a NaN value leaves its signs open)
const MAXB = 256;
// set by line-walk.ts
const EA = 264; // the map's whole bound per unit (NPAD), constant term, where PERUNIT (carry)
const EB = 272; // the same, slope
const PERUNIT = 280; // 1: the layers above's bound reaches this one per unit, through the states (carry); 0: through |W|_inf
// set by the walk
const TT0 = 288; // the map's whole bound per channel (against the exact map): the largest of EA, or the chain through |W|_inf
const TT1 = 296;
// set by line-walk.ts
const REFRESH_AT = 304; // this layer's REFRESH (line-walk.ts: 1, a full product always, where the bound grows past 2^64 to the last layer)
const ABSWT = 312; // |W| in WT's panels (carry's and measure's sums of |W| terms read them: no abs per use)

@inline function gi(k: i32, f: i32): i32 { return load<i32>(<usize>(LAY + k * STRIDE + f)); }
@inline function pi(k: i32, f: i32, x: i32): void { store<i32>(<usize>(LAY + k * STRIDE + f), x); }
@inline function gd(k: i32, f: i32): f64 { return load<f64>(<usize>(LAY + k * STRIDE + f)); }
@inline function pd(k: i32, f: i32, x: f64): void { store<f64>(<usize>(LAY + k * STRIDE + f), x); }

let LAY: i32 = 0;
let K: i32 = 0;
let N0: i32 = 0;
let INPUT: i32 = 0; // the segment's local map: c (N0) then e (N0)
let WORDS: i32 = 0;
let PAT: i32 = 0; // the current piece's states, WORDS words
let ACT: i32 = 0; // the active inputs' byte offsets in a panel of the next layer's weights
let IDX: i32 = 0; // their units
let XA: i32 = 0; // carry's input bounds by unit where the layer above's bound is per channel (its TT at each active unit)
let XB: i32 = 0;
let EVQ: i32 = 0; // decide's pairs with a breakpoint
let SAVED: i32 = 0; // a layer's pattern words before decide's first try
// The chain's change: every map below the crossing moved by V (D0, D1).
let D0: f64 = 0;
let D1: f64 = 0;
let inErr0: f64 = 0;
let inErr1: f64 = 0;
// The output step's |W|_inf and largest |bias| (0 without one), and the segment's largest values
// of the last relu's input per channel.
let OUT_NORM: f64 = 0;
let OUT_BIAS: f64 = 0;
let segBigA: f64 = 0;
let segBigB: f64 = 0;

/**
 * The network's layout (line-walk.ts made the records and arrays with alloc): K dense layers at
 * lay, each followed by relu; input of n0 coordinates at input; words of pattern; scratch of at
 * least the widest layer's width; the output step's |W|_inf and largest |bias| (0, 0: none).
 */
export function configure(lay: i32, k: i32, n0: i32, input: i32, words: i32, widest: i32, outNorm: f64, outBias: f64, adjoint: i32): void {
  LAY = lay;
  K = k;
  OUT_NORM = outNorm;
  OUT_BIAS = outBias;
  N0 = n0;
  INPUT = input;
  WORDS = words;
  PAT = alloc(words << 2);
  ACT = alloc(widest << 2);
  IDX = alloc(widest << 2);
  EVQ = alloc(widest << 2);
  XA = alloc(widest << 3);
  XB = alloc(widest << 3);
  SAVED = alloc(words << 2);
  gathered = -1;
  adjointLayout(widest, adjoint);
  forgetPatterns();
}

// ---- products -------------------------------------------------------------------------------

// The layer whose active units ACT and IDX list (gatherActive), with their count; -1: none. A
// write to that layer's states in PAT, or to ACT, makes it -1. carry reads the list propagate or
// fullProduct made just before it for the same layer and states (the same list: the same doubles).
let gathered: i32 = -1;
let gatheredCount: i32 = 0;

/** Lists layer p's active units (its states in PAT) and their offsets in a panel of layer p + 1's weights; their count. */
function gatherActive(p: i32): i32 {
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
@inline function activeOf(p: i32): i32 {
  return gathered == p ? gatheredCount : gatherActive(p);
}

/**
 * Layer m's map as a full product of its input (the segment's map for m = 0, else layer m - 1's
 * map masked by its states): 8 outputs at a time, both channels in registers. Its bound: the
 * affine step's, (n + 2) u (|W|_inf max|x| + max|bias|) per channel (any order of the sums).
 */
function fullProduct(m: i32): void {
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

/** A bound's rounding to the smallest subnormals (2^-1000 covers the ops of any layer) where it is not 0. */
@inline function tinyIf(x: f64): f64 {
  return x > 0 ? x + SUBNORMAL_SLACK : x;
}

/**
 * Layer m's map after unit j of layer m - 1 changed state (s = 1: on, -1: off): plus s W[:, j]
 * (D0, D1), D the unit's map. V = s W[:, j] (exact) starts the chain for the layers below. True
 * when the bound grew past REFRESH times the last full product's (the caller makes it again).
 */
function rankOne(m: i32, j: i32, s: f64): bool {
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

@inline function lanesMax(x: v128): f64 {
  return max(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}

/**
 * Layer m's map after layer m - 1's moved by V (D0, D1) (+ its rounding R) with its states the
 * same: V' = W D V, one channel, 8 outputs at a time, and the map plus V' (D0, D1). Bound
 * (numerics.md, "Propagated map"): the previous one plus V''s rounding times |D|, the input's
 * rounding through W, and the update's own. True when it grew past REFRESH times the last full
 * product's.
 */
function propagate(m: i32): bool {
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


/**
 * Layer m's whole bound per channel (against the exact map), state-blind: its own, plus the layer
 * above's whole bound (TT, kept by its decide: the layers above are not changed while the walk is
 * below them) through |W|_inf, from the segment's input bound. The same doubles as the chain from
 * layer 0 each time.
 */
let T0: f64 = 0;
let T1: f64 = 0;
function totalBound(m: i32): void {
  const t0 = m == 0 ? inErr0 : gd(m - 1, TT0);
  const t1 = m == 0 ? inErr1 : gd(m - 1, TT1);
  const norm = gd(m, NORM);
  T0 = (gd(m, L0) + norm * t0) * (1 + 4 * EPS);
  T1 = (gd(m, L1) + norm * t1) * (1 + 4 * EPS);
}

/**
 * Layer m's whole bound per unit (m >= 1, PERUNIT), carried through the states as the engine's
 * (line.ts carry): both maps have layer m - 1's states on this piece, so an off relu passes
 * nothing and output i's input error is at most sum_j |W_ij| E_j over the active units j, E_j
 * unit j's whole bound (EA, EB of a PERUNIT layer, else its channel's TT). The sum of n
 * non-negative products rounds by at most (n + 1) roundoffs, or 2^-1075 each where it underflows:
 * (s + (n + 2) 2^-1074) (1 + (n + 16) u), the engine's widening. Then the unit's whole bound
 * (L + that) (1 + 4 u), plus 2^-1000. T0, T1: their largest.
 */
function carry(m: i32): void {
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

let ADJ_STRIDE: i32 = 0;
let ADJ_C: i32 = 0;
let ADJ_RA: i32 = 0; // the levels' sum so far per row, channel a
let ADJ_RB: i32 = 0;
let ADJ_SA: i32 = 0; // the bound at the last level per row, channel a
let ADJ_SB: i32 = 0;
// More than every absolute loss of a measure (underflowing products, spread by |W| <= 2^50):
// 2^-990, kept by a sum whose ulp is below it.
const ADJ_SLACK: f64 = 9.556619453472961e-299; // 2^-990
const ADJ_STOP: f64 = 9.313225746154785e-10; // 2^-30: a level whose part is under this of the values ends the chain
const ADJ_LEVELS: i32 = 64; // at most this many levels (F grows like the carried bound): then the chain ends there
const ADJ_EVERY: i32 = 4; // the end is tried every this many levels (its test costs more than a kept level)
// Kept chains (cost only): U and F at level l of layer m's chain are functions of the states of
// the layers between alone (and the weights), so each slot keeps one layer's levels, each with
// the states it went on with; the next measure of that layer makes them again only from the
// first level whose states changed. The same operations in the same order: the same doubles.
const ADJ_SLOTS: i32 = 4;
let ADJ_LEVEL_BYTES: i32 = 0;
let ADJ_SLOT_BYTES: i32 = 0;
let ADJ_OK: bool = false; // false: no measure (line-walk.ts: too wide, or weights past 2^50)
let ADJ_MEM: i32 = 0; // the chains' memory, made at the first measure (0: not yet)
let ADJ_ROWS: i32 = 0; // the level's row sums of |U| + F
// per slot (i32 each, in raw memory: nothing managed here): its layer, the levels made (0 .. valid - 1), when last used
let SLOT_LAYER: i32 = 0;
let SLOT_VALID: i32 = 0;
let SLOT_STAMP: i32 = 0;
let stampNow: i32 = 0;

/** Lays out the adjoint bound's memory (configure): widest units per layer, words of states at most per layer. */
function adjointLayout(widest: i32, adjoint: i32): void {
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

@inline function levelAt(slot: i32, l: i32): i32 {
  return ADJ_MEM + slot * ADJ_SLOT_BYTES + l * ADJ_LEVEL_BYTES;
}

/** Measures made and levels made (not kept), for tests and benches. */
let measures: i32 = 0;
let levelsMade: i32 = 0;
export function measureCount(): i32 {
  return measures;
}
export function levelCount(): i32 {
  return levelsMade;
}

/**
 * n words from b to a (a few words, mostly one: a loop, not memory.copy, which V8 runs as a call
 * out of the module, its cost on each carried decide).
 */
@inline function copyWords(a: i32, b: i32, n: i32): void {
  for (let w = 0; w < n; w++) store<u32>(<usize>(a + (w << 2)), load<u32>(<usize>(b + (w << 2))));
}

/** n doubles at a set to 0, n a multiple of 8 (a row of a level: as copyWords, not memory.fill). */
@inline function zeroRow(a: i32, n: i32): void {
  const z = f64x2.splat(0);
  for (let i = 0; i < n; i += 8) {
    const o = <usize>(a + (i << 3));
    v128.store(o, z);
    v128.store(o, z, 16);
    v128.store(o, z, 32);
    v128.store(o, z, 48);
  }
}

/** Whether n words at a and b are the same (a few words: a loop, not memory.compare's bytes). */
@inline function sameWords(a: i32, b: i32, n: i32): bool {
  for (let w = 0; w < n; w++) if (load<u32>(<usize>(a + (w << 2))) != load<u32>(<usize>(b + (w << 2)))) return false;
  return true;
}

/**
 * Layer m's bound per unit (PERUNIT) lowered to the adjoint bound where that is smaller (both
 * hold). False: no measure here (none configured).
 */
function measure(m: i32): bool {
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

// ---- a piece's breakpoints ------------------------------------------------------------------

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
function decide(m: i32): bool {
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

const DECIDED = 0;
const OPEN = 1; // a bound left a sign, a root or an order open
const REFUSED = 2; // a value out of range or near the subnormals: no bound helps

/** decide's tests with the bound T0, T1 (per: each unit's, EA and EB). */
function decideWith(m: i32, per: bool): i32 {
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

@inline function lanesMin(x: v128): f64 {
  return min(f64x2.extract_lane(x, 0), f64x2.extract_lane(x, 1));
}

/** Whether a value of the map (a, b: n units) is non-zero and under thr. */
function nonzeroBelow(a: i32, b: i32, n: i32, thr: f64): bool {
  for (let i = 0; i < n; i++) {
    const x = abs(ld(a, i));
    const y = abs(ld(b, i));
    if ((x < thr && x != 0) || (y < thr && y != 0)) return true;
  }
  return false;
}

/** Layer p + 1's piece: layer p's current sub-piece. */
function childPiece(p: i32): void {
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

/**
 * From layer m, whose map is made: decide it, then make and decide each layer below on the first
 * sub-piece (full products, or propagated from the change V (D0, D1) while the states agree).
 * False: give up.
 */
function chain(m: i32, full: bool): bool {
  for (;;) {
    if (!decide(m)) return false;
    if (m + 1 == K) {
      // the last relu's input: its largest values over the segment bound the output's
      segBigA = max(segBigA, gd(m, MAXA));
      segBigB = max(segBigB, gd(m, MAXB));
      return true;
    }
    childPiece(m);
    if (full || gd(m + 1, REFRESH_AT) <= 1) {
      fullProduct(m + 1);
      full = true;
    } else {
      if (gi(m, SAME) == 0) return false;
      if (propagate(m + 1)) {
        fullProduct(m + 1);
        full = true;
      }
    }
    m++;
  }
  return false;
}

// ---- distinct patterns ----------------------------------------------------------------------

let setCap: i32 = 0;
let setSize: i32 = 0;
/** The last segment's pieces (as the engine emits them: one per leaf sub-piece). */
let pieceCount: i32 = 0;
let setRound: i32 = 0;
let SLOTS: i32 = 0;
let STAMPS: i32 = 0;
let STORED: i32 = 0;

/**
 * A new layout: the set is made again at the next segment (growSet), empty. Its size too: growSet
 * places the set's patterns again, and the last segment's (of another network, possibly more
 * than its 256 first slots hold) once made it probe a full table forever.
 */
function forgetPatterns(): void {
  setCap = 0;
  setSize = 0;
}

function patternHash(p: i32): u32 {
  let h: u32 = 0x9e3779b9;
  for (let w = 0; w < WORDS; w++) h = (h ^ load<u32>(<usize>(p + (w << 2)))) * 0x85ebca6b ^ (h >>> 15);
  h = (h ^ (h >>> 16)) * 0x7feb352d;
  return h ^ (h >>> 15);
}

function growSet(): void {
  const cap = setCap == 0 ? 256 : setCap << 1;
  const slots = alloc(cap << 2);
  const stamps = alloc(cap << 2);
  const stored = alloc((cap >> 1) * (WORDS << 2));
  memory.fill(<usize>stamps, 0, <usize>(cap << 2));
  if (setCap > 0) memory.copy(<usize>stored, <usize>STORED, <usize>(setSize * (WORDS << 2)));
  SLOTS = slots;
  STAMPS = stamps;
  STORED = stored;
  setCap = cap;
  setRound = 1;
  for (let i = 0; i < setSize; i++) {
    let s = <i32>(patternHash(STORED + i * (WORDS << 2)) & <u32>(cap - 1));
    while (li(STAMPS, s) == setRound) s = (s + 1) & (cap - 1);
    si(STAMPS, s, setRound);
    si(SLOTS, s, i);
  }
}

function addPattern(): void {
  pieceCount++;
  if (2 * (setSize + 1) > setCap) growSet();
  const mask = setCap - 1;
  const bytes = WORDS << 2;
  let s = <i32>(patternHash(PAT) & <u32>mask);
  for (;;) {
    if (li(STAMPS, s) != setRound) {
      const at = STORED + setSize * bytes;
      copyWords(at, PAT, WORDS);
      si(STAMPS, s, setRound);
      si(SLOTS, s, setSize);
      setSize++;
      return;
    }
    const at = STORED + li(SLOTS, s) * bytes;
    if (sameWords(at, PAT, WORDS)) return;
    s = (s + 1) & mask;
  }
}

// ---- the walk -------------------------------------------------------------------------------

/** Where the current states are (WORDS words; for tests: after a count, the segment's last piece's). */
export function pattern(): i32 {
  return PAT;
}

/** The pieces of the last segment counted (each one a cell of a budget, as the engine ticks them). */
export function pieces(): i32 {
  return pieceCount;
}

/**
 * Counts the activation regions of the segment x(t) = c + t e, t in [t0, t1] (c, e at INPUT,
 * within (err0, err1) of the exact segment's map): its distinct patterns. 0: gave up.
 */
export function segment(t0: f64, t1: f64, err0: f64, err1: f64): i32 {
  if (setCap == 0) growSet();
  setRound++;
  if (setRound == 0x7fffffff) {
    memory.fill(<usize>STAMPS, 0, <usize>(setCap << 2));
    setRound = 1;
  }
  setSize = 0;
  pieceCount = 0;
  gathered = -1;
  inErr0 = err0;
  inErr1 = err1;
  pd(0, LO, t0);
  pd(0, DLO, 0);
  pd(0, HI, t1);
  pd(0, DHI, 0);
  segBigA = 0;
  segBigB = 0;
  fullProduct(0);
  if (!chain(0, true)) return 0;
  const leaf = K - 1;
  for (;;) {
    // the leaf layer's sub-pieces, each a piece of the segment
    const n = gi(leaf, EVN);
    const evu = gi(leaf, EVU);
    const w0 = gi(leaf, WORD0);
    for (let i = 0; i <= n; i++) {
      addPattern();
      if (i == n) break;
      const j = li(evu, i);
      const wp = <usize>(PAT + ((w0 + (j >> 5)) << 2));
      const bit: u32 = 1 << (<u32>j & 31);
      const now = load<u32>(wp) ^ bit;
      store<u32>(wp, now);
      if (gathered == leaf) gathered = -1;
    }
    pi(leaf, EVI, n);
    // up to the deepest layer with a breakpoint left, across it, and down again
    let p = leaf - 1;
    while (p >= 0 && gi(p, EVI) == gi(p, EVN)) p--;
    if (p < 0) break;
    const e = gi(p, EVI);
    const j = li(gi(p, EVU), e);
    const wp = <usize>(PAT + ((gi(p, WORD0) + (j >> 5)) << 2));
    const bit: u32 = 1 << (<u32>j & 31);
    const now = load<u32>(wp) ^ bit;
    store<u32>(wp, now);
    if (gathered == p) gathered = -1;
    pi(p, EVI, e + 1);
    const m = p + 1;
    childPiece(p);
    let full = false;
    // (a layer whose REFRESH_AT is 1 always has a full product: no update to make first)
    if (gd(m, REFRESH_AT) <= 1 || rankOne(m, j, (now & bit) != 0 ? 1 : -1)) {
      fullProduct(m);
      full = true;
    }
    if (!chain(m, full)) return 0;
  }
  // The output step's values (and the engine's bounds on them) stay far inside float64's range;
  // none can fall below its normal range: every product in it is 0 or above 2^-900 (SMALL).
  const reach = max(abs(t0), abs(t1));
  if (!(OUT_NORM * (segBigA + segBigB * reach) + OUT_BIAS < OUT_MAX)) return 0;
  return setSize;
}
