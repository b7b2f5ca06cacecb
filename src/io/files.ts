/**
 * File I/O for the CLI (Node only): loading models by format, writing files atomically
 * (write to a temporary file beside the target, then rename), so an interrupted run never
 * leaves a half-written file where a good one was.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Network } from "../model/layers.ts";
import { loadOnnxFile, loadTfjsFile, looksLikeOnnx, looksLikeTfjs } from "./formats.ts";
import { FormatError, parseNetwork } from "./network-json.ts";
import { InputError, readBytes } from "./read.ts";

export { InputError, MAX_MODEL_BYTES, readBytes } from "./read.ts";

/** Load a model file: ONNX, a TensorFlow.js layers model, or tessera JSON. Errors are one line. */
export function loadModel(path: string): Network {
  const bytes = readBytes(path, "model file");
  try {
    if (looksLikeOnnx(path, bytes)) return loadOnnxFile(path, bytes);
    if (looksLikeTfjs(path, bytes)) return loadTfjsFile(path, bytes);
    return parseNetwork(bytes.toString("utf8"), path);
  } catch (e) {
    if (e instanceof FormatError || e instanceof InputError) throw new InputError(e.message);
    throw e;
  }
}

/** Write a file atomically: temp file in the same folder, then rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.tessera-tmp-${process.pid}-${Date.now()}-${basename(path)}`);
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new InputError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
