/**
 * The same network with every structured affine layer written out as a dense matrix, and
 * max-pool as a dense gather followed by maxout: an independent implementation to check the
 * native convolution and pooling steps against (tests, benchmarks). Never for real use: a conv
 * layer's matrix has (C H W) x (C' H' W') entries.
 */

import { compile } from "./compile.ts";
import { conv2dMatrix } from "./conv.ts";
import type { DenseLayer, Layer, Network } from "./layers.ts";
import { layerOutputShape, networkInputShape, shapeSize } from "./layers.ts";
import { poolWindows } from "./pool.ts";
import { type AffineStep, affineMatrix } from "./steps.ts";

export function densify(net: Network): Network {
  return {
    inputSize: net.inputSize,
    layers: densifyLayers(net.layers, networkInputShape(net)),
  };
}

function densifyLayers(layers: Layer[], inShape: number[]): Layer[] {
  const out: Layer[] = [];
  let shape = inShape;
  for (const layer of layers) {
    const size = shapeSize(shape);
    switch (layer.type) {
      case "conv2d": {
        const m = conv2dMatrix(layer, shape);
        out.push({
          type: "dense",
          inSize: m.inSize,
          outSize: m.outSize,
          weight: m.weight,
          bias: m.bias,
        });
        break;
      }
      case "max-pool": {
        // Gather each window's cells into k consecutive units (a short window repeats its
        // first cell at the end, which never wins a tie), then maxout k.
        const w = poolWindows(layer, shape, layer.ceilMode);
        const units = w.offsets.length - 1;
        let k = 1;
        for (let j = 0; j < units; j++) k = Math.max(k, w.offsets[j + 1] - w.offsets[j]);
        const weight = new Float64Array(units * k * size);
        for (let j = 0; j < units; j++) {
          for (let t = 0; t < k; t++) {
            const p = w.offsets[j] + t < w.offsets[j + 1] ? w.offsets[j] + t : w.offsets[j];
            weight[(j * k + t) * size + w.indices[p]] = 1;
          }
        }
        out.push({
          type: "dense",
          inSize: size,
          outSize: units * k,
          weight,
          bias: new Float64Array(units * k),
        });
        if (k > 1) out.push({ type: "maxout", k });
        break;
      }
      case "avg-pool":
      case "batch-norm":
      case "scale":
      case "transpose":
      case "pad":
        out.push(probeDense(layer, shape));
        break;
      case "flatten":
      case "reshape":
      case "identity":
        break;
      case "residual":
        out.push({
          type: "residual",
          layers: densifyLayers(layer.layers, shape),
        });
        break;
      case "add":
      case "concat":
      case "max":
        out.push({
          type: layer.type,
          branches: layer.branches.map((b) => densifyLayers(b, shape)),
        });
        break;
      default:
        out.push(layer);
    }
    shape = layerOutputShape(layer, shape);
  }
  return out;
}

/** The dense matrix of a one-layer affine network, by pushing the unit vectors through it. */
function probeDense(layer: Layer, shape: number[]): DenseLayer {
  const steps = compile({
    inputSize: shapeSize(shape),
    inputShape: shape,
    layers: [layer],
  });
  const step = steps[0] as AffineStep;
  return {
    type: "dense",
    inSize: step.inSize,
    outSize: step.outSize,
    weight: affineMatrix(step).slice(),
    bias: step.bias.slice(),
  };
}
