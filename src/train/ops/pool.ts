/**
 * Pooling ops over the windows the engines use (model/pool.ts), so training and counting see
 * the same function: max-pool takes the first of tied maxima and never a padded cell;
 * average-pool divides by the window's taps (with or without the padding, as the layer says).
 */
import type { AvgPoolLayer, MaxPoolLayer } from "../../model/layers.ts";
import { poolWindows } from "../../model/pool.ts";
import type { Op } from "./op.ts";

/**
 * y_j = max of x over the index group indices[offsets[j] .. offsets[j+1]) (first of tied maxima);
 * the gradient goes to the chosen input. Max-pool windows and maxout groups alike.
 */
export function groupMaxOp(inSize: number, offsets: Int32Array, indices: Int32Array, maxBatch: number): Op {
  const n = inSize;
  const m = offsets.length - 1;
  const y = new Float64Array(maxBatch * m);
  const chosen = new Int32Array(maxBatch * m);
  const dx = new Float64Array(maxBatch * n);
  return {
    inSize: n,
    outSize: m,
    forward(x, batch) {
      for (let b = 0; b < batch; b++) {
        const xo = b * n;
        for (let j = 0; j < m; j++) {
          let best = indices[offsets[j]];
          let bestValue = x[xo + best];
          for (let p = offsets[j] + 1; p < offsets[j + 1]; p++) {
            const v = x[xo + indices[p]];
            if (v > bestValue) {
              bestValue = v;
              best = indices[p];
            }
          }
          chosen[b * m + j] = best;
          y[b * m + j] = bestValue;
        }
      }
      return y;
    },
    backward(dy, batch) {
      dx.fill(0, 0, batch * n);
      for (let b = 0; b < batch; b++) for (let j = 0; j < m; j++) dx[b * n + chosen[b * m + j]] += dy[b * m + j];
      return dx;
    },
  };
}

export function maxPoolOp(layer: MaxPoolLayer, inShape: readonly number[], maxBatch: number): Op {
  const { offsets, indices } = poolWindows(layer, inShape, layer.ceilMode);
  return groupMaxOp(inShape[0] * inShape[1] * inShape[2], offsets, indices, maxBatch);
}

export function avgPoolOp(layer: AvgPoolLayer, inShape: readonly number[], maxBatch: number): Op {
  const { offsets, indices, paddedTaps } = poolWindows(layer, inShape, layer.ceilMode);
  const n = inShape[0] * inShape[1] * inShape[2];
  const m = offsets.length - 1;
  const inverse = new Float64Array(m);
  for (let j = 0; j < m; j++) inverse[j] = 1 / (layer.countIncludePad ? paddedTaps[j] : offsets[j + 1] - offsets[j]);
  const y = new Float64Array(maxBatch * m);
  const dx = new Float64Array(maxBatch * n);
  return {
    inSize: n,
    outSize: m,
    forward(x, batch) {
      for (let b = 0; b < batch; b++) {
        const xo = b * n;
        for (let j = 0; j < m; j++) {
          let acc = 0;
          for (let p = offsets[j]; p < offsets[j + 1]; p++) acc += x[xo + indices[p]];
          y[b * m + j] = acc * inverse[j];
        }
      }
      return y;
    },
    backward(dy, batch) {
      dx.fill(0, 0, batch * n);
      for (let b = 0; b < batch; b++) {
        const xo = b * n;
        for (let j = 0; j < m; j++) {
          const g = dy[b * m + j] * inverse[j];
          for (let p = offsets[j]; p < offsets[j + 1]; p++) dx[xo + indices[p]] += g;
        }
      }
      return dx;
    },
  };
}
