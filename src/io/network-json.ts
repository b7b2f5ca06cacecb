/**
 * The native file format, `tessera.network` version 1 (documented in docs/formats.md):
 *
 *   {"format": "tessera.network", "version": 1, "inputShape": [n0] (or [C, H, W]),
 *    "layers": [{"type": "dense", "weight": [[...], ...], "bias": [...]}, {"type": "relu"}, ...]}
 *
 * Parsing validates everything and reports the first problem as one line naming the layer.
 * Pure (no Node API): the browser app uses it as is.
 */
import type { Conv2dLayer, Layer, Network } from "../model/layers.ts";
import { broadcastsOver, layerOutputShape, networkInputShape, shapeSize } from "../model/layers.ts";
import { isContainer, walkLayers } from "../model/walk.ts";
import type { Window2d } from "../model/window.ts";
import { describeBinary, looksBinary, printable } from "./describe-bytes.ts";

/** A model file that cannot be read: one line saying what and where. */
export class FormatError extends Error {
  override name = "FormatError";
}

/** The model is readable but not piecewise linear: `node` (a graph node or layer) uses `op`. */
export class NotPiecewiseLinearError extends FormatError {
  override name = "NotPiecewiseLinearError";
  constructor(
    message: string,
    readonly node: string,
    readonly op: string,
  ) {
    super(message);
  }
}

/** The same error with `prefix: ` before its message (keeps the class and its fields). */
export function withPrefix(e: FormatError, prefix: string): FormatError {
  const message = `${prefix}: ${e.message}`;
  return e instanceof NotPiecewiseLinearError ? new NotPiecewiseLinearError(message, e.node, e.op) : new FormatError(message);
}

type Json = unknown;

function fail(where: string, what: string): never {
  throw new FormatError(`${where}: ${what}`);
}

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function finiteNumber(x: Json, where: string): number {
  if (typeof x !== "number" || !Number.isFinite(x)) fail(where, `expected a finite number, got ${describe(x)}`);
  return x;
}

function describe(x: Json): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === "string") return `"${x.length > 20 ? `${x.slice(0, 20)}...` : x}"`;
  return String(x);
}

function vector(x: Json, length: number, where: string): Float64Array {
  if (!Array.isArray(x)) fail(where, `expected an array of ${length} numbers, got ${describe(x)}`);
  if (x.length !== length) fail(where, `expected ${length} numbers, got ${x.length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = finiteNumber(x[i], `${where}[${i}]`);
  return out;
}

function matrix(x: Json, rows: number | null, cols: number, where: string): { data: Float64Array; rows: number } {
  if (!Array.isArray(x)) fail(where, `expected an array of rows, got ${describe(x)}`);
  if (rows !== null && x.length !== rows) fail(where, `expected ${rows} rows, got ${x.length}`);
  const data = new Float64Array(x.length * cols);
  x.forEach((row, i) => {
    data.set(vector(row, cols, `${where}[${i}]`), i * cols);
  });
  return { data, rows: x.length };
}

const LAYER_TYPES = [
  "dense",
  "relu",
  "leaky-relu",
  "prelu",
  "abs",
  "hard-tanh",
  "maxout",
  "identity",
  "batch-norm",
  "scale",
  "residual",
  "conv2d",
  "max-pool",
  "avg-pool",
  "pad",
  "flatten",
  "reshape",
  "transpose",
  "add",
  "concat",
  "max",
];

/** Largest number of units any layer may have, and of numbers any parameter may hold. */
export const MAX_UNITS = 1e7;

function positiveInteger(x: Json, where: string, max = MAX_UNITS): number {
  const v = finiteNumber(x, where);
  if (!Number.isInteger(v) || v < 1 || v > max) fail(where, `expected a positive integer up to ${max}, got ${v}`);
  return v;
}

function nonNegativeInteger(x: Json, where: string, max = 1e6): number {
  const v = finiteNumber(x, where);
  if (!Number.isInteger(v) || v < 0 || v > max) fail(where, `expected an integer from 0 to ${max}, got ${v}`);
  return v;
}

/** A 2D parameter: one number for both axes, or [h, w]. */
function pair(x: Json, where: string, min: 0 | 1): [number, number] {
  const one = (v: Json, at: string): number => (min === 1 ? positiveInteger(v, at, 1e6) : nonNegativeInteger(v, at));
  if (Array.isArray(x)) {
    if (x.length !== 2) fail(where, `expected a number or [height, width], got ${describe(x)}`);
    return [one(x[0], `${where}[0]`), one(x[1], `${where}[1]`)];
  }
  const v = one(x, where);
  return [v, v];
}

/** Padding: one number, [h, w] (both sides), or [top, left, bottom, right]. */
function padding(x: Json, where: string): [number, number, number, number] {
  if (Array.isArray(x) && x.length === 4) {
    const p = x.map((v, i) => nonNegativeInteger(v, `${where}[${i}]`));
    return [p[0], p[1], p[2], p[3]];
  }
  const [h, w] = pair(x, where, 0);
  return [h, w, h, w];
}

function imageInput(shape: number[], where: string): [number, number, number] {
  if (shape.length !== 3) fail(where, `needs a C x H x W input, the previous layer gives [${shape.join(", ")}] (set "inputShape": [C, H, W])`);
  return [shape[0], shape[1], shape[2]];
}

/** A vector that broadcasts over the shape: 1 number, one per channel (first axis), or one per unit. */
function broadcastVector(x: Json, shape: number[], where: string): Float64Array {
  const size = shapeSize(shape);
  if (!Array.isArray(x)) fail(where, `expected an array of 1, ${shape[0]} or ${size} numbers, got ${describe(x)}`);
  if (!broadcastsOver(x.length, shape)) fail(where, `expected 1, ${shape[0]} (per channel) or ${size} numbers, got ${x.length}`);
  return vector(x, x.length, where);
}

function parseConv(spec: Record<string, Json>, shape: number[], here: string): Conv2dLayer {
  const [channels] = imageInput(shape, here);
  const groups = "groups" in spec ? positiveInteger(spec.groups, `${here}.groups`, 1e6) : 1;
  if (channels % groups !== 0) fail(`${here}.groups`, `${groups} groups do not divide the ${channels} input channels`);
  const raw = spec.weight;
  if (!Array.isArray(raw) || raw.length === 0) fail(`${here}.weight`, `expected outChannels x ${channels / groups} x kh x kw nested arrays, got ${describe(raw)}`);
  const first = raw[0];
  const kh = Array.isArray(first) && Array.isArray(first[0]) ? first[0].length : 0;
  const kw = kh > 0 && Array.isArray(first[0][0]) ? first[0][0].length : 0;
  if (kh < 1 || kw < 1) fail(`${here}.weight`, `expected outChannels x ${channels / groups} x kh x kw nested arrays`);
  const outChannels = raw.length;
  if (outChannels % groups !== 0) fail(`${here}.groups`, `${groups} groups do not divide the ${outChannels} output channels`);
  const groupIn = channels / groups;
  if (outChannels * groupIn * kh * kw > MAX_UNITS * 10) fail(`${here}.weight`, "too many weights");
  const weight = new Float64Array(outChannels * groupIn * kh * kw);
  raw.forEach((oc, o) => {
    const m = matrix3(oc, groupIn, kh, kw, `${here}.weight[${o}]`);
    weight.set(m, o * groupIn * kh * kw);
  });
  const bias = "bias" in spec && spec.bias !== null ? vector(spec.bias, outChannels, `${here}.bias`) : new Float64Array(outChannels);
  return {
    type: "conv2d",
    inChannels: channels,
    outChannels,
    groups,
    kernel: [kh, kw],
    stride: "stride" in spec ? pair(spec.stride, `${here}.stride`, 1) : [1, 1],
    padding: "padding" in spec ? padding(spec.padding, `${here}.padding`) : [0, 0, 0, 0],
    dilation: "dilation" in spec ? pair(spec.dilation, `${here}.dilation`, 1) : [1, 1],
    weight,
    bias,
  };
}

function matrix3(x: Json, a: number, b: number, c: number, where: string): Float64Array {
  if (!Array.isArray(x) || x.length !== a) fail(where, `expected ${a} arrays of ${b} x ${c}, got ${describe(x)}`);
  const out = new Float64Array(a * b * c);
  x.forEach((m, i) => {
    out.set(matrix(m, b, c, `${where}[${i}]`).data, i * b * c);
  });
  return out;
}

function parseWindow(spec: Record<string, Json>, here: string): Window2d {
  if (!("kernel" in spec)) fail(here, `missing field "kernel"`);
  const kernel = pair(spec.kernel, `${here}.kernel`, 1);
  const pad = "padding" in spec ? padding(spec.padding, `${here}.padding`) : ([0, 0, 0, 0] as [number, number, number, number]);
  if (pad[0] >= kernel[0] || pad[2] >= kernel[0] || pad[1] >= kernel[1] || pad[3] >= kernel[1]) {
    fail(`${here}.padding`, `padding must be smaller than the ${kernel.join("x")} window`);
  }
  return {
    kernel,
    stride: "stride" in spec ? pair(spec.stride, `${here}.stride`, 1) : kernel,
    padding: pad,
    dilation: "dilation" in spec ? pair(spec.dilation, `${here}.dilation`, 1) : [1, 1],
  };
}

function flag(spec: Record<string, Json>, name: string, fallback: boolean, here: string): boolean {
  if (!(name in spec)) return fallback;
  if (typeof spec[name] !== "boolean") fail(`${here}.${name}`, `expected true or false, got ${describe(spec[name])}`);
  return spec[name] as boolean;
}

/** A bound of hard-tanh: a number, or null for none (a one-sided clip). */
function bound(spec: Record<string, Json>, name: string, fallback: number, none: number, here: string): number {
  if (!(name in spec)) return fallback;
  return spec[name] === null ? none : finiteNumber(spec[name], `${here}.${name}`);
}

/** A list of layers being parsed: the raw specs, where the next one is, the shape so far. */
interface ListFrame {
  raw: Json[];
  index: number;
  shape: number[];
  where: string;
  layers: Layer[];
  /** The block this list belongs to (null for the network's own list). */
  block: BlockFrame | null;
}

/** A residual block or a branch layer being parsed: its inner lists, parsed one after another. */
interface BlockFrame {
  type: "residual" | "add" | "concat" | "max";
  here: string;
  inShape: number[];
  lists: Json[];
  parsed: { layers: Layer[]; outShape: number[] }[];
  parent: ListFrame;
}

function listFrame(raw: Json, shape: number[], where: string, block: BlockFrame | null): ListFrame {
  if (!Array.isArray(raw)) fail(where, `"layers" must be an array, got ${describe(raw)}`);
  return { raw, index: 0, shape, where, layers: [], block };
}

function innerWhere(block: BlockFrame, i: number): string {
  return block.type === "residual" ? `${block.here}.layers` : `${block.here}.branches[${i}]`;
}

/**
 * Parse a list of layer specs. Blocks nest lists; they are parsed with an explicit stack (no
 * recursion), so a network may be as deep as memory allows.
 */
function parseLayers(raw: Json, inShape: number[], where: string): { layers: Layer[]; outShape: number[] } {
  const root = listFrame(raw, inShape, where, null);
  const stack: ListFrame[] = [root];
  const append = (f: ListFrame, layer: Layer, next: number[], here: string): void => {
    if (shapeSize(next) > MAX_UNITS) fail(here, `gives ${shapeSize(next)} units, more than the limit of ${MAX_UNITS}`);
    f.layers.push(layer);
    f.shape = next;
  };
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.index >= f.raw.length) {
      stack.pop();
      const block = f.block;
      if (!block) continue;
      block.parsed.push({ layers: f.layers, outShape: f.shape });
      if (block.parsed.length < block.lists.length) {
        const i = block.parsed.length;
        stack.push(listFrame(block.lists[i], block.inShape, innerWhere(block, i), block));
        continue;
      }
      const { layer, outShape } = finishBlock(block);
      append(block.parent, layer, outShape, block.here);
      continue;
    }
    const index = f.index++;
    const spec = f.raw[index];
    const at = `${f.where}[${index}]`;
    if (!isObject(spec)) fail(at, `expected a layer object, got ${describe(spec)}`);
    const type = spec.type;
    if (typeof type !== "string") fail(at, `missing "type"`);
    const here = `${at} (${type})`;
    if (type === "residual" || type === "add" || type === "concat" || type === "max") {
      let lists: Json[];
      if (type === "residual") {
        if (!("layers" in spec)) fail(here, `missing field "layers"`);
        lists = [spec.layers];
      } else {
        if (!("branches" in spec)) fail(here, `missing field "branches"`);
        const branches = spec.branches;
        if (!Array.isArray(branches) || branches.length < 2) fail(`${here}.branches`, `expected an array of at least two layer lists, got ${describe(branches)}`);
        lists = branches;
      }
      const block: BlockFrame = { type, here, inShape: f.shape, lists, parsed: [], parent: f };
      stack.push(listFrame(lists[0], f.shape, innerWhere(block, 0), block));
      continue;
    }
    const layer = parseLeaf(spec, type, f.shape, at, here);
    let next: number[];
    try {
      next = layerOutputShape(layer, f.shape);
    } catch (e) {
      fail(here, (e as Error).message);
    }
    append(f, layer, next, here);
  }
  return { layers: root.layers, outShape: root.shape };
}

/** A block whose inner lists are parsed: checks their shapes fit and gives the layer. */
function finishBlock(block: BlockFrame): { layer: Layer; outShape: number[] } {
  const { type, here, inShape, parsed } = block;
  const size = shapeSize(inShape);
  if (type === "residual") {
    const out = parsed[0].outShape;
    if (shapeSize(out) !== size) fail(here, `the block maps ${size} units to ${shapeSize(out)}; a residual block must keep the size`);
    return { layer: { type, layers: parsed[0].layers }, outShape: inShape.slice() };
  }
  const outs = parsed.map((p) => p.outShape);
  let outShape = outs[0];
  if (type === "concat") {
    const tail = (s: number[]): string => s.slice(1).join("x");
    outs.forEach((s, i) => {
      if (s.length !== outs[0].length || tail(s) !== tail(outs[0])) {
        fail(`${here}.branches[${i}]`, `ends in [${s.join(", ")}], branch 0 in [${outs[0].join(", ")}]: they must agree beyond the first axis`);
      }
    });
    outShape = [outs.reduce((a, s) => a + s[0], 0), ...outs[0].slice(1)];
  } else {
    outs.forEach((s, i) => {
      if (shapeSize(s) !== shapeSize(outs[0])) fail(`${here}.branches[${i}]`, `ends in [${s.join(", ")}], branch 0 in [${outs[0].join(", ")}]`);
    });
  }
  return { layer: { type, branches: parsed.map((p) => p.layers) }, outShape };
}

/** A layer that holds no other layers, from its spec. */
function parseLeaf(spec: Record<string, Json>, type: string, shape: number[], at: string, here: string): Layer {
  const field = (name: string): Json => {
    if (!(name in spec)) fail(here, `missing field "${name}"`);
    return spec[name];
  };
  const size = shapeSize(shape);
  let layer: Layer;
  switch (type) {
    case "dense": {
      const w = matrix(field("weight"), null, size, `${here}.weight`);
      if (w.rows === 0) fail(here, "weight has no rows");
      const bias = "bias" in spec && spec.bias !== null ? vector(spec.bias, w.rows, `${here}.bias`) : new Float64Array(w.rows);
      layer = {
        type: "dense",
        inSize: size,
        outSize: w.rows,
        weight: w.data,
        bias,
      };
      break;
    }
    case "relu":
    case "abs":
    case "identity":
    case "flatten":
      layer = { type };
      break;
    case "leaky-relu":
      layer = {
        type,
        slope: "slope" in spec ? finiteNumber(spec.slope, `${here}.slope`) : 0.01,
      };
      break;
    case "prelu":
      layer = {
        type,
        slope: broadcastVector(field("slope"), shape, `${here}.slope`),
      };
      break;
    case "hard-tanh": {
      const lo = bound(spec, "lo", -1, -Infinity, here);
      const hi = bound(spec, "hi", 1, Infinity, here);
      if (!(lo < hi)) fail(here, `needs lo < hi, got lo=${lo}, hi=${hi}`);
      layer = { type, lo, hi };
      break;
    }
    case "maxout": {
      const k = finiteNumber(field("k"), `${here}.k`);
      if (!Number.isInteger(k) || k < 2) fail(here, `k must be an integer of at least 2, got ${k}`);
      if (size % k !== 0) fail(here, `k=${k} does not divide the ${size} incoming units`);
      layer = { type, k };
      break;
    }
    case "batch-norm": {
      const channels = shape[0];
      const v = (name: string): Float64Array => vector(field(name), channels, `${here}.${name}`);
      const epsilon = "epsilon" in spec ? finiteNumber(spec.epsilon, `${here}.epsilon`) : 1e-5;
      const variance = v("variance");
      variance.forEach((x, i) => {
        if (x + epsilon <= 0) fail(`${here}.variance[${i}]`, "variance + epsilon must be positive");
      });
      layer = {
        type,
        size: channels,
        gamma: v("gamma"),
        beta: v("beta"),
        mean: v("mean"),
        variance,
        epsilon,
      };
      break;
    }
    case "scale": {
      const scale = "scale" in spec ? broadcastVector(spec.scale, shape, `${here}.scale`) : null;
      const shift = "shift" in spec ? broadcastVector(spec.shift, shape, `${here}.shift`) : null;
      if (!scale && !shift) fail(here, `needs "scale", "shift" or both`);
      const length = Math.max(scale?.length ?? 0, shift?.length ?? 0);
      const full = (v: Float64Array | null, fill: number): Float64Array => {
        if (v && v.length === length) return v;
        if (v && v.length !== 1) fail(here, `"scale" and "shift" must have the same length or one of them 1, got ${scale?.length} and ${shift?.length}`);
        return new Float64Array(length).fill(v ? v[0] : fill);
      };
      layer = { type, scale: full(scale, 1), shift: full(shift, 0) };
      break;
    }
    case "conv2d":
      layer = parseConv(spec, shape, here);
      break;
    case "max-pool":
    case "avg-pool": {
      imageInput(shape, here);
      const window = parseWindow(spec, here);
      const ceilMode = flag(spec, "ceilMode", false, here);
      layer =
        type === "max-pool"
          ? { type, ...window, ceilMode }
          : {
              type,
              ...window,
              ceilMode,
              countIncludePad: flag(spec, "countIncludePad", true, here),
            };
      break;
    }
    case "pad":
      imageInput(shape, here);
      layer = { type, padding: padding(field("padding"), `${here}.padding`) };
      break;
    case "reshape": {
      const target = field("shape");
      if (!Array.isArray(target) || target.length < 1 || target.length > 4) fail(`${here}.shape`, `expected 1 to 4 positive integers, got ${describe(target)}`);
      const dims = target.map((d, i) => positiveInteger(d, `${here}.shape[${i}]`));
      if (shapeSize(dims) !== size) fail(`${here}.shape`, `[${dims.join(", ")}] holds ${shapeSize(dims)} numbers, the input has ${size}`);
      layer = { type, shape: dims };
      break;
    }
    case "transpose": {
      const perm = field("perm");
      const ok = Array.isArray(perm) && perm.length === shape.length && [...perm].sort().every((a, i) => a === i);
      if (!ok) fail(`${here}.perm`, `expected a permutation of 0..${shape.length - 1}, got ${describe(perm)}`);
      layer = { type, perm: perm as number[] };
      break;
    }
    default:
      fail(at, `unknown layer type "${type}" (known: ${LAYER_TYPES.join(", ")})`);
  }
  return layer;
}

/** Parse and validate a tessera.network document (already JSON-decoded). */
export function networkFromJson(doc: Json): Network {
  if (!isObject(doc)) fail("model", `expected a JSON object, got ${describe(doc)}`);
  if (doc.format !== "tessera.network") fail("model", `"format" must be "tessera.network", got ${describe(doc.format)}`);
  if (doc.version !== 1) fail("model", `unsupported version ${describe(doc.version)} (this tessera reads version 1)`);
  const raw = doc.inputShape;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > 4) fail("model.inputShape", `expected [n0] or [C, H, W], got ${describe(raw)}`);
  const shape = raw.map((d, i) => positiveInteger(d, `model.inputShape[${i}]`));
  const n0 = shapeSize(shape);
  if (n0 > MAX_UNITS) fail("model.inputShape", `[${shape.join(", ")}] holds ${n0} numbers, more than the limit of ${MAX_UNITS}`);
  const { layers } = parseLayers(doc.layers, shape, "layers");
  if (layers.length === 0) fail("layers", "the network has no layers");
  return shape.length > 1 ? { inputSize: n0, inputShape: shape, layers } : { inputSize: n0, layers };
}

/** Why text is not JSON, in one printable line: binary data is described, never echoed. */
function notJson(text: string, error: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary data.
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text.slice(0, 1024))) return "not a model file: binary data, not JSON text";
  return `not valid JSON (${printable((error as Error).message)})`;
}

/** Parse a tessera.network document from text (or the file's bytes, so binary data is named). */
export function parseNetwork(input: string | Uint8Array, source = "model"): Network {
  if (typeof input !== "string" && looksBinary(input)) throw new FormatError(`${source}: not a model file: ${describeBinary(input)}`);
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${source}: ${notJson(text, e)}`);
  }
  try {
    return networkFromJson(doc);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${source}: ${e.message}`);
    throw e;
  }
}

const nested = (data: Float64Array, dims: number[]): Json => {
  if (dims.length === 1) return Array.from(data.subarray(0, dims[0]));
  const inner = shapeSize(dims.slice(1));
  return Array.from({ length: dims[0] }, (_, i) => nested(data.subarray(i * inner, (i + 1) * inner), dims.slice(1)));
};

function layerToJson(layer: Layer): Record<string, Json> {
  switch (layer.type) {
    case "dense":
      return {
        type: "dense",
        weight: nested(layer.weight, [layer.outSize, layer.inSize]),
        bias: Array.from(layer.bias),
      };
    case "batch-norm":
      return {
        type: "batch-norm",
        gamma: Array.from(layer.gamma),
        beta: Array.from(layer.beta),
        mean: Array.from(layer.mean),
        variance: Array.from(layer.variance),
        epsilon: layer.epsilon,
      };
    case "hard-tanh":
      return {
        type: "hard-tanh",
        lo: Number.isFinite(layer.lo) ? layer.lo : null,
        hi: Number.isFinite(layer.hi) ? layer.hi : null,
      };
    case "residual":
      return { type: "residual", layers: layer.layers.map(layerToJson) };
    case "add":
    case "concat":
    case "max":
      return {
        type: layer.type,
        branches: layer.branches.map((b) => b.map(layerToJson)),
      };
    case "conv2d":
      return {
        type: "conv2d",
        weight: nested(layer.weight, [layer.outChannels, layer.inChannels / layer.groups, ...layer.kernel]),
        bias: Array.from(layer.bias),
        stride: layer.stride,
        padding: layer.padding,
        dilation: layer.dilation,
        groups: layer.groups,
      };
    case "max-pool":
    case "avg-pool": {
      const { type, kernel, stride, padding, dilation, ceilMode } = layer;
      const out: Record<string, Json> = {
        type,
        kernel,
        stride,
        padding,
        dilation,
        ceilMode,
      };
      if (layer.type === "avg-pool") out.countIncludePad = layer.countIncludePad;
      return out;
    }
    case "scale":
      return {
        type: "scale",
        scale: Array.from(layer.scale),
        shift: Array.from(layer.shift),
      };
    case "prelu":
      return { type: "prelu", slope: Array.from(layer.slope) };
    default:
      return { ...layer };
  }
}

/** The tessera.network document of a network (numbers written with full float64 precision). */
export function networkToJson(net: Network): Record<string, Json> {
  return {
    format: "tessera.network",
    version: 1,
    inputShape: networkInputShape(net),
    layers: net.layers.map(layerToJson),
  };
}

/**
 * A network as tessera JSON text (the native format, docs/formats.md): the same as
 * JSON.stringify(networkToJson(net)), but written with an explicit stack, so any depth of
 * nested blocks is written (JSON.stringify overflows the call stack at a few thousand levels).
 */
export function stringifyNetwork(net: Network): string {
  const head = JSON.stringify({ format: "tessera.network", version: 1, inputShape: networkInputShape(net) });
  const parts: string[] = [head.slice(0, -1), ',"layers":['];
  // Whether the list being written at each nesting already has an element (needs a comma).
  const started: boolean[] = [false];
  const open = (): void => {
    if (started[started.length - 1]) parts.push(",");
    started[started.length - 1] = true;
  };
  walkLayers(net.layers, {
    layer(layer) {
      open();
      if (layer.type === "residual") parts.push('{"type":"residual","layers":');
      else if (isContainer(layer)) parts.push(`{"type":${JSON.stringify(layer.type)},"branches":[`);
      else parts.push(JSON.stringify(layerToJson(layer)));
      return 0;
    },
    branch(layer, k) {
      if (layer.type !== "residual" && k > 0) parts.push(",");
      parts.push("[");
      started.push(false);
    },
    branchEnd() {
      parts.push("]");
      started.pop();
    },
    end(layer) {
      parts.push(layer.type === "residual" ? "}" : "]}");
    },
  });
  parts.push("]}\n");
  return parts.join("");
}
