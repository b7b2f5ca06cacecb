/**
 * tessera's Node-only helpers ("tessera/node"): files in every format, atomic writes, PNG.
 *
 *   import { loadModel } from "tessera/node";
 *   import { prepare, linePartition } from "tessera";
 *   const compiled = prepare(loadModel("model.onnx"));
 */
export { InputError, loadModel, MAX_MODEL_BYTES, readBytes, writeFileAtomic } from "./io/files.ts";
export { type PngOptions, svgToPng } from "./report/png.ts";
