/**
 * 2D convolution as an affine step. `applyLinear` convolves one channel-vector (C x H x W,
 * row-major) at a time, so engines push a region's k+1 coefficient channels through the layer as
 * k+1 convolutions; the layer is never turned into a dense matrix.
 */
import type { Conv2dLayer } from "./layers.ts";
import type { AffineStep } from "./steps.ts";
import { windowOutput2d } from "./window.ts";

export function conv2dStep(label: string, layer: Conv2dLayer, inShape: readonly number[]): AffineStep {
  const [channels, height, width] = inShape;
  const [outHeight, outWidth] = windowOutput2d(layer, height, width);
  const outChannels = layer.outChannels;
  const groupIn = layer.inChannels / layer.groups;
  const groupOut = outChannels / layer.groups;
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation;
  const [padTop, padLeft] = layer.padding;
  const weight = layer.weight;
  const plane = height * width;
  const outPlane = outHeight * outWidth;
  const bias = new Float64Array(outChannels * outPlane);
  for (let oc = 0; oc < outChannels; oc++) bias.fill(layer.bias[oc], oc * outPlane, (oc + 1) * outPlane);
  return {
    kind: "affine",
    label,
    inSize: channels * plane,
    outSize: outChannels * outPlane,
    bias,
    weight: null,
    applyLinear(x, xOff, y, yOff) {
      for (let oc = 0; oc < outChannels; oc++) {
        const icBase = Math.floor(oc / groupOut) * groupIn;
        const wBase = oc * groupIn * kh * kw;
        for (let oy = 0; oy < outHeight; oy++) {
          const iy0 = oy * sh - padTop;
          for (let ox = 0; ox < outWidth; ox++) {
            const ix0 = ox * sw - padLeft;
            let acc = 0;
            for (let ic = 0; ic < groupIn; ic++) {
              const xBase = xOff + (icBase + ic) * plane;
              const wc = wBase + ic * kh * kw;
              for (let ky = 0; ky < kh; ky++) {
                const iy = iy0 + ky * dh;
                if (iy < 0 || iy >= height) continue;
                const row = xBase + iy * width;
                const wr = wc + ky * kw;
                for (let kx = 0; kx < kw; kx++) {
                  const ix = ix0 + kx * dw;
                  if (ix >= 0 && ix < width) acc += weight[wr + kx] * x[row + ix];
                }
              }
            }
            y[yOff + (oc * outHeight + oy) * outWidth + ox] = acc;
          }
        }
      }
    },
  };
}

/**
 * The conv layer as an explicit row-major matrix (outSize x inSize): for tests and benchmarks
 * that compare against the densified network, never for the engines.
 */
export function conv2dMatrix(
  layer: Conv2dLayer,
  inShape: readonly number[],
): {
  weight: Float64Array;
  bias: Float64Array;
  outSize: number;
  inSize: number;
} {
  const [, height, width] = inShape;
  const [outHeight, outWidth] = windowOutput2d(layer, height, width);
  const inSize = layer.inChannels * height * width;
  const outSize = layer.outChannels * outHeight * outWidth;
  const groupIn = layer.inChannels / layer.groups;
  const groupOut = layer.outChannels / layer.groups;
  const [kh, kw] = layer.kernel;
  const weight = new Float64Array(outSize * inSize);
  const bias = new Float64Array(outSize);
  for (let oc = 0; oc < layer.outChannels; oc++) {
    const icBase = Math.floor(oc / groupOut) * groupIn;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const o = (oc * outHeight + oy) * outWidth + ox;
        bias[o] = layer.bias[oc];
        for (let ic = 0; ic < groupIn; ic++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * layer.stride[0] - layer.padding[0] + ky * layer.dilation[0];
            if (iy < 0 || iy >= height) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * layer.stride[1] - layer.padding[1] + kx * layer.dilation[1];
              if (ix < 0 || ix >= width) continue;
              weight[o * inSize + ((icBase + ic) * height + iy) * width + ix] += layer.weight[((oc * groupIn + ic) * kh + ky) * kw + kx];
            }
          }
        }
      }
    }
  }
  return { weight, bias, outSize, inSize };
}
