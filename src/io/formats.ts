/**
 * Model formats other than tessera JSON, for `loadModel` (files.ts): ONNX (a `.onnx` file, or
 * protobuf bytes starting with the ir_version field) and TensorFlow.js layers models (a
 * model.json with a `modelTopology`; weights from the shard files beside it). Node only.
 */
import { dirname, join } from "node:path";
import type { Network } from "../model/layers.ts";
import { FormatError, withPrefix } from "./network-json.ts";
import { importOnnx } from "./onnx/import.ts";
import { readBytes } from "./read.ts";
import { importTfjs, isTfjsLayersModel, weightManifest } from "./tfjs/import.ts";

/** Where notices go (a dropped softmax, ignored outputs): stderr, so --json output stays clean. */
export let reportNotice = (message: string): void => {
  process.stderr.write(`tessera: note: ${message}\n`);
};

export function setNoticeHandler(handler: (message: string) => void): void {
  reportNotice = handler;
}

export function looksLikeOnnx(path: string, bytes: Uint8Array): boolean {
  // A ModelProto starts with field 1 (ir_version, a varint): the byte 0x08. JSON never does.
  return /\.onnx$/i.test(path) || (bytes.length > 1 && bytes[0] === 0x08);
}

export function loadOnnxFile(path: string, bytes: Uint8Array): Network {
  try {
    const result = importOnnx(bytes);
    for (const n of result.notices) reportNotice(`${path}: ${n}`);
    return result.network;
  } catch (e) {
    if (e instanceof FormatError) throw withPrefix(e, path);
    throw e;
  }
}

export function looksLikeTfjs(path: string, bytes: Uint8Array): boolean {
  if (!/\.json$/i.test(path)) return false;
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  return head.includes('"modelTopology"') || head.includes('"layers-model"');
}

export function loadTfjsFile(path: string, bytes: Uint8Array): Network {
  try {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new FormatError(`not valid JSON (${(e as Error).message})`);
    }
    if (!isTfjsLayersModel(doc)) throw new FormatError("not a TensorFlow.js layers model");
    const folder = dirname(path);
    const groups = weightManifest(doc).groups.map((g) => {
      const parts = g.paths.map((p) => readBytes(join(folder, p), "weight file"));
      const total = parts.reduce((a, b) => a + b.length, 0);
      const out = new Uint8Array(total);
      let offset = 0;
      for (const p of parts) {
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    });
    const result = importTfjs(doc, groups);
    for (const n of result.notices) reportNotice(`${path}: ${n}`);
    return result.network;
  } catch (e) {
    if (e instanceof FormatError) throw withPrefix(e, path);
    throw e;
  }
}
