/**
 * A Network as a differentiable program: one op per layer, each with its own output and
 * input-gradient buffers sized for the largest batch, so a training step allocates nothing.
 * Dense layers are trained in place: the op reads and the optimiser writes `layer.weight` and
 * `layer.bias` directly, so the Network is always the current model (ready to save or to hand
 * to the region engines).
 *
 * Piecewise-linear units use the same definitions as the engines (compile.ts) so a unit's
 * state in training is its state in the regions: relu is on for x > 0, hard-tanh is in its
 * middle piece for lo < x <= hi, maxout takes the first of tied maxima.
 */
import { compile } from "../model/compile.ts";
import type { DenseLayer, Layer, Network } from "../model/layers.ts";
import { layerOutputSize } from "../model/layers.ts";
import type { ElementwiseStep, MaxStep } from "../model/steps.ts";
import { createScratch, denseForward, denseGradInput, denseGradParams } from "./kernels.ts";

export class TrainingError extends Error {
  override name = "TrainingError";
}

/** A trainable tensor and its gradient (same length). Weights decay, biases do not. */
export interface Param {
  value: Float64Array;
  grad: Float64Array;
  decay: boolean;
  name: string;
}

interface Op {
  inSize: number;
  outSize: number;
  /** Returns the op's output buffer (rows 0..batch-1 valid). */
  forward(x: Float64Array, batch: number): Float64Array;
  /** Accumulates parameter gradients; returns dL/dx when `needInput` (else null). */
  backward(dy: Float64Array, batch: number, needInput: boolean): Float64Array | null;
}

export interface Trainable {
  network: Network;
  inputSize: number;
  outputSize: number;
  maxBatch: number;
  params: Param[];
  /** Forward pass of `batch` rows of x; the returned buffer is reused by the next call. */
  forward(x: Float64Array, batch: number): Float64Array;
  /** Backward pass from dL/d(output) after `forward`; returns dL/dx when asked. */
  backward(dOut: Float64Array, batch: number, needInputGradient?: boolean): Float64Array | null;
  zeroGrad(): void;
}

export function trainable(network: Network, maxBatch: number): Trainable {
  const params: Param[] = [];
  const { ops, outSize } = buildOps(network.layers, network.inputSize, maxBatch, params, "");
  return {
    network,
    inputSize: network.inputSize,
    outputSize: outSize,
    maxBatch,
    params,
    forward(x, batch) {
      if (batch > maxBatch) throw new Error(`internal: batch ${batch} exceeds ${maxBatch}`);
      let cur = x;
      for (const op of ops) cur = op.forward(cur, batch);
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

function buildOps(layers: Layer[], inSize: number, maxBatch: number, params: Param[], prefix: string): { ops: Op[]; outSize: number } {
  const ops: Op[] = [];
  let size = inSize;
  layers.forEach((layer, index) => {
    const where = `${prefix}layer ${index} (${layer.type})`;
    const out = layerOutputSize(layer, size);
    switch (layer.type) {
      case "dense":
        ops.push(denseOp(layer, maxBatch, params, where));
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
        ops.push(step.kind === "max" ? maxOp(step, maxBatch) : elementwiseOp(step as ElementwiseStep, maxBatch));
        break;
      }
      case "batch-norm":
        if (layer.size !== size) throw new TrainingError(`${where}: per-channel batch norm of images cannot be trained (only flat inputs)`);
        ops.push(
          frozenDiagonalOp(
            layer.gamma.map((g, i) => g / Math.sqrt(layer.variance[i] + layer.epsilon)),
            layer,
            maxBatch,
          ),
        );
        break;
      case "identity":
        break;
      case "residual": {
        const inner = buildOps(layer.layers, size, maxBatch, params, `${where} / `);
        ops.push(residualOp(inner.ops, size, maxBatch));
        break;
      }
      default:
        throw new TrainingError(`${where}: cannot be trained (supported: dense, relu, leaky-relu, abs, hard-tanh, maxout, batch-norm (frozen), identity, residual)`);
    }
    size = out;
  });
  return { ops, outSize: size };
}

function denseOp(layer: DenseLayer, maxBatch: number, params: Param[], name: string): Op {
  const { inSize: n, outSize: m } = layer;
  const z = new Float64Array(maxBatch * m);
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
      return z;
    },
    backward(dy, batch, needInput) {
      denseGradParams(dy, input, weight.grad, bias.grad, batch, n, m, scratch);
      if (!needInput) return null;
      denseGradInput(dy, layer.weight, dx, batch, n, m, scratch);
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

function maxOp(step: MaxStep, maxBatch: number): Op {
  const { inSize: n, outSize: m, offsets, indices } = step;
  const y = new Float64Array(maxBatch * m);
  const chosen = new Int32Array(maxBatch * m);
  const dx = new Float64Array(maxBatch * n);
  return {
    inSize: n,
    outSize: m,
    forward(x, batch) {
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < m; j++) {
          let best = indices[offsets[j]];
          let bestValue = x[b * n + best];
          for (let p = offsets[j] + 1; p < offsets[j + 1]; p++) {
            const v = x[b * n + indices[p]];
            if (v > bestValue) {
              bestValue = v;
              best = indices[p];
            }
          }
          chosen[b * m + j] = best;
          y[b * m + j] = bestValue;
        }
      }
      return y;
    },
    backward(dy, batch) {
      dx.fill(0, 0, batch * n);
      for (let b = 0; b < batch; b++) for (let j = 0; j < m; j++) dx[b * n + chosen[b * m + j]] += dy[b * m + j];
      return dx;
    },
  };
}

/** Batch norm in inference form, not trained: y = scale x + shift. */
function frozenDiagonalOp(scale: Float64Array, layer: { beta: Float64Array; mean: Float64Array }, maxBatch: number): Op {
  const size = scale.length;
  const shift = scale.map((s, i) => layer.beta[i] - s * layer.mean[i]);
  const y = new Float64Array(maxBatch * size);
  const dx = new Float64Array(maxBatch * size);
  return {
    inSize: size,
    outSize: size,
    forward(x, batch) {
      for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) y[b * size + i] = scale[i] * x[b * size + i] + shift[i];
      return y;
    },
    backward(dy, batch) {
      for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) dx[b * size + i] = scale[i] * dy[b * size + i];
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
    forward(x, batch) {
      let cur = x;
      for (const op of inner) cur = op.forward(cur, batch);
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
