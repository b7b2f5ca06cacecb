/**
 * Models for the commands: `readModel` (io/files.ts), with the importer's notices (a dropped
 * softmax, ignored outputs) printed on stderr, so `--json` output on stdout stays clean.
 */
import { readModel } from "../io/files.ts";
import type { Network } from "../model/layers.ts";

/** Notices of a loaded model, one line each on stderr. */
export function printNotices(notices: readonly string[], path: string): void {
  for (const n of notices) process.stderr.write(`tessera: note: ${path}: ${n}\n`);
}

/** The network of a model file; its notices go to stderr. */
export function loadModel(path: string): Network {
  const { network, notices } = readModel(path);
  printNotices(notices, path);
  return network;
}
