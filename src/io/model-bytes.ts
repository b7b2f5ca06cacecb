/**
 * The one model loader, from bytes: format detection (ONNX, TensorFlow.js layers model, tessera
 * JSON), the size limit, and the importers, for the CLI (io/files.ts reads the bytes from disk)
 * and the explorer (web/model-files.ts gets them from the files the user picked) alike. The
 * importers' notices (a dropped softmax, ignored outputs) are returned with the network. Pure:
 * no Node API, no DOM; nothing in a model file is ever executed.
 */
import type { Network } from "../model/layers.ts";
import { printable } from "./describe-bytes.ts";
import { FormatError, parseNetwork, withPrefix } from "./network-json.ts";
import { importOnnx } from "./onnx/import.ts";
import { importTfjs, isTfjsLayersModel, weightManifest } from "./tfjs/import.ts";

/** Largest model or weight file read, in bytes (protects against absurd inputs). */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

/** The formats tessera reads. */
export type ModelFormat = "onnx" | "tfjs" | "tessera";

/** A file's name (or path) and its bytes. */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** A network read from bytes, with its format and the importer's notices. */
export interface LoadedModel {
  network: Network;
  name: string;
  format: ModelFormat;
  /** What the importer changed or left out (each one line); empty when nothing. */
  notices: string[];
}

/** Where `modelFromBytes` finds weight files, and its size limit. */
export interface ModelBytesOptions {
  /**
   * The bytes of a TensorFlow.js weight file, by the path the model.json names (relative to it).
   * Without it, a TensorFlow.js model is an error naming the missing file.
   */
  weights?: (path: string) => Uint8Array;
  /** Size limit per file (default MAX_MODEL_BYTES). */
  maxBytes?: number;
}

/**
 * The format of a model file: ONNX by extension or by its first byte (a ModelProto starts with
 * field 1, ir_version, a varint: 0x08; JSON never does); a TensorFlow.js layers model by the keys
 * near its start; otherwise tessera JSON.
 */
export function detectFormat(name: string, bytes: Uint8Array): ModelFormat {
  if (/\.onnx$/i.test(name) || (bytes.length > 1 && bytes[0] === 0x08)) return "onnx";
  if (/\.bin$/i.test(name)) return "tessera";
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  return head.includes('"modelTopology"') || head.includes('"layers-model"') ? "tfjs" : "tessera";
}

function checkSize(file: ModelFile, maxBytes: number, what: string): void {
  if (file.bytes.length > maxBytes) throw new FormatError(`${file.name}: ${what} is ${file.bytes.length} bytes, more than the limit of ${maxBytes}`);
}

/** Errors of an importer as one-line FormatErrors naming the file (a RangeError from absurd sizes too). */
function named<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof FormatError) throw withPrefix(e, name);
    if (e instanceof RangeError) throw new FormatError(`${name}: ${e.message}`);
    throw e;
  }
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

/** Read a model from its bytes. Errors are one-line `FormatError`s naming the file. */
export function modelFromBytes(file: ModelFile, options: ModelBytesOptions = {}): LoadedModel {
  const maxBytes = options.maxBytes ?? MAX_MODEL_BYTES;
  checkSize(file, maxBytes, "model file");
  const format = detectFormat(file.name, file.bytes);
  if (format === "onnx") {
    const result = named(file.name, () => importOnnx(file.bytes));
    return { network: result.network, name: file.name, format, notices: result.notices };
  }
  const text = new TextDecoder().decode(file.bytes);
  if (format === "tfjs") {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new FormatError(`${file.name}: not valid JSON (${printable((e as Error).message)})`);
    }
    // Keys that only look like a layers model: read it as tessera JSON (which names what is wrong).
    if (isTfjsLayersModel(doc)) {
      const result = named(file.name, () => {
        const groups = weightManifest(doc).groups.map((g) =>
          concat(
            g.paths.map((path) => {
              if (!options.weights) throw new FormatError(`needs the weight file "${path}"`);
              const bytes = options.weights(path);
              checkSize({ name: path, bytes }, maxBytes, "weight file");
              return bytes;
            }),
          ),
        );
        return importTfjs(doc, groups);
      });
      return { network: result.network, name: file.name, format, notices: result.notices };
    }
  }
  // The bytes, not the text: binary data is described by its signature, never echoed.
  return { network: parseNetwork(format === "tfjs" ? text : file.bytes, file.name), name: file.name, format: "tessera", notices: [] };
}
