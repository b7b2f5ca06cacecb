/**
 * One piece of the shallow representation: for an activation region S,
 *
 *   g_S(x) = f_S(x) - sum_h lambda_{S,h} relu(a_h(x)),   a_h = -sigma_h (z_u^S - t_h),
 *
 * a one-hidden-layer relu network plus an affine term, with g_S <= f everywhere and g_S = f on
 * S's region (where every a_h <= 0). lambda_S = (I - Jhat)^{-T} |min(M, 0)| per output, with
 * M the kink-weighted sensitivities and Jhat the hinge coupling (frozen.ts); the proof is in
 * docs/shallow.md. Hinges whose lambda is zero for every output are dropped: they are not
 * hidden units of the piece.
 */
import type { FrozenRegion } from "./frozen.ts";

export interface ShallowPiece {
  /** f_S: outputSize x (n0 + 1), row o = [constant, d/dx_1, ..., d/dx_n0]. */
  affine: Float64Array;
  /** Number of hidden relu units of the piece. */
  hidden: number;
  /** Hidden unit i computes relu(hiddenMaps[i] . [1, x]): hidden x (n0 + 1). */
  hiddenMaps: Float64Array;
  /** lambda >= 0, hidden x outputSize: g_S = f_S - lambda^T relu(hidden). */
  lambda: Float64Array;
  /** The hinge (index into hingesOf) behind each hidden unit. */
  hinge: Int32Array;
}

/** Solve (I - Jhat)^T lambda = |min(M, 0)| for every output; Jhat is strictly lower triangular. */
export function pieceWeights(frozen: FrozenRegion, hingeCount: number): Float64Array {
  const H = hingeCount;
  const m = frozen.outputSize;
  const J = frozen.coupling;
  const lambda = new Float64Array(H * m);
  for (let o = 0; o < m; o++) {
    // Back substitution: lambda_h = c_h + sum_{h' > h} Jhat[h'][h] lambda_{h'}.
    for (let h = H - 1; h >= 0; h--) {
      let acc = Math.max(0, -frozen.sensitivity[h * m + o]);
      for (let r = h + 1; r < H; r++) {
        const j = J[r * H + h];
        if (j !== 0) acc += j * lambda[r * m + o];
      }
      lambda[h * m + o] = acc;
    }
  }
  return lambda;
}

export function shallowPiece(frozen: FrozenRegion, hingeCount: number): ShallowPiece {
  const H = hingeCount;
  const m = frozen.outputSize;
  const width = frozen.inputSize + 1;
  const all = pieceWeights(frozen, H);
  const kept: number[] = [];
  for (let h = 0; h < H; h++) {
    let used = false;
    for (let o = 0; o < m; o++) if (all[h * m + o] > 0) used = true;
    if (used) kept.push(h);
  }
  const hidden = kept.length;
  const hiddenMaps = new Float64Array(hidden * width);
  const lambda = new Float64Array(hidden * m);
  kept.forEach((h, i) => {
    hiddenMaps.set(frozen.hingeMaps.subarray(h * width, (h + 1) * width), i * width);
    lambda.set(all.subarray(h * m, (h + 1) * m), i * m);
  });
  return { affine: frozen.affine, hidden, hiddenMaps, lambda, hinge: Int32Array.from(kept) };
}

/** g_S(x) for every output, written to out[outOff ..]. */
export function evaluatePiece(piece: ShallowPiece, x: ArrayLike<number>, out: Float64Array, outOff = 0): void {
  const n0 = x.length;
  const width = n0 + 1;
  const m = piece.affine.length / width;
  for (let o = 0; o < m; o++) {
    let acc = piece.affine[o * width];
    for (let i = 0; i < n0; i++) acc += piece.affine[o * width + 1 + i] * x[i];
    out[outOff + o] = acc;
  }
  for (let k = 0; k < piece.hidden; k++) {
    let a = piece.hiddenMaps[k * width];
    for (let i = 0; i < n0; i++) a += piece.hiddenMaps[k * width + 1 + i] * x[i];
    if (a <= 0) continue;
    for (let o = 0; o < m; o++) out[outOff + o] -= piece.lambda[k * m + o] * a;
  }
}
