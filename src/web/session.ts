/**
 * The explorer's engine side: one network (an MLP built and trained here, or a loaded model
 * file), its data, its trainer and the current view, and the frames computed from them. The
 * worker (worker.ts) only passes messages to a Session; everything here runs the core library
 * unchanged (prepare, partition, createTrainer, allBounds), with no DOM and no
 * Node API, so Node tests drive it directly.
 */

import { architectureOf } from "../bounds/architecture.ts";
import { allBounds, convArchitectureOf } from "../bounds/index.ts";
import { boundToJson } from "../bounds/result.ts";
import { planePolygon, segment as segmentDomain } from "../domain/domain.ts";
import { stringifyNetwork } from "../io/network-json.ts";
import { type Activation, mlp } from "../model/build/mlp.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { summarize } from "../model/summary.ts";
import type { PlanePartition } from "../regions/partition.ts";
import { partition } from "../regions/partition-domain.ts";
import { decisionBoundary } from "../report/decision-boundary.ts";
import type { Dataset } from "../train/data/dataset.ts";
import { toy2d } from "../train/data/toy2d.ts";
import { createTrainer, type Trainer } from "../train/trainer.ts";
import { modelFromFiles } from "./model-files.ts";
import { planePartitionJson } from "./partition-json.ts";
import type { DataInfo, ExportKind, Frame, InputFile, ModelInfo, SegmentResult } from "./protocol.ts";
import { exportStem, type Settings } from "./settings.ts";
import { planePoint, type ViewPlane, viewPlane } from "./view-plane.ts";

export type Progress = (text: string) => void;

/** MNIST digits offered as plane corners for 784-input models. */
const THUMBNAILS = 24;

export function activationOf(name: Settings["activation"]): Activation {
  switch (name) {
    case "leaky-relu":
      return { type: "leaky-relu", slope: 0.1 };
    case "hard-tanh":
      return { type: "hard-tanh", lo: -1, hi: 1 };
    case "maxout":
      return { type: "maxout", k: 2 };
    default:
      return { type: name };
  }
}

/** The toy data set of the settings. */
export function settingsData(s: Settings): Dataset {
  return toy2d(s.data, {
    count: s.count,
    seed: s.seed,
    ...(s.noise !== null ? { noise: s.noise } : {}),
  });
}

/** The MLP of the settings for a data set: 2 inputs, the hidden widths, one output per class. */
export function settingsNetwork(s: Settings, data: Dataset): Network {
  return mlp([data.inputSize, ...s.hidden, data.classes], {
    init: s.init,
    seed: s.seed,
    activation: activationOf(s.activation),
  });
}

export class Session {
  mode: "built" | "loaded" = "built";
  name = "";
  network: Network | null = null;
  data: Dataset | null = null;
  trainer: Trainer | null = null;
  settings: Settings | null = null;
  plane: ViewPlane | null = null;
  /** The last partition (for exports); recomputed by `frame()`. */
  partition: PlanePartition | null = null;
  private frameId = 0;
  private lastLoss: number | null = null;
  private notices: string[] = [];

  /** Build the settings' MLP and data, then train to settings.epoch. */
  build(settings: Settings, progress: Progress = () => {}): { info: ModelInfo; data: DataInfo } {
    const data = settingsData(settings);
    const network = settingsNetwork(settings, data);
    const trainer = createTrainer(network, data, {
      optimizer: settings.optimizer,
      learningRate: settings.learningRate,
      batchSize: settings.batchSize,
      seed: settings.seed,
    });
    this.mode = "built";
    this.name = `${settings.data} ${[2, ...settings.hidden, data.classes].join("-")} ${settings.activation}`;
    this.network = network;
    this.data = data;
    this.trainer = trainer;
    this.settings = settings;
    this.lastLoss = null;
    this.notices = [];
    this.plane = viewPlane(network.inputSize, settings, data);
    const step = Math.max(1, Math.round(settings.epoch / 20));
    while (trainer.epoch < settings.epoch) {
      this.lastLoss = trainer.runEpoch();
      if (trainer.epoch % step === 0) progress(`training to epoch ${settings.epoch}: ${trainer.epoch}`);
    }
    return { info: this.info(), data: this.dataInfo() };
  }

  /** Load a model file; image models with 784 inputs get MNIST digits to lay planes through. */
  async load(files: InputFile[], settings: Settings, progress: Progress = () => {}): Promise<{ info: ModelInfo; data: DataInfo | null }> {
    const model = modelFromFiles(files);
    let data: Dataset | null = null;
    const notices = [...model.notices];
    if (model.network.inputSize === 784) {
      progress("loading MNIST digits");
      const { mnist } = await import("../train/data/mnist.ts");
      // The digits are an optional package the server may not have: without them the plane is random.
      try {
        data = await mnist({ count: THUMBNAILS, seed: settings.seed });
      } catch (e) {
        notices.push(`no MNIST digits to lay planes through (${(e as Error).message}); the plane is random`);
      }
    }
    this.mode = "loaded";
    this.name = model.name;
    this.network = model.network;
    this.data = data;
    this.trainer = null;
    this.lastLoss = null;
    this.notices = notices;
    this.settings = settings;
    const defaultPlane = data
      ? settings
      : {
          ...settings,
          plane: settings.plane.kind === "points" ? { kind: "random" as const, seed: 1, radius: 1 } : settings.plane,
        };
    this.plane = viewPlane(model.network.inputSize, defaultPlane, data);
    return { info: this.info(), data: this.dataInfo() };
  }

  /** A new view (square, plane or segment) of the same network. */
  setView(settings: Settings): void {
    if (!this.network) throw new Error("no model yet");
    this.settings = settings;
    this.plane = viewPlane(this.network.inputSize, settings, this.data);
  }

  get epoch(): number {
    return this.trainer?.epoch ?? 0;
  }

  /** One epoch of training; returns its time in milliseconds. */
  trainEpoch(): number {
    if (!this.trainer) throw new Error("this model cannot be trained here");
    const t0 = performance.now();
    this.lastLoss = this.trainer.runEpoch();
    return performance.now() - t0;
  }

  compiled(): Compiled {
    if (!this.network) throw new Error("no model yet");
    // Compiled steps read the weight arrays the trainer updates, but compiling is cheap next to
    // partitioning, and a fresh compile never depends on that detail.
    return prepare(this.network);
  }

  /** The exact partition of the current plane, its decision boundary and the segment's pieces. */
  frame(trainMs = 0): Frame {
    const plane = this.plane;
    if (!plane) throw new Error("no model yet");
    const compiled = this.compiled();
    const t0 = performance.now();
    const p = partition(compiled, planePolygon(plane.slice, plane.domain));
    const partitionMs = performance.now() - t0;
    this.partition = p;
    const evaluation = this.trainer && this.trainer.epoch > 0 ? this.trainer.evaluate() : null;
    const seg = this.settings?.segment ?? null;
    return {
      id: ++this.frameId,
      epoch: this.epoch,
      loss: evaluation ? evaluation.loss : this.lastLoss,
      accuracy: evaluation ? evaluation.accuracy : null,
      partitionMs,
      trainMs,
      cellCount: p.cellCount,
      activationRegions: p.activationRegions,
      linearPieces: p.linearPieces,
      outputSize: p.outputSize,
      domain: p.domain,
      origin: p.origin,
      e1: p.e1,
      e2: p.e2,
      cellStart: p.cellStart,
      vertices: p.vertices,
      patterns: p.patterns,
      layout: p.layout,
      areas: p.areas,
      outputMaps: p.outputMaps,
      pieceOf: p.pieceOf,
      boundary: decisionBoundary(p),
      segment: seg ? this.segment(compiled, seg) : null,
    };
  }

  /** The exact pieces along the segment between two points of the plane. */
  segment(compiled: Compiled, ends: [number, number, number, number]): SegmentResult {
    const plane = this.plane as ViewPlane;
    const a = planePoint(plane, ends[0], ends[1]);
    const b = planePoint(plane, ends[2], ends[3]);
    const line = partition(compiled, segmentDomain(a, b));
    return {
      ends,
      length: line.lengths.reduce((s, x) => s + x, 0),
      pieces: line.cellCount,
      activationRegions: line.activationRegions,
      linearPieces: line.linearPieces,
      outputSize: line.outputSize,
      tStart: line.tStart,
      tEnd: line.tEnd,
      outputMaps: line.outputMaps,
    };
  }

  info(): ModelInfo {
    const network = this.network as Network;
    const summary = summarize(network);
    let bounds: ModelInfo["bounds"] = [];
    let boundsNote = "";
    try {
      const arch = architectureOf(network);
      // A plain conv + relu stack also gets Xiong et al.'s bounds; a small search budget keeps
      // the worker responsive (past it the rows say so and an upper bound stands in).
      const conv = convArchitectureOf(network);
      bounds = allBounds(arch, typeof conv === "string" ? {} : { conv, convBudget: 100_000 }).map(boundToJson);
      if (arch.note) boundsNote = arch.note;
    } catch (e) {
      boundsNote = `no bounds: ${(e as Error).message}`;
    }
    const trainable = this.trainer !== null;
    return {
      mode: this.mode,
      name: this.name,
      inputSize: network.inputSize,
      outputSize: summary.outputShape.reduce((a, b) => a * b, 1),
      units: summary.units,
      parameters: summary.parameters,
      layers: [
        ...summary.rows.filter((r) => r.depth === 0).map((r) => `${r.type}${r.detail ? ` ${r.detail}` : ""}: [${r.inShape.join("x")}] -> [${r.outShape.join("x")}]`),
        ...this.notices.map((n) => `note: ${n}`),
      ],
      trainable,
      trainNote: trainable ? "" : "a loaded model is shown as it is; build an MLP here to train one",
      labels: (this.plane as ViewPlane).labels,
      bounds,
      boundsNote,
    };
  }

  dataInfo(): DataInfo {
    const data = this.data;
    if (!data)
      return {
        name: "",
        points: new Float64Array(0),
        labels: new Int32Array(0),
        classes: 0,
        thumbnails: null,
      };
    if (data.inputSize === 2) {
      return {
        name: data.name,
        points: data.x.slice(),
        labels: (data.labels ?? new Int32Array(data.count)).slice(),
        classes: data.classes,
        thumbnails: null,
      };
    }
    // Image data: 8-bit thumbnails of the first digits (MNIST is 28 x 28 in [0, 1]).
    const side = Math.round(Math.sqrt(data.inputSize));
    const count = Math.min(THUMBNAILS, data.count);
    const pixels = new Uint8Array(count * data.inputSize);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(255 * data.x[i])));
    return {
      name: data.name,
      points: new Float64Array(0),
      labels: (data.labels ?? new Int32Array(count)).slice(0, count),
      classes: data.classes,
      thumbnails:
        side * side === data.inputSize
          ? {
              width: side,
              height: side,
              pixels,
              labels: (data.labels ?? new Int32Array(count)).slice(0, count),
            }
          : null,
    };
  }

  /** A file for the user: the map as SVG, the partition as JSON, or the model as tessera JSON. */
  exportFile(kind: ExportKind): { name: string; mime: string; text: string } {
    if (!this.network || !this.partition) throw new Error("nothing to export yet");
    const stem = exportStem(this.mode, this.name, this.settings?.data ?? "model", this.epoch);
    if (kind === "model") return { name: `${stem}.json`, mime: "application/json", text: stringifyNetwork(this.network) };
    return { name: `${stem}-partition.json`, mime: "application/json", text: `${JSON.stringify(planePartitionJson(this.partition))}\n` };
  }
}
