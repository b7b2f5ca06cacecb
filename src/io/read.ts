/**
 * Reading files with a size limit and one-line errors (Node only). The lowest layer of io/:
 * format loaders and the CLI build on it.
 */
import { readFileSync, statSync } from "node:fs";
import { MAX_MODEL_BYTES } from "./model-bytes.ts";

/** A file that cannot be read (missing, a directory, too large): one line naming it. */
export class InputError extends Error {
  override name = "InputError";
}

/** The bytes of a file, refusing files over MAX_MODEL_BYTES; errors are one-line `InputError`s. */
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
