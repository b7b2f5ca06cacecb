/**
 * Network (layers as data) -> Step[] (what engines run). See steps.ts for the step contract.
 * Consecutive explicit affine steps (dense, batch norm) are composed into one, which changes
 * no region and saves the engines a matrix product per cell.
 */
import type { Layer, Network } from "./layers.ts";
import { layerOutputSize } from "./layers.ts";
import { type AffineStep, type ElementwiseStep, type MaxStep, type Step, denseStep, diagonalStep } from "./steps.ts";

export function compile(net: Network): Step[] {
  const steps: Step[] = [];
  compileInto(net.layers, net.inputSize, steps, "");
  return fuseAffine(steps);
}

function compileInto(layers: Layer[], inSize: number, steps: Step[], prefix: string): number {
  let size = inSize;
  layers.forEach((layer, index) => {
    const label = `${prefix}${index}:${layer.type}`;
    const outSize = layerOutputSize(layer, size);
    switch (layer.type) {
      case "dense":
        steps.push(denseStep(label, layer.inSize, layer.outSize, layer.weight, layer.bias));
        break;
      case "batch-norm": {
        const scale = new Float64Array(size);
        const shift = new Float64Array(size);
        for (let i = 0; i < size; i++) {
          scale[i] = layer.gamma[i] / Math.sqrt(layer.variance[i] + layer.epsilon);
          shift[i] = layer.beta[i] - scale[i] * layer.mean[i];
        }
        steps.push(diagonalStep(label, scale, shift));
        break;
      }
      case "relu":
        steps.push(elementwise(label, size, [0], [0, 1], [0, 0]));
        break;
      case "leaky-relu":
        steps.push(elementwise(label, size, [0], [layer.slope, 1], [0, 0]));
        break;
      case "abs":
        steps.push(elementwise(label, size, [0], [-1, 1], [0, 0]));
        break;
      case "hard-tanh":
        steps.push(elementwise(label, size, [layer.lo, layer.hi], [0, 1, 0], [layer.lo, 0, layer.hi]));
        break;
      case "maxout":
        steps.push(maxout(label, size, layer.k));
        break;
      case "identity":
        break;
      case "residual":
        steps.push({ kind: "save", size });
        compileInto(layer.layers, size, steps, `${label}/`);
        steps.push({ kind: "add-saved", size });
        break;
    }
    size = outSize;
  });
  return size;
}

function elementwise(label: string, size: number, breakpoints: number[], slopes: number[], intercepts: number[]): ElementwiseStep {
  return {
    kind: "elementwise",
    label,
    size,
    breakpoints: Float64Array.from(breakpoints),
    slopes: Float64Array.from(slopes),
    intercepts: Float64Array.from(intercepts),
  };
}

function maxout(label: string, inSize: number, k: number): MaxStep {
  const outSize = inSize / k;
  const offsets = new Int32Array(outSize + 1);
  const indices = new Int32Array(inSize);
  for (let j = 0; j <= outSize; j++) offsets[j] = j * k;
  for (let i = 0; i < inSize; i++) indices[i] = i;
  return { kind: "max", label, inSize, outSize, offsets, indices };
}

/** Explicit matrix of an affine step (dense or diagonal), or null when it has none cheaply. */
function explicitMatrix(step: AffineStep): Float64Array | null {
  if (step.weight) return step.weight;
  if (step.inSize !== step.outSize || step.inSize > 4096) return null;
  const n = step.inSize;
  const m = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    step.applyLinear(e, 0, col, 0);
    e[j] = 0;
    for (let i = 0; i < n; i++) m[i * n + j] = col[i];
  }
  return m;
}

/** Compose runs of affine steps that both have (or cheaply get) explicit matrices. */
function fuseAffine(steps: Step[]): Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    const prev = out[out.length - 1];
    if (step.kind === "affine" && prev && prev.kind === "affine") {
      const a = explicitMatrix(prev);
      const b = explicitMatrix(step);
      if (a && b && prev.outSize * prev.inSize * step.outSize <= 1 << 26) {
        const n = prev.inSize;
        const mid = prev.outSize;
        const m = step.outSize;
        const w = new Float64Array(m * n);
        const bias = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let acc = step.bias[i];
          for (let k = 0; k < mid; k++) {
            const bik = b[i * mid + k];
            if (bik === 0) continue;
            acc += bik * prev.bias[k];
            for (let j = 0; j < n; j++) w[i * n + j] += bik * a[k * n + j];
          }
          bias[i] = acc;
        }
        out[out.length - 1] = denseStep(`${prev.label}+${step.label}`, n, m, w, bias);
        continue;
      }
    }
    out.push(step);
  }
  return out;
}
