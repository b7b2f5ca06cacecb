/**
 * Pooling as steps. Max-pool is piecewise linear: each output is the maximum of its window, a
 * `max` step whose groups are the windows (overlapping windows are fine); a region splits where a
 * window's argmax changes, as for maxout. Padded cells are left out of the window (they are
 * -infinity and never win). Average-pool is affine: an `affine` step averaging each window.
 */
import type { AvgPoolLayer, MaxPoolLayer } from "./layers.ts";
import type { AffineStep, MaxStep } from "./steps.ts";
import { type Window2d, windowOutput2d } from "./window.ts";

/** Each output's window as input indices (row-major, CHW), and how many taps fall in the padded input. */
export interface PoolWindows {
  outShape: [number, number, number];
  offsets: Int32Array;
  indices: Int32Array;
  /** Taps of each window inside the padded input (the divisor of count_include_pad averaging). */
  paddedTaps: Int32Array;
}

export function poolWindows(layer: Window2d, inShape: readonly number[], ceilMode: boolean): PoolWindows {
  const [channels, height, width] = inShape;
  const [outHeight, outWidth] = windowOutput2d(layer, height, width, ceilMode);
  const [kh, kw] = layer.kernel;
  const [padTop, padLeft, padBottom, padRight] = layer.padding;
  const outSize = channels * outHeight * outWidth;
  const offsets = new Int32Array(outSize + 1);
  const indices: number[] = [];
  const paddedTaps = new Int32Array(outSize);
  let o = 0;
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        let padded = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * layer.stride[0] - padTop + ky * layer.dilation[0];
          const rowInPadded = iy >= -padTop && iy < height + padBottom;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * layer.stride[1] - padLeft + kx * layer.dilation[1];
            if (rowInPadded && ix >= -padLeft && ix < width + padRight) padded++;
            if (iy >= 0 && iy < height && ix >= 0 && ix < width) indices.push((c * height + iy) * width + ix);
          }
        }
        paddedTaps[o] = padded;
        offsets[++o] = indices.length;
        if (offsets[o] === offsets[o - 1]) throw new Error(`pool window ${o - 1} lies entirely in the padding`);
      }
    }
  }
  return {
    outShape: [channels, outHeight, outWidth],
    offsets,
    indices: Int32Array.from(indices),
    paddedTaps,
  };
}

export function maxPoolStep(label: string, layer: MaxPoolLayer, inShape: readonly number[]): MaxStep {
  const w = poolWindows(layer, inShape, layer.ceilMode);
  const inSize = inShape[0] * inShape[1] * inShape[2];
  return {
    kind: "max",
    label,
    inSize,
    outSize: w.offsets.length - 1,
    offsets: w.offsets,
    indices: w.indices,
  };
}

export function avgPoolStep(label: string, layer: AvgPoolLayer, inShape: readonly number[]): AffineStep {
  const { offsets, indices, paddedTaps } = poolWindows(layer, inShape, layer.ceilMode);
  const outSize = offsets.length - 1;
  const inverse = new Float64Array(outSize);
  for (let j = 0; j < outSize; j++) inverse[j] = 1 / (layer.countIncludePad ? paddedTaps[j] : offsets[j + 1] - offsets[j]);
  return {
    kind: "affine",
    label,
    inSize: inShape[0] * inShape[1] * inShape[2],
    outSize,
    bias: new Float64Array(outSize),
    weight: null,
    applyLinear(x, xOff, y, yOff) {
      for (let j = 0; j < outSize; j++) {
        let acc = 0;
        for (let p = offsets[j]; p < offsets[j + 1]; p++) acc += x[xOff + indices[p]];
        y[yOff + j] = acc * inverse[j];
      }
    },
  };
}
