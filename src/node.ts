/**
 * tessera's Node-only helpers ("tessera/node"): model files by path (every format, with their
 * notices), atomic writes, PNG.
 *
 *   import { readModel } from "tessera/node";
 *   import { box, partition } from "tessera";
 *   const { network, notices } = readModel("model.onnx");
 *   partition(network, box(-1, 1, network.inputSize));
 */
export { InputError, loadModel, MAX_MODEL_BYTES, readBytes, readModel, weightsBeside, writeFileAtomic } from "./io/files.ts";
export { linePartitionParallel, linePartitionsParallel } from "./parallel/line.ts";
export { type ParallelPartitionOptions, partitionParallel } from "./parallel/partition.ts";
export { type ParallelPlaneOptions, planePartitionParallel } from "./parallel/plane.ts";
// Every core (docs/scale.md): a pool of worker threads, and the engines on it.
export { createPool, defaultWorkers, type TaskPool, withPool } from "./parallel/pool.ts";
export { movable } from "./parallel/worker.ts";
export { type PngOptions, svgToPng } from "./report/png.ts";
// Sweeps (docs/scale.md): one job's rows; the command runs them on threads or a queue.
export { type Row, runJob } from "./sweep/job.ts";
