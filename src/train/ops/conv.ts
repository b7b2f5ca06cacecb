/**
 * 2D convolution (zero padding, stride, dilation, one group) as im2col + GEMM, so its time goes
 * to the same WebAssembly SIMD kernel as dense layers (kernels.ts). With N = batch x output
 * positions and K = inChannels x kernel taps:
 *   forward   col (N x K) from x;  Z^T (C_out x N) = W col^T        matmulNT(W, col)
 *   weights   dW (C_out x K) += dZ^T col                           matmulNT(dZ^T, col^T)
 *   inputs    dcol (N x K) = dZ W, scattered back into dx          matmulNT(dZ, W^T)
 * The weights are the layer's own Float64Array (PyTorch's C_out x C_in x kh x kw order is
 * already the C_out x K row-major matrix), trained in place.
 */
import type { Conv2dLayer } from "../../model/layers.ts";
import { windowOutput2d } from "../../model/window.ts";
import { matmulNT, transpose } from "../kernels.ts";
import { atLeast, type Op, type Param } from "./op.ts";

export function conv2dOp(layer: Conv2dLayer, inShape: readonly number[], maxBatch: number, params: Param[], name: string): Op {
  const [channels, height, width] = inShape;
  const [outHeight, outWidth] = windowOutput2d(layer, height, width);
  const cout = layer.outChannels;
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation;
  const [padTop, padLeft] = layer.padding;
  const K = channels * kh * kw;
  const P = outHeight * outWidth;
  const inSize = channels * height * width;
  const outSize = cout * P;
  // For every (output position, tap): the input offset within one image, or -1 in the padding.
  const source = new Int32Array(P * K);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      const base = (oy * outWidth + ox) * K;
      for (let ic = 0; ic < channels; ic++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - padTop + ky * dh;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - padLeft + kx * dw;
            const inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            source[base + (ic * kh + ky) * kw + kx] = inside ? (ic * height + iy) * width + ix : -1;
          }
        }
      }
    }
  }
  const weight: Param = { value: layer.weight, grad: new Float64Array(layer.weight.length), decay: true, name: `${name} weight` };
  const bias: Param = { value: layer.bias, grad: new Float64Array(cout), decay: false, name: `${name} bias` };
  params.push(weight, bias);
  const y = new Float64Array(maxBatch * outSize);
  const dx = new Float64Array(maxBatch * inSize);
  let col: Float64Array = new Float64Array(0);
  let z: Float64Array = new Float64Array(0);
  let work: Float64Array = new Float64Array(0);
  let work2: Float64Array = new Float64Array(0);
  let batchUsed = 0;
  return {
    inSize,
    outSize,
    forward(x, batch) {
      const N = batch * P;
      col = atLeast(col, N * K);
      z = atLeast(z, N * cout);
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        const co = b * P * K;
        for (let t = 0; t < P * K; t++) {
          const s = source[t];
          col[co + t] = s < 0 ? 0 : x[xo + s];
        }
      }
      // Z^T row oc holds channel oc of every image, P positions each: contiguous copies.
      matmulNT(layer.weight, col, z, cout, N, K, false);
      for (let oc = 0; oc < cout; oc++) {
        const bo = layer.bias[oc];
        for (let b = 0; b < batch; b++) {
          const src = oc * N + b * P;
          const dst = b * outSize + oc * P;
          for (let p = 0; p < P; p++) y[dst + p] = z[src + p] + bo;
        }
      }
      batchUsed = batch;
      return y;
    },
    backward(dy, batch, needInput) {
      if (batch !== batchUsed) throw new Error(`internal: conv backward for ${batch} rows after a forward of ${batchUsed}`);
      const N = batch * P;
      // dZ^T (C_out x N): image b's block of dy is C_out x P, row-major.
      work = atLeast(work, Math.max(N * cout, N * K));
      work2 = atLeast(work2, N * K);
      for (let oc = 0; oc < cout; oc++) {
        let s = 0;
        for (let b = 0; b < batch; b++) {
          const src = b * outSize + oc * P;
          const dst = oc * N + b * P;
          for (let p = 0; p < P; p++) {
            const v = dy[src + p];
            work[dst + p] = v;
            s += v;
          }
        }
        bias.grad[oc] += s;
      }
      transpose(col, work2, N, K);
      matmulNT(work, work2, weight.grad, cout, K, N, true);
      if (!needInput) return null;
      // dZ (N x C_out), then dcol = dZ W (N x K) into work2, then col2im.
      transpose(work, z, cout, N);
      work = atLeast(work, K * cout);
      const wt = work;
      transpose(layer.weight, wt, cout, K);
      matmulNT(z, wt, work2, N, K, cout, false);
      dx.fill(0, 0, batch * inSize);
      for (let b = 0; b < batch; b++) {
        const xo = b * inSize;
        const co = b * P * K;
        for (let t = 0; t < P * K; t++) {
          const s = source[t];
          if (s >= 0) dx[xo + s] += work2[co + t];
        }
      }
      return dx;
    },
  };
}
