/**
 * Direct convolution through conv.wat, for the trainer's forward pass: each window is read in
 * place from zero-padded images in the module's memory, with no im2col matrix (gathering the
 * windows costs as much as the product when 8-16 output channels use each gathered number only
 * 8-16 times). The sums are added in the order of gemm.wat's product on the im2col operands, so
 * the results are those of the staged GEMM path to the last bit (test/train/direct-conv.test.ts).
 * One instance per conv op, each with its own memory, laid out once for the op's shape.
 */
import { growMemory, instantiateEmbedded } from "../../model/wasm-module.ts";
import { CONV_WASM_BASE64 } from "./conv-binary.ts";

/** A conv layer's shape (zero padding, stride, dilation, one group) for a batch of at most maxBatch images. */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernel: readonly [number, number];
  stride: readonly [number, number];
  dilation: readonly [number, number];
  padding: readonly [number, number];
  maxBatch: number;
}

export interface DirectConv {
  /** y (batch x outChannels x positions) = the convolution of x (batch x channels x height x width) + bias; max(., 0) with relu. */
  forward(x: Float64Array, batch: number, weight: Float64Array, bias: Float64Array, relu: boolean, y: Float64Array): void;
  /**
   * weightGrad (outChannels x taps) += dZ^T col and biasGrad += dZ's sums, for the images of the
   * last forward. dZ is dy (batch x outChannels x positions), or with `relu` (the forward's
   * output was max(., 0)), dy where that output is > 0, else 0, then also written to dzOut if given.
   */
  weightGrad(dy: Float64Array, batch: number, relu: boolean, dzOut: Float64Array | null, weightGrad: Float64Array, biasGrad: Float64Array): void;
}

interface Exports {
  memory: WebAssembly.Memory;
  forward(img: number, origN: number, outN: number, offs: number, w: number, bias: number, out: number, np: number, kp: number, cout: number, pb: number, relu: number): void;
  weight_grad(img: number, origN: number, offs: number, dz: number, acc: number, np: number, kp: number, cq: number): void;
  lay_dz(dy: number, mask: number, dz: number, sums: number, batch: number, P: number, cout: number, cq: number, np: number, relu: number): void;
}

/** The direct convolution of one layer's shape, or null where WebAssembly SIMD is unavailable. */
export function directConv(g: ConvGeometry): DirectConv | null {
  const ex = instantiateEmbedded<Exports>(CONV_WASM_BASE64);
  if (ex === null) return null;
  const { channels, height, width, outHeight, outWidth, outChannels: cout, maxBatch } = g;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.stride;
  const [dh, dw] = g.dilation;
  const [padTop, padLeft] = g.padding;
  const P = outHeight * outWidth;
  const K = channels * kh * kw;
  const kp = (K + 1) & ~1;
  // Padded images: tall and wide enough for every tap of every window (rows and columns past the
  // image, and the padding before it, stay zero).
  const hp = Math.max(padTop + height, (outHeight - 1) * sh + (kh - 1) * dh + 1);
  const wp = Math.max(padLeft + width, (outWidth - 1) * sw + (kw - 1) * dw + 1);
  const imgSize = channels * hp * wp;
  const inSize = channels * height * width;
  const outSize = cout * P;
  const positions = maxBatch * P;
  const cq = (cout + 3) >> 2;
  // Memory in doubles: images, weights (cout x kp), bias, output (one image more, where an
  // odd count's extra position writes), dZ and dW's sums (conv.wat's layouts); then the int32 tables.
  const imgAt = 0;
  const wAt = imgAt + maxBatch * imgSize;
  const biasAt = wAt + cout * kp;
  const outAt = biasAt + cout;
  const dzAt = outAt + (maxBatch + 1) * outSize;
  const accAt = dzAt + 4 * cq * (positions + 1);
  const dyAt = accAt + 8 * cq * kp;
  const sumsAt = dyAt + maxBatch * outSize;
  const tablesAt = sumsAt + 4 * cq;
  // int32 tables (indices in int32s): window origins and output offsets by position, tap offsets.
  const origNAt = 2 * tablesAt;
  const outNAt = origNAt + positions + 1;
  const offsAt = outNAt + positions + 1;
  growMemory(ex.memory, (offsAt + kp) * 4);
  const heap = new Float64Array(ex.memory.buffer);
  const int32 = new Int32Array(ex.memory.buffer);
  for (let b = 0; b <= maxBatch; b++)
    for (let oy = 0; oy < outHeight; oy++)
      for (let ox = 0; ox < outWidth; ox++) {
        const n = b * P + oy * outWidth + ox;
        if (n > positions) break;
        // The extra position (n = positions) reads the last window: a finite number.
        int32[origNAt + n] = (Math.min(b, maxBatch - 1) * imgSize + oy * sh * wp + ox * sw) * 8;
        int32[outNAt + n] = (b * outSize + oy * outWidth + ox) * 8;
      }
  for (let ic = 0; ic < channels; ic++)
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) int32[offsAt + (ic * kh + ky) * kw + kx] = ((ic * hp + ky * dh) * wp + kx * dw) * 8;
  // The extra tap of an odd K has weight zero and reads the window's first number.
  if (kp > K) int32[offsAt + K] = 0;
  const compact = hp === height && wp === width;

  return {
    forward(x, batch, weight, bias, relu, y) {
      if (compact) heap.set(x.subarray(0, batch * inSize), imgAt);
      else
        for (let b = 0; b < batch; b++)
          for (let ic = 0; ic < channels; ic++)
            for (let iy = 0; iy < height; iy++) {
              const s = ((b * channels + ic) * height + iy) * width;
              const d = imgAt + b * imgSize + (ic * hp + iy + padTop) * wp + padLeft;
              for (let ix = 0; ix < width; ix++) heap[d + ix] = x[s + ix];
            }
      // Blocks of 4 channels interleaved by tap pairs (conv.wat), the rest as rows; zero at an odd K's extra tap.
      const blocked = cout & ~3;
      for (let oc = 0; oc < cout; oc++) {
        const block = oc < blocked;
        const base = wAt + (block ? (oc & ~3) * kp + (oc & 3) * 2 : oc * kp);
        const pairStride = block ? 8 : 2;
        for (let t = 0; t < kp; t++) heap[base + (t >> 1) * pairStride + (t & 1)] = t < K ? weight[oc * K + t] : 0;
      }
      heap.set(bias, biasAt);
      const np = (batch * P + 1) & ~1;
      ex.forward(imgAt * 8, origNAt * 4, outNAt * 4, offsAt * 4, wAt * 8, biasAt * 8, outAt * 8, np, kp, cout, P * 8, relu ? 1 : 0);
      y.set(heap.subarray(outAt, outAt + batch * outSize));
    },
    weightGrad(dy, batch, relu, dzOut, weightGrad, biasGrad) {
      const N = batch * P;
      const np = (N + 1) & ~1;
      // dZ in conv.wat's layout, the relu's mask (the forward's output, still in the module) and
      // the bias gradient's sums, by lay_dz (a branch per number in JavaScript, mispredicted on
      // half of them, cost more than the product).
      heap.set(dy.subarray(0, batch * outSize), dyAt);
      heap.fill(0, sumsAt, sumsAt + 4 * cq);
      ex.lay_dz(dyAt * 8, outAt * 8, dzAt * 8, sumsAt * 8, batch, P, cout, cq, np, relu ? 1 : 0);
      for (let oc = 0; oc < cout; oc++) biasGrad[oc] += heap[sumsAt + oc];
      if (relu && dzOut) dzOut.set(heap.subarray(dyAt, dyAt + batch * outSize));
      heap.fill(0, accAt, accAt + 8 * cq * kp);
      ex.weight_grad(imgAt * 8, origNAt * 4, offsAt * 4, dzAt * 8, accAt * 8, np, kp, cq);
      // Sum of (channel oc, tap t): block oc >> 2, tap pair t >> 1, then tap parity, then channel; lane 0 + lane 1 as gemm.wat.
      for (let oc = 0; oc < cout; oc++)
        for (let t = 0; t < K; t++) {
          const at = accAt + ((((oc >> 2) * (kp >> 1) + (t >> 1)) * 2 + (t & 1)) * 4 + (oc & 3)) * 2;
          weightGrad[oc * K + t] += heap[at] + heap[at + 1];
        }
    },
  };
}
