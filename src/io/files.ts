/**
 * File I/O for the CLI (Node only): loading models by format, writing files atomically
 * (write to a temporary file beside the target, then rename), so an interrupted run never
 * leaves a half-written file where a good one was.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import type { Network } from "../model/layers.ts";
import { FormatError, parseNetwork } from "./network-json.ts";

export class InputError extends Error {
  override name = "InputError";
}

/** Largest model file we read (protects against absurd inputs). */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export function readBytes(path: string, what = "file"): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a ${what}`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > MAX_MODEL_BYTES) throw new InputError(`${path}: ${what} is ${size} bytes, more than the limit of ${MAX_MODEL_BYTES}`);
  return readFileSync(path);
}

/** Model loaders by file kind; io/onnx and io/tfjs register theirs here. */
export type ModelLoader = (path: string, bytes: Buffer) => Network;
const loaders: { test: (path: string, bytes: Buffer) => boolean; load: ModelLoader }[] = [];

export function registerModelLoader(test: (path: string, bytes: Buffer) => boolean, load: ModelLoader): void {
  loaders.push({ test, load });
}

/** Load a model file (tessera JSON, or any registered format). Errors are one line. */
export function loadModel(path: string): Network {
  const bytes = readBytes(path, "model file");
  try {
    for (const loader of loaders) if (loader.test(path, bytes)) return loader.load(path, bytes);
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
