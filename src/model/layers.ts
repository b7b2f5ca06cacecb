/**
 * The layers of a network, as data. A network is a list of layers applied in order; every
 * piecewise-linear layer before the output defines the linear regions.
 *
 * Weights are float64, row-major, one row per output unit (PyTorch's convention), so a dense
 * layer's `weight[i * inSize + j]` connects input j to output i.
 *
 * Engines never look at these types directly: `compile()` (compile.ts) turns them into steps
 * that expose just two operations, an affine push and a piecewise-linear breakpoint description.
 * New layer types (convolution, pooling) only need a compile rule.
 */

export interface DenseLayer {
  type: "dense";
  inSize: number;
  outSize: number;
  /** Row-major outSize x inSize. */
  weight: Float64Array;
  bias: Float64Array;
}

/** Batch normalisation in inference form: y = gamma (x - mean) / sqrt(var + eps) + beta. */
export interface BatchNormLayer {
  type: "batch-norm";
  size: number;
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  epsilon: number;
}

export interface ReluLayer {
  type: "relu";
}
export interface LeakyReluLayer {
  type: "leaky-relu";
  slope: number;
}
export interface AbsLayer {
  type: "abs";
}
/** Clip to [lo, hi]: three states, low / mid / high. */
export interface HardTanhLayer {
  type: "hard-tanh";
  lo: number;
  hi: number;
}
/** Maximum over k consecutive units: n inputs give n / k outputs. */
export interface MaxoutLayer {
  type: "maxout";
  k: number;
}
export interface IdentityLayer {
  type: "identity";
}
/** y = x + f(x), where f is the inner list of layers (same output size as input). */
export interface ResidualLayer {
  type: "residual";
  layers: Layer[];
}

export type Layer =
  | DenseLayer
  | BatchNormLayer
  | ReluLayer
  | LeakyReluLayer
  | AbsLayer
  | HardTanhLayer
  | MaxoutLayer
  | IdentityLayer
  | ResidualLayer;

export type LayerType = Layer["type"];

/** A feed-forward network on inputs of `inputSize` numbers. */
export interface Network {
  inputSize: number;
  layers: Layer[];
}

/** Output size of a layer given its input size (throws on a mismatch; io/ validates first). */
export function layerOutputSize(layer: Layer, inSize: number): number {
  switch (layer.type) {
    case "dense":
      if (layer.inSize !== inSize) throw new Error(`dense layer expects ${layer.inSize} inputs, gets ${inSize}`);
      return layer.outSize;
    case "batch-norm":
      if (layer.size !== inSize) throw new Error(`batch-norm layer has ${layer.size} units, gets ${inSize}`);
      return inSize;
    case "maxout":
      if (inSize % layer.k !== 0) throw new Error(`maxout k=${layer.k} does not divide ${inSize} units`);
      return inSize / layer.k;
    case "residual": {
      const out = networkOutputSize({ inputSize: inSize, layers: layer.layers });
      if (out !== inSize) throw new Error(`residual block maps ${inSize} units to ${out}`);
      return inSize;
    }
    default:
      return inSize;
  }
}

export function networkOutputSize(net: Network): number {
  let size = net.inputSize;
  for (const layer of net.layers) size = layerOutputSize(layer, size);
  return size;
}

/** A dense layer from nested arrays (rows are output units). */
export function dense(weight: readonly (readonly number[])[], bias?: readonly number[]): DenseLayer {
  const outSize = weight.length;
  const inSize = outSize > 0 ? weight[0].length : 0;
  const w = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    if (weight[i].length !== inSize) throw new Error(`dense weight row ${i} has ${weight[i].length} entries, expected ${inSize}`);
    for (let j = 0; j < inSize; j++) w[i * inSize + j] = weight[i][j];
  }
  const b = new Float64Array(outSize);
  if (bias) {
    if (bias.length !== outSize) throw new Error(`dense bias has ${bias.length} entries, expected ${outSize}`);
    b.set(bias);
  }
  return { type: "dense", inSize, outSize, weight: w, bias: b };
}

export const relu = (): ReluLayer => ({ type: "relu" });
