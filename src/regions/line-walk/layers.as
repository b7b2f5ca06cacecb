// line-walk.as's rounding constants and the per-layer records (fields at fixed offsets), with the
// walk's module state: the network's layout, scratch lists, the chain's change.

export const EPS: f64 = 1.1102230246251565e-16; // 2^-53
export const SUBNORMAL_SLACK: f64 = 9.332636185032189e-302; // 2^-1000
export const BIG: f64 = 1.0715086071862673e301; // 2^1000
export const MIN_SUBNORMAL: f64 = 4.9406564584124654e-324; // 2^-1074
export const OUT_MAX: f64 = 7.090649168385425e+277; // 2^923: the output's values stay below it (and the engine's bounds on them finite)
// A propagated or updated map's bound past this many times its last full product's: a full product
// (layers with their own REFRESH_AT: that instead).
export const REFRESH: f64 = 16;

/** A bound's rounding to the smallest subnormals (2^-1000 covers the ops of any layer) where it is not 0. */
@inline export function tinyIf(x: f64): f64 {
  return x > 0 ? x + SUBNORMAL_SLACK : x;
}

// ---- the layers -------------------------------------------------------------------------------
//
// Dense layer k (0 .. K-1), each followed by relu (their units make the pattern), has a record of
// STRIDE bytes at LAY + k STRIDE. The network's last dense step, when there is one (no pattern),
// is not walked: the engine only refuses its values out of float64's range, which the largest
// values of the last relu's input bound (OUT_NORM, OUT_BIAS). Fields (i32 and f64 alike in 8-byte
// slots):

export const STRIDE: i32 = 320;
// set by line-walk.ts
export const NIN = 0; // inputs
export const NOUT = 8; // outputs
export const NPAD = 16; // outputs padded to a multiple of 8 (zero weights, bias -1: see BIAS)
export const WT = 24; // weights in panels of 8 outputs: outputs 8b .. 8b + 7 of input j at WT + 64 (b NIN + j)
export const BIAS = 32; // NPAD; -1 for a dead unit (zero row and bias: 0 on every input, so off) and the padding, which are then off on every piece
export const COLMAX = 40; // per input j: max_i |W_ij|
export const NORM = 48; // |W|_inf rounded up
export const BIASMAX = 56; // max |bias|
export const SMALL = 64; // a non-zero value of this layer's map below this gives up (2^-900, or that over the next layer's smallest weight: near float64's subnormal range)
export const A = 72; // map, constant term per unit (NPAD)
export const B = 80; // map, slope per unit (NPAD)
export const V = 88; // the last change's direction per unit (NPAD): the map moved by V (D0, D1)
export const EVR = 96; // the current piece's breakpoints, sorted (NOUT)
export const EVF = 104; // their radii: the exact breakpoint is within EVR +- EVF
export const EVU = 112; // their units (i32)
export const WORD0 = 120; // first pattern word of the layer's states
export const NWORDS = 128; // its words
// set by the walk
export const EVN = 136; // breakpoints in the current piece
export const EVI = 144; // sub-pieces of the current piece done (the walk is in sub-piece EVI)
export const LO = 152; // the current piece: [LO +- DLO, HI +- DHI] holds its exact ends
export const DLO = 160;
export const HI = 168;
export const DHI = 176;
export const L0 = 184; // the map's rounding against the exact product of this layer's computed input, per channel
export const L1 = 192;
export const LF0 = 200; // the same right after the last full product
export const LF1 = 208;
export const R0 = 216; // the last change's own rounding: the map moved by V (D0, D1) + r, |r| <= R
export const R1 = 224;
export const VMAX = 232; // max |V|
export const SAME = 240; // whether the last decide found the states it left at the end of the previous piece
export const MAXA = 248; // the map's largest |value| per channel (NaN may be missed: a NaN value leaves its signs open)
export const MAXB = 256;
// set by line-walk.ts
export const EA = 264; // the map's whole bound per unit (NPAD), constant term, where PERUNIT (carry)
export const EB = 272; // the same, slope
export const PERUNIT = 280; // 1: the layers above's bound reaches this one per unit, through the states (carry); 0: through |W|_inf
// set by the walk
export const TT0 = 288; // the map's whole bound per channel (against the exact map): the largest of EA, or the chain through |W|_inf
export const TT1 = 296;
// set by line-walk.ts
export const REFRESH_AT = 304; // this layer's REFRESH (line-walk.ts: 1, a full product always, where the bound grows past 2^64 to the last layer)
export const ABSWT = 312; // |W| in WT's panels (carry's and measure's sums of |W| terms read them: no abs per use)

@inline export function gi(k: i32, f: i32): i32 { return load<i32>(<usize>(LAY + k * STRIDE + f)); }
@inline export function pi(k: i32, f: i32, x: i32): void { store<i32>(<usize>(LAY + k * STRIDE + f), x); }
@inline export function gd(k: i32, f: i32): f64 { return load<f64>(<usize>(LAY + k * STRIDE + f)); }
@inline export function pd(k: i32, f: i32, x: f64): void { store<f64>(<usize>(LAY + k * STRIDE + f), x); }

export let LAY: i32 = 0;
export let K: i32 = 0;
export let N0: i32 = 0;
export let INPUT: i32 = 0; // the segment's local map: c (N0) then e (N0)
export let WORDS: i32 = 0;
export let PAT: i32 = 0; // the current piece's states, WORDS words
export let ACT: i32 = 0; // the active inputs' byte offsets in a panel of the next layer's weights
export let IDX: i32 = 0; // their units
export let XA: i32 = 0; // carry's input bounds by unit where the layer above's bound is per channel (its TT at each active unit)
export let XB: i32 = 0;
export let EVQ: i32 = 0; // decide's pairs with a breakpoint
export let SAVED: i32 = 0; // a layer's pattern words before decide's first try
// The chain's change: every map below the crossing moved by V (D0, D1).
export let D0: f64 = 0;
export let D1: f64 = 0;
export let inErr0: f64 = 0;
export let inErr1: f64 = 0;
// The output step's |W|_inf and largest |bias| (0 without one), and the segment's largest values
// of the last relu's input per channel.
export let OUT_NORM: f64 = 0;
export let OUT_BIAS: f64 = 0;
export let segBigA: f64 = 0;
export let segBigB: f64 = 0;
