/**
 * 2D convolution (zero padding, stride, dilation, one group) as im2col + GEMM, so its time goes
 * to the same WebAssembly SIMD kernel as dense layers (kernels.ts). With N = batch x output
 * positions and K = inChannels x kernel taps:
 *   forward   col (N x K) from x;  Z^T (C_out x N) = W col^T        matmulNT(W, col)
 *   weights   dW (C_out x K) += dZ^T col                           matmulNT(dZ^T, col^T)
 *   inputs    dcol (N x K) = dZ W, scattered back into dx          matmulNT(dZ, W^T)
 * The weights are the layer's own Float64Array (PyTorch's C_out x C_in x kh x kw order is
 * already the C_out x K row-major matrix), trained in place.
 *
 * With WebAssembly the forward pass and the weight gradient are a direct convolution
 * (wasm/direct-conv.ts: each window read in place, no col matrix; with 8-16 output channels a
 * gathered number is used only 8-16 times, so gathering cost as much as the product), and the
 * input gradient is staged (kernels.ts `stagedKernel`): dZ and W^T written straight into the GEMM
 * kernel's memory and dcol scattered back by WebAssembly, with no col matrix, transposes or
 * copies in between. Same terms and summation order as matmulNT's WebAssembly path, so the same
 * numbers to the last bit.
 */
import type { Conv2dLayer } from "../../model/layers.ts";
import { windowOutput2d } from "../../model/window.ts";
import { matmulNT, stagedKernel, transpose } from "../kernels.ts";
import { type DirectConv, directConv } from "../wasm/direct-conv.ts";
import type { StagedGemm } from "../wasm/gemm.ts";
import { atLeast, type Op, type Param, reluMask } from "./op.ts";

/** The op of a conv layer; with `relu`, of the layer and the relu after it (output max(z, 0)). */
export function conv2dOp(layer: Conv2dLayer, inShape: readonly number[], maxBatch: number, params: Param[], name: string, relu = false): Op {
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
  // The input gradient's col2im scatters into zeroed images in the GEMM kernel's memory, each
  // followed by one zero (at offset inSize) where the padding taps point, so it has no branch.
  const padded = inSize + 1;
  const sourceP = new Int32Array(P * K);
  for (let t = 0; t < P * K; t++) sourceP[t] = source[t] < 0 ? inSize : source[t];
  const tableDoubles = (K * P + 1) >> 1;
  const weight: Param = { value: layer.weight, grad: new Float64Array(layer.weight.length), decay: true, name: `${name} weight` };
  const bias: Param = { value: layer.bias, grad: new Float64Array(cout), decay: false, name: `${name} bias` };
  params.push(weight, bias);
  const y = new Float64Array(maxBatch * outSize);
  const dz = relu ? new Float64Array(maxBatch * outSize) : y;
  const dx = new Float64Array(maxBatch * inSize);
  let col: Float64Array = new Float64Array(0);
  let z: Float64Array = new Float64Array(0);
  let work: Float64Array = new Float64Array(0);
  let work2: Float64Array = new Float64Array(0);
  let batchUsed = 0;
  let staged: StagedGemm | null = null;
  // The direct forward kernel, made at the first forward on the WebAssembly kernel.
  let direct: DirectConv | null | undefined;
  const geometry = {
    channels,
    height,
    width,
    outHeight,
    outWidth,
    outChannels: cout,
    kernel: layer.kernel,
    stride: layer.stride,
    dilation: layer.dilation,
    padding: [padTop, padLeft] as const,
    maxBatch,
  };

  // y (batch x C_out x P) from Z^T (C_out x N, row stride `stride`), plus the bias, and the relu when fused.
  const writeOutput = (z: Float64Array, offset: number, stride: number, batch: number): void => {
    for (let oc = 0; oc < cout; oc++) {
      const bo = layer.bias[oc];
      for (let b = 0; b < batch; b++) {
        const src = offset + oc * stride + b * P;
        const dst = b * outSize + oc * P;
        if (relu) for (let p = 0; p < P; p++) y[dst + p] = Math.max(z[src + p] + bo, 0);
        else for (let p = 0; p < P; p++) y[dst + p] = z[src + p] + bo;
      }
    }
  };

  const stagedBackward = (gemm: StagedGemm, conv: DirectConv, dyIn: Float64Array, batch: number, needInput: boolean): Float64Array | null => {
    const N = batch * P;
    // With a fused relu, dZ (the gradient masked by y > 0) is kept for the input gradient.
    const dy = relu ? dz : dyIn;
    // dW (C_out x K) += dZ^T col, by the direct kernel on the images of the forward pass, in
    // the same pass over dy as the bias gradient and (fused relu) dZ.
    conv.weightGrad(dyIn, batch, relu, needInput ? dz : null, weight.grad, bias.grad);
    if (!needInput) return null;
    // dcol (N x K) = dZ W: A = dZ (N x C_out), B = W^T (K x C_out); then col2im, in the module,
    // into zeroed padded images in the scratch.
    const dcol = gemm(
      N,
      K,
      cout,
      (st, offset, kp) => {
        const heap = st.heap;
        for (let b = 0; b < batch; b++) {
          for (let oc = 0; oc < cout; oc++) {
            const src = b * outSize + oc * P;
            for (let p = 0; p < P; p++) heap[offset + (b * P + p) * kp + oc] = dy[src + p];
          }
          if (kp > cout) for (let p = 0; p < P; p++) heap[offset + (b * P + p) * kp + cout] = 0;
        }
      },
      (st, offset, kp) => {
        for (let t = 0; t < K; t++) {
          const d = offset + t * kp;
          for (let oc = 0; oc < cout; oc++) st.heap[d + oc] = layer.weight[oc * K + t];
          if (kp > cout) st.heap[d + cout] = 0;
        }
      },
      batch * padded + tableDoubles,
    );
    const images = dcol.scratch;
    dcol.heap.fill(0, images, images + batch * padded);
    const tab = 2 * (images + batch * padded);
    dcol.int32.set(sourceP, tab);
    dcol.scatterAdd(dcol.offset, images, tab, P, batch, K, dcol.stride, P * dcol.stride, padded, K);
    for (let b = 0; b < batch; b++) dx.set(dcol.heap.subarray(images + b * padded, images + b * padded + inSize), b * inSize);
    return dx;
  };

  return {
    inSize,
    outSize,
    forward(x, batch) {
      batchUsed = batch;
      staged = stagedKernel();
      if (staged && direct === undefined) direct = directConv(geometry);
      if (staged && direct) {
        direct.forward(x, batch, layer.weight, layer.bias, relu, y);
        return y;
      }
      staged = null;
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
      writeOutput(z, 0, N, batch);
      return y;
    },
    backward(dyIn, batch, needInput) {
      if (batch !== batchUsed) throw new Error(`internal: conv backward for ${batch} rows after a forward of ${batchUsed}`);
      if (staged && direct) return stagedBackward(staged, direct, dyIn, batch, needInput);
      const dy = relu ? reluMask(y, dyIn, dz, batch * outSize) : dyIn;
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
