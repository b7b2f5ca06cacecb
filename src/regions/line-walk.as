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
//
// This file is the module's entry (its exports, the layout, the walk); its parts, by concept, are
// in line-walk/: memory.as (the allocator, loads and stores, word loops), layers.as (the rounding
// constants, the per-layer records and the walk's state), product.as (full products, rank-one
// updates, propagated changes), carry.as (a layer's whole bound, state-blind or carried per
// unit), measure.as (the adjoint bound), decide.as (a piece's signs and breakpoints) and
// patterns.as (the distinct patterns). scripts/asc.mjs compiles them as one module.
import { top, alloc, li } from "./line-walk/memory";
import { OUT_MAX, EVU, WORD0, EVN, EVI, LO, DLO, HI, DHI, SAME, MAXA, MAXB, REFRESH_AT, gi, pi, gd, pd, LAY, K, N0, INPUT, WORDS, PAT, ACT, IDX, XA, XB, EVQ, SAVED, inErr0, inErr1, OUT_NORM, OUT_BIAS, segBigA, segBigB } from "./line-walk/layers";
import { gathered, fullProduct, rankOne, propagate } from "./line-walk/product";
import { adjointLayout } from "./line-walk/measure";
import { decide, childPiece } from "./line-walk/decide";
import { setCap, setSize, pieceCount, setRound, STAMPS, forgetPatterns, growSet, addPattern } from "./line-walk/patterns";

/** Forget everything allocated (a new network's layout). */
export function reset(): void {
  top = (<i32>__heap_base + 15) & ~15;
  forgetPatterns();
}

export { alloc } from "./line-walk/memory";

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

export { measureCount, levelCount } from "./line-walk/measure";

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
