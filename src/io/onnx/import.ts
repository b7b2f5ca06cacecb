/**
 * ONNX graph -> tessera Network. Pure (no Node API): works on a Uint8Array in the browser.
 *
 * The graph is evaluated symbolically in node order. Every value is either a constant (an
 * initializer, a Constant node, or something computed only from constants, such as the shape
 * arithmetic torch.onnx.export writes for `x.view(x.size(0), -1)`), or a dynamic tensor that
 * depends on the input (known shape, batch axis dropped). Each node with dynamic inputs becomes
 * either a *unary* step (a list of layers on one dynamic input) or a *join* (Add, Sub, Sum, Mean,
 * Concat, Max of several dynamic inputs). Joins become branch layers: the branches start at the
 * join's *fork*, the nearest tensor every path to the join passes through (the immediate
 * dominator), so residual blocks and Inception-like branches nest as they were written.
 * A graph that is not series-parallel still converts correctly (a shared piece is repeated in
 * each branch), within a size budget.
 */
import type { BranchLayer, Layer, Network } from "../../model/layers.ts";
import { layersOutputShape, shapeSize } from "../../model/layers.ts";
import { rewriteLists } from "../../model/walk.ts";
import { assertFiniteNetwork, finiteValues } from "../finite.ts";
import { type Def, nestGraph } from "../nest.ts";
import { FormatError, MAX_UNITS, NotPiecewiseLinearError, withPrefix } from "../network-json.ts";
import { type AttributeMessage, int64, type ModelMessage, modelProtoType, type NodeMessage } from "./schema.ts";
import { decodeTensor, type Tensor, tensorNumel } from "./tensor.ts";

export interface OnnxImport {
  network: Network;
  /** Things the user should know (a dropped Softmax, ignored extra outputs). */
  notices: string[];
  producer: string;
  opset: number;
}

type Value = { kind: "const"; tensor: Tensor } | { kind: "dynamic"; shape: number[] };

/** Ops that make a network not piecewise linear (named as such in the error). */
const NOT_PIECEWISE_LINEAR = new Set([
  "Sigmoid",
  "Tanh",
  "Gelu",
  "Erf",
  "Exp",
  "Log",
  "Softplus",
  "Softsign",
  "Elu",
  "Selu",
  "Celu",
  "Mish",
  "HardSwish",
  "Sqrt",
  "Pow",
  "Reciprocal",
  "LRN",
  "Sin",
  "Cos",
  "Swish",
  "ThresholdedRelu",
  "Softmax",
  "LogSoftmax",
]);

/** Decode an ONNX ModelProto, with one-line errors for anything that is not one. */
export function decodeOnnx(bytes: Uint8Array): ModelMessage {
  let model: ModelMessage;
  try {
    model = modelProtoType().decode(bytes) as unknown as ModelMessage;
  } catch (e) {
    throw new FormatError(`not a valid ONNX file (protobuf decoding failed: ${(e as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) throw new FormatError("not an ONNX model (no graph with nodes)");
  return model;
}

export function importOnnx(bytes: Uint8Array): OnnxImport {
  const model = decodeOnnx(bytes);
  const graph = model.graph as NonNullable<ModelMessage["graph"]>;
  const opset = model.opsetImport.reduce((v, o) => (o.domain === "" || o.domain === "ai.onnx" ? Math.max(v, int64(o.version)) : v), 0) || 13;
  const notices: string[] = [];
  const values = new Map<string, Value>();
  const defs = new Map<string, Def>();

  graph.initializer.forEach((t, i) => {
    values.set(t.name, { kind: "const", tensor: decodeTensor(t, `initializer "${t.name || i}"`) });
  });

  // The one dynamic input: a graph input that is not an initializer.
  const inputs = graph.input.filter((v) => !values.has(v.name));
  if (inputs.length !== 1) throw new FormatError(`the graph has ${inputs.length} inputs besides its weights; tessera needs exactly one`);
  const input = inputs[0];
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  if (dims.length < 2) throw new FormatError(`input "${input.name}": expected a shape with a batch axis, [N, features] or [N, C, H, W], got rank ${dims.length}`);
  const inputShape = dims.slice(1).map((d, i) => {
    const v = int64(d.dimValue);
    if (d.dimParam || !Number.isInteger(v) || v < 1)
      throw new FormatError(`input "${input.name}": axis ${i + 1} has no fixed size (${d.dimParam || v}); export with a fixed input shape`);
    return v;
  });
  if (shapeSize(inputShape) > MAX_UNITS) throw new FormatError(`input "${input.name}": shape [${inputShape.join(", ")}] is larger than the limit of ${MAX_UNITS} numbers`);
  values.set(input.name, { kind: "dynamic", shape: inputShape });
  defs.set(input.name, { kind: "input" });

  const outputName = graph.output[0]?.name;
  if (!outputName) throw new FormatError("the graph has no output");
  if (graph.output.length > 1) notices.push(`the graph has ${graph.output.length} outputs; tessera uses the first, "${outputName}"`);

  for (const node of graph.node) {
    const where = `node "${node.name || node.output[0] || "?"}" (${node.opType})`;
    try {
      convertNode(node, opset, values, defs, outputName, notices);
    } catch (e) {
      if (e instanceof FormatError) throw withPrefix(e, where);
      if (e instanceof RangeError) throw new FormatError(`${where}: ${e.message}`);
      throw e;
    }
  }
  const out = values.get(outputName);
  if (!out) throw new FormatError(`output "${outputName}" is produced by no node`);
  if (out.kind === "const") throw new FormatError(`output "${outputName}" does not depend on the input`);

  const layers = nestGraph(defs, outputName, input.name);
  const network: Network = {
    inputSize: shapeSize(inputShape),
    layers: foldDenseScale(layers),
  };
  if (inputShape.length > 1) network.inputShape = inputShape;
  if (network.layers.length === 0) throw new FormatError("the graph computes the identity: no layers");
  // Finite inputs can still give an infinity (a folded scale that overflows, 1 / 1e-320).
  assertFiniteNetwork(network);
  return {
    network,
    notices,
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    opset,
  };
}

// ---------------------------------------------------------------------------------------------
// Attributes

function findAttr(node: NodeMessage, name: string): AttributeMessage | undefined {
  return node.attribute.find((a) => a.name === name);
}
function intAttr(node: NodeMessage, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? int64(a.i) : fallback;
}
function floatAttr(node: NodeMessage, name: string, fallback: number): number {
  const a = findAttr(node, name);
  if (a) finiteValues([a.f], `attribute ${name}`);
  return a ? a.f : fallback;
}
function intsAttr(node: NodeMessage, name: string): number[] | null {
  const a = findAttr(node, name);
  return a ? a.ints.map(int64) : null;
}
function stringAttr(node: NodeMessage, name: string, fallback: string): string {
  const a = findAttr(node, name);
  return a ? new TextDecoder().decode(a.s) : fallback;
}

// ---------------------------------------------------------------------------------------------
// Node conversion

function fail(message: string): never {
  throw new FormatError(message);
}

function convertNode(node: NodeMessage, opset: number, values: Map<string, Value>, defs: Map<string, Def>, outputName: string, notices: string[]) {
  const op = node.opType;
  if (node.domain && node.domain !== "ai.onnx") fail(`operator domain "${node.domain}" is not the standard ONNX domain`);
  const ins: (Value | undefined)[] = node.input.map((name) => {
    if (name === "") return undefined;
    const v = values.get(name);
    if (!v) fail(`input "${name}" is neither an initializer nor the output of an earlier node`);
    return v;
  });
  const dynamicIdx = ins.flatMap((v, i) => (v?.kind === "dynamic" ? [i] : []));
  const constAt = (i: number, what: string): Tensor => {
    const v = ins[i];
    if (!v) fail(`missing ${what} (input ${i})`);
    if (v.kind !== "const") fail(`the ${what} (input ${i}, "${node.input[i]}") must be a constant (an initializer)`);
    return v.tensor;
  };
  const optionalConst = (i: number, what: string): Tensor | null => (ins[i] ? constAt(i, what) : null);

  if (op === "Constant") {
    values.set(node.output[0], { kind: "const", tensor: constantNode(node) });
    return;
  }
  if (dynamicIdx.length === 0) {
    const folded = foldConstant(node, ins as Value[]);
    values.set(node.output[0], { kind: "const", tensor: folded });
    return;
  }
  if (op === "Shape") {
    const shape = [1, ...(ins[0] as { shape: number[] }).shape];
    const start = intAttr(node, "start", 0);
    const end = findAttr(node, "end") ? intAttr(node, "end", shape.length) : shape.length;
    const norm = (a: number): number => Math.min(shape.length, Math.max(0, a < 0 ? a + shape.length : a));
    const dims = shape.slice(norm(start), norm(end));
    values.set(node.output[0], {
      kind: "const",
      tensor: { dims: [dims.length], data: Float64Array.from(dims) },
    });
    return;
  }
  for (let o = 1; o < node.output.length; o++) {
    if (node.output[o] !== "" && op !== "Dropout" && op !== "BatchNormalization") fail(`only the first output is supported`);
  }

  const x = node.input[dynamicIdx[0]];
  const xShape = (values.get(x) as { shape: number[] }).shape;
  const rank = xShape.length + 1; // with the batch axis
  const unary = (layers: Layer[]): void => {
    if (dynamicIdx.length !== 1) fail(`${op} of ${dynamicIdx.length} input-dependent tensors is not supported`);
    let shape: number[];
    try {
      shape = layersOutputShape(layers, xShape);
    } catch (e) {
      fail((e as Error).message);
    }
    if (shapeSize(shape) > MAX_UNITS) fail(`gives [${shape.join(", ")}], more than the limit of ${MAX_UNITS} units`);
    values.set(node.output[0], { kind: "dynamic", shape });
    defs.set(node.output[0], { kind: "unary", input: x, layers });
  };
  const join = (type: BranchLayer["type"], names: string[], branchTail: Layer[][], post: Layer[], shape: number[]): void => {
    values.set(node.output[0], { kind: "dynamic", shape });
    defs.set(node.output[0], {
      kind: "join",
      type,
      inputs: names,
      branchTail,
      post,
    });
  };
  const axisOf = (a: number): number => (a < 0 ? a + rank : a);

  switch (op) {
    case "Identity":
      return unary([]);
    case "Dropout": {
      const training = node.input[2] ? constAt(2, "training_mode") : null;
      if (training && training.data[0] !== 0) fail("training_mode is true; export the model in eval mode");
      if (node.output[1]) fail("the dropout mask output is used; tessera reads inference graphs");
      return unary([]);
    }
    case "Relu":
      return unary([{ type: "relu" }]);
    case "LeakyRelu":
      return unary([{ type: "leaky-relu", slope: floatAttr(node, "alpha", 0.01) }]);
    case "Abs":
      return unary([{ type: "abs" }]);
    case "PRelu": {
      const slope = broadcastConstant(constAt(1, "slope"), xShape, "slope");
      return unary([slope.length === 1 ? { type: "leaky-relu", slope: slope[0] } : { type: "prelu", slope }]);
    }
    case "Clip": {
      let lo: number;
      let hi: number;
      if (opset < 11) {
        lo = floatAttr(node, "min", -Infinity);
        hi = floatAttr(node, "max", Infinity);
      } else {
        lo = optionalConst(1, "min")?.data[0] ?? -Infinity;
        hi = optionalConst(2, "max")?.data[0] ?? Infinity;
      }
      if (lo <= -3.4e38) lo = -Infinity;
      if (hi >= 3.4e38) hi = Infinity;
      if (!(lo < hi)) fail(`needs min < max, got ${lo} and ${hi}`);
      if (lo === -Infinity && hi === Infinity) return unary([]);
      return unary([lo === 0 && hi === Infinity ? { type: "relu" } : { type: "hard-tanh", lo, hi }]);
    }
    case "HardSigmoid": {
      const alpha = floatAttr(node, "alpha", 0.2);
      const beta = floatAttr(node, "beta", 0.5);
      return unary([
        {
          type: "scale",
          scale: Float64Array.of(alpha),
          shift: Float64Array.of(beta),
        },
        { type: "hard-tanh", lo: 0, hi: 1 },
      ]);
    }
    case "Gemm":
      return unary(gemm(node, ins, xShape, dynamicIdx));
    case "MatMul": {
      if (dynamicIdx[0] !== 0 || dynamicIdx.length !== 1) fail("only x @ W with a constant W is supported");
      const w = constAt(1, "weight");
      if (xShape.length !== 1) fail(`MatMul on a [${xShape.join(", ")}] input: flatten it first`);
      if (w.dims.length !== 2 || w.dims[0] !== xShape[0]) fail(`weight has dims [${w.dims.join(", ")}], the input has ${xShape[0]} features`);
      return unary([denseFrom(w.data, w.dims[0], w.dims[1], false, 1, null)]);
    }
    case "Add":
    case "Sub":
    case "Mul":
    case "Div":
      if (dynamicIdx.length === 2) {
        const shapes = dynamicIdx.map((i) => (ins[i] as { shape: number[] }).shape);
        if (op === "Mul" || op === "Div") fail(`${op} of two input-dependent tensors is not piecewise linear`);
        if (shapes[0].join("x") !== shapes[1].join("x")) fail(`adds tensors of shapes [${shapes[0].join(", ")}] and [${shapes[1].join(", ")}]`);
        const negate: Layer[] = [
          {
            type: "scale",
            scale: Float64Array.of(-1),
            shift: Float64Array.of(0),
          },
        ];
        return join("add", [node.input[0], node.input[1]], [[], op === "Sub" ? negate : []], [], shapes[0]);
      }
      return unary([arithmetic(op, dynamicIdx[0], constAt(1 - dynamicIdx[0], "constant operand"), xShape)]);
    case "Sum":
    case "Mean": {
      if (dynamicIdx.length !== ins.length) fail(`${op} mixes constants and input-dependent tensors`);
      if (ins.length === 1) return unary([]);
      const post: Layer[] =
        op === "Mean"
          ? [
              {
                type: "scale",
                scale: Float64Array.of(1 / ins.length),
                shift: Float64Array.of(0),
              },
            ]
          : [];
      return join(
        "add",
        node.input,
        node.input.map(() => []),
        post,
        xShape,
      );
    }
    case "Max":
    case "Min": {
      const consts = ins.flatMap((v, i) => (v?.kind === "const" ? [i] : []));
      const post: Layer[] = [];
      for (const i of consts) {
        const c = (ins[i] as { tensor: Tensor }).tensor;
        if (tensorNumel(c.dims) !== 1) fail(`${op} with a non-scalar constant is not supported`);
        post.push(op === "Max" ? { type: "hard-tanh", lo: c.data[0], hi: Infinity } : { type: "hard-tanh", lo: -Infinity, hi: c.data[0] });
      }
      if (dynamicIdx.length === 1) return unary(post);
      if (op === "Min") fail("Min of input-dependent tensors is not supported (use Max)");
      const names = dynamicIdx.map((i) => node.input[i]);
      const shapes = dynamicIdx.map((i) => (ins[i] as { shape: number[] }).shape.join("x"));
      if (shapes.some((s) => s !== shapes[0])) fail(`takes the maximum of tensors of different shapes`);
      return join(
        "max",
        names,
        names.map(() => []),
        post,
        xShape,
      );
    }
    case "Concat": {
      if (dynamicIdx.length !== ins.length) fail("Concat of constants with input-dependent tensors is not supported");
      const axis = axisOf(intAttr(node, "axis", 1));
      if (axis !== 1) fail(`Concat along axis ${axis}: tessera concatenates along channels (axis 1)`);
      const shapes = ins.map((v) => (v as { shape: number[] }).shape);
      const tail = (s: number[]): string => s.slice(1).join("x");
      if (shapes.some((s) => s.length !== xShape.length || tail(s) !== tail(xShape))) {
        fail(`concatenates shapes ${shapes.map((s) => `[${s.join(", ")}]`).join(" and ")}, which differ beyond axis 1`);
      }
      if (ins.length === 1) return unary([]);
      return join(
        "concat",
        node.input,
        node.input.map(() => []),
        [],
        [shapes.reduce((a, s) => a + s[0], 0), ...xShape.slice(1)],
      );
    }
    case "Conv":
      return unary([conv(node, xShape, constAt(1, "weight"), optionalConst(2, "bias"))]);
    case "MaxPool":
    case "AveragePool": {
      if (xShape.length !== 3) fail(`${op} needs an N x C x H x W input, gets [N, ${xShape.join(", ")}]`);
      const kernel = intsAttr(node, "kernel_shape");
      if (kernel?.length !== 2) fail("needs a 2D kernel_shape");
      const window = windowAttrs(node, xShape, kernel as [number, number], [1, 1]);
      if (op === "MaxPool") {
        if (intAttr(node, "storage_order", 0) !== 0) fail("storage_order=1 is not supported");
        return unary([
          {
            type: "max-pool",
            ...window,
            ceilMode: intAttr(node, "ceil_mode", 0) === 1,
          },
        ]);
      }
      return unary([
        {
          type: "avg-pool",
          ...window,
          ceilMode: intAttr(node, "ceil_mode", 0) === 1,
          countIncludePad: intAttr(node, "count_include_pad", 0) === 1,
        },
      ]);
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool": {
      if (xShape.length !== 3) fail(`${op} needs an N x C x H x W input`);
      const window = {
        kernel: [xShape[1], xShape[2]] as [number, number],
        stride: [1, 1] as [number, number],
        padding: [0, 0, 0, 0] as [number, number, number, number],
        dilation: [1, 1] as [number, number],
      };
      return unary([
        op === "GlobalMaxPool"
          ? { type: "max-pool", ...window, ceilMode: false }
          : {
              type: "avg-pool",
              ...window,
              ceilMode: false,
              countIncludePad: false,
            },
      ]);
    }
    case "BatchNormalization": {
      if (intAttr(node, "training_mode", 0) !== 0 || node.output.slice(1).some((o) => o !== "")) fail("training-mode batch norm; export the model in eval mode");
      const channels = xShape[0];
      const param = (i: number, name: string): Float64Array => {
        const t = constAt(i, name);
        if (t.data.length !== channels) fail(`${name} has ${t.data.length} values, the input has ${channels} channels`);
        return t.data;
      };
      const epsilon = floatAttr(node, "epsilon", 1e-5);
      const variance = param(4, "variance");
      if (variance.some((v) => !(v + epsilon > 0))) fail("variance + epsilon must be positive");
      return unary([
        {
          type: "batch-norm",
          size: channels,
          gamma: param(1, "scale"),
          beta: param(2, "bias"),
          mean: param(3, "mean"),
          variance,
          epsilon,
        },
      ]);
    }
    case "Flatten": {
      const axis = axisOf(intAttr(node, "axis", 1));
      if (axis <= 1) return unary([{ type: "flatten" }]);
      return unary([
        {
          type: "reshape",
          shape: [...xShape.slice(0, axis - 1), shapeSize(xShape.slice(axis - 1))],
        },
      ]);
    }
    case "Reshape": {
      const target = constAt(1, "shape");
      return unary([
        {
          type: "reshape",
          shape: reshapeTarget(Array.from(target.data), xShape, intAttr(node, "allowzero", 0) === 1),
        },
      ]);
    }
    case "Squeeze":
    case "Unsqueeze": {
      const axes = (opset >= 13 ? optionalConst(1, "axes")?.data : intsAttr(node, "axes")) ?? null;
      return unary([
        {
          type: "reshape",
          shape: squeezeShape(op, xShape, axes ? Array.from(axes) : null),
        },
      ]);
    }
    case "Pad": {
      const mode = stringAttr(node, "mode", "constant");
      if (mode !== "constant") fail(`mode "${mode}" is not supported (zero padding only)`);
      const pads = opset < 11 ? intsAttr(node, "pads") : optionalConst(1, "pads") ? Array.from(constAt(1, "pads").data) : null;
      const value = opset < 11 ? floatAttr(node, "value", 0) : (optionalConst(2, "constant_value")?.data[0] ?? 0);
      if (ins[3]) fail("Pad with axes is not supported");
      if (value !== 0) fail(`padding with ${value} is not supported (zero padding only)`);
      if (!pads || pads.length !== 2 * rank) fail(`expected ${2 * rank} pads, got ${pads?.length ?? 0}`);
      if (pads.some((p) => !Number.isInteger(p) || p < 0 || p > 1e6)) fail(`pads [${pads.join(", ")}] must be non-negative integers`);
      if (pads.every((p) => p === 0)) return unary([]);
      if (rank !== 4 || pads[0] || pads[1] || pads[4] || pads[5]) fail("only padding of the H and W axes of an N x C x H x W tensor is supported");
      return unary([{ type: "pad", padding: [pads[2], pads[3], pads[6], pads[7]] }]);
    }
    case "Transpose": {
      const perm = intsAttr(node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      if (perm[0] !== 0) fail("Transpose must keep the batch axis first");
      const inner = perm.slice(1).map((a) => a - 1);
      if (inner.every((a, i) => a === i)) return unary([]);
      return unary([{ type: "transpose", perm: inner }]);
    }
  }
  if (NOT_PIECEWISE_LINEAR.has(op)) {
    if ((op === "Softmax" || op === "LogSoftmax") && node.output[0] === outputName) {
      notices.push(`dropped the trailing ${op}: the regions are those of the logits`);
      return unary([]);
    }
    throw new NotPiecewiseLinearError(`${op} is not piecewise linear, so the network has no finite set of linear regions`, node.name || node.output[0] || "?", op);
  }
  fail(`the ONNX op ${op} is not supported`);
}

function constantNode(node: NodeMessage): Tensor {
  const value = findAttr(node, "value");
  if (value?.t) return decodeTensor(value.t, "value");
  const f = findAttr(node, "value_float");
  if (f) {
    finiteValues([f.f], "value_float");
    return { dims: [], data: Float64Array.of(f.f) };
  }
  const fs = findAttr(node, "value_floats");
  if (fs) {
    finiteValues(fs.floats, "value_floats");
    return { dims: [fs.floats.length], data: Float64Array.from(fs.floats) };
  }
  const i = findAttr(node, "value_int");
  if (i) return { dims: [], data: Float64Array.of(int64(i.i)) };
  const is = findAttr(node, "value_ints");
  if (is)
    return {
      dims: [is.ints.length],
      data: Float64Array.from(is.ints.map(int64)),
    };
  fail("a Constant without a numeric value");
}

/** Constant folding for the shape arithmetic exporters write; anything else is an error. */
function foldConstant(node: NodeMessage, ins: Value[]): Tensor {
  const t = (i: number): Tensor => {
    const v = ins[i];
    if (!v) fail(`missing input ${i}`);
    return (v as { tensor: Tensor }).tensor;
  };
  switch (node.opType) {
    case "Identity":
    case "Cast":
      return t(0);
    case "Unsqueeze":
    case "Squeeze": {
      const axes = ins[1] ? Array.from(t(1).data) : intsAttr(node, "axes");
      const x = t(0);
      return {
        dims: squeezeShape(node.opType, x.dims.length ? [1, ...x.dims] : [1], axes ? axes.map((a) => (a >= 0 ? a + 1 : a)) : null).slice(1),
        data: x.data,
      };
    }
    case "Concat": {
      const parts = ins.map((_, i) => t(i));
      if (parts.some((p) => p.dims.length > 1)) fail("constant Concat of tensors of rank above 1 is not supported");
      const data = Float64Array.from(parts.flatMap((p) => Array.from(p.data)));
      return { dims: [data.length], data };
    }
    case "Gather": {
      const data = t(0);
      const idx = t(1);
      if (data.dims.length !== 1) fail("constant Gather on a tensor of rank above 1 is not supported");
      const out = idx.data.map((i) => {
        const j = i < 0 ? i + data.data.length : i;
        if (j < 0 || j >= data.data.length) fail(`index ${i} out of range`);
        return data.data[j];
      });
      return { dims: idx.dims, data: out };
    }
    case "Reshape": {
      const x = t(0);
      const dims = Array.from(t(1).data).map((d, i) => (d === 0 ? x.dims[i] : d));
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const resolved = dims.map((d) => (d === -1 ? x.data.length / known : d));
      if (tensorNumel(resolved) !== x.data.length) fail("constant Reshape changes the number of elements");
      return { dims: resolved, data: x.data };
    }
    case "Add":
    case "Sub":
    case "Mul":
    case "Div": {
      const a = t(0);
      const b = t(1);
      const n = Math.max(a.data.length, b.data.length);
      if (a.data.length !== n && a.data.length !== 1) fail("constant arithmetic with broadcasting is not supported");
      if (b.data.length !== n && b.data.length !== 1) fail("constant arithmetic with broadcasting is not supported");
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = a.data[a.data.length === 1 ? 0 : i];
        const v = b.data[b.data.length === 1 ? 0 : i];
        data[i] = node.opType === "Add" ? u + v : node.opType === "Sub" ? u - v : node.opType === "Mul" ? u * v : u / v;
      }
      return { dims: a.data.length === n ? a.dims : b.dims, data };
    }
    case "Transpose": {
      const x = t(0);
      if (x.dims.length !== 2) fail("constant Transpose of a tensor of rank other than 2 is not supported");
      const [r, c] = x.dims;
      const data = new Float64Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = x.data[i * c + j];
      return { dims: [c, r], data };
    }
  }
  fail(`constant folding of ${node.opType} is not supported`);
}

/** ONNX broadcasting of a constant against an input-dependent [N, ...shape] tensor, compressed. */
function broadcastConstant(c: Tensor, shape: number[], what: string): Float64Array {
  const rank = shape.length + 1;
  if (c.dims.length > rank) fail(`the ${what} has rank ${c.dims.length}, more than the input's ${rank}`);
  const dims = [...new Array(rank - c.dims.length).fill(1), ...c.dims];
  if (dims[0] !== 1) fail(`the ${what} has a batch axis of ${dims[0]}`);
  const inner = dims.slice(1);
  inner.forEach((d, a) => {
    if (d !== 1 && d !== shape[a]) fail(`the ${what} of dims [${c.dims.join(", ")}] does not broadcast to [N, ${shape.join(", ")}]`);
  });
  const size = shapeSize(shape);
  const full = new Float64Array(size);
  const strides = inner.map((_, a) => shapeSize(inner.slice(a + 1)));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let j = 0;
    for (let a = 0; a < shape.length; a++) if (inner[a] !== 1) j += index[a] * strides[a];
    full[i] = c.data[j];
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  if (full.every((v) => v === full[0])) return Float64Array.of(full[0]);
  const per = size / shape[0];
  let perChannel = true;
  for (let i = 0; i < size && perChannel; i++) perChannel = full[i] === full[Math.floor(i / per) * per];
  if (perChannel && per > 1) return Float64Array.from({ length: shape[0] }, (_, ch) => full[ch * per]);
  return full;
}

function arithmetic(op: string, dynamicAt: number, c: Tensor, shape: number[]): Layer {
  const v = broadcastConstant(c, shape, "constant operand");
  const ones = new Float64Array(v.length).fill(1);
  const zeros = new Float64Array(v.length);
  switch (op) {
    case "Add":
      return { type: "scale", scale: ones, shift: v };
    case "Sub":
      return dynamicAt === 0 ? { type: "scale", scale: ones, shift: v.map((a) => -a) } : { type: "scale", scale: ones.map(() => -1), shift: v };
    case "Mul":
      return { type: "scale", scale: v, shift: zeros };
    default:
      if (dynamicAt !== 0) fail("dividing a constant by an input-dependent tensor is not piecewise linear");
      if (v.some((a) => a === 0)) fail("division by zero");
      return { type: "scale", scale: v.map((a) => 1 / a), shift: zeros };
  }
}

function denseFrom(w: Float64Array, rows: number, cols: number, transposed: boolean, alpha: number, bias: Float64Array | null): Layer {
  // y = alpha * x @ W (W rows x cols, x has `rows` features) or x @ W^T (transposed: W is out x in).
  const inSize = transposed ? cols : rows;
  const outSize = transposed ? rows : cols;
  const weight = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    for (let j = 0; j < inSize; j++) weight[i * inSize + j] = alpha * (transposed ? w[i * cols + j] : w[j * cols + i]);
  }
  return {
    type: "dense",
    inSize,
    outSize,
    weight,
    bias: bias ?? new Float64Array(outSize),
  };
}

function gemm(node: NodeMessage, ins: (Value | undefined)[], xShape: number[], dynamicIdx: number[]): Layer[] {
  if (dynamicIdx.length !== 1 || dynamicIdx[0] !== 0) fail("only Gemm(x, W, C) with constant W and C is supported");
  if (intAttr(node, "transA", 0) !== 0) fail("transA=1 on the input is not supported");
  if (xShape.length !== 1) fail(`Gemm on a [${xShape.join(", ")}] input: flatten it first`);
  const w = ins[1]?.kind === "const" ? ins[1].tensor : fail("the weight (input 1) must be a constant");
  const transB = intAttr(node, "transB", 0) === 1;
  if (w.dims.length !== 2) fail(`weight has dims [${w.dims.join(", ")}], expected a matrix`);
  const inSize = transB ? w.dims[1] : w.dims[0];
  const outSize = transB ? w.dims[0] : w.dims[1];
  if (inSize !== xShape[0]) fail(`weight has dims [${w.dims.join(", ")}]${transB ? " (transB)" : ""}, the input has ${xShape[0]} features`);
  const alpha = floatAttr(node, "alpha", 1);
  const beta = floatAttr(node, "beta", 1);
  let bias: Float64Array | null = null;
  const c = ins[2];
  if (c) {
    if (c.kind !== "const") fail("the bias (input 2) must be a constant");
    const n = c.tensor.data.length;
    if (n !== 1 && n !== outSize) fail(`bias has ${n} values, the layer has ${outSize} outputs`);
    bias = new Float64Array(outSize).map((_, i) => beta * c.tensor.data[n === 1 ? 0 : i]);
  }
  return [denseFrom(w.data, w.dims[0], w.dims[1], transB, alpha, bias)];
}

function conv(node: NodeMessage, xShape: number[], w: Tensor, b: Tensor | null): Layer {
  if (xShape.length !== 3) fail(`tessera supports 2D convolution (N x C x H x W input), the input is [N, ${xShape.join(", ")}]`);
  if (w.dims.length !== 4) fail(`weight has dims [${w.dims.join(", ")}], expected [M, C/group, kH, kW]`);
  const [outChannels, groupIn, kh, kw] = w.dims;
  const groups = intAttr(node, "group", 1);
  const channels = xShape[0];
  if (groups < 1 || channels % groups !== 0 || outChannels % groups !== 0) fail(`group=${groups} does not divide ${channels} input and ${outChannels} output channels`);
  if (groupIn * groups !== channels) fail(`weight expects ${groupIn * groups} input channels, the input has ${channels}`);
  const kernel = intsAttr(node, "kernel_shape");
  if (kernel && (kernel[0] !== kh || kernel[1] !== kw)) fail(`kernel_shape [${kernel.join(", ")}] disagrees with the weight's [${kh}, ${kw}]`);
  if (b && b.data.length !== outChannels) fail(`bias has ${b.data.length} values, the layer has ${outChannels} output channels`);
  return {
    type: "conv2d",
    inChannels: channels,
    outChannels,
    groups,
    ...windowAttrs(node, xShape, [kh, kw], [1, 1]),
    weight: w.data,
    bias: b ? b.data : new Float64Array(outChannels),
  };
}

/** strides, pads (or auto_pad), dilations of Conv and pooling nodes. */
function windowAttrs(node: NodeMessage, xShape: number[], kernel: [number, number], defaultStride: [number, number]) {
  const two = (name: string, fallback: [number, number]): [number, number] => {
    const v = intsAttr(node, name);
    if (!v) return fallback;
    if (v.length !== 2 || v.some((a) => !Number.isInteger(a) || a < 1 || a > 1e6)) fail(`${name} must be two positive integers, got [${v.join(", ")}]`);
    return [v[0], v[1]];
  };
  if (kernel.some((k) => !Number.isInteger(k) || k < 1 || k > 1e6)) fail(`kernel [${kernel.join(", ")}] is not two positive integers`);
  const stride = two("strides", defaultStride);
  const dilation = two("dilations", [1, 1]);
  const autoPad = stringAttr(node, "auto_pad", "NOTSET");
  let padding: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === "NOTSET") {
    const p = intsAttr(node, "pads");
    if (p) {
      if (p.length !== 4 || p.some((a) => !Number.isInteger(a) || a < 0 || a > 1e6)) fail(`pads must be four non-negative integers, got [${p.join(", ")}]`);
      padding = [p[0], p[1], p[2], p[3]];
    }
  } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    const pads = [0, 1].map((a) => {
      const size = xShape[1 + a];
      const out = Math.ceil(size / stride[a]);
      return Math.max(0, (out - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 - size);
    });
    const small = pads.map((p) => Math.floor(p / 2));
    const big = pads.map((p, a) => p - small[a]);
    padding = autoPad === "SAME_UPPER" ? [small[0], small[1], big[0], big[1]] : [big[0], big[1], small[0], small[1]];
  } else if (autoPad !== "VALID") fail(`auto_pad "${autoPad}" is not supported`);
  return { kernel, stride, padding, dilation };
}

function reshapeTarget(target: number[], xShape: number[], allowZero: boolean): number[] {
  const full = [1, ...xShape];
  const size = shapeSize(xShape);
  if (target.length > 6) fail(`target shape of rank ${target.length}`);
  const dims = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= full.length) fail(`target shape [${target.join(", ")}] copies axis ${i}, which the input lacks`);
      return full[i];
    }
    if (!Number.isInteger(d) || d < -1) fail(`target shape [${target.join(", ")}] has an invalid entry ${d}`);
    return d;
  });
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1) fail(`target shape [${target.join(", ")}] has more than one -1`);
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = dims.map((d) => (d === -1 ? (known === 0 ? -1 : size / known) : d));
  if (resolved.some((d) => !Number.isInteger(d) || d < 1) || shapeSize(resolved) !== size) {
    fail(`cannot reshape [N, ${xShape.join(", ")}] to [${target.join(", ")}] with N = 1`);
  }
  if (resolved.length < 2 || resolved[0] !== 1) fail(`reshape to [${target.join(", ")}] must keep the batch axis first`);
  return resolved.slice(1);
}

/** Shape without batch after Squeeze/Unsqueeze with ONNX axes (which count the batch axis). */
function squeezeShape(op: string, shape: number[], axes: number[] | null): number[] {
  const full = [1, ...shape];
  if (op === "Squeeze") {
    const rank = full.length;
    const drop = new Set((axes ?? full.flatMap((d, a) => (d === 1 && a > 0 ? [a] : []))).map((a) => (a < 0 ? a + rank : a)));
    if (drop.has(0)) fail("Squeeze must keep the batch axis");
    for (const a of drop) if (full[a] !== 1) fail(`cannot squeeze axis ${a} of size ${full[a]}`);
    return full.filter((_, a) => !drop.has(a)).slice(1);
  }
  if (!axes) fail("Unsqueeze without axes");
  const rank = full.length + axes.length;
  const add = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  if (add.has(0)) fail("Unsqueeze must keep the batch axis first");
  const out: number[] = [];
  let k = 0;
  for (let a = 0; a < rank; a++) out.push(add.has(a) ? 1 : full[k++]);
  return out.slice(1);
}

/**
 * Peephole rewrites that make the layers read as the user wrote them: a dense layer followed by a
 * scale (a bias Add, a constant Mul) becomes one dense layer; zero padding followed by a conv, or
 * by an average pool that counts padded cells (how torch exports AvgPool2d with padding), becomes
 * that layer's own padding.
 */
function foldDenseScale(layers: Layer[]): Layer[] {
  return rewriteLists(layers, foldList);
}

function foldList(layers: Layer[]): Layer[] {
  const out: Layer[] = [];
  for (const layer of layers) {
    const prev = out[out.length - 1];
    if (prev?.type === "pad" && (layer.type === "conv2d" || (layer.type === "avg-pool" && layer.padding.every((p) => p === 0)))) {
      const padding = layer.padding.map((p, i) => p + prev.padding[i]) as [number, number, number, number];
      const fits = layer.type === "conv2d" || (padding[0] < layer.kernel[0] && padding[2] < layer.kernel[0] && padding[1] < layer.kernel[1] && padding[3] < layer.kernel[1]);
      if (fits) {
        out[out.length - 1] = layer.type === "conv2d" ? { ...layer, padding } : { ...layer, padding, countIncludePad: true };
        continue;
      }
    }
    if (layer.type === "scale" && prev?.type === "dense" && (layer.scale.length === 1 || layer.scale.length === prev.outSize)) {
      const at = (v: Float64Array, i: number): number => v[v.length === 1 ? 0 : i];
      const weight = prev.weight.map((w, k) => w * at(layer.scale, Math.floor(k / prev.inSize)));
      const bias = prev.bias.map((b, i) => at(layer.scale, i) * b + at(layer.shift, i));
      out[out.length - 1] = { ...prev, weight, bias };
      continue;
    }
    out.push(layer);
  }
  return out;
}
