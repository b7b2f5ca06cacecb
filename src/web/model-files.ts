/**
 * A model from files the user picked in the browser: one ONNX file, one tessera JSON file, or a
 * TensorFlow.js model.json together with its weight shards. This file only picks the model file
 * among them and finds the shards by name; reading is the library's one loader
 * (io/model-bytes.ts), with the same format detection and size limit as the CLI. Pure (no DOM, no
 * Node API).
 */

import { type LoadedModel, MAX_MODEL_BYTES, modelFromBytes } from "../io/model-bytes.ts";
import { FormatError } from "../io/network-json.ts";
import type { InputFile } from "./protocol.ts";

export type { LoadedModel } from "../io/model-bytes.ts";

/** Largest model file the explorer reads: the library's limit (io/model-bytes.ts). */
export const MAX_MODEL_FILE_BYTES = MAX_MODEL_BYTES;

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

function isOnnx(file: InputFile): boolean {
  return /\.onnx$/i.test(file.name) || (file.bytes.length > 1 && file.bytes[0] === 0x08);
}

/** Parse the chosen files into a network; errors are one-line FormatErrors naming the file. */
export function modelFromFiles(files: readonly InputFile[]): LoadedModel {
  if (files.length === 0) throw new FormatError("choose a model file (.onnx, tessera .json, or a tfjs model.json with its .bin files)");
  for (const f of files) {
    if (f.bytes.length > MAX_MODEL_BYTES) throw new FormatError(`${f.name}: ${f.bytes.length} bytes, more than the limit of ${MAX_MODEL_BYTES}`);
  }
  const onnx = files.filter(isOnnx);
  if (onnx.length > 1) throw new FormatError(`choose one ONNX file, got ${onnx.length}`);
  const json = files.filter((f) => /\.json$/i.test(f.name) || !/\.bin$/i.test(f.name));
  const model = onnx.length === 1 ? onnx[0] : json.length === 1 ? json[0] : null;
  if (!model) throw new FormatError(`choose one model file (.onnx or .json) and, for a tfjs model, its .bin files; got ${files.map((f) => f.name).join(", ")}`);
  return modelFromBytes(model, {
    weights: (path) => {
      const want = baseName(path);
      const found = files.find((f) => baseName(f.name) === want);
      if (!found) throw new FormatError(`needs the weight file "${want}": choose it together with ${model.name}`);
      return found.bytes;
    },
  });
}
