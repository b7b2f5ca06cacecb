/**
 * Messages between the page and the engine worker. Typed arrays in replies are transferred, not
 * copied, so a frame of thousands of cells costs the page almost nothing to receive.
 */
import type { BoundJson } from "../bounds/result.ts";
import type { PatternLayout } from "../model/pattern.ts";
import type { Settings } from "./settings.ts";
import type { WholeCountResult, WholeDomainRequest } from "./whole-count.ts";

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

export type Request =
  /** Build the MLP and data set of `settings` and train to settings.epoch. */
  | { type: "build"; settings: Settings }
  /** Only the view changed (square, plane, segment): recompute the map. */
  | { type: "view"; settings: Settings }
  /** Start (true) or stop continuous training: one epoch, then a frame, per acknowledged frame. */
  | { type: "run"; on: boolean }
  /** One epoch and a frame. */
  | { type: "step" }
  /** The page has drawn frame `id`: the worker may compute the next one (back-pressure). */
  | { type: "drawn"; id: number }
  /** Load a model from files (one .onnx or tessera .json, or a tfjs model.json with its shards). */
  | { type: "load"; files: InputFile[]; settings: Settings; partition: boolean }
  | { type: "export"; what: ExportKind; settings: Settings }
  /** Count every region of the model over a box, slice or polytope (whole-count.ts). */
  | { type: "whole"; domain: WholeDomainRequest };

/** Files the worker writes; the map pictures (PNG, SVG) are drawn on the page. */
export type ExportKind = "partition" | "model";

export interface ModelInfo {
  /** "built": an MLP trained here; "loaded": a model file. */
  mode: "built" | "loaded";
  name: string;
  inputSize: number;
  outputSize: number;
  units: number;
  parameters: number;
  /** One line per top-level layer ("dense 2 -> 16", "relu 16"). */
  layers: string[];
  trainable: boolean;
  /** Why not, when not. */
  trainNote: string;
  /** The plane's axis names ("x0", "x1" or "s", "t"). */
  labels: [string, string];
  /** Bounds for the architecture (bounds/), in their JSON form. */
  bounds: BoundJson[];
  boundsNote: string;
}

/** Data drawn on the map (plane coordinates) and, for image models, thumbnails to pick a plane. */
export interface DataInfo {
  name: string;
  /** count x 2 plane coordinates of points that lie in the plane (2-input models). */
  points: Float64Array;
  labels: Int32Array;
  classes: number;
  /** Image models: a few inputs as 8-bit grey images to choose a plane through. */
  thumbnails: {
    width: number;
    height: number;
    pixels: Uint8Array;
    labels: Int32Array;
  } | null;
}

/** One picture of the region map: everything the page needs to draw and inspect it. */
export interface Frame {
  id: number;
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  /** Engine time of the partition, in milliseconds. */
  partitionMs: number;
  trainMs: number;
  cellCount: number;
  activationRegions: number;
  linearPieces: number;
  outputSize: number;
  /** Domain polygon (u, v), counter-clockwise. */
  domain: Float64Array;
  /** The plane in input space: x(u, v) = origin + u e1 + v e2. */
  origin: Float64Array;
  e1: Float64Array;
  e2: Float64Array;
  cellStart: Uint32Array;
  vertices: Float64Array;
  patterns: Uint32Array;
  layout: PatternLayout;
  areas: Float64Array;
  outputMaps: Float64Array;
  pieceOf: Int32Array;
  /** Decision boundary segments (u1, v1, u2, v2 ...), exact per cell. */
  boundary: Float64Array;
  segment: SegmentResult | null;
}

/** The exact pieces along a segment of the plane. */
export interface SegmentResult {
  /** Ends in plane coordinates. */
  ends: [number, number, number, number];
  /** Length in input space. */
  length: number;
  pieces: number;
  activationRegions: number;
  linearPieces: number;
  outputSize: number;
  /** Piece i covers t in [tStart[i], tEnd[i]] of the segment, t in [0, 1]. */
  tStart: Float64Array;
  tEnd: Float64Array;
  /** pieces x outputSize x 2: [value at t = 0, d/dt] of each output on the piece. */
  outputMaps: Float64Array;
}

export type Reply =
  | { type: "model"; info: ModelInfo; data: DataInfo | null }
  | { type: "frame"; frame: Frame }
  | { type: "progress"; text: string }
  | { type: "idle"; running: boolean }
  | { type: "error"; message: string }
  | { type: "export"; name: string; mime: string; text: string }
  | { type: "whole"; result: WholeCountResult };
