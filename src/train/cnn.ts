/**
 * Convolutional networks from a short text, for the trainer, the CLI and the experiments:
 *
 *   conv:C:K[:S[:P]]   C output channels, K x K kernel, stride S (1), zero padding P (0)
 *   maxpool:K[:S]      max over K x K windows, stride S (K)
 *   avgpool:K[:S]      mean over K x K windows, stride S (K)
 *   bn                 batch norm over the channels (trained; inference form for the engines)
 *   relu, flatten
 *   dense:N            N units (the input is flattened first when it is an image)
 *   res(...)           residual block y = x + f(x) of the layers inside (same shape out)
 *
 * e.g. "conv:8:5:2,relu,conv:16:3:2,relu,flatten,dense:10". Weights are He-normal
 * (N(0, 2/fan_in)), biases zero, batch norm starts as the identity (gamma 1, beta 0, running
 * mean 0 and variance 1).
 */
import { type Layer, layerOutputShape, type Network, shapeSize } from "../model/layers.ts";
import { createRandom, type Random } from "../model/random.ts";

export class CnnSpecError extends Error {
  override name = "CnnSpecError";
}

/** Split at top-level commas (not inside parentheses). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new CnnSpecError(`unbalanced ")" at character ${i + 1} of "${text}"`);
  }
  if (depth !== 0) throw new CnnSpecError(`unbalanced "(" in "${text}"`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function integers(token: string, fields: string[], min: number, max: number): number[] {
  if (fields.length < min || fields.length > max) throw new CnnSpecError(`"${token}": expected ${min === max ? min : `${min} to ${max}`} numbers after the name`);
  return fields.map((f) => {
    const v = Number(f);
    if (!Number.isInteger(v) || v < 0) throw new CnnSpecError(`"${token}": "${f}" is not a non-negative integer`);
    return v;
  });
}

function heNormal(rng: Random, count: number, fanIn: number): Float64Array {
  const sd = Math.sqrt(2 / fanIn);
  return Float64Array.from({ length: count }, () => rng.normal() * sd);
}

function parseLayers(text: string, inShape: number[], rng: Random): { layers: Layer[]; shape: number[] } {
  const layers: Layer[] = [];
  let shape = inShape;
  const push = (layer: Layer, token: string): void => {
    try {
      shape = layerOutputShape(layer, shape);
    } catch (e) {
      throw new CnnSpecError(`"${token}": ${(e as Error).message}`);
    }
    layers.push(layer);
  };
  for (const token of splitTop(text)) {
    if (token.startsWith("res(") && token.endsWith(")")) {
      const inner = parseLayers(token.slice(4, -1), shape, rng);
      if (inner.shape.join("x") !== shape.join("x"))
        throw new CnnSpecError(`"${token}": the block maps ${shape.join("x")} to ${inner.shape.join("x")}; a residual block keeps the shape`);
      push({ type: "residual", layers: inner.layers }, token);
      continue;
    }
    const [name, ...fields] = token.split(":");
    switch (name) {
      case "conv": {
        if (shape.length !== 3) throw new CnnSpecError(`"${token}": a convolution needs a C x H x W input, gets ${shape.join("x")}`);
        const [c, k, s = 1, p = 0] = integers(token, fields, 2, 4);
        if (c < 1 || k < 1 || s < 1) throw new CnnSpecError(`"${token}": channels, kernel and stride must be positive`);
        const fanIn = shape[0] * k * k;
        push(
          {
            type: "conv2d",
            inChannels: shape[0],
            outChannels: c,
            groups: 1,
            kernel: [k, k],
            stride: [s, s],
            padding: [p, p, p, p],
            dilation: [1, 1],
            weight: heNormal(rng, c * fanIn, fanIn),
            bias: new Float64Array(c),
          },
          token,
        );
        break;
      }
      case "maxpool":
      case "avgpool": {
        const [k, s = k] = integers(token, fields, 1, 2);
        if (k < 1 || s < 1) throw new CnnSpecError(`"${token}": window and stride must be positive`);
        const window = {
          kernel: [k, k] as [number, number],
          stride: [s, s] as [number, number],
          padding: [0, 0, 0, 0] as [number, number, number, number],
          dilation: [1, 1] as [number, number],
          ceilMode: false,
        };
        push(name === "maxpool" ? { type: "max-pool", ...window } : { type: "avg-pool", ...window, countIncludePad: true }, token);
        break;
      }
      case "bn": {
        integers(token, fields, 0, 0);
        const c = shape[0];
        push(
          {
            type: "batch-norm",
            size: c,
            gamma: new Float64Array(c).fill(1),
            beta: new Float64Array(c),
            mean: new Float64Array(c),
            variance: new Float64Array(c).fill(1),
            epsilon: 1e-5,
          },
          token,
        );
        break;
      }
      case "relu":
        integers(token, fields, 0, 0);
        push({ type: "relu" }, token);
        break;
      case "flatten":
        integers(token, fields, 0, 0);
        push({ type: "flatten" }, token);
        break;
      case "dense": {
        const [n] = integers(token, fields, 1, 1);
        if (n < 1) throw new CnnSpecError(`"${token}": needs at least one unit`);
        if (shape.length > 1) push({ type: "flatten" }, token);
        const inSize = shapeSize(shape);
        push({ type: "dense", inSize, outSize: n, weight: heNormal(rng, n * inSize, inSize), bias: new Float64Array(n) }, token);
        break;
      }
      default:
        throw new CnnSpecError(`unknown layer "${token}" (conv:C:K[:S[:P]], maxpool:K[:S], avgpool:K[:S], bn, relu, flatten, dense:N, res(...))`);
    }
  }
  return { layers, shape };
}

/** A network on inputs of `inputShape` (C x H x W) from a layer text (see above). */
export function cnn(inputShape: readonly number[], spec: string, seed = 0): Network {
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1))
    throw new CnnSpecError(`input shape must be C x H x W positive integers, got ${inputShape.join("x")}`);
  const { layers } = parseLayers(spec, inputShape.slice(), createRandom(seed));
  if (layers.length === 0) throw new CnnSpecError("no layers given");
  return { inputSize: shapeSize(inputShape), inputShape: inputShape.slice(), layers };
}
