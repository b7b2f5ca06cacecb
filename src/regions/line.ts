/**
 * The line engine (being implemented): exact partition of a segment or polyline into pieces.
 */
import type { Compiled } from "../model/forward.ts";
import type { LinePartition } from "./partition.ts";

/** `path` holds the polyline's vertices, (segments + 1) x inputSize, row-major. */
export function linePartition(_compiled: Compiled, _path: Float64Array): LinePartition {
  throw new Error("line engine: not implemented yet");
}
