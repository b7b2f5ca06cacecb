/**
 * The architecture the convolutional bounds (xiong2020.ts) speak of: an H x W x d0 input, then L
 * conv layers, layer l with d_l filters of size fh_l x fw_l over every channel, stride sh_l x sw_l,
 * no padding, each followed by relu. Layer l has an H_l x W_l grid of positions,
 * H_l = floor((H_{l-1} - fh_l) / sh_l) + 1 (the same along the width), so N_l = H_l W_l d_l units.
 *
 *   { n: 8, d0: 1, f: 3, s: 1, filters: [4, 4] }              square input, one size for all layers
 *   { n: [8, 6], d0: 3, f: [3, [2, 1]], s: [1, 2], filters: [4, 4] }  rectangular input, per layer
 *
 * A number is a square size (or equal strides); an array of `f` or `s` always has one entry per
 * layer. `convArchitectureOf(network)` recognises such a stack in a loaded model.
 */

import type { Layer, Network } from "../model/layers.ts";
import type { Architecture } from "./architecture.ts";

/** A size along height and width; a number means the same along both. */
export type ConvSize = number | readonly [number, number];

/** A plain conv + relu stack as Xiong et al.'s bounds see it: input size, channels, filters, strides. */
export interface ConvArchitecture {
  /** Input height and width (the input is H x W x d0). */
  n: ConvSize;
  d0: number;
  /** Filter size of every layer, or one per layer. */
  f: ConvSize | readonly ConvSize[];
  /** Stride of every layer, or one per layer. */
  s: ConvSize | readonly ConvSize[];
  /** Number of filters d_l of each conv layer. */
  filters: readonly number[];
}

/** One conv layer with every size resolved. */
export interface ConvLayerShape {
  /** Input grid and channels. */
  inHeight: number;
  inWidth: number;
  inChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** Output grid (positions) and channels (filters). */
  height: number;
  width: number;
  channels: number;
  /** height * width * channels. */
  units: number;
}

function pair(size: ConvSize): [number, number] {
  return typeof size === "number" ? [size, size] : [size[0], size[1]];
}

function perLayer(value: ConvSize | readonly ConvSize[], layers: number, name: string): [number, number][] {
  if (typeof value === "number") return Array.from({ length: layers }, () => pair(value));
  // An array always has one entry per layer (so [3, 2] is never read as a 3x2 size).
  if (value.length === layers) return (value as readonly ConvSize[]).map(pair);
  throw new Error(`conv ${name} lists ${value.length} sizes for ${layers} layer${layers === 1 ? "" : "s"}`);
}

function positiveInteger(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`conv ${name} must be a positive integer, got ${v}`);
}

/** Every layer's sizes; throws a one-line error naming what is wrong. */
export function convShapes(conv: ConvArchitecture): ConvLayerShape[] {
  if (conv.filters.length === 0) throw new Error("conv needs at least one layer of filters");
  const [H, W] = pair(conv.n);
  positiveInteger(H, "input height");
  positiveInteger(W, "input width");
  positiveInteger(conv.d0, "d0");
  const L = conv.filters.length;
  const f = perLayer(conv.f, L, "f");
  const s = perLayer(conv.s, L, "s");
  const out: ConvLayerShape[] = [];
  let inHeight = H;
  let inWidth = W;
  let inChannels = conv.d0;
  for (let l = 0; l < L; l++) {
    const d = conv.filters[l];
    positiveInteger(d, `filters (layer ${l + 1})`);
    const [fh, fw] = f[l];
    const [sh, sw] = s[l];
    positiveInteger(fh, `f (layer ${l + 1})`);
    positiveInteger(fw, `f (layer ${l + 1})`);
    positiveInteger(sh, `s (layer ${l + 1})`);
    positiveInteger(sw, `s (layer ${l + 1})`);
    if (fh > inHeight || fw > inWidth) throw new Error(`conv layer ${l + 1}: filter ${fh}x${fw} exceeds its ${inHeight}x${inWidth} input`);
    const height = Math.floor((inHeight - fh) / sh) + 1;
    const width = Math.floor((inWidth - fw) / sw) + 1;
    out.push({
      inHeight,
      inWidth,
      inChannels,
      filterHeight: fh,
      filterWidth: fw,
      strideHeight: sh,
      strideWidth: sw,
      height,
      width,
      channels: d,
      units: height * width * d,
    });
    inHeight = height;
    inWidth = width;
    inChannels = d;
  }
  return out;
}

export function validateConv(conv: ConvArchitecture): void {
  convShapes(conv);
}

/** Input dimension H * W * d0. */
export function convInputSize(conv: ConvArchitecture): number {
  const [H, W] = pair(conv.n);
  return H * W * conv.d0;
}

/** The dense architecture a conv network is an instance of (for the dense bounds). */
export function convAsArchitecture(conv: ConvArchitecture): Architecture {
  return {
    n0: convInputSize(conv),
    layers: convShapes(conv).map((s, l) => ({
      width: s.units,
      family: "relu" as const,
      pieces: 2,
      rank: null,
      label: `conv ${l + 1}`,
    })),
    feedForward: true,
  };
}

/**
 * The one-layer network made of layer `l` (0-based) alone, on an input of its grid with `inChannels`
 * channels (Xiong et al.'s N' takes layer L on the grid of layer L-1 with d0 channels).
 */
export function singleLayerOf(conv: ConvArchitecture, l: number, inChannels: number): ConvArchitecture {
  const shape = convShapes(conv)[l];
  return {
    n: [shape.inHeight, shape.inWidth],
    d0: inChannels,
    f: [[shape.filterHeight, shape.filterWidth]],
    s: [[shape.strideHeight, shape.strideWidth]],
    filters: [shape.channels],
  };
}

/** Receptive field of each position of the first layer, as input coordinates ((row * W + col) * d0 + channel). */
export function receptiveFields(conv: ConvArchitecture): Int32Array[] {
  const shape = convShapes(conv)[0];
  const fields: Int32Array[] = [];
  for (let i = 0; i < shape.height; i++) {
    for (let j = 0; j < shape.width; j++) {
      const coords: number[] = [];
      for (let a = 0; a < shape.filterHeight; a++) {
        for (let b = 0; b < shape.filterWidth; b++) {
          const pixel = (i * shape.strideHeight + a) * shape.inWidth + (j * shape.strideWidth + b);
          for (let c = 0; c < conv.d0; c++) coords.push(pixel * conv.d0 + c);
        }
      }
      fields.push(Int32Array.from(coords));
    }
  }
  return fields;
}

export function describeConv(conv: ConvArchitecture): string {
  const shapes = convShapes(conv);
  const size = (h: number, w: number) => `${h}x${w}`;
  const filters = shapes.map((s) => size(s.filterHeight, s.filterWidth));
  const strides = shapes.map((s) => (s.strideHeight === s.strideWidth ? `${s.strideHeight}` : size(s.strideHeight, s.strideWidth)));
  const same = (xs: string[]) => xs.every((x) => x === xs[0]);
  return [
    `${size(shapes[0].inHeight, shapes[0].inWidth)}x${conv.d0} input`,
    `${same(filters) ? filters[0] : filters.join(",")} filters`,
    `stride ${same(strides) ? strides[0] : strides.join(",")}`,
    `filters ${conv.filters.join(",")}`,
  ].join(", ");
}

/**
 * The conv architecture of a network that is exactly such a stack: conv2d (one group, no padding,
 * no dilation) each followed by relu, then only layers without pieces (flatten, reshape, dense,
 * identity). Returns the reason as a string otherwise.
 */
export function convArchitectureOf(network: Network): ConvArchitecture | string {
  const shape = network.inputShape;
  if (shape?.length !== 3) return "the input is not an image (C x H x W)";
  const layers = network.layers;
  const f: [number, number][] = [];
  const s: [number, number][] = [];
  const filters: number[] = [];
  let i = 0;
  for (; i < layers.length; i++) {
    const layer: Layer = layers[i];
    if (layer.type !== "conv2d") break;
    if (layer.groups !== 1) return `conv layer ${filters.length + 1} is grouped`;
    if (layer.padding.some((p) => p !== 0)) return `conv layer ${filters.length + 1} is padded`;
    if (layer.dilation.some((d) => d !== 1)) return `conv layer ${filters.length + 1} is dilated`;
    if (layers[i + 1]?.type !== "relu") return `conv layer ${filters.length + 1} is not followed by relu`;
    f.push(layer.kernel);
    s.push(layer.stride);
    filters.push(layer.outChannels);
    i++;
  }
  if (filters.length === 0) return "it does not start with a conv layer";
  for (; i < layers.length; i++) {
    const t = layers[i].type;
    if (t !== "flatten" && t !== "reshape" && t !== "dense" && t !== "identity") return `layer ${i + 1} (${t}) follows the conv layers`;
  }
  return { n: [shape[1], shape[2]], d0: shape[0], f, s, filters };
}
