/**
 * The layers of a network, as data. A network is a list of layers applied in order; every
 * piecewise-linear layer before the output defines the linear regions.
 *
 * Weights are float64, row-major, one row per output unit (PyTorch's convention), so a dense
 * layer's `weight[i * inSize + j]` connects input j to output i.
 *
 * Engines never look at these types directly: `compile()` (compile.ts) turns them into steps
 * that expose just two operations, an affine push and a piecewise-linear breakpoint description.
 * New layer types only need a shape rule (below) and a compile rule.
 */
import { type ContainerLayer, isContainer, walkLayers } from "./walk.ts";
import { type Window2d, windowOutput2d } from "./window.ts";

/** A fully connected layer: y = W x + b, rows of W are output units (PyTorch's convention). */
export interface DenseLayer {
  type: "dense";
  inSize: number;
  outSize: number;
  /** Row-major outSize x inSize. */
  weight: Float64Array;
  bias: Float64Array;
}

/**
 * Batch normalisation in inference form: y = gamma (x - mean) / sqrt(var + eps) + beta, per
 * channel (the first axis of the input shape: every unit of a flat input, or each of the C
 * channels of a C x H x W image).
 */
export interface BatchNormLayer {
  type: "batch-norm";
  /** Number of channels. */
  size: number;
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  epsilon: number;
}

/** max(0, x) per unit. */
export interface ReluLayer {
  type: "relu";
}
/** x for x > 0, slope x below, per unit. */
export interface LeakyReluLayer {
  type: "leaky-relu";
  slope: number;
}
/** |x| per unit. */
export interface AbsLayer {
  type: "abs";
}
/** Clip to [lo, hi]: three states, low / mid / high. One bound may be infinite (one-sided clip). */
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
/** A layer that passes its input on unchanged (kept from imported graphs). */
export interface IdentityLayer {
  type: "identity";
}
/** y = x + f(x), where f is the inner list of layers (same output size as input). */
export interface ResidualLayer {
  type: "residual";
  layers: Layer[];
}

/**
 * 2D convolution of a C x H x W input (PyTorch's Conv2d on one image, NCHW order without the
 * batch axis). Zero padding; channels split into `groups` independent groups.
 */
export interface Conv2dLayer extends Window2d {
  type: "conv2d";
  inChannels: number;
  outChannels: number;
  groups: number;
  /** outChannels x (inChannels / groups) x kernel[0] x kernel[1], row-major. */
  weight: Float64Array;
  bias: Float64Array;
}

/** Maximum over each window of each channel; padded cells never win (they are -infinity). */
export interface MaxPoolLayer extends Window2d {
  type: "max-pool";
  ceilMode: boolean;
}

/** Mean over each window of each channel. */
export interface AvgPoolLayer extends Window2d {
  type: "avg-pool";
  ceilMode: boolean;
  /** Divide by the full window size, padded cells counted as zeros (else by the cells inside). */
  countIncludePad: boolean;
}

/** Zero padding of a C x H x W input: top, left, bottom, right (ONNX Pad in constant mode). */
export interface PadLayer {
  type: "pad";
  padding: [number, number, number, number];
}

/** C x H x W -> C*H*W: the vector is unchanged (already flat, row-major). */
export interface FlattenLayer {
  type: "flatten";
}

/** A new shape for the same row-major vector (ONNX Reshape with a constant shape). */
export interface ReshapeLayer {
  type: "reshape";
  shape: number[];
}

/** Axis permutation of the input tensor (TensorFlow's channels-last images to C x H x W). */
export interface TransposeLayer {
  type: "transpose";
  perm: number[];
}

/**
 * y = scale * x + shift, elementwise, with vectors of length 1 (one number for all), C (one per
 * channel, the first axis) or the full size: input normalisation, Mul/Add/Sub/Div by constants.
 */
export interface ScaleLayer {
  type: "scale";
  scale: Float64Array;
  shift: Float64Array;
}

/** Leaky relu with a learnt slope, one number for all, one per channel, or one per unit. */
export interface PReluLayer {
  type: "prelu";
  slope: Float64Array;
}

/**
 * Branches applied to the same input and joined: `add` sums them (shapes equal), `concat`
 * stacks them along the first axis (channels), `max` takes the elementwise maximum (maxout
 * over branches). An empty branch is the identity (a skip connection).
 */
export interface BranchLayer {
  type: "add" | "concat" | "max";
  branches: Layer[][];
}

/** Any layer of a network (the `type` field tells which); see docs/formats.md. */
export type Layer =
  | DenseLayer
  | BatchNormLayer
  | ReluLayer
  | LeakyReluLayer
  | AbsLayer
  | HardTanhLayer
  | MaxoutLayer
  | IdentityLayer
  | ResidualLayer
  | Conv2dLayer
  | MaxPoolLayer
  | AvgPoolLayer
  | PadLayer
  | FlattenLayer
  | ReshapeLayer
  | TransposeLayer
  | ScaleLayer
  | PReluLayer
  | BranchLayer;

/** The `type` names of the layers. */
export type LayerType = Layer["type"];

/**
 * A feed-forward network on inputs of `inputSize` numbers. `inputShape` gives their tensor shape
 * when it has more than one axis (C x H x W for images, row-major); its product is `inputSize`.
 */
export interface Network {
  inputSize: number;
  inputShape?: number[];
  layers: Layer[];
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The network's input shape (`inputShape`, or [inputSize] when it has none). */
export function networkInputShape(net: Network): number[] {
  return net.inputShape ? net.inputShape.slice() : [net.inputSize];
}

const describeShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** The C x H x W input of an image layer, or an error naming the layer. */
function imageShape(kind: string, shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3) throw new Error(`${kind} needs a C x H x W input, gets ${describeShape(shape)}`);
  return [shape[0], shape[1], shape[2]];
}

/** Length of a per-channel parameter vector that broadcasts over `shape`: 1, C or the full size. */
export function broadcastsOver(length: number, shape: readonly number[]): boolean {
  return length === 1 || length === shape[0] || length === shapeSize(shape);
}

/**
 * Output shape of a layer given its input shape (throws on a mismatch; io/ validates first with
 * friendlier messages). Shapes have no batch axis.
 */
export function layerOutputShape(layer: Layer, inShape: readonly number[]): number[] {
  return isContainer(layer) ? layersOutputShape([layer], inShape) : leafOutputShape(layer, inShape);
}

/** Output shape of a layer that holds no other layers (blocks: see ShapeTracker). */
function leafOutputShape(layer: Layer, inShape: readonly number[]): number[] {
  const inSize = shapeSize(inShape);
  switch (layer.type) {
    case "dense":
      if (layer.inSize !== inSize) throw new Error(`dense layer expects ${layer.inSize} inputs, gets ${inSize}`);
      return [layer.outSize];
    case "batch-norm":
      if (layer.size !== inShape[0]) throw new Error(`batch-norm layer has ${layer.size} channels, gets ${describeShape(inShape)}`);
      return inShape.slice();
    case "maxout":
      if (inSize % layer.k !== 0) throw new Error(`maxout k=${layer.k} does not divide ${inSize} units`);
      return [inSize / layer.k];
    case "conv2d": {
      const [c, h, w] = imageShape("conv2d", inShape);
      if (c !== layer.inChannels) throw new Error(`conv2d expects ${layer.inChannels} input channels, gets ${describeShape(inShape)}`);
      const [oh, ow] = windowOutput2d(layer, h, w);
      if (oh < 1 || ow < 1) throw new Error(`conv2d kernel ${layer.kernel.join("x")} does not fit the ${h}x${w} input`);
      return [layer.outChannels, oh, ow];
    }
    case "max-pool":
    case "avg-pool": {
      const [c, h, w] = imageShape(layer.type, inShape);
      const [oh, ow] = windowOutput2d(layer, h, w, layer.ceilMode);
      if (oh < 1 || ow < 1) throw new Error(`${layer.type} window ${layer.kernel.join("x")} does not fit the ${h}x${w} input`);
      return [c, oh, ow];
    }
    case "pad": {
      const [c, h, w] = imageShape("pad", inShape);
      const [t, l, b, r] = layer.padding;
      return [c, h + t + b, w + l + r];
    }
    case "flatten":
      return [inSize];
    case "reshape":
      if (shapeSize(layer.shape) !== inSize) throw new Error(`reshape to ${describeShape(layer.shape)} gets ${inSize} numbers`);
      return layer.shape.slice();
    case "transpose":
      if (layer.perm.length !== inShape.length) throw new Error(`transpose ${describeShape(layer.perm)} gets a ${inShape.length}-axis input`);
      return layer.perm.map((a) => inShape[a]);
    case "scale":
      if (!broadcastsOver(layer.scale.length, inShape) || layer.shift.length !== layer.scale.length) {
        throw new Error(`scale vectors of ${layer.scale.length} and ${layer.shift.length} do not fit ${describeShape(inShape)}`);
      }
      return inShape.slice();
    case "prelu":
      if (!broadcastsOver(layer.slope.length, inShape)) throw new Error(`prelu slope of ${layer.slope.length} does not fit ${describeShape(inShape)}`);
      return inShape.slice();
    default:
      return inShape.slice();
  }
}

/** Output shape of a block from its input shape and the output shapes of its inner lists. */
function blockOutputShape(layer: ContainerLayer, inShape: readonly number[], outs: number[][]): number[] {
  if (layer.type === "residual") {
    if (shapeSize(outs[0]) !== shapeSize(inShape)) throw new Error(`residual block maps ${describeShape(inShape)} to ${describeShape(outs[0])}`);
    return inShape.slice();
  }
  if (layer.branches.length < 2) throw new Error(`${layer.type} needs at least two branches`);
  if (layer.type === "concat") {
    const rest = (s: number[]): string => describeShape(s.slice(1));
    for (const s of outs) {
      if (s.length !== outs[0].length || rest(s) !== rest(outs[0])) {
        throw new Error(`concat branches end in shapes ${outs.map(describeShape).join(" and ")}, which differ beyond the first axis`);
      }
    }
    return [outs.reduce((a, s) => a + s[0], 0), ...outs[0].slice(1)];
  }
  for (const s of outs) {
    if (shapeSize(s) !== shapeSize(outs[0])) throw new Error(`${layer.type} branches end in shapes ${outs.map(describeShape).join(" and ")}`);
  }
  return outs[0];
}

/**
 * The shapes along a walk over layers (walk.ts): feed it the walk's events and `current` is the
 * shape flowing at each point. Blocks keep their input shape and their branches' outputs on a stack.
 */
export class ShapeTracker {
  current: number[];
  private readonly blocks: { in: number[]; outs: number[][] }[] = [];
  constructor(inShape: readonly number[]) {
    this.current = inShape.slice();
  }
  /** At a layer: returns its input shape; a leaf layer also moves `current` to its output. */
  layer(layer: Layer): number[] {
    const inShape = this.current;
    if (isContainer(layer)) this.blocks.push({ in: inShape, outs: [] });
    else this.current = leafOutputShape(layer, inShape);
    return inShape;
  }
  branch(): void {
    this.current = this.blocks[this.blocks.length - 1].in;
  }
  branchEnd(): void {
    this.blocks[this.blocks.length - 1].outs.push(this.current);
  }
  /** After a block: `current` becomes its output shape. */
  end(layer: ContainerLayer): void {
    const block = this.blocks.pop() as { in: number[]; outs: number[][] };
    this.current = blockOutputShape(layer, block.in, block.outs);
  }
}

/** Output shape of a list of layers applied in order. */
export function layersOutputShape(layers: readonly Layer[], inShape: readonly number[]): number[] {
  const shapes = new ShapeTracker(inShape);
  walkLayers(layers, {
    layer(layer) {
      shapes.layer(layer);
      return 0;
    },
    branch: () => shapes.branch(),
    branchEnd: () => shapes.branchEnd(),
    end: (layer) => shapes.end(layer),
  });
  return shapes.current;
}

/** Input shape of every top-level layer, then the output shape (layers.length + 1 entries). */
export function layerShapes(net: Network): number[][] {
  const shapes = [networkInputShape(net)];
  for (const layer of net.layers) shapes.push(layerOutputShape(layer, shapes[shapes.length - 1]));
  return shapes;
}

/** Output size of a layer given its (flat) input size; layers that need an image shape throw. */
export function layerOutputSize(layer: Layer, inSize: number): number {
  return shapeSize(layerOutputShape(layer, [inSize]));
}

/** Number of outputs of the network. */
export function networkOutputSize(net: Network): number {
  return shapeSize(layersOutputShape(net.layers, networkInputShape(net)));
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

/** A relu layer. */
export const relu = (): ReluLayer => ({ type: "relu" });
