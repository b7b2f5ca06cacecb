/**
 * Batch normalisation, per channel (the first axis of the input shape: each unit of a flat
 * vector, each of the C maps of a C x H x W image).
 * - Training form: normalise by the batch's mean and (biased) variance over the batch and the
 *   channel's positions, y = gamma x_hat + beta; the running mean and (unbiased) variance in the
 *   layer move towards the batch's with `momentum` (PyTorch's rule, 0.1).
 * - Inference form: the same with the running statistics stored in the layer, which is the
 *   affine map the engines count (compile.ts folds it).
 * gamma and beta are the layer's own arrays, trained in place.
 */
import type { BatchNormLayer } from "../../model/layers.ts";
import { shapeSize } from "../../model/layers.ts";
import type { Op, Param } from "./op.ts";

export const BATCH_NORM_MOMENTUM = 0.1;

export function batchNormOp(layer: BatchNormLayer, inShape: readonly number[], maxBatch: number, params: Param[], name: string): Op {
  const size = shapeSize(inShape);
  const C = layer.size;
  const S = size / C;
  const gamma: Param = { value: layer.gamma, grad: new Float64Array(C), decay: false, name: `${name} gamma` };
  const beta: Param = { value: layer.beta, grad: new Float64Array(C), decay: false, name: `${name} beta` };
  params.push(gamma, beta);
  const y = new Float64Array(maxBatch * size);
  const xhat = new Float64Array(maxBatch * size);
  const dx = new Float64Array(maxBatch * size);
  const invStd = new Float64Array(C);
  let trainedForward = false;
  return {
    inSize: size,
    outSize: size,
    forward(x, batch, training) {
      trainedForward = training;
      const M = batch * S;
      for (let c = 0; c < C; c++) {
        let mean: number;
        let variance: number;
        if (training) {
          let s = 0;
          for (let b = 0; b < batch; b++) for (let p = b * size + c * S, e = p + S; p < e; p++) s += x[p];
          mean = s / M;
          let v = 0;
          for (let b = 0; b < batch; b++) for (let p = b * size + c * S, e = p + S; p < e; p++) v += (x[p] - mean) ** 2;
          variance = v / M;
          const unbiased = M > 1 ? v / (M - 1) : variance;
          layer.mean[c] += BATCH_NORM_MOMENTUM * (mean - layer.mean[c]);
          layer.variance[c] += BATCH_NORM_MOMENTUM * (unbiased - layer.variance[c]);
        } else {
          mean = layer.mean[c];
          variance = layer.variance[c];
        }
        const inv = 1 / Math.sqrt(variance + layer.epsilon);
        invStd[c] = inv;
        const g = layer.gamma[c];
        const sh = layer.beta[c];
        for (let b = 0; b < batch; b++) {
          for (let p = b * size + c * S, e = p + S; p < e; p++) {
            const h = (x[p] - mean) * inv;
            xhat[p] = h;
            y[p] = g * h + sh;
          }
        }
      }
      return y;
    },
    backward(dy, batch) {
      const M = batch * S;
      for (let c = 0; c < C; c++) {
        let sdy = 0;
        let sdyh = 0;
        for (let b = 0; b < batch; b++) {
          for (let p = b * size + c * S, e = p + S; p < e; p++) {
            sdy += dy[p];
            sdyh += dy[p] * xhat[p];
          }
        }
        gamma.grad[c] += sdyh;
        beta.grad[c] += sdy;
        const k = layer.gamma[c] * invStd[c];
        if (trainedForward) {
          // The batch statistics depend on every row: dx = k (dy - mean(dy) - x_hat mean(dy x_hat)).
          const mdy = sdy / M;
          const mdyh = sdyh / M;
          for (let b = 0; b < batch; b++) for (let p = b * size + c * S, e = p + S; p < e; p++) dx[p] = k * (dy[p] - mdy - xhat[p] * mdyh);
        } else {
          for (let b = 0; b < batch; b++) for (let p = b * size + c * S, e = p + S; p < e; p++) dx[p] = k * dy[p];
        }
      }
      return dx;
    },
  };
}
