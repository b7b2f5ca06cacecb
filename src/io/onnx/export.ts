/**
 * tessera Network -> ONNX bytes (a ModelProto, opset 13). Pure (no Node API), the mirror of
 * import.ts: every layer becomes the standard ONNX op the importer reads back as that layer, so
 * `importOnnx(exportOnnx(net))` computes the same function with the same activation regions.
 *
 * Weights are written as float64 by default (exact: the re-imported network has the same bits,
 * so identical outputs and counts), or as float32 on request for tools that only run float32
 * (onnxruntime's CPU Conv, most accelerators); float32 rounds every weight once.
 *
 * The batch axis is symbolic ("N"). Blocks (residual, add / concat / max branches) are written
 * as their branches followed by the joining op; the tree is walked with walkLayers, so the
 * depth of a network is bounded by memory, not the call stack.
 */
import { type Layer, layerOutputShape, type Network, networkInputShape, shapeSize } from "../../model/layers.ts";
import { type ContainerLayer, walkLayers } from "../../model/walk.ts";
import { FormatError } from "../network-json.ts";
import { modelProtoType } from "./schema.ts";
import { DATA_TYPE } from "./tensor.ts";

/** Element type of an exported ONNX model's tensors: float64 (exact) or float32. */
export type OnnxFloat = "float64" | "float32";

/** Options of exportOnnx. */
export interface OnnxExportOptions {
  /** Element type of the weights, the input and the output (default float64, exact). */
  float?: OnnxFloat;
  /** producer_name in the file (default "tessera"). */
  producer?: string;
}

const { float32: FLOAT, int64: INT64, float64: DOUBLE } = DATA_TYPE;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

type Attr = Record<string, unknown>;
interface Node {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: Attr[];
}

/** Where a block's branches start and what they produced. */
interface BlockFrame {
  input: string;
  shape: number[];
  outputs: string[];
  shapes: number[][];
}

/** Encode a network as an ONNX model; one-line FormatError for a layer ONNX cannot express. */
export function exportOnnx(net: Network, options: OnnxExportOptions = {}): Uint8Array {
  const elemType = options.float === "float32" ? FLOAT : DOUBLE;
  const nodes: Node[] = [];
  const initializers: Record<string, unknown>[] = [];
  let counter = 0;
  const fresh = (base: string): string => `${base}_${counter++}`;

  const weights = (base: string, dims: number[], values: ArrayLike<number>): string => {
    const name = fresh(base);
    const bytes = elemType === DOUBLE ? new Uint8Array(Float64Array.from(values).buffer) : new Uint8Array(Float32Array.from(values).buffer);
    initializers.push({ name, dims, dataType: elemType, rawData: bytes });
    return name;
  };
  const ints = (base: string, values: number[]): string => {
    const name = fresh(base);
    initializers.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
    return name;
  };
  const node = (opType: string, input: string[], attribute: Attr[] = []): string => {
    const output = fresh(opType.toLowerCase());
    nodes.push({ opType, input, output: [output], name: output, attribute });
    return output;
  };

  let current = "input";
  let shape = networkInputShape(net);
  const frames: BlockFrame[] = [];
  walkLayers(net.layers, {
    layer(layer, at) {
      if (layer.type === "residual" || layer.type === "add" || layer.type === "concat" || layer.type === "max") {
        frames.push({ input: current, shape, outputs: [], shapes: [] });
        return 0;
      }
      try {
        current = leaf(layer, current, shape, { node, weights, ints });
        shape = layerOutputShape(layer, shape);
      } catch (e) {
        if (e instanceof FormatError) throw new FormatError(`layer ${at.path} (${layer.type}): ${e.message}`);
        throw e;
      }
      return 0;
    },
    branch() {
      const frame = frames[frames.length - 1];
      current = frame.input;
      shape = frame.shape;
    },
    branchEnd() {
      const frame = frames[frames.length - 1];
      frame.outputs.push(current);
      frame.shapes.push(shape);
    },
    end(layer: ContainerLayer) {
      const frame = frames.pop() as BlockFrame;
      ({ current, shape } = join(layer, frame, node));
    },
  });
  // The output must be some node's own output (a network of no layers, or ending in an empty
  // branch, would otherwise name the input).
  if (nodes.length === 0 || nodes[nodes.length - 1].output[0] !== current) current = node("Identity", [current]);

  const valueInfo = (name: string, dims: number[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: "N" }, ...dims.map((d) => ({ dimValue: d }))] } } },
  });
  const outputShape = shape;
  // The last node's output is renamed "output", so tools see input -> output (no other node
  // reads it: it was made last).
  nodes[nodes.length - 1].output = ["output"];
  const model = {
    irVersion: 7,
    producerName: options.producer ?? "tessera",
    producerVersion: "",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "tessera",
      node: nodes,
      initializer: initializers,
      input: [valueInfo("input", networkInputShape(net))],
      output: [valueInfo("output", outputShape)],
    },
  };
  const type = modelProtoType();
  return type.encode(type.fromObject(model)).finish();
}

interface Emit {
  node(opType: string, input: string[], attribute?: Attr[]): string;
  weights(base: string, dims: number[], values: ArrayLike<number>): string;
  ints(base: string, values: number[]): string;
}

const intAttr = (name: string, i: number): Attr => ({ name, type: ATTR_INT, i });
const intsAttr = (name: string, values: number[]): Attr => ({ name, type: ATTR_INTS, ints: values });
const floatAttr = (name: string, f: number): Attr => ({ name, type: ATTR_FLOAT, f });
const stringAttr = (name: string, s: string): Attr => ({ name, type: ATTR_STRING, s: new TextEncoder().encode(s) });

/** A parameter vector of length 1, C or the full size, shaped to broadcast over [N, ...shape]. */
function broadcastDims(length: number, shape: number[]): number[] {
  if (length === 1) return [];
  if (length === shapeSize(shape)) return shape;
  return [length, ...shape.slice(1).map(() => 1)];
}

/** Window attributes of Conv and the pools (ONNX pads: begin H, begin W, end H, end W). */
function windowAttrs(w: { kernel: [number, number]; stride: [number, number]; padding: [number, number, number, number] }): Attr[] {
  const [t, l, b, r] = w.padding;
  return [intsAttr("kernel_shape", w.kernel), intsAttr("strides", w.stride), intsAttr("pads", [t, l, b, r])];
}

function leaf(layer: Layer, x: string, shape: number[], e: Emit): string {
  switch (layer.type) {
    case "dense": {
      const flat = shape.length > 1 ? e.node("Flatten", [x], [intAttr("axis", 1)]) : x;
      const w = e.weights("weight", [layer.outSize, layer.inSize], layer.weight);
      const b = e.weights("bias", [layer.outSize], layer.bias);
      return e.node("Gemm", [flat, w, b], [intAttr("transB", 1)]);
    }
    case "batch-norm": {
      const p = (base: string, v: Float64Array) => e.weights(base, [layer.size], v);
      // epsilon is a float32 attribute; the variance absorbs the difference so that
      // variance + epsilon, the only way the two enter, keeps its float64 value.
      const epsilon = Math.fround(layer.epsilon);
      const variance = layer.variance.map((v) => varianceFor(v + layer.epsilon, epsilon));
      return e.node("BatchNormalization", [x, p("gamma", layer.gamma), p("beta", layer.beta), p("mean", layer.mean), p("variance", variance)], [floatAttr("epsilon", epsilon)]);
    }
    case "relu":
      return e.node("Relu", [x]);
    case "leaky-relu":
      // alpha is a float32 attribute; a slope float32 cannot hold goes in a PRelu tensor.
      if (Math.fround(layer.slope) === layer.slope) return e.node("LeakyRelu", [x], [floatAttr("alpha", layer.slope)]);
      return e.node("PRelu", [x, e.weights("slope", [], [layer.slope])]);
    case "abs":
      return e.node("Abs", [x]);
    case "hard-tanh": {
      // Clip's bounds are tensors of the input's type; an infinite bound is an omitted input.
      const lo = Number.isFinite(layer.lo) ? e.weights("min", [], [layer.lo]) : "";
      const hi = Number.isFinite(layer.hi) ? e.weights("max", [], [layer.hi]) : "";
      return e.node("Clip", hi ? [x, lo, hi] : [x, lo]);
    }
    case "maxout": {
      // [N, n] -> [N, 1, n/k, k], max over windows of 1 x k, -> [N, n/k]: the importer reads
      // max-pool, whose index groups are maxout's.
      const n = shapeSize(shape);
      const grid = e.node("Reshape", [x, e.ints("shape", [-1, 1, n / layer.k, layer.k])]);
      const pooled = e.node("MaxPool", [grid], [intsAttr("kernel_shape", [1, layer.k]), intsAttr("strides", [1, layer.k])]);
      return e.node("Flatten", [pooled], [intAttr("axis", 1)]);
    }
    case "identity":
      return e.node("Identity", [x]);
    case "conv2d": {
      const perGroup = layer.inChannels / layer.groups;
      const w = e.weights("weight", [layer.outChannels, perGroup, layer.kernel[0], layer.kernel[1]], layer.weight);
      const b = e.weights("bias", [layer.outChannels], layer.bias);
      return e.node("Conv", [x, w, b], [...windowAttrs(layer), intsAttr("dilations", layer.dilation), intAttr("group", layer.groups)]);
    }
    case "max-pool":
      return e.node("MaxPool", [x], [...windowAttrs(layer), intsAttr("dilations", layer.dilation), intAttr("ceil_mode", layer.ceilMode ? 1 : 0)]);
    case "avg-pool":
      if (layer.dilation.some((d) => d !== 1)) throw new FormatError("ONNX's AveragePool (opset 13) has no dilation");
      return e.node("AveragePool", [x], [...windowAttrs(layer), intAttr("ceil_mode", layer.ceilMode ? 1 : 0), intAttr("count_include_pad", layer.countIncludePad ? 1 : 0)]);
    case "pad": {
      const [t, l, b, r] = layer.padding;
      return e.node("Pad", [x, e.ints("pads", [0, 0, t, l, 0, 0, b, r])], [stringAttr("mode", "constant")]);
    }
    case "flatten":
      return e.node("Flatten", [x], [intAttr("axis", 1)]);
    case "reshape":
      return e.node("Reshape", [x, e.ints("shape", [-1, ...layer.shape])]);
    case "transpose":
      return e.node("Transpose", [x], [intsAttr("perm", [0, ...layer.perm.map((a) => a + 1)])]);
    case "scale": {
      // Mul then Add, each left out when it does nothing (the importer reads each as a scale).
      const identity = layer.scale.every((s) => s === 1);
      const scaled = identity ? x : e.node("Mul", [x, e.weights("scale", broadcastDims(layer.scale.length, shape), layer.scale)]);
      if (layer.shift.every((t) => t === 0) && !identity) return scaled;
      return e.node("Add", [scaled, e.weights("shift", broadcastDims(layer.shift.length, shape), layer.shift)]);
    }
    case "prelu":
      return e.node("PRelu", [x, e.weights("slope", broadcastDims(layer.slope.length, shape), layer.slope)]);
  }
  throw new FormatError(`no ONNX op for a ${layer.type} layer`);
}

/** A variance v with v + epsilon === sum in float64 (the nearest double to sum - epsilon, nudged). */
function varianceFor(sum: number, epsilon: number): number {
  let v = sum - epsilon;
  for (let k = 0; k < 64 && v + epsilon !== sum; k++) v = v + epsilon < sum ? nextUp(v) : -nextUp(-v);
  if (v + epsilon !== sum) throw new FormatError(`batch-norm variance + epsilon = ${sum} cannot be written with the float32 epsilon ${epsilon}`);
  return v;
}

const bits = new DataView(new ArrayBuffer(8));
/** The next double above x. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  bits.setFloat64(0, x);
  bits.setBigInt64(0, bits.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return bits.getFloat64(0);
}

/** The op that joins a block's branches: Add (residual, add), Concat along channels, Max. */
function join(layer: ContainerLayer, frame: BlockFrame, node: Emit["node"]): { current: string; shape: number[] } {
  if (layer.type === "residual") return { current: node("Add", [frame.input, frame.outputs[0]]), shape: frame.shapes[0] };
  const outs = frame.outputs;
  if (outs.length === 1) return { current: outs[0], shape: frame.shapes[0] };
  if (layer.type === "concat") {
    const channels = frame.shapes.reduce((a, s) => a + s[0], 0);
    return { current: node("Concat", outs, [intAttr("axis", 1)]), shape: [channels, ...frame.shapes[0].slice(1)] };
  }
  return { current: node(layer.type === "add" ? "Sum" : "Max", outs), shape: frame.shapes[0] };
}
