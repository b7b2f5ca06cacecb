/**
 * The native file format, `tessera.network` version 1 (documented in docs/formats.md):
 *
 *   {"format": "tessera.network", "version": 1, "inputShape": [n0],
 *    "layers": [{"type": "dense", "weight": [[...], ...], "bias": [...]}, {"type": "relu"}, ...]}
 *
 * Parsing validates everything and reports the first problem as one line naming the layer.
 * Pure (no Node API): the browser app uses it as is.
 */
import type { Layer, Network } from "../model/layers.ts";

export class FormatError extends Error {
  override name = "FormatError";
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
  x.forEach((row, i) => data.set(vector(row, cols, `${where}[${i}]`), i * cols));
  return { data, rows: x.length };
}

const LAYER_TYPES = ["dense", "relu", "leaky-relu", "abs", "hard-tanh", "maxout", "identity", "batch-norm", "residual"];

function parseLayers(raw: Json, inSize: number, where: string): { layers: Layer[]; outSize: number } {
  if (!Array.isArray(raw)) fail(where, `"layers" must be an array, got ${describe(raw)}`);
  const layers: Layer[] = [];
  let size = inSize;
  raw.forEach((spec, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(spec)) fail(at, `expected a layer object, got ${describe(spec)}`);
    const type = spec.type;
    if (typeof type !== "string") fail(at, `missing "type"`);
    const field = (name: string): Json => {
      if (!(name in spec)) fail(`${at} (${type})`, `missing field "${name}"`);
      return spec[name];
    };
    const here = `${at} (${type})`;
    switch (type) {
      case "dense": {
        const w = matrix(field("weight"), null, size, `${here}.weight`);
        if (w.rows === 0) fail(here, "weight has no rows");
        const bias = "bias" in spec && spec.bias !== null ? vector(spec.bias, w.rows, `${here}.bias`) : new Float64Array(w.rows);
        layers.push({ type: "dense", inSize: size, outSize: w.rows, weight: w.data, bias });
        size = w.rows;
        break;
      }
      case "relu":
      case "abs":
      case "identity":
        layers.push({ type });
        break;
      case "leaky-relu":
        layers.push({ type, slope: "slope" in spec ? finiteNumber(spec.slope, `${here}.slope`) : 0.01 });
        break;
      case "hard-tanh": {
        const lo = "lo" in spec ? finiteNumber(spec.lo, `${here}.lo`) : -1;
        const hi = "hi" in spec ? finiteNumber(spec.hi, `${here}.hi`) : 1;
        if (!(lo < hi)) fail(here, `needs lo < hi, got lo=${lo}, hi=${hi}`);
        layers.push({ type, lo, hi });
        break;
      }
      case "maxout": {
        const k = finiteNumber(field("k"), `${here}.k`);
        if (!Number.isInteger(k) || k < 2) fail(here, `k must be an integer of at least 2, got ${k}`);
        if (size % k !== 0) fail(here, `k=${k} does not divide the ${size} incoming units`);
        layers.push({ type, k });
        size /= k;
        break;
      }
      case "batch-norm": {
        const v = (name: string): Float64Array => vector(field(name), size, `${here}.${name}`);
        const epsilon = "epsilon" in spec ? finiteNumber(spec.epsilon, `${here}.epsilon`) : 1e-5;
        const variance = v("variance");
        variance.forEach((x, i) => {
          if (x + epsilon <= 0) fail(`${here}.variance[${i}]`, "variance + epsilon must be positive");
        });
        layers.push({ type, size, gamma: v("gamma"), beta: v("beta"), mean: v("mean"), variance, epsilon });
        break;
      }
      case "residual": {
        const inner = parseLayers(field("layers"), size, `${here}.layers`);
        if (inner.outSize !== size) fail(here, `the block maps ${size} units to ${inner.outSize}; a residual block must keep the size`);
        layers.push({ type, layers: inner.layers });
        break;
      }
      default:
        fail(at, `unknown layer type "${type}" (known: ${LAYER_TYPES.join(", ")})`);
    }
  });
  return { layers, outSize: size };
}

/** Parse and validate a tessera.network document (already JSON-decoded). */
export function networkFromJson(doc: Json): Network {
  if (!isObject(doc)) fail("model", `expected a JSON object, got ${describe(doc)}`);
  if (doc.format !== "tessera.network") fail("model", `"format" must be "tessera.network", got ${describe(doc.format)}`);
  if (doc.version !== 1) fail("model", `unsupported version ${describe(doc.version)} (this tessera reads version 1)`);
  const shape = doc.inputShape;
  if (!Array.isArray(shape) || shape.length !== 1) fail("model.inputShape", `expected [n0], got ${describe(shape)}`);
  const n0 = finiteNumber(shape[0], "model.inputShape[0]");
  if (!Number.isInteger(n0) || n0 < 1 || n0 > 1e7) fail("model.inputShape[0]", `expected a positive integer, got ${n0}`);
  const { layers } = parseLayers(doc.layers, n0, "layers");
  if (layers.length === 0) fail("layers", "the network has no layers");
  return { inputSize: n0, layers };
}

/** Parse a tessera.network document from text. */
export function parseNetwork(text: string, source = "model"): Network {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return networkFromJson(doc);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${source}: ${e.message}`);
    throw e;
  }
}

function layerToJson(layer: Layer): Record<string, Json> {
  switch (layer.type) {
    case "dense": {
      const rows: number[][] = [];
      for (let i = 0; i < layer.outSize; i++) rows.push(Array.from(layer.weight.subarray(i * layer.inSize, (i + 1) * layer.inSize)));
      return { type: "dense", weight: rows, bias: Array.from(layer.bias) };
    }
    case "batch-norm":
      return {
        type: "batch-norm",
        gamma: Array.from(layer.gamma),
        beta: Array.from(layer.beta),
        mean: Array.from(layer.mean),
        variance: Array.from(layer.variance),
        epsilon: layer.epsilon,
      };
    case "residual":
      return { type: "residual", layers: layer.layers.map(layerToJson) };
    default:
      return { ...layer };
  }
}

/** The tessera.network document of a network (numbers written with full float64 precision). */
export function networkToJson(net: Network): Record<string, Json> {
  return { format: "tessera.network", version: 1, inputShape: [net.inputSize], layers: net.layers.map(layerToJson) };
}

export function stringifyNetwork(net: Network): string {
  return `${JSON.stringify(networkToJson(net))}\n`;
}
