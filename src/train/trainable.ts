/**
 * A Network as a differentiable program: one op per layer, each with its own output and
 * input-gradient buffers sized for the largest batch, so a training step allocates nothing.
 * Layers are trained in place: the ops read and the optimiser writes the layers' own weight,
 * bias, gamma and beta arrays (and batch norm its running statistics), so the Network is always
 * the current model (ready to save or to hand to the region engines).
 *
 * Images are C x H x W, row-major per example (the network's `inputShape`); convolutions
 * (ops/conv.ts), pooling (ops/pool.ts) and batch norm (ops/batch-norm.ts) work on that layout,
 * flatten and reshape are free.
 *
 * Piecewise-linear units use the same definitions as the engines (compile.ts) so a unit's
 * state in training is its state in the regions: relu is on for x > 0, hard-tanh is in its
 * middle piece for lo < x <= hi, maxout takes the first of tied maxima.
 */
import { compile } from "../model/compile.ts";
import type { DenseLayer, Layer, Network } from "../model/layers.ts";
import { layerOutputShape, networkInputShape, shapeSize } from "../model/layers.ts";
import type { ElementwiseStep } from "../model/steps.ts";
import { createScratch, denseForward, denseGradInput, denseGradParams } from "./kernels.ts";
import { batchNormOp } from "./ops/batch-norm.ts";
import { conv2dOp } from "./ops/conv.ts";
import { type Op, type Param, reluInPlace, reluMask } from "./ops/op.ts";
import { avgPoolOp, groupMaxOp, maxPoolOp } from "./ops/pool.ts";

export type { Param } from "./ops/op.ts";

export class TrainingError extends Error {
  override name = "TrainingError";
}

export interface Trainable {
  network: Network;
  inputSize: number;
  outputSize: number;
  maxBatch: number;
  params: Param[];
  /**
   * Forward pass of `batch` rows of x; the returned buffer is reused by the next call.
   * `training` uses batch statistics in batch norm (and updates its running averages); the
   * default is the inference form, the function the engines count.
   */
  forward(x: Float64Array, batch: number, training?: boolean): Float64Array;
  /** Backward pass from dL/d(output) after `forward`; returns dL/dx when asked. */
  backward(dOut: Float64Array, batch: number, needInputGradient?: boolean): Float64Array | null;
  zeroGrad(): void;
}

export function trainable(network: Network, maxBatch: number): Trainable {
  const params: Param[] = [];
  const { ops, outShape } = buildOps(network.layers, networkInputShape(network), maxBatch, params, "");
  const outSize = shapeSize(outShape);
  return {
    network,
    inputSize: network.inputSize,
    outputSize: outSize,
    maxBatch,
    params,
    forward(x, batch, training = false) {
      if (batch > maxBatch) throw new Error(`internal: batch ${batch} exceeds ${maxBatch}`);
      let cur = x;
      for (const op of ops) cur = op.forward(cur, batch, training);
      return cur;
    },
    backward(dOut, batch, needInputGradient = false) {
      let grad: Float64Array | null = dOut;
      for (let k = ops.length - 1; k >= 0; k--) grad = ops[k].backward(grad as Float64Array, batch, k > 0 || needInputGradient);
      return grad;
    },
    zeroGrad() {
      for (const p of params) p.grad.fill(0);
    },
  };
}

const SUPPORTED = "dense, conv2d (one group), max-pool, avg-pool, batch-norm, relu, leaky-relu, abs, hard-tanh, maxout, flatten, reshape, identity, residual";

function buildOps(layers: Layer[], inShape: number[], maxBatch: number, params: Param[], prefix: string): { ops: Op[]; outShape: number[] } {
  const ops: Op[] = [];
  let shape = inShape;
  // A relu right after a dense or conv layer is applied by that op as it writes its output
  // (`fused`): one pass less over the activations, the same numbers.
  let fused = false;
  layers.forEach((layer, index) => {
    if (fused) {
      fused = false;
      return;
    }
    const reluNext = layers[index + 1]?.type === "relu";
    const where = `${prefix}layer ${index} (${layer.type})`;
    let out: number[];
    try {
      out = layerOutputShape(layer, shape);
    } catch (e) {
      throw new TrainingError(`${where}: ${(e as Error).message}`);
    }
    const size = shapeSize(shape);
    switch (layer.type) {
      case "dense":
        ops.push(denseOp(layer, maxBatch, params, where, reluNext));
        fused = reluNext;
        break;
      case "conv2d":
        if (layer.groups !== 1) throw new TrainingError(`${where}: grouped convolutions (groups ${layer.groups}) cannot be trained (supported: ${SUPPORTED})`);
        ops.push(conv2dOp(layer, shape, maxBatch, params, where, reluNext));
        fused = reluNext;
        break;
      case "max-pool":
        ops.push(maxPoolOp(layer, shape, maxBatch));
        break;
      case "avg-pool":
        ops.push(avgPoolOp(layer, shape, maxBatch));
        break;
      case "batch-norm":
        ops.push(batchNormOp(layer, shape, maxBatch, params, where));
        break;
      case "relu":
        ops.push(reluOp(size, maxBatch));
        break;
      case "leaky-relu":
      case "abs":
      case "hard-tanh":
      case "maxout": {
        // The layer's compiled step carries its breakpoints / groups (compile.ts).
        const step = compile({ inputSize: size, layers: [layer] })[0];
        ops.push(step.kind === "max" ? groupMaxOp(step.inSize, step.offsets, step.indices, maxBatch) : elementwiseOp(step as ElementwiseStep, maxBatch));
        break;
      }
      case "identity":
      case "flatten":
      case "reshape":
        break;
      case "residual": {
        const inner = buildOps(layer.layers, shape, maxBatch, params, `${where} / `);
        ops.push(residualOp(inner.ops, size, maxBatch));
        break;
      }
      default:
        throw new TrainingError(`${where}: cannot be trained (supported: ${SUPPORTED})`);
    }
    shape = out;
  });
  return { ops, outShape: shape };
}

/** A dense layer, followed by a relu when `relu` (the layer's output is then max(z, 0)). */
function denseOp(layer: DenseLayer, maxBatch: number, params: Param[], name: string, relu: boolean): Op {
  const { inSize: n, outSize: m } = layer;
  const z = new Float64Array(maxBatch * m);
  const dz = relu ? new Float64Array(maxBatch * m) : z;
  const dx = new Float64Array(maxBatch * n);
  const weight: Param = {
    value: layer.weight,
    grad: new Float64Array(m * n),
    decay: true,
    name: `${name} weight`,
  };
  const bias: Param = {
    value: layer.bias,
    grad: new Float64Array(m),
    decay: false,
    name: `${name} bias`,
  };
  params.push(weight, bias);
  const scratch = createScratch();
  let input: Float64Array = z;
  return {
    inSize: n,
    outSize: m,
    forward(x, batch) {
      input = x;
      denseForward(x, layer.weight, layer.bias, z, batch, n, m);
      if (relu) reluInPlace(z, batch * m);
      return z;
    },
    backward(dy, batch, needInput) {
      const g = relu ? reluMask(z, dy, dz, batch * m) : dy;
      denseGradParams(g, input, weight.grad, bias.grad, batch, n, m, scratch);
      if (!needInput) return null;
      denseGradInput(g, layer.weight, dx, batch, n, m, scratch);
      return dx;
    },
  };
}

function reluOp(size: number, maxBatch: number): Op {
  const y = new Float64Array(maxBatch * size);
  const dx = new Float64Array(maxBatch * size);
  return {
    inSize: size,
    outSize: size,
    forward(x, batch) {
      const len = batch * size;
      for (let k = 0; k < len; k++) {
        y[k] = Math.max(x[k], 0);
      }
      return y;
    },
    backward(dy, batch) {
      const len = batch * size;
      for (let k = 0; k < len; k++) dx[k] = y[k] > 0 ? dy[k] : 0;
      return dx;
    },
  };
}

/** Any scalar piecewise-linear unit given by breakpoints, slopes and intercepts (compile.ts). */
function elementwiseOp(step: ElementwiseStep, maxBatch: number): Op {
  const size = step.size;
  const { breakpoints, slopes, intercepts } = step;
  const y = new Float64Array(maxBatch * size);
  const slopeUsed = new Float64Array(maxBatch * size);
  const dx = new Float64Array(maxBatch * size);
  return {
    inSize: size,
    outSize: size,
    forward(x, batch) {
      const len = batch * size;
      for (let k = 0; k < len; k++) {
        const v = x[k];
        let s = 0;
        while (s < breakpoints.length && v > breakpoints[s]) s++;
        slopeUsed[k] = slopes[s];
        y[k] = slopes[s] * v + intercepts[s];
      }
      return y;
    },
    backward(dy, batch) {
      const len = batch * size;
      for (let k = 0; k < len; k++) dx[k] = slopeUsed[k] * dy[k];
      return dx;
    },
  };
}

/** y = x + f(x); the gradient reaches x through both paths. */
function residualOp(inner: Op[], size: number, maxBatch: number): Op {
  const y = new Float64Array(maxBatch * size);
  const dx = new Float64Array(maxBatch * size);
  return {
    inSize: size,
    outSize: size,
    forward(x, batch, training) {
      let cur = x;
      for (const op of inner) cur = op.forward(cur, batch, training);
      const len = batch * size;
      for (let k = 0; k < len; k++) y[k] = x[k] + cur[k];
      return y;
    },
    backward(dy, batch) {
      let grad: Float64Array | null = dy;
      for (let k = inner.length - 1; k >= 0; k--) grad = inner[k].backward(grad as Float64Array, batch, true);
      const len = batch * size;
      const g = grad as Float64Array;
      for (let k = 0; k < len; k++) dx[k] = dy[k] + g[k];
      return dx;
    },
  };
}
