/**
 * TensorFlow.js layers models (model.json with `modelTopology` and `weightsManifest`) -> Network.
 * Pure: the caller supplies the bytes of each manifest group (its shard files concatenated), so
 * the browser can use it with fetched files.
 *
 * Keras images are channels-last (H x W x C) while tessera's convolution and pooling work on
 * C x H x W: the network keeps the user's input layout (inputShape [H, W, C]) and starts with a
 * transpose to C x H x W; a Flatten transposes back first, so Dense layers see Keras's HWC order.
 * With one channel both orders are the same vector and no transpose is added.
 */
import type { BranchLayer, Layer, Network } from "../../model/layers.ts";
import { layersOutputShape, shapeSize } from "../../model/layers.ts";
import { rewriteLists } from "../../model/walk.ts";
import { assertFiniteNetwork, finiteValues } from "../finite.ts";
import { type Def, nestGraph } from "../nest.ts";
import { FormatError, MAX_UNITS, NotPiecewiseLinearError } from "../network-json.ts";

export interface TfjsImport {
  network: Network;
  notices: string[];
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObject = (x: Json): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

function fail(message: string): never {
  throw new FormatError(message);
}

/** Whether a decoded JSON document is a tfjs layers model. */
export function isTfjsLayersModel(doc: Json): boolean {
  return isObject(doc) && (doc.format === "layers-model" || isObject(doc.modelTopology));
}

export interface WeightEntry {
  name: string;
  shape: number[];
  group: number;
}

/** The weight manifest: each group's shard paths and weight entries, validated. */
export function weightManifest(doc: Json): {
  groups: { paths: string[]; weights: WeightEntry[] }[];
} {
  if (!isObject(doc)) fail("model.json: expected a JSON object");
  const manifest = doc.weightsManifest;
  if (!Array.isArray(manifest)) fail(`model.json: "weightsManifest" must be an array`);
  return {
    groups: manifest.map((g, gi) => {
      const at = `weightsManifest[${gi}]`;
      if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) fail(`${at}: expected {"paths": [...], "weights": [...]}`);
      const paths = g.paths.map((p, i) => {
        if (typeof p !== "string" || p === "" || p.includes("..") || p.startsWith("/")) fail(`${at}.paths[${i}]: expected a file name beside model.json, got ${JSON.stringify(p)}`);
        return p;
      });
      const weights = g.weights.map((w, wi) => {
        const here = `${at}.weights[${wi}]`;
        if (!isObject(w) || typeof w.name !== "string" || !Array.isArray(w.shape)) fail(`${here}: expected {"name", "shape", "dtype"}`);
        if (w.quantization !== undefined) fail(`${here} ("${w.name}"): quantized weights are not supported`);
        if (w.dtype !== undefined && w.dtype !== "float32") fail(`${here} ("${w.name}"): dtype ${JSON.stringify(w.dtype)} is not supported (float32 only)`);
        const shape = w.shape.map((d, i) => {
          if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > MAX_UNITS * 10) fail(`${here}.shape[${i}]: expected a dimension, got ${JSON.stringify(d)}`);
          return d;
        });
        if (shapeSize(shape) > MAX_UNITS * 10) fail(`${here} ("${w.name}"): ${shapeSize(shape)} numbers, more than the limit`);
        return { name: w.name, shape, group: gi };
      });
      return { paths, weights };
    }),
  };
}

/** Float64 copies of every weight, by name, from each group's bytes. */
function readWeights(doc: Json, groupBytes: Uint8Array[]): Map<string, { shape: number[]; data: Float64Array }> {
  const { groups } = weightManifest(doc);
  const out = new Map<string, { shape: number[]; data: Float64Array }>();
  groups.forEach((g, gi) => {
    const bytes = groupBytes[gi];
    const need = g.weights.reduce((a, w) => a + 4 * shapeSize(w.shape), 0);
    if (!bytes || bytes.length !== need) fail(`weight group ${gi} (${g.paths.join(", ")}): ${bytes?.length ?? 0} bytes, the manifest describes ${need}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    for (const w of g.weights) {
      const n = shapeSize(w.shape);
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(offset + 4 * i, true);
      finiteValues(data, `weight "${w.name}" (group ${gi}: ${g.paths.join(", ")})`);
      offset += 4 * n;
      out.set(w.name, { shape: w.shape, data });
    }
  });
  return out;
}

interface KerasLayer {
  className: string;
  name: string;
  config: Obj;
  inbound: string[];
}

function kerasLayers(topology: Obj): {
  layers: KerasLayer[];
  sequential: boolean;
  inputs: string[];
  outputs: string[];
} {
  const className = topology.class_name;
  const config = topology.config;
  if (className === "Sequential") {
    const list = Array.isArray(config) ? config : isObject(config) ? config.layers : null;
    if (!Array.isArray(list)) fail(`modelTopology.config: expected the Sequential model's layers`);
    return {
      layers: list.map((l, i) => kerasLayer(l, `layers[${i}]`)),
      sequential: true,
      inputs: [],
      outputs: [],
    };
  }
  if (className !== "Model" && className !== "Functional") fail(`modelTopology: unsupported model class ${JSON.stringify(className)} (Sequential or Functional)`);
  if (!isObject(config) || !Array.isArray(config.layers)) fail(`modelTopology.config: expected "layers"`);
  const cfg = config as Obj;
  const names = (x: Json, what: string): string[] => {
    if (!Array.isArray(x)) fail(`modelTopology.config.${what}: expected a list of [name, 0, 0]`);
    return x.map((e) => (Array.isArray(e) && typeof e[0] === "string" ? e[0] : fail(`modelTopology.config.${what}: expected [name, 0, 0] entries`)));
  };
  return {
    layers: (cfg.layers as Json[]).map((l, i) => kerasLayer(l, `layers[${i}]`)),
    sequential: false,
    inputs: names(cfg.input_layers, "input_layers"),
    outputs: names(cfg.output_layers, "output_layers"),
  };
}

function kerasLayer(raw: Json, where: string): KerasLayer {
  if (!isObject(raw) || typeof raw.class_name !== "string" || !isObject(raw.config)) fail(`${where}: expected {"class_name", "config"}`);
  const name = typeof raw.config.name === "string" ? raw.config.name : typeof raw.name === "string" ? raw.name : fail(`${where}: layer without a name`);
  const inbound: string[] = [];
  const nodes = raw.inbound_nodes;
  if (Array.isArray(nodes) && nodes.length > 0) {
    if (nodes.length > 1) fail(`${where} ("${name}"): a layer used more than once (shared layers) is not supported`);
    const node = nodes[0];
    if (Array.isArray(node)) {
      // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]
      for (const e of node) inbound.push(Array.isArray(e) && typeof e[0] === "string" ? e[0] : fail(`${where} ("${name}"): bad inbound node`));
    } else if (isObject(node) && Array.isArray(node.args)) {
      // Keras 3: {"args": [keras tensor or list of them], "kwargs": {}}
      const visit = (a: Json): void => {
        if (Array.isArray(a)) a.forEach(visit);
        else if (isObject(a) && isObject(a.config) && Array.isArray(a.config.keras_history) && typeof a.config.keras_history[0] === "string")
          inbound.push(a.config.keras_history[0]);
      };
      visit(node.args);
    } else fail(`${where} ("${name}"): bad inbound node`);
  }
  return { className: raw.class_name, name, config: raw.config, inbound };
}

export function importTfjs(doc: Json, groupBytes: Uint8Array[]): TfjsImport {
  if (!isTfjsLayersModel(doc)) fail(`not a TensorFlow.js layers model (no "modelTopology")`);
  const topology = (doc as Obj).modelTopology;
  if (!isObject(topology)) fail(`"modelTopology" must be an object, got ${JSON.stringify(topology)?.slice(0, 40)}`);
  const root = isObject(topology.model_config) ? (topology.model_config as Obj) : topology;
  const weights = readWeights(doc, groupBytes);
  const notices: string[] = [];
  const model = kerasLayers(root);
  const used = new Set<string>();
  const weight = (layer: KerasLayer, param: string, shape: number[]): Float64Array => {
    const key = `${layer.name}/${param}`;
    let w = weights.get(key);
    if (!w) for (const [name, v] of weights) if (name.endsWith(`/${key}`)) w = v;
    if (!w) fail(`layer "${layer.name}" (${layer.className}): weight "${key}" is missing from the manifest`);
    if (w.shape.join("x") !== shape.join("x"))
      fail(`layer "${layer.name}" (${layer.className}): weight "${key}" has shape [${w.shape.join(", ")}], expected [${shape.join(", ")}]`);
    used.add(key);
    return w.data;
  };

  // Shapes are tracked in tessera's layout (C x H x W for images).
  const shapes = new Map<string, number[]>();
  const defs = new Map<string, Def>();
  let inputName = "";
  let userInputShape: number[] = [];
  const setInput = (name: string, batchShape: Json, where: string): void => {
    if (!Array.isArray(batchShape) || batchShape.length < 2) fail(`${where}: expected "batch_input_shape" [null, ...]`);
    const dims = batchShape.slice(1).map((d, i) => {
      if (typeof d !== "number" || !Number.isInteger(d) || d < 1) fail(`${where}: input axis ${i + 1} has no fixed size (${JSON.stringify(d)})`);
      return d;
    });
    if (dims.length !== 1 && dims.length !== 3) fail(`${where}: input shape [${dims.join(", ")}]: tessera reads flat or H x W x C inputs`);
    if (shapeSize(dims) > MAX_UNITS) fail(`${where}: input shape [${dims.join(", ")}] is larger than the limit`);
    inputName = name;
    userInputShape = dims;
    defs.set(name, { kind: "input" });
    shapes.set(name, dims.length === 3 ? [dims[2], dims[0], dims[1]] : dims);
  };

  const layers = model.layers;
  const last = model.sequential ? layers[layers.length - 1]?.name : model.outputs[0];
  if (!model.sequential && (model.inputs.length !== 1 || model.outputs.length !== 1))
    fail(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; tessera needs one of each`);
  let previous = "";
  layers.forEach((layer, i) => {
    const where = `layer "${layer.name}" (${layer.className})`;
    try {
      const inbound = model.sequential ? (previous ? [previous] : []) : layer.inbound;
      if (layer.className === "InputLayer" || (model.sequential && i === 0 && !previous && layer.className !== "InputLayer")) {
        const batchShape = layer.config.batch_input_shape ?? layer.config.batch_shape;
        if (layer.className === "InputLayer") {
          setInput(layer.name, batchShape, where);
          previous = layer.name;
          return;
        }
        setInput("__input__", batchShape, where);
        inbound.push("__input__");
      }
      if (inbound.length === 0) fail("has no input");
      for (const name of inbound) if (!shapes.has(name)) fail(`its input "${name}" is not defined before it`);
      const x = inbound[0];
      const shape = shapes.get(x) as number[];
      const converted = convertLayer(layer, shape, inbound.length, weight, layer.name === last, notices);
      if ("join" in converted) {
        const outShapes = inbound.map((n) => shapes.get(n) as number[]);
        let out = outShapes[0];
        if (converted.join === "concat") {
          const tail = (s: number[]): string => s.slice(1).join("x");
          if (outShapes.some((s) => s.length !== out.length || tail(s) !== tail(out))) fail("concatenates tensors that differ beyond the channel axis");
          out = [outShapes.reduce((a, s) => a + s[0], 0), ...out.slice(1)];
        } else if (outShapes.some((s) => s.join("x") !== out.join("x"))) fail(`joins tensors of shapes ${outShapes.map((s) => `[${s.join(", ")}]`).join(" and ")}`);
        defs.set(layer.name, {
          kind: "join",
          type: converted.join,
          inputs: inbound,
          branchTail: inbound.map(() => []),
          post: converted.post,
        });
        shapes.set(layer.name, layersOutputShape(converted.post, out));
      } else {
        if (inbound.length !== 1) fail(`takes ${inbound.length} inputs`);
        let out: number[];
        try {
          out = layersOutputShape(converted.layers, shape);
        } catch (e) {
          fail((e as Error).message);
        }
        if (shapeSize(out) > MAX_UNITS) fail(`gives [${out.join(", ")}], more than the limit of ${MAX_UNITS} units`);
        defs.set(layer.name, {
          kind: "unary",
          input: x,
          layers: converted.layers,
        });
        shapes.set(layer.name, out);
      }
      previous = layer.name;
    } catch (e) {
      if (e instanceof NotPiecewiseLinearError) throw new NotPiecewiseLinearError(`${where}: ${e.message}`, layer.name, e.op);
      if (e instanceof FormatError) throw new FormatError(`${where}: ${e.message}`);
      throw e;
    }
  });
  if (!inputName) fail("the model has no input layer with a batch_input_shape");
  if (!last || !defs.has(last)) fail(`the output layer "${last}" is not defined`);
  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) notices.push(`ignored ${unused.length} weights not used by any layer (${unused.slice(0, 3).join(", ")}${unused.length > 3 ? ", ..." : ""})`);

  const body = nestGraph(defs, last, inputName);
  const image = userInputShape.length === 3;
  const channelsFirst = image && userInputShape[2] === 1;
  const network: Network = image
    ? {
        inputSize: shapeSize(userInputShape),
        inputShape: channelsFirst ? [1, userInputShape[0], userInputShape[1]] : userInputShape,
        layers: channelsFirst ? body : [{ type: "transpose", perm: [2, 0, 1] }, ...body],
      }
    : { inputSize: userInputShape[0], layers: body };
  if (network.layers.length === 0) fail("the model computes the identity: no layers");
  // Config numbers (a ReLU's max_value of 1e999 parses as Infinity) and anything computed.
  assertFiniteNetwork(network);
  return {
    network: channelsFirst ? dropChannelTransposes(network) : network,
    notices,
  };
}

/** With one channel, HWC and CHW are the same vector: the flatten transposes are no-ops. */
function dropChannelTransposes(net: Network): Network {
  const strip = (layers: Layer[]): Layer[] => layers.filter((l) => !(l.type === "transpose" && l.perm.join() === "1,2,0"));
  // Only valid when every image tensor has one channel at a flatten; check by shapes.
  const shapes: number[][] = [];
  const check = (layers: Layer[], shape: number[]): void => {
    let s = shape;
    for (const l of layers) {
      if (l.type === "transpose") shapes.push(s);
      s = layersOutputShape([l], s);
    }
  };
  check(net.layers, net.inputShape as number[]);
  if (shapes.some((s) => s[0] !== 1)) return net;
  return { ...net, layers: rewriteLists(net.layers, strip) };
}

type Converted = { layers: Layer[] } | { join: BranchLayer["type"]; post: Layer[] };

function activation(name: Json, isLast: boolean, notices: string[]): Layer[] {
  switch (name ?? "linear") {
    case "linear":
      return [];
    case "relu":
      return [{ type: "relu" }];
    case "relu6":
      return [{ type: "hard-tanh", lo: 0, hi: 6 }];
    case "softmax":
      if (!isLast) throw new NotPiecewiseLinearError("softmax before the last layer is not piecewise linear", "", "softmax");
      notices.push("dropped the trailing softmax: the regions are those of the logits");
      return [];
    default:
      throw new NotPiecewiseLinearError(`activation ${JSON.stringify(name)} is not piecewise linear (tessera reads relu, relu6, linear)`, "", String(name));
  }
}

function intPair(x: Json, what: string, fallback?: [number, number]): [number, number] {
  if (x === undefined || x === null) {
    if (fallback) return fallback;
    fail(`missing ${what}`);
  }
  const v = typeof x === "number" ? [x, x] : x;
  if (!Array.isArray(v) || v.length !== 2 || v.some((a) => typeof a !== "number" || !Number.isInteger(a) || a < 1 || a > 1e6))
    fail(`${what} must be two positive integers, got ${JSON.stringify(x)}`);
  return [v[0] as number, v[1] as number];
}

/** TensorFlow's padding: "valid", or "same" (output ceil(size / stride), extra at bottom/right). */
function tfPadding(mode: Json, shape: number[], kernel: [number, number], stride: [number, number], dilation: [number, number]): [number, number, number, number] {
  if (mode === "valid" || mode === undefined) return [0, 0, 0, 0];
  if (mode !== "same") fail(`padding ${JSON.stringify(mode)} is not supported`);
  const total = [0, 1].map((a) => Math.max(0, (Math.ceil(shape[1 + a] / stride[a]) - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 - shape[1 + a]));
  return [Math.floor(total[0] / 2), Math.floor(total[1] / 2), total[0] - Math.floor(total[0] / 2), total[1] - Math.floor(total[1] / 2)];
}

function convertLayer(
  layer: KerasLayer,
  shape: number[],
  inputs: number,
  weight: (layer: KerasLayer, param: string, shape: number[]) => Float64Array,
  isLast: boolean,
  notices: string[],
): Converted {
  const c = layer.config;
  const image = shape.length === 3;
  if (c.data_format !== undefined && c.data_format !== "channels_last") fail(`data_format ${JSON.stringify(c.data_format)} is not supported (channels_last)`);
  switch (layer.className) {
    case "Dense": {
      if (shape.length !== 1) fail(`Dense on a [${shape.join(", ")}] tensor: add a Flatten first`);
      const units = c.units;
      if (typeof units !== "number" || !Number.isInteger(units) || units < 1 || units > MAX_UNITS) fail(`units must be a positive integer, got ${JSON.stringify(units)}`);
      const n = shape[0];
      const kernel = weight(layer, "kernel", [n, units]);
      const w = new Float64Array(units * n);
      for (let i = 0; i < units; i++) for (let j = 0; j < n; j++) w[i * n + j] = kernel[j * units + i];
      const bias = c.use_bias === false ? new Float64Array(units) : weight(layer, "bias", [units]);
      return {
        layers: [{ type: "dense", inSize: n, outSize: units, weight: w, bias }, ...activation(c.activation, isLast, notices)],
      };
    }
    case "Conv2D": {
      if (!image) fail("needs an H x W x C input");
      const filters = c.filters;
      if (typeof filters !== "number" || !Number.isInteger(filters) || filters < 1 || filters > 1e6) fail(`filters must be a positive integer, got ${JSON.stringify(filters)}`);
      const kernel = intPair(c.kernel_size, "kernel_size");
      const stride = intPair(c.strides, "strides", [1, 1]);
      const dilation = intPair(c.dilation_rate, "dilation_rate", [1, 1]);
      const groups = typeof c.groups === "number" ? c.groups : 1;
      const channels = shape[0];
      if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0 || filters % groups !== 0)
        fail(`groups=${groups} does not divide ${channels} input and ${filters} output channels`);
      const groupIn = channels / groups;
      const k = weight(layer, "kernel", [kernel[0], kernel[1], groupIn, filters]);
      // Keras [kh, kw, in, out] -> [out, in, kh, kw].
      const w = new Float64Array(filters * groupIn * kernel[0] * kernel[1]);
      for (let ky = 0; ky < kernel[0]; ky++)
        for (let kx = 0; kx < kernel[1]; kx++)
          for (let ic = 0; ic < groupIn; ic++)
            for (let oc = 0; oc < filters; oc++) w[((oc * groupIn + ic) * kernel[0] + ky) * kernel[1] + kx] = k[((ky * kernel[1] + kx) * groupIn + ic) * filters + oc];
      const bias = c.use_bias === false ? new Float64Array(filters) : weight(layer, "bias", [filters]);
      const padding = tfPadding(c.padding, shape, kernel, stride, dilation);
      return {
        layers: [
          {
            type: "conv2d",
            inChannels: channels,
            outChannels: filters,
            groups,
            kernel,
            stride,
            padding,
            dilation,
            weight: w,
            bias,
          },
          ...activation(c.activation, isLast, notices),
        ],
      };
    }
    case "MaxPooling2D":
    case "AveragePooling2D": {
      if (!image) fail("needs an H x W x C input");
      const kernel = intPair(c.pool_size, "pool_size", [2, 2]);
      const stride = intPair(c.strides, "strides", kernel);
      const padding = tfPadding(c.padding, shape, kernel, stride, [1, 1]);
      const window = {
        kernel,
        stride,
        padding,
        dilation: [1, 1] as [number, number],
        ceilMode: false,
      };
      // TensorFlow leaves padded cells out of both the max and the mean.
      return {
        layers: [layer.className === "MaxPooling2D" ? { type: "max-pool", ...window } : { type: "avg-pool", ...window, countIncludePad: false }],
      };
    }
    case "GlobalAveragePooling2D":
    case "GlobalMaxPooling2D": {
      if (!image) fail("needs an H x W x C input");
      if (c.keepdims === true) fail("keepdims is not supported");
      const window = {
        kernel: [shape[1], shape[2]] as [number, number],
        stride: [1, 1] as [number, number],
        padding: [0, 0, 0, 0] as [number, number, number, number],
        dilation: [1, 1] as [number, number],
        ceilMode: false,
      };
      const pool: Layer = layer.className === "GlobalMaxPooling2D" ? { type: "max-pool", ...window } : { type: "avg-pool", ...window, countIncludePad: false };
      return { layers: [pool, { type: "flatten" }] };
    }
    case "Flatten":
      return {
        layers: image ? [{ type: "transpose", perm: [1, 2, 0] }, { type: "flatten" }] : [],
      };
    case "BatchNormalization": {
      const axis = c.axis === undefined ? -1 : Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis;
      const lastAxis = shape.length; // Keras rank without batch is shape.length; the channel axis is last
      if (axis !== -1 && axis !== lastAxis) fail(`axis ${JSON.stringify(c.axis)}: only the channel (last) axis is supported`);
      const channels = shape[0];
      const epsilon = typeof c.epsilon === "number" ? c.epsilon : 1e-3;
      finiteValues([epsilon], "epsilon");
      const gamma = c.scale === false ? new Float64Array(channels).fill(1) : weight(layer, "gamma", [channels]);
      const beta = c.center === false ? new Float64Array(channels) : weight(layer, "beta", [channels]);
      const mean = weight(layer, "moving_mean", [channels]);
      const variance = weight(layer, "moving_variance", [channels]);
      if (variance.some((v) => !(v + epsilon > 0))) fail("moving_variance + epsilon must be positive");
      return {
        layers: [
          {
            type: "batch-norm",
            size: channels,
            gamma,
            beta,
            mean,
            variance,
            epsilon,
          },
        ],
      };
    }
    case "ReLU": {
      const max = c.max_value ?? null;
      const slope = typeof c.negative_slope === "number" ? c.negative_slope : 0;
      if (typeof c.threshold === "number" && c.threshold !== 0) fail("a ReLU threshold is not supported");
      if (max !== null && (typeof max !== "number" || slope !== 0)) fail("max_value with a negative slope is not supported");
      finiteValues([slope, typeof max === "number" ? max : 0], "max_value and negative_slope");
      if (max !== null) return { layers: [{ type: "hard-tanh", lo: 0, hi: max as number }] };
      return {
        layers: [slope === 0 ? { type: "relu" } : { type: "leaky-relu", slope }],
      };
    }
    case "LeakyReLU": {
      const slope = typeof c.alpha === "number" ? c.alpha : typeof c.negative_slope === "number" ? c.negative_slope : 0.3;
      finiteValues([slope], "alpha");
      return { layers: [{ type: "leaky-relu", slope }] };
    }
    case "Activation":
      return { layers: activation(c.activation, isLast, notices) };
    case "Dropout":
    case "SpatialDropout2D":
    case "GaussianNoise":
      return { layers: [] };
    case "Add":
    case "Maximum":
    case "Average":
    case "Concatenate":
      if (inputs < 2) fail("needs at least two inputs");
      if (layer.className === "Concatenate" && c.axis !== undefined && c.axis !== -1 && c.axis !== shape.length)
        fail(`axis ${JSON.stringify(c.axis)}: only the channel (last) axis is supported`);
      return {
        join: layer.className === "Concatenate" ? "concat" : layer.className === "Maximum" ? "max" : "add",
        post:
          layer.className === "Average"
            ? [
                {
                  type: "scale",
                  scale: Float64Array.of(1 / inputs),
                  shift: Float64Array.of(0),
                },
              ]
            : [],
      };
    default:
      fail(`Keras layer ${layer.className} is not supported`);
  }
}
