/**
 * tessera's Node-only helpers ("tessera/node"): files in every format, atomic writes, PNG.
 *
 *   import { loadModel } from "tessera/node";
 *   import { prepare, linePartition } from "tessera";
 *   const compiled = prepare(loadModel("model.onnx"));
 */
export { loadModel, writeFileAtomic, InputError, readBytes, MAX_MODEL_BYTES } from "./io/files.ts";
export { svgToPng, type PngOptions } from "./report/png.ts";
