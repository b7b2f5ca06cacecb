/**
 * The plane engine's adjoint bound of how far a deep map is from the network's exact map, on one
 * cell whose states above are settled (docs/numerics.md, "An adjoint bound on a settled chain (the
 * plane engine)"): the rows of the signed products W D ... W D backwards from the map cut, with a
 * rigorous bound of their own rounding, times each step's local bound (adjoint-chain.ts's level).
 *
 * What is the plane's own: its links (the fused steps' weights, the states' slopes and the local
 * bound per channel, so any number of channels), the rows of a cut's units in one pass, each row's
 * rounding constants, and the |W|_inf guard under which units of slope 0 are not summed.
 */

import { AdjointLevel, gatherRows, multiplyRows } from "./adjoint-chain.ts";
import { EPS } from "./map-error.ts";

/** One fused step of a settled chain: y = W f_D(x) + b computed within `local` of that from the computed x. */
export interface AdjointLink {
  /** The dense step's weights, row-major outSize x inSize. */
  weight: Float64Array;
  inSize: number;
  outSize: number;
  /** Per input unit, the slope of its state on the cell (D; a relu 0 or 1, a hard tanh's flat part 0). */
  slopes: Float64Array;
  /** Per channel, a bound of every output's rounding against W f_D(x) + b, x the computed input. */
  local: Float64Array;
  /** The weights' largest row sum of |w| (map-error.ts normInfOf), if the maker has it; else adjointRow makes it. */
  normInf?: number;
}

/**
 * Absolute margin added to every rounded-up quantity: it covers products that underflow (each
 * loses at most 2^-1075; far fewer than 2^70 of them meet in one sum) and is nothing beside any
 * bound a decision reads.
 */
const TINY = 2 ** -1000;

/** Reused buffers (the rows, their rounding bounds, and the next ones: row b at b times the chain's width). */
export class AdjointScratch {
  u = new Float64Array(0);
  f = new Float64Array(0);
  nu = new Float64Array(0);
  nf = new Float64Array(0);
  /** A level's rows gathered and the units it passes (adjoint-chain.ts), and per row its sum of |u| + f. */
  readonly level = new AdjointLevel();
  sums = new Float64Array(0);
  /** adjointRow's one row. */
  readonly one = new Int32Array(1);

  size(width: number, rows: number): void {
    this.level.size(rows, width, width);
    if (this.sums.length < rows) this.sums = new Float64Array(rows);
    const n = width * rows;
    if (this.u.length >= n) return;
    this.u = new Float64Array(n);
    this.f = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.nf = new Float64Array(n);
  }
}

/**
 * Bound per channel (into out[0 .. channels)) of |z_i - z*_i|, z the computed output of the chain
 * links[0 .. count) (links[count - 1] the last step, whose output z is) and z* the exact map, given
 * that the first link's input is within start[c] of its exact map in every unit: backwards from
 * u = e_i, f = 0, at the end S = sum(|u| + f) times start. Infinity or NaN where the arithmetic
 * overflows (the caller then keeps its other bound).
 */
export function adjointRow(links: readonly AdjointLink[], count: number, start: Float64Array, channels: number, i: number, out: Float64Array, scratch: AdjointScratch): void {
  scratch.one[0] = i;
  adjointRows(links, count, start, channels, scratch.one, 1, out, scratch);
}

/**
 * adjointRow for the rows rows[0 .. rowCount) at once, row rows[b]'s bound into
 * out[b channels .. (b + 1) channels): each the same doubles as adjointRow's alone (the same
 * operations in the same order), the chain's links read once a level for all of them.
 */
export function adjointRows(
  links: readonly AdjointLink[],
  count: number,
  start: Float64Array,
  channels: number,
  rows: Int32Array,
  rowCount: number,
  out: Float64Array,
  scratch: AdjointScratch,
): void {
  let width = 0;
  for (let k = 0; k < count; k++) width = Math.max(width, links[k].inSize, links[k].outSize);
  scratch.size(width, rowCount);
  let { u, f, nu, nf } = scratch;
  const { level, sums } = scratch;
  const { active, all } = level;
  let n = links[count - 1].outSize;
  for (let b = 0; b < rowCount; b++) {
    const o = b * width;
    u.fill(0, o, o + n);
    f.fill(0, o, o + n);
    u[o + rows[b]] = 1;
    for (let c = 0; c < channels; c++) out[b * channels + c] = 0;
  }
  // The entries of the rows that may not be 0: the units the last level passed, in order.
  let support = all;
  let supportSize = n;
  for (let k = count - 1; k >= -1; k--) {
    const L = k >= 0 ? links[k].local : start;
    // S = sum |u| + f: n + 1 roundings down at most, times (1 + (n + 3) eps) and TINY.
    const grow = 1 + (n + 3) * EPS;
    const G = (n + 3) * EPS;
    const m = k >= 0 ? links[k].inSize : 0;
    gatherRows(u, f, width, rowCount, support, supportSize, G, m, sums, level);
    for (let b = 0; b < rowCount; b++) {
      const S = sums[b] * grow + TINY;
      const at = b * channels;
      for (let c = 0; c < channels; c++) if (L[c] !== 0) out[at + c] += S * L[c];
    }
    if (k < 0) break;
    const link = links[k];
    const slopes = link.slopes;
    // u W: n products summed per entry, then times the slope: n + 1 roundings, G = (n + 3) eps
    // bounds their relative effect; f's own sum: each term passes G|u| (1), + f (1), |W| (1),
    // n - 1 additions, |slope| (1): (n + 3) roundings down, so times (1 + (n + 5) eps).
    const up = 1 + (n + 5) * EPS;
    // Only the units whose slope is not 0 pass anything: a sum times 0 is 0 where the sum is
    // finite, which it is wherever |u| + f summed times the weights' |W|_inf stays far from
    // overflow (no partial sum is larger). Else (huge, or a weight not finite, in any row)
    // every unit is summed as the bound's definition has it (a non-finite sum times 0 is NaN).
    const norm = weightNorm(link);
    let skip = true;
    for (let b = 0; b < rowCount; b++) if (!(sums[b] * norm < 2 ** 1000)) skip = false;
    let na = 0;
    for (let j = 0; j < m; j++) if (!skip || slopes[j] !== 0) active[na++] = j;
    // Every sum adds its rows' terms from 0 in the rows' order, as the definition does: the same double.
    // (level.floors: 0, never written here; TINY covers the underflows.)
    multiplyRows(level, width, rowCount, link.weight, active, na, slopes, level.floors, up, TINY, nu, nf, width);
    support = active;
    supportSize = na;
    const tu = u;
    u = nu;
    nu = tu;
    const tf = f;
    f = nf;
    nf = tf;
    n = m;
  }
  scratch.u = u;
  scratch.f = f;
  scratch.nu = nu;
  scratch.nf = nf;
  // The accumulation: count + 1 additions of products (2 roundings each, beside S's own).
  const widen = 1 + (count + 8) * EPS;
  for (let b = 0; b < rowCount * channels; b++) out[b] = out[b] * widen + TINY;
}

/**
 * A bound of every |w| of the link's weights (their largest row sum, at least each term: a sum
 * of non-negative terms rounded to nearest never falls below one of them), NaN or Infinity where
 * a weight is not finite; kept in the link (normInf) by its maker, else made here.
 */
function weightNorm(link: AdjointLink): number {
  if (link.normInf !== undefined) return link.normInf;
  const W = link.weight;
  const m = link.inSize;
  let best = 0;
  for (let r = 0; r < link.outSize; r++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += Math.abs(W[r * m + j]);
    best = Math.max(best, row);
  }
  return best;
}

/**
 * What a test watches or changes of the plane engine's adjoint bounds (test/regions/plane-adjoint
 * and plane-kernel-adjoint.test.ts, bench/plane-kernel-check.ts): handed to planePartition
 * (PlaneOptions.adjointProbe) or planePartitionShare, which give it to the engine and the kernel
 * they make. None by default: nothing else reads it.
 */
export interface PlaneAdjointProbe {
  /**
   * Called with every unit's adjoint bound plane.ts makes (step s, unit j, the map cut (3
   * channels x units), the bound per channel and the cell's states of step k < s), to check it
   * against the exact map. While it is there the kernel (plane-cut.ts) makes no adjoint bound: it
   * gives up where one is needed, and plane.ts makes them all.
   */
  seen?: (s: number, j: number, z: Float64Array, bound: Float64Array, states: (k: number) => Uint8Array) => void;
  /** True: neither plane.ts nor the kernel makes any (the path before them, the reference they are compared with). */
  off?: boolean;
  /**
   * Given, once per kernel run, every adjoint bound the kernel made (5 doubles each: its step,
   * counted from the first elementwise step, the unit, and the bound's three channels as
   * plane-adjoint.ts computes them), in order; not called when the kernel does not run.
   */
  kernelBounds?: (records: Float64Array) => void;
}
