/**
 * The fuzz corpus: a seeded generator that mutates every fixture format (tessera JSON, ONNX,
 * TensorFlow.js model.json + weights) into bad, odd and hostile model files. Each case names its
 * mutation class and whether it holds a non-finite number the loader must refuse. The same seed
 * gives the same files on every machine, so a failure reproduces from its case id.
 *
 * Classes: byte flips, truncation, huge and negative sizes, non-finite numbers, deep nesting,
 * wrong types, missing fields, cyclic graphs, absurd shapes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { modelProtoType } from "../../src/io/onnx/schema.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { createRandom, type Random } from "../../src/model/random.ts";

export const FUZZ_CLASSES = [
  "byte-flips",
  "truncation",
  "huge-negative-sizes",
  "non-finite",
  "deep-nesting",
  "wrong-types",
  "missing-fields",
  "cyclic-graph",
  "absurd-shapes",
] as const;
export type FuzzClass = (typeof FUZZ_CLASSES)[number];
export type FuzzFormat = "json" | "onnx" | "tfjs";

export interface FuzzCase {
  /** "onnx-00042-byte-flips": format, index, class. */
  id: string;
  format: FuzzFormat;
  kind: FuzzClass;
  /** The model file's name and, for tfjs, the weight file beside it. */
  files: Record<string, Uint8Array>;
  model: string;
  /** The case holds a NaN or an infinity where the loader reads numbers: it must be refused. */
  nonFinite: boolean;
}

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const ONNX_NAMES = ["mlp", "cnn", "residual-mlp", "activations", "branches", "rescnn"];
const TFJS_NAMES = ["mlp", "cnn"];

interface Sources {
  onnx: Uint8Array[];
  json: string[];
  tfjs: { model: string; weights: Uint8Array }[];
}

let sources: Sources | null = null;

function loadSources(): Sources {
  if (sources) return sources;
  const onnx = ONNX_NAMES.map((n) => new Uint8Array(readFileSync(join(FIXTURES, "onnx", `${n}.onnx`))));
  const json = [...onnx.map((b) => stringifyNetwork(importOnnx(b).network)), stringifyNetwork(montufar(2, [4, 4, 3]))];
  const tfjs = TFJS_NAMES.map((n) => ({
    model: readFileSync(join(FIXTURES, "tfjs", n, "model.json"), "utf8"),
    weights: new Uint8Array(readFileSync(join(FIXTURES, "tfjs", n, "group1-shard1of1.bin"))),
  }));
  sources = { onnx, json, tfjs };
  return sources;
}

const pick = <T>(rng: Random, xs: readonly T[]): T => xs[rng.int(xs.length)];
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

// ---------------------------------------------------------------------------------------------
// Byte-level mutations (every format)

function flipBytes(src: Uint8Array, rng: Random): Uint8Array {
  const b = src.slice();
  const edits = 1 + rng.int(6);
  for (let e = 0; e < edits && b.length > 0; e++) {
    const at = rng.int(b.length);
    if (rng.int(2) === 0) b[at] ^= 1 << rng.int(8);
    else b[at] = rng.int(256);
  }
  return b;
}

function truncate(src: Uint8Array, rng: Random): Uint8Array {
  return src.slice(0, rng.int(Math.max(1, src.length)));
}

// ---------------------------------------------------------------------------------------------
// JSON documents (tessera JSON and tfjs model.json): structured mutations on the parsed tree

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every (parent, key) of the tree, iteratively (documents may be deep). */
function slots(doc: Json): { parent: Json[] | { [k: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push({ parent: node, key: i });
        stack.push(v);
      });
    } else if (node && typeof node === "object") {
      for (const k of Object.keys(node)) {
        out.push({ parent: node, key: k });
        stack.push(node[k]);
      }
    }
  }
  return out;
}

const get = (s: { parent: Json[] | { [k: string]: Json }; key: string | number }): Json => (s.parent as Record<string | number, Json>)[s.key];
const set = (s: { parent: Json[] | { [k: string]: Json }; key: string | number }, v: Json): void => {
  (s.parent as Record<string | number, Json>)[s.key] = v;
};

/** Sizes: integers under keys that hold sizes and shapes. */
const SIZE_KEY = /shape|dims|units|filters|kernel|stride|pool|padding|dilation|groups|k$|size|perm/i;

function jsonMutation(text: string, kind: FuzzClass, rng: Random, isTfjs: boolean): { text: string; nonFinite: boolean } {
  const doc = JSON.parse(text) as Json;
  const all = slots(doc);
  const numbers = all.filter((s) => typeof get(s) === "number");
  const sizes = all.filter((s) => typeof get(s) === "number" && Number.isInteger(get(s)) && (SIZE_KEY.test(String(s.key)) || Array.isArray(s.parent)));
  let nonFinite = false;
  // Non-finite values cannot be written as JSON: a marker string is replaced after stringify.
  const MARK = "__NONFINITE__";
  switch (kind) {
    case "huge-negative-sizes":
    case "absurd-shapes": {
      const pool = sizes.length > 0 ? sizes : numbers;
      const values = kind === "huge-negative-sizes" ? [1e12, 2 ** 53, -1, -1e9, 4294967296, 1e308] : [0, 1e7, 99999, 3.5, 1e6, 65536];
      for (let e = 0; e < 1 + rng.int(3) && pool.length > 0; e++) set(pick(rng, pool), pick(rng, values));
      break;
    }
    case "non-finite": {
      // Weights only (where loaders read numbers): a 1e999 literal parses as Infinity.
      const weights = numbers.filter((s) => !Number.isInteger(get(s)));
      if (!isTfjs && weights.length > 0) {
        set(pick(rng, weights), MARK);
        nonFinite = true;
      }
      break;
    }
    case "wrong-types": {
      for (let e = 0; e < 1 + rng.int(3) && all.length > 0; e++) set(pick(rng, all), pick(rng, [null, "x", true, [], {}, [[1, "a"]], { type: 3 }, -0, "1e3"] as Json[]));
      break;
    }
    case "missing-fields": {
      const keyed = all.filter((s) => !Array.isArray(s.parent));
      for (let e = 0; e < 1 + rng.int(2) && keyed.length > 0; e++) {
        const s = pick(rng, keyed);
        delete (s.parent as Record<string, Json>)[s.key as string];
      }
      break;
    }
    case "cyclic-graph": {
      // Keras functional graphs: a layer's inbound node names a later layer or itself.
      const inbound = all.filter((s) => s.key === "inbound_nodes" && Array.isArray(get(s)));
      const names = all.filter((s) => s.key === "name" && typeof get(s) === "string").map(get) as string[];
      if (inbound.length > 0 && names.length > 0) set(pick(rng, inbound), [[[pick(rng, names), 0, 0, {}]]]);
      else {
        // A layer list that contains itself cannot be JSON; a residual block pointing at the
        // network's own layers (a copy) stands in: same structure twice.
        const layers = all.filter((s) => s.key === "layers" && Array.isArray(get(s)));
        if (layers.length > 0) {
          const s = pick(rng, layers);
          (get(s) as Json[]).push({ type: "residual", layers: JSON.parse(JSON.stringify(get(s))) });
        }
      }
      break;
    }
    default:
      break;
  }
  let out = JSON.stringify(doc);
  if (nonFinite) out = out.replace(`"${MARK}"`, pick(rng, ["1e999", "-1e999", "1e400"]));
  return { text: out, nonFinite };
}

/** A tessera JSON network of `depth` nested residual blocks (built as text: no recursion). */
function deepJson(depth: number, rng: Random): string {
  const w = (): string => (rng.uniform(-1, 1) * 0.9).toFixed(3);
  let inner = `{"type":"dense","weight":[[${w()},${w()}],[${w()},${w()}]],"bias":[${w()},${w()}]},{"type":"relu"}`;
  for (let i = 0; i < depth; i++) {
    const kind = rng.int(3);
    inner =
      kind === 0
        ? `{"type":"residual","layers":[{"type":"dense","weight":[[${w()},${w()}],[${w()},${w()}]]},{"type":"relu"},${inner}]}`
        : kind === 1
          ? `{"type":"add","branches":[[],[${inner}]]}`
          : `{"type":"max","branches":[[{"type":"relu"}],[${inner}]]}`;
  }
  return `{"format":"tessera.network","version":1,"inputShape":[2],"layers":[${inner},{"type":"dense","weight":[[1,-1]]}]}`;
}

/** Deeply nested arrays where a weight matrix belongs (a parser must not recurse into them). */
function deepArrays(depth: number): string {
  return `{"format":"tessera.network","version":1,"inputShape":[2],"layers":[{"type":"dense","weight":${"[".repeat(depth)}1${"]".repeat(depth)}}]}`;
}

// ---------------------------------------------------------------------------------------------
// ONNX: structured mutations on the decoded protobuf

type OnnxDoc = Record<string, unknown> & { graph: { node: Record<string, unknown>[]; initializer: Record<string, unknown>[]; input: Record<string, unknown>[] } };

function decodeOnnx(bytes: Uint8Array): OnnxDoc {
  return modelProtoType().toObject(modelProtoType().decode(bytes), { longs: Number, bytes: Array, defaults: false, arrays: true }) as OnnxDoc;
}

function encodeOnnx(doc: OnnxDoc): Uint8Array {
  const fixBytes = (t: Record<string, unknown>): void => {
    if (Array.isArray(t.rawData)) t.rawData = Uint8Array.from(t.rawData as number[]);
  };
  for (const t of doc.graph.initializer ?? []) fixBytes(t);
  for (const n of doc.graph.node ?? []) {
    for (const a of (n.attribute as Record<string, unknown>[]) ?? []) {
      if (Array.isArray(a.s)) a.s = Uint8Array.from(a.s as number[]);
      if (a.t) fixBytes(a.t as Record<string, unknown>);
    }
  }
  return modelProtoType().encode(modelProtoType().fromObject(doc)).finish();
}

function onnxMutation(bytes: Uint8Array, kind: FuzzClass, rng: Random): { bytes: Uint8Array; nonFinite: boolean } {
  const doc = decodeOnnx(bytes);
  const g = doc.graph;
  const inits = g.initializer ?? [];
  const nodes = g.node ?? [];
  let nonFinite = false;
  switch (kind) {
    case "huge-negative-sizes":
    case "absurd-shapes": {
      const values = kind === "huge-negative-sizes" ? [1e12, -1, -1e9, 2 ** 40, 4294967295] : [0, 1e7, 99999, 65536, 3];
      if (rng.int(2) === 0 && inits.length > 0) {
        const t = pick(rng, inits);
        const dims = (t.dims as number[]) ?? [];
        if (dims.length > 0) dims[rng.int(dims.length)] = pick(rng, values);
        else t.dims = [pick(rng, values)];
      } else {
        const dim = ((g.input[0]?.type as { tensorType?: { shape?: { dim?: { dimValue?: number }[] } } })?.tensorType?.shape?.dim ?? []) as { dimValue?: number }[];
        if (dim.length > 0) dim[rng.int(dim.length)] = { dimValue: pick(rng, values) };
      }
      break;
    }
    case "non-finite": {
      const floats = inits.filter((t) => t.dataType === 1 || t.dataType === 11);
      if (floats.length > 0) {
        const t = pick(rng, floats);
        const bad = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
        if (Array.isArray(t.rawData) && (t.rawData as number[]).length >= 4) {
          const raw = Uint8Array.from(t.rawData as number[]);
          const view = new DataView(raw.buffer);
          const width = t.dataType === 11 ? 8 : 4;
          const at = rng.int(raw.length / width) * width;
          if (width === 8) view.setFloat64(at, bad, true);
          else view.setFloat32(at, bad, true);
          t.rawData = Array.from(raw);
          nonFinite = true;
        } else if (Array.isArray(t.floatData) && (t.floatData as number[]).length > 0) {
          (t.floatData as number[])[rng.int((t.floatData as number[]).length)] = bad;
          nonFinite = true;
        }
      } else {
        const withAlpha = nodes.filter((n) => n.opType === "LeakyRelu" || n.opType === "Gemm");
        if (withAlpha.length > 0) {
          const n = pick(rng, withAlpha);
          n.attribute = [...((n.attribute as unknown[]) ?? []), { name: "alpha", type: 1, f: Number.NaN }];
          nonFinite = true;
        }
      }
      break;
    }
    case "wrong-types": {
      if (inits.length > 0) pick(rng, inits).dataType = pick(rng, [0, 8, 14, 16, 99, 7, 2]);
      if (nodes.length > 0) pick(rng, nodes).opType = pick(rng, ["Relu", "Gemm", "Conv", "Softmax", "Loop", "", "Add", "Concat"]);
      break;
    }
    case "missing-fields": {
      const r = rng.int(4);
      if (r === 0 && inits.length > 0) inits.splice(rng.int(inits.length), 1);
      else if (r === 1 && nodes.length > 0) (pick(rng, nodes).input as string[]).splice(0, 1);
      else if (r === 2 && nodes.length > 0) nodes.splice(rng.int(nodes.length), 1);
      else g.input = [];
      break;
    }
    case "cyclic-graph": {
      if (nodes.length > 1) {
        const i = rng.int(nodes.length);
        const later = nodes[i + rng.int(nodes.length - i)];
        const inputs = nodes[i].input as string[];
        if (inputs.length > 0) inputs[0] = (later.output as string[])[0];
      }
      break;
    }
    default:
      break;
  }
  return { bytes: encodeOnnx(doc), nonFinite };
}

/** An ONNX chain of `depth` nested Add joins (each branch passes through the next join). */
function deepOnnx(depth: number): Uint8Array {
  const node: Record<string, unknown>[] = [];
  const at = (k: number): string => (k === depth ? "x" : `in${k}`);
  for (let k = depth; k >= 1; k--) node.push({ opType: "Relu", input: [at(k)], output: [at(k - 1)], name: `r${k}` });
  for (let k = 1; k <= depth; k++) node.push({ opType: "Add", input: [at(k), k === 1 ? at(0) : `o${k - 1}`], output: [`o${k}`], name: `a${k}` });
  const doc = {
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "deep",
      node,
      input: [{ name: "x", type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "N" }, { dimValue: 2 }] } } } }],
      output: [{ name: `o${depth}` }],
    },
  };
  return modelProtoType().encode(modelProtoType().fromObject(doc)).finish();
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js: model.json structured, weights as bytes

function tfjsCase(src: { model: string; weights: Uint8Array }, kind: FuzzClass, rng: Random, deep: number): { model: Uint8Array; weights: Uint8Array; nonFinite: boolean } {
  let model = encode(src.model);
  let weights = src.weights;
  let nonFinite = false;
  switch (kind) {
    case "byte-flips":
      if (rng.int(2) === 0) model = flipBytes(model, rng);
      else weights = flipBytes(weights, rng);
      break;
    case "truncation":
      if (rng.int(2) === 0) model = truncate(model, rng);
      else weights = truncate(weights, rng);
      break;
    case "non-finite": {
      weights = weights.slice();
      const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
      for (let e = 0; e < 1 + rng.int(3); e++) view.setFloat32(4 * rng.int(weights.length / 4), pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]), true);
      nonFinite = true;
      break;
    }
    case "deep-nesting": {
      // A Sequential model of thousands of layers (flat in JSON, deep as a network).
      const doc = JSON.parse(src.model);
      const layers = doc.modelTopology.model_config?.config?.layers ?? doc.modelTopology.config.layers;
      const extra = Array.from({ length: 2 * deep }, (_, i) => ({
        class_name: pick(rng, ["ReLU", "Dropout", "Activation"]),
        config: { name: `deep_${i}`, activation: "relu" },
      }));
      layers.splice(layers.length - 1, 0, ...extra);
      model = encode(JSON.stringify(doc));
      break;
    }
    default: {
      const r = jsonMutation(src.model, kind, rng, true);
      model = encode(r.text);
      nonFinite = r.nonFinite;
    }
  }
  return { model, weights, nonFinite };
}

// ---------------------------------------------------------------------------------------------

/**
 * `count` cases from `seed`, spread over the three formats and every class, in a fixed order.
 * Deeply nested networks get up to `maxDepth` levels (the in-test subset keeps them shallower,
 * so counting them stays quick; test/model/depth.test.ts covers 3,000 levels).
 */
export function fuzzCases(count: number, seed: number, { maxDepth = 1400 }: { maxDepth?: number } = {}): FuzzCase[] {
  const depth = (): number => 50 + rng.int(Math.max(1, maxDepth - 50));
  const src = loadSources();
  const rng = createRandom(seed);
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const format: FuzzFormat = (["json", "onnx", "tfjs"] as const)[i % 3];
    const kind = FUZZ_CLASSES[Math.floor(i / 3) % FUZZ_CLASSES.length];
    const id = `${format}-${String(i).padStart(5, "0")}-${kind}`;
    if (format === "tfjs") {
      const t = tfjsCase(pick(rng, src.tfjs), kind, rng, depth());
      cases.push({ id, format, kind, model: "model.json", files: { "model.json": t.model, "group1-shard1of1.bin": t.weights }, nonFinite: t.nonFinite });
      continue;
    }
    let bytes: Uint8Array;
    let nonFinite = false;
    if (format === "onnx") {
      const base = pick(rng, src.onnx);
      if (kind === "byte-flips") bytes = flipBytes(base, rng);
      else if (kind === "truncation") bytes = truncate(base, rng);
      else if (kind === "deep-nesting") bytes = deepOnnx(depth());
      else ({ bytes, nonFinite } = onnxMutation(base, kind, rng));
    } else {
      const base = pick(rng, src.json);
      if (kind === "byte-flips") bytes = flipBytes(encode(base), rng);
      else if (kind === "truncation") bytes = truncate(encode(base), rng);
      else if (kind === "deep-nesting") bytes = encode(rng.int(3) === 0 ? deepArrays(1000 + rng.int(200000)) : deepJson(depth(), rng));
      else {
        const r = jsonMutation(base, kind, rng, false);
        bytes = encode(r.text);
        nonFinite = r.nonFinite;
      }
    }
    const model = format === "onnx" ? "model.onnx" : "model.json";
    cases.push({ id, format, kind, model, files: { [model]: bytes }, nonFinite });
  }
  return cases;
}
