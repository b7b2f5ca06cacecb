/**
 * File I/O for the CLI (Node only): models read from paths (io/model-bytes.ts does the rest),
 * and (re-exported from write-file.ts) writing files safely: atomically, through symbolic links,
 * never over a device.
 */
import { dirname, join } from "node:path";
import type { Network } from "../model/layers.ts";
import { type LoadedModel, modelFromBytes } from "./model-bytes.ts";
import { FormatError } from "./network-json.ts";
import { InputError, readBytes } from "./read.ts";

export { MAX_MODEL_BYTES } from "./model-bytes.ts";
export { InputError, readBytes } from "./read.ts";
export { checkWritable, systemReason, type WriteOptions, writeFileAtomic } from "./write-file.ts";

/** Where a model file's TensorFlow.js weight files are: beside it, by the paths its manifest names. */
export function weightsBeside(path: string): (file: string) => Uint8Array {
  return (file) => readBytes(join(dirname(path), file), "weight file");
}

/**
 * Read a model file (ONNX, a TensorFlow.js layers model with its weight files, or tessera JSON)
 * with its format and the importer's notices. Errors are one-line `InputError`s naming the file.
 */
export function readModel(path: string): LoadedModel {
  const bytes = readBytes(path, "model file");
  try {
    return modelFromBytes({ name: path, bytes }, { weights: weightsBeside(path) });
  } catch (e) {
    if (e instanceof FormatError || e instanceof InputError) throw new InputError(e.message);
    throw e;
  }
}

/** The network of a model file (`readModel` without the notices). */
export function loadModel(path: string): Network {
  return readModel(path).network;
}
