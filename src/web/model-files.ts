/**
 * A model from files the user picked in the browser: one ONNX file, one tessera JSON file, or a
 * TensorFlow.js model.json together with its weight shards. The bytes are only parsed (protobuf
 * or JSON) into layers: nothing in a model file is ever executed. Pure (no DOM, no Node API).
 */

import { FormatError, parseNetwork } from "../io/network-json.ts";
import { importOnnx } from "../io/onnx/import.ts";
import { importTfjs, isTfjsLayersModel, weightManifest } from "../io/tfjs/import.ts";
import type { Network } from "../model/layers.ts";
import type { InputFile } from "./protocol.ts";

/** Largest model file the explorer reads (a browser tab has far less memory than the CLI). */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

export interface LoadedModel {
  network: Network;
  name: string;
  format: "onnx" | "tessera" | "tfjs";
  notices: string[];
}

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

function isOnnx(file: InputFile): boolean {
  // A ModelProto starts with field 1 (ir_version, a varint): the byte 0x08. JSON never does.
  return /\.onnx$/i.test(file.name) || (file.bytes.length > 1 && file.bytes[0] === 0x08);
}

/** Parse the chosen files into a network; errors are one-line FormatErrors naming the file. */
export function modelFromFiles(files: readonly InputFile[]): LoadedModel {
  if (files.length === 0) throw new FormatError("choose a model file (.onnx, tessera .json, or a tfjs model.json with its .bin files)");
  for (const f of files) {
    if (f.bytes.length > MAX_MODEL_FILE_BYTES) throw new FormatError(`${f.name}: ${f.bytes.length} bytes, more than the limit of ${MAX_MODEL_FILE_BYTES}`);
  }
  const onnx = files.filter(isOnnx);
  if (onnx.length > 0) {
    if (onnx.length > 1) throw new FormatError(`choose one ONNX file, got ${onnx.length}`);
    const f = onnx[0];
    const result = prefixed(f.name, () => importOnnx(f.bytes));
    return {
      network: result.network,
      name: f.name,
      format: "onnx",
      notices: result.notices,
    };
  }
  const json = files.filter((f) => /\.json$/i.test(f.name) || !/\.bin$/i.test(f.name));
  if (json.length !== 1) throw new FormatError(`choose one model file (.onnx or .json) and, for a tfjs model, its .bin files; got ${files.map((f) => f.name).join(", ")}`);
  const f = json[0];
  const text = new TextDecoder().decode(f.bytes);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${f.name}: not valid JSON (${(e as Error).message})`);
  }
  if (isTfjsLayersModel(doc)) {
    const result = prefixed(f.name, () => {
      const groups = weightManifest(doc).groups.map((g) => concat(g.paths.map((p) => shard(files, p, f.name))));
      return importTfjs(doc, groups);
    });
    return {
      network: result.network,
      name: f.name,
      format: "tfjs",
      notices: result.notices,
    };
  }
  return {
    network: parseNetwork(text, f.name),
    name: f.name,
    format: "tessera",
    notices: [],
  };
}

function shard(files: readonly InputFile[], path: string, model: string): Uint8Array {
  const want = baseName(path);
  const found = files.find((f) => baseName(f.name) === want);
  if (!found) throw new FormatError(`${model} needs the weight file "${want}": choose it together with ${model}`);
  return found.bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function prefixed<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${name}: ${e.message}`);
    if (e instanceof RangeError) throw new FormatError(`${name}: ${e.message}`);
    throw e;
  }
}
