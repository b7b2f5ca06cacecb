/**
 * The architecture the bounds see: input dimension n0 and, for each hidden piecewise-linear
 * layer, its number of units, their family and number of linear pieces, and (for a real network)
 * the numerical rank of the affine map that feeds the layer.
 *
 * - relu: 2 pieces, inactive units output 0 (the bottleneck argument of Serra et al. needs this).
 * - elementwise: any other scalar piecewise-linear unit (leaky-relu, abs: 2 pieces; hard-tanh: 3).
 * - maxout: rank-k maxout over k disjoint consecutive inputs (n inputs give n / k units).
 */

import { compile } from "../model/compile.ts";
import type { Network } from "../model/layers.ts";
import { type AffineStep, affineMatrix, isPiecewise, type Step, unitCount } from "../model/steps.ts";

export type UnitFamily = "relu" | "elementwise" | "maxout";

export interface HiddenLayer {
  width: number;
  family: UnitFamily;
  /** Linear pieces of one unit: 2 for relu, 3 for hard-tanh, k for rank-k maxout. */
  pieces: number;
  /** Numerical rank of the affine map feeding this layer (null for an architecture without weights). */
  rank: number | null;
  label: string;
}

/** What the bounds read from a network: input size and, per hidden layer, width, kind of unit and rank. */
export interface Architecture {
  n0: number;
  layers: HiddenLayer[];
  /** False for residual blocks, branches, max-pooling or stacked activations: most bounds then do not apply. */
  feedForward: boolean;
  /** Why it is not a plain feed-forward network (when feedForward is false). */
  note?: string;
}

export type ActivationSpec = { type: "relu" } | { type: "pieces"; p: number } | { type: "maxout"; k: number };

export function widthsOf(arch: Architecture): number[] {
  return arch.layers.map((l) => l.width);
}

export function totalUnits(arch: Architecture): number {
  return arch.layers.reduce((s, l) => s + l.width, 0);
}

/** An architecture from widths alone (no weights, so no ranks). */
export function denseArchitecture(n0: number, widths: readonly number[], activation: ActivationSpec = { type: "relu" }): Architecture {
  if (!Number.isInteger(n0) || n0 < 1) throw new Error(`input dimension must be a positive integer, got ${n0}`);
  if (widths.length === 0) throw new Error("an architecture needs at least one hidden layer");
  for (const w of widths) if (!Number.isInteger(w) || w < 1) throw new Error(`hidden widths must be positive integers, got ${w}`);
  const family: UnitFamily = activation.type === "relu" ? "relu" : activation.type === "maxout" ? "maxout" : "elementwise";
  const pieces = activation.type === "relu" ? 2 : activation.type === "maxout" ? activation.k : activation.p;
  if (!Number.isInteger(pieces) || pieces < 2) throw new Error(`units need at least 2 linear pieces, got ${pieces}`);
  return {
    n0,
    layers: widths.map((width, l) => ({
      width,
      family,
      pieces,
      rank: null,
      label: `layer ${l + 1}`,
    })),
    feedForward: true,
  };
}

/** The common family and piece count of every layer, or null when the layers differ. */
export function uniformUnits(arch: Architecture): { family: UnitFamily; pieces: number } | null {
  const first = arch.layers[0];
  if (!first) return null;
  for (const l of arch.layers) if (l.family !== first.family || l.pieces !== first.pieces) return null;
  return { family: first.family, pieces: first.pieces };
}

/** How `architectureOf` reads ranks from the weights. */
export interface ArchitectureOptions {
  /** Relative tolerance of the numerical rank (default 1e-10, see numericalRank). */
  rankTolerance?: number;
  /** Largest affine map (inSize x outSize) whose rank we compute (default 4e6 entries). */
  maxRankEntries?: number;
}

/**
 * The architecture of a network, read from its compiled steps (so conv layers, batch norm and
 * fused dense layers need no special case): each piecewise step is a hidden layer, and the rank
 * is that of the (fused) affine step right before it.
 */
export function architectureOf(network: Network, options: ArchitectureOptions = {}): Architecture {
  const steps = compile(network);
  const layers: HiddenLayer[] = [];
  const notes: string[] = [];
  let previous: Step | null = null;
  for (const step of steps) {
    if (!isPiecewise(step)) {
      if (step.kind !== "affine") notes.push(`it has a ${step.kind} step (residual or branch)`);
      previous = step;
      continue;
    }
    const width = unitCount(step);
    let family: UnitFamily;
    let pieces: number;
    if (step.kind === "elementwise") {
      pieces = step.breakpoints.length + 1;
      const isRelu = pieces === 2 && step.breakpoints[0] === 0 && step.slopes[0] === 0 && step.slopes[1] === 1 && step.intercepts[0] === 0 && step.intercepts[1] === 0;
      family = isRelu ? "relu" : "elementwise";
    } else {
      family = "maxout";
      pieces = step.offsets[1] - step.offsets[0];
      if (!isDisjointMaxout(step.offsets, step.indices, pieces)) {
        notes.push(`${step.label} takes maxima over overlapping or uneven windows (max-pooling)`);
      }
    }
    let rank: number | null = null;
    if (previous && previous.kind === "affine") rank = affineRank(previous, options);
    else if (previous && isPiecewise(previous)) notes.push(`${step.label} follows another activation with no affine layer between`);
    layers.push({
      width,
      family,
      pieces,
      rank,
      label: `layer ${layers.length + 1} (${step.label})`,
    });
    previous = step;
  }
  if (layers.length === 0) notes.push("it has no piecewise-linear layer");
  const arch: Architecture = {
    n0: network.inputSize,
    layers,
    feedForward: notes.length === 0,
  };
  if (notes.length > 0) arch.note = `not a plain feed-forward network: ${notes[0]}`;
  return arch;
}

function isDisjointMaxout(offsets: Int32Array, indices: Int32Array, k: number): boolean {
  for (let j = 0; j + 1 < offsets.length; j++) if (offsets[j + 1] - offsets[j] !== k) return false;
  for (let i = 0; i < indices.length; i++) if (indices[i] !== i) return false;
  return true;
}

function affineRank(step: AffineStep, options: ArchitectureOptions): number | null {
  const limit = options.maxRankEntries ?? 4_000_000;
  if (step.inSize * step.outSize > limit) return null;
  return numericalRank(affineMatrix(step), step.outSize, step.inSize, options.rankTolerance);
}

/**
 * Numerical rank of a row-major rows x cols float64 matrix: Gaussian elimination with complete
 * pivoting, counting pivots larger than relTol * max|a_ij| * max(rows, cols). Complete pivoting
 * makes the pivots decrease roughly like the singular values, and the tolerance is relative, so
 * scaling the matrix never changes its rank; exact duplicates or combinations of rows (built with
 * integer or dyadic weights) come out exactly dependent. Rows that differ by less than the
 * tolerance count as dependent: that is the intended reading of a "float64 rank".
 */
export function numericalRank(matrix: ArrayLike<number>, rows: number, cols: number, relTol = 1e-10): number {
  const a = Float64Array.from(matrix as ArrayLike<number>);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  if (scale === 0) return 0;
  const tol = relTol * scale * Math.max(rows, cols);
  const rowIdx = Int32Array.from({ length: rows }, (_, i) => i);
  const colIdx = Int32Array.from({ length: cols }, (_, j) => j);
  let rank = 0;
  for (let k = 0; k < Math.min(rows, cols); k++) {
    let best = 0;
    let bi = -1;
    let bj = -1;
    for (let i = k; i < rows; i++) {
      const r = rowIdx[i] * cols;
      for (let j = k; j < cols; j++) {
        const v = Math.abs(a[r + colIdx[j]]);
        if (v > best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    if (best <= tol) break;
    [rowIdx[k], rowIdx[bi]] = [rowIdx[bi], rowIdx[k]];
    [colIdx[k], colIdx[bj]] = [colIdx[bj], colIdx[k]];
    const pr = rowIdx[k] * cols;
    const pivot = a[pr + colIdx[k]];
    for (let i = k + 1; i < rows; i++) {
      const r = rowIdx[i] * cols;
      const f = a[r + colIdx[k]] / pivot;
      if (f === 0) continue;
      for (let j = k; j < cols; j++) a[r + colIdx[j]] -= f * a[pr + colIdx[j]];
    }
    rank++;
  }
  return rank;
}
