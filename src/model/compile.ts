/**
 * Network (layers as data) -> Step[] (what engines run). See steps.ts for the step contract.
 *
 * Shapes are tracked layer by layer (see layerOutputShape) because convolution and pooling need
 * C x H x W; flatten, reshape and identity compile to nothing (the vector is already flat,
 * row-major). Consecutive affine steps with explicit matrices (dense, and the diagonal steps of
 * batch norm and scaling) are composed into one, which changes no region and saves the engines
 * a matrix product per cell; a batch norm or per-channel scaling right after a convolution is
 * folded into the convolution's weights. Convolution and pooling steps are never densified.
 */
import { conv2dStep } from "./conv.ts";
import type { BatchNormLayer, BranchLayer, Conv2dLayer, Layer, Network, PadLayer, PReluLayer, TransposeLayer } from "./layers.ts";
import { networkInputShape, ShapeTracker, shapeSize } from "./layers.ts";
import { avgPoolStep, maxPoolStep } from "./pool.ts";
import { type AffineStep, denseStep, diagonalStep, type ElementwiseStep, type MaxStep, type Step } from "./steps.ts";
import { walkLayers } from "./walk.ts";

export function compile(net: Network): Step[] {
  return plainMlpSteps(net) ?? compileLayers(net);
}

/**
 * The steps of a network of dense and ReLU layers only (an MLP), made directly: what
 * compileLayers makes of it (the same labels, the same steps from the same functions), without
 * the layer walk, the shape tracker and the per-layer switch, which a fresh process compiles
 * before it runs them (about 11 KB of source, a few tenths of a millisecond of a small count's
 * first call). Null for any other network, or when the sizes do not chain (compileLayers then
 * says why).
 */
function plainMlpSteps(net: Network): Step[] | null {
  const { layers } = net;
  const inputSize = net.inputShape ? shapeSize(net.inputShape) : net.inputSize;
  let size = inputSize;
  let affineRun = false;
  for (const layer of layers) {
    if (layer.type === "dense") {
      if (layer.inSize !== size) return null;
      // Two dense layers in a row are composed (fuseAffine): left to the general path.
      if (affineRun) return null;
      affineRun = true;
      size = layer.outSize;
    } else if (layer.type === "relu") affineRun = false;
    else return null;
  }
  const steps: Step[] = [];
  size = inputSize;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index];
    const label = `${index}:${layer.type}`;
    if (layer.type === "dense") {
      steps.push(denseStep(label, layer.inSize, layer.outSize, layer.weight, layer.bias));
      size = layer.outSize;
    } else steps.push(reluStep(label, size));
  }
  return steps;
}

/** ReLU as an elementwise step: one breakpoint at 0, slope 0 below it and 1 above, no offset. */
function reluStep(label: string, size: number): Step {
  return elementwise(label, size, [0], [0, 1], [0, 0]);
}

/**
 * Any network: the layers walked in order, blocks included, shapes checked, affine neighbours
 * composed (exported for the test that compares plainMlpSteps with it).
 */
export function compileLayers(net: Network): Step[] {
  const steps: Step[] = [];
  const shapes = new ShapeTracker(networkInputShape(net));
  // Label prefixes of the blocks being walked ("3:residual/"), and each block's join state.
  const prefixes: string[] = [""];
  const blocks: { label: string; size: number; outSizes: number[] }[] = [];
  walkLayers(net.layers, {
    layer(first, at) {
      const prefix = prefixes[prefixes.length - 1];
      let layer = first;
      let label = `${prefix}${at.index}:${layer.type}`;
      let skip = 0;
      // Fold the per-channel affine layers that follow a convolution into its weights.
      while (layer.type === "conv2d" && at.index + skip + 1 < at.list.length) {
        const next = at.list[at.index + skip + 1];
        const folded = foldIntoConv(layer, next);
        if (!folded) break;
        layer = folded;
        skip++;
        label += `+${prefix}${at.index + skip}:${next.type}`;
      }
      const shape = shapes.layer(layer);
      if (layer.type === "residual" || layer.type === "add" || layer.type === "concat" || layer.type === "max") {
        blocks.push({ label, size: shapeSize(shape), outSizes: [] });
        if (layer.type === "residual") steps.push({ kind: "save", size: shapeSize(shape) });
      } else compileLeaf(label, layer, shape, steps);
      return skip;
    },
    branch(layer, k) {
      shapes.branch();
      const block = blocks[blocks.length - 1];
      prefixes.push(layer.type === "residual" ? `${block.label}/` : `${block.label}/${k}/`);
      if (layer.type !== "residual" && k < layer.branches.length - 1) steps.push({ kind: "save", size: block.size });
    },
    branchEnd(layer, k) {
      shapes.branchEnd();
      prefixes.pop();
      const block = blocks[blocks.length - 1];
      const out = shapeSize(shapes.current);
      block.outSizes.push(out);
      if (layer.type !== "residual" && k < layer.branches.length - 1) steps.push({ kind: "swap", size: out, savedSize: block.size });
    },
    end(layer) {
      shapes.end(layer);
      const block = blocks.pop() as { label: string; size: number; outSizes: number[] };
      if (layer.type === "residual") steps.push({ kind: "add-saved", size: block.size });
      else joinBranches(block.label, layer, block.outSizes, steps);
    },
  });
  return fuseAffine(steps);
}

/** Diagonal steps made here: cheap to turn into a matrix when fused with a dense neighbour. */
const diagonal = new WeakSet<AffineStep>();

/** The step of a layer that holds no other layers (flatten, reshape and identity have none). */
function compileLeaf(label: string, layer: Layer, shape: number[], steps: Step[]): void {
  const size = shapeSize(shape);
  switch (layer.type) {
    case "dense":
      steps.push(denseStep(label, layer.inSize, layer.outSize, layer.weight, layer.bias));
      break;
    case "batch-norm": {
      const { scale, shift } = batchNormAffine(layer);
      steps.push(diagonalOf(label, expand(scale, shape), expand(shift, shape)));
      break;
    }
    case "scale":
      steps.push(diagonalOf(label, expand(layer.scale, shape), expand(layer.shift, shape)));
      break;
    case "relu":
      steps.push(reluStep(label, size));
      break;
    case "leaky-relu":
      steps.push(elementwise(label, size, [0], [layer.slope, 1], [0, 0]));
      break;
    case "prelu":
      compilePrelu(label, layer, shape, steps);
      break;
    case "abs":
      steps.push(elementwise(label, size, [0], [-1, 1], [0, 0]));
      break;
    case "hard-tanh":
      steps.push(hardTanh(label, size, layer.lo, layer.hi));
      break;
    case "maxout":
      steps.push(maxout(label, size, layer.k));
      break;
    case "conv2d":
      steps.push(conv2dStep(label, layer, shape));
      break;
    case "max-pool":
      steps.push(maxPoolStep(label, layer, shape));
      break;
    case "avg-pool":
      steps.push(avgPoolStep(label, layer, shape));
      break;
    case "transpose":
      steps.push(transposeStep(label, layer, shape));
      break;
    case "pad":
      steps.push(padStep(label, layer, shape));
      break;
  }
}

/**
 * Branches on one input x compile to: save x, b1, swap (x current, b1 saved), [save x, b_i,
 * swap]..., b_k (the walk above), then the join from the top of the stack down: add-saved, or
 * concat-saved (giving [b1; ...; b_k], channel-major, which is concatenation along channels),
 * then a max step over the k copies.
 */
function joinBranches(label: string, layer: BranchLayer, outSizes: number[], steps: Step[]): void {
  const k = layer.branches.length;
  let current = outSizes[k - 1];
  for (let b = k - 2; b >= 0; b--) {
    if (layer.type === "add") steps.push({ kind: "add-saved", size: current });
    else {
      steps.push({
        kind: "concat-saved",
        size: current,
        savedSize: outSizes[b],
      });
      current += outSizes[b];
    }
  }
  if (layer.type === "max") {
    const n = outSizes[0];
    const offsets = new Int32Array(n + 1);
    const indices = new Int32Array(n * k);
    for (let j = 0; j < n; j++) {
      offsets[j + 1] = (j + 1) * k;
      for (let b = 0; b < k; b++) indices[j * k + b] = b * n + j;
    }
    steps.push({
      kind: "max",
      label,
      inSize: n * k,
      outSize: n,
      offsets,
      indices,
    });
  }
}

/**
 * prelu_a(x) = a x + (1 - a) relu(x): save x, relu, scale by 1 - a, swap, scale by a, add-saved.
 * The relu's state is the prelu's state (x > 0), so patterns mean the same as for leaky relu.
 * A single slope is just a leaky relu.
 */
function compilePrelu(label: string, layer: PReluLayer, shape: number[], steps: Step[]): void {
  const size = shapeSize(shape);
  const slope = layer.slope;
  if (slope.every((a) => a === slope[0])) {
    steps.push(elementwise(label, size, [0], [slope[0], 1], [0, 0]));
    return;
  }
  const a = expand(slope, shape);
  const zero = new Float64Array(size);
  steps.push({ kind: "save", size });
  steps.push(reluStep(label, size));
  steps.push(
    diagonalOf(
      `${label}/on`,
      a.map((v) => 1 - v),
      zero,
    ),
  );
  steps.push({ kind: "swap", size, savedSize: size });
  steps.push(diagonalOf(`${label}/linear`, a, zero));
  steps.push({ kind: "add-saved", size });
}

function batchNormAffine(layer: BatchNormLayer): {
  scale: Float64Array;
  shift: Float64Array;
} {
  const scale = new Float64Array(layer.size);
  const shift = new Float64Array(layer.size);
  for (let i = 0; i < layer.size; i++) {
    scale[i] = layer.gamma[i] / Math.sqrt(layer.variance[i] + layer.epsilon);
    shift[i] = layer.beta[i] - scale[i] * layer.mean[i];
  }
  return { scale, shift };
}

/** A conv followed by a per-channel affine layer (batch norm, scale) as one conv, or null. */
function foldIntoConv(conv: Conv2dLayer, next: Layer): Conv2dLayer | null {
  let scale: Float64Array;
  let shift: Float64Array;
  if (next.type === "batch-norm" && next.size === conv.outChannels) ({ scale, shift } = batchNormAffine(next));
  else if (next.type === "scale" && (next.scale.length === 1 || next.scale.length === conv.outChannels)) {
    const per = (v: Float64Array): Float64Array => (v.length === 1 ? new Float64Array(conv.outChannels).fill(v[0]) : v);
    scale = per(next.scale);
    shift = per(next.shift);
  } else return null;
  const perChannel = conv.weight.length / conv.outChannels;
  const weight = conv.weight.map((w, i) => w * scale[Math.floor(i / perChannel)]);
  const bias = conv.bias.map((b, oc) => scale[oc] * b + shift[oc]);
  return { ...conv, weight, bias };
}

/** A per-channel (length C), scalar (length 1) or full-size vector, expanded to the full size. */
function expand(v: Float64Array, shape: readonly number[]): Float64Array {
  const size = shapeSize(shape);
  if (v.length === size) return v;
  const out = new Float64Array(size);
  if (v.length === 1) return out.fill(v[0]);
  const per = size / shape[0];
  for (let c = 0; c < shape[0]; c++) out.fill(v[c], c * per, (c + 1) * per);
  return out;
}

function diagonalOf(label: string, scale: Float64Array, shift: Float64Array): AffineStep {
  const step = diagonalStep(label, scale, shift);
  diagonal.add(step);
  return step;
}

/** An axis permutation as an affine step (weight null: a gather, not a matrix). */
function transposeStep(label: string, layer: TransposeLayer, shape: number[]): AffineStep {
  const outShape = layer.perm.map((a) => shape[a]);
  const size = shapeSize(shape);
  const inStrides = shape.map((_, a) => shapeSize(shape.slice(a + 1)));
  const source = new Int32Array(size);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < size; o++) {
    let i = 0;
    for (let a = 0; a < outShape.length; a++) i += index[a] * inStrides[layer.perm[a]];
    source[o] = i;
    for (let a = outShape.length - 1; a >= 0; a--) {
      if (++index[a] < outShape[a]) break;
      index[a] = 0;
    }
  }
  return {
    kind: "affine",
    label,
    inSize: size,
    outSize: size,
    bias: new Float64Array(size),
    weight: null,
    applyLinear(x, xOff, y, yOff) {
      for (let o = 0; o < size; o++) y[yOff + o] = x[xOff + source[o]];
    },
  };
}

/** Zero padding as an affine step: each output cell copies one input cell or stays zero. */
function padStep(label: string, layer: PadLayer, shape: number[]): AffineStep {
  const [channels, height, width] = shape;
  const [top, left, bottom, right] = layer.padding;
  const outHeight = height + top + bottom;
  const outWidth = width + left + right;
  const outSize = channels * outHeight * outWidth;
  const source = new Int32Array(outSize).fill(-1);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) source[(c * outHeight + y + top) * outWidth + x + left] = (c * height + y) * width + x;
    }
  }
  return {
    kind: "affine",
    label,
    inSize: channels * height * width,
    outSize,
    bias: new Float64Array(outSize),
    weight: null,
    applyLinear(x, xOff, y, yOff) {
      for (let o = 0; o < outSize; o++) y[yOff + o] = source[o] < 0 ? 0 : x[xOff + source[o]];
    },
  };
}

/** An elementwise step of `size` units: one activation given by its breakpoints and its pieces' slopes and intercepts. */
export function elementwise(label: string, size: number, breakpoints: number[], slopes: number[], intercepts: number[]): ElementwiseStep {
  return {
    kind: "elementwise",
    label,
    size,
    breakpoints: Float64Array.from(breakpoints),
    slopes: Float64Array.from(slopes),
    intercepts: Float64Array.from(intercepts),
  };
}

/** Clip to [lo, hi]; a one-sided clip (an infinite bound) has a single breakpoint. */
function hardTanh(label: string, size: number, lo: number, hi: number): ElementwiseStep {
  if (lo === -Infinity && hi === Infinity) return elementwise(label, size, [], [1], [0]);
  if (lo === -Infinity) return elementwise(label, size, [hi], [1, 0], [0, hi]);
  if (hi === Infinity) return elementwise(label, size, [lo], [0, 1], [lo, 0]);
  return elementwise(label, size, [lo, hi], [0, 1, 0], [lo, 0, hi]);
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
  if (!diagonal.has(step) || step.inSize > 4096) return null;
  const n = step.inSize;
  const m = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    step.applyLinear(e, 0, col, 0);
    e[j] = 0;
    m[j * n + j] = col[j];
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
