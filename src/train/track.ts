/**
 * What a run measures at chosen epochs, with the exact engines:
 * - plane: exact regions of the 2D input domain (2D data only), over the data's bounding box;
 * - lines: exact regions along segments between random pairs of data points (mean and spread,
 *   and regions per unit length, the density Hanin & Rolnick 2019 study);
 * - planes: exact regions in parallelograms spanned by random triples of data points;
 * - distance: exact distance from data points to the nearest region boundary, times #units;
 * - patterns: distinct activation patterns over the data (a sampled lower bound, labelled so);
 * - local: local complexity (metrics/local-complexity.ts), the exact number of regions in a
 *   small 1- or 2-dimensional cross-polytope around each of some data points.
 * Loss and accuracy are always recorded. The segments, triples and points are drawn once per
 * run (from the seed), so every epoch measures the same geometry.
 */

import { type Plane, parallelogram, planePolygon, segment } from "../domain/domain.ts";
import { boundaryDistances } from "../metrics/batch-distance.ts";
import { type LocalDimension, localRegions, randomFrame } from "../metrics/local-complexity.ts";
import { distinctPatterns } from "../metrics/patterns.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { createRandom } from "../model/random.ts";
import type { Budget } from "../regions/limits.ts";
import type { PlanePartition } from "../regions/partition.ts";
import { partition } from "../regions/partition-domain.ts";
import { type Dataset, row } from "./data/dataset.ts";
import { permutation } from "./data/toy2d.ts";
import { type Summary, summarize } from "./stats.ts";
import type { Evaluation } from "./trainer.ts";

export const TRACKERS = ["plane", "lines", "planes", "distance", "patterns", "local"] as const;
export type Tracker = (typeof TRACKERS)[number];

export interface TrackSettings {
  track: Tracker[];
  /** Segments between pairs of data points (lines). */
  lines: number;
  /** Parallelograms through triples of data points (planes). */
  planes: number;
  /** Data points whose boundary distance is measured (distance). */
  distancePoints: number;
  /** Data points whose patterns are counted (patterns; all by default). */
  patternPoints: number;
  /** Local complexity: points, radius and dimension (1 or 2) of the cross-polytopes. */
  localPoints?: number;
  localRadius?: number;
  localDimension?: LocalDimension;
  seed: number;
}

export const DEFAULT_LOCAL = { points: 100, radius: 0.1, dimension: 2 as LocalDimension };

export const DEFAULT_TRACK: Omit<TrackSettings, "track" | "seed"> = {
  lines: 32,
  planes: 4,
  distancePoints: 256,
  patternPoints: Number.POSITIVE_INFINITY,
};

export interface TrackPlan {
  settings: TrackSettings;
  /** Pairs of data row indices. */
  segments: Int32Array;
  /** Triples of data row indices. */
  triples: Int32Array;
  distanceRows: Int32Array;
  /** Local complexity: the data rows, and each one's k x n0 frame of directions. */
  localRows: Int32Array;
  localFrames: Float64Array[];
  /** Input-domain rectangle for `plane`: [lo0, hi0, lo1, hi1]. */
  box: Float64Array;
}

export class TrackError extends Error {
  override name = "TrackError";
}

export function createTrackPlan(data: Dataset, settings: TrackSettings): TrackPlan {
  for (const t of settings.track) if (!TRACKERS.includes(t)) throw new TrackError(`unknown tracker "${t}" (choose from ${TRACKERS.join(", ")})`);
  if (settings.track.includes("plane") && data.inputSize !== 2) {
    throw new TrackError(`--track plane needs 2D inputs, "${data.name}" has ${data.inputSize}; use planes (through triples of data points) instead`);
  }
  const rng = createRandom(settings.seed ^ 0x5eed);
  const pick = (k: number): number[] => {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(k, data.count)) chosen.add(rng.int(data.count));
    return [...chosen];
  };
  const segments = new Int32Array(2 * settings.lines);
  for (let s = 0; s < settings.lines; s++) segments.set(pick(2), 2 * s);
  const triples = new Int32Array(3 * settings.planes);
  for (let s = 0; s < settings.planes; s++) triples.set(pick(3), 3 * s);
  const distanceRows = permutation(data.count, rng).slice(0, Math.min(settings.distancePoints, data.count));
  // Drawn from their own generator, so plans made before this tracker existed are unchanged.
  const local = settings.track.includes("local") ? localPlan(data, settings) : { rows: new Int32Array(0), frames: [] };
  return {
    settings,
    segments,
    triples,
    distanceRows,
    localRows: local.rows,
    localFrames: local.frames,
    box: data.box.slice(0, 4),
  };
}

export interface TrackRecord {
  epoch: number;
  loss: number;
  accuracy: number | null;
  /** Mean training loss over the epoch's batches (null at epoch 0). */
  trainLoss: number | null;
  /** Piecewise-linear units of the network. */
  units: number;
  /** Loss and accuracy on the held-out rows (runs with a holdout). */
  test?: Evaluation;
  plane?: {
    activationRegions: number;
    linearPieces: number;
    cells: number;
    box: number[];
  };
  lines?: {
    regions: Summary;
    perUnitLength: Summary;
    perUnitLengthPerUnit: number;
  };
  planes?: { regions: Summary; linearPieces: Summary };
  distance?: { distance: Summary; timesUnits: Summary; onBoundary: number };
  patterns?: { distinct: number; points: number; sampled: true };
  /** Exact regions in the cross-polytope around each point (train rows; `test` on held-out rows). */
  local?: { radius: number; dimension: number; regions: Summary; test?: Summary };
  seconds: { train: number; track: number };
}

/** The detailed measurements behind a record (written as a region snapshot). */
export interface TrackDetail {
  plane: PlanePartition | null;
  lineRegions: number[];
  lineLengths: number[];
  planeRegions: number[];
  distances: number[];
}

export function measure(
  network: Network,
  data: Dataset,
  plan: TrackPlan,
  evaluation: Evaluation,
  epoch: number,
  trainLoss: number | null,
  trainSeconds: number,
): { record: TrackRecord; detail: TrackDetail } {
  const start = performance.now();
  const compiled = prepare(network);
  const units = compiled.layout.units;
  const record: TrackRecord = {
    epoch,
    loss: evaluation.loss,
    accuracy: evaluation.accuracy,
    trainLoss,
    units,
    seconds: { train: trainSeconds, track: 0 },
  };
  const detail: TrackDetail = {
    plane: null,
    lineRegions: [],
    lineLengths: [],
    planeRegions: [],
    distances: [],
  };
  const track = new Set(plan.settings.track);
  if (track.has("plane")) {
    const p = inputPlane(compiled, plan.box);
    detail.plane = p;
    record.plane = {
      activationRegions: p.activationRegions,
      linearPieces: p.linearPieces,
      cells: p.cellCount,
      box: Array.from(plan.box),
    };
  }
  if (track.has("lines")) {
    const n0 = data.inputSize;
    const perLength: number[] = [];
    for (let s = 0; s < plan.segments.length / 2; s++) {
      const a = row(data, plan.segments[2 * s]);
      const b = row(data, plan.segments[2 * s + 1]);
      let length = 0;
      for (let i = 0; i < n0; i++) length += (b[i] - a[i]) ** 2;
      length = Math.sqrt(length);
      if (length === 0) continue;
      const regions = partition(compiled, segment(a, b)).activationRegions;
      detail.lineRegions.push(regions);
      detail.lineLengths.push(length);
      perLength.push(regions / length);
    }
    const perUnitLength = summarize(perLength);
    record.lines = {
      regions: summarize(detail.lineRegions),
      perUnitLength,
      perUnitLengthPerUnit: perUnitLength.mean / Math.max(1, units),
    };
  }
  if (track.has("planes")) {
    const pieces: number[] = [];
    for (let s = 0; s < plan.triples.length / 3; s++) {
      const [i, j, k] = [plan.triples[3 * s], plan.triples[3 * s + 1], plan.triples[3 * s + 2]];
      const domain = parallelogram(row(data, i), row(data, j), row(data, k));
      if (degenerate(domain.plane)) continue;
      const p = partition(compiled, domain);
      detail.planeRegions.push(p.activationRegions);
      pieces.push(p.linearPieces);
    }
    record.planes = {
      regions: summarize(detail.planeRegions),
      linearPieces: summarize(pieces),
    };
  }
  if (track.has("distance")) {
    const n0 = data.inputSize;
    const pts = new Float64Array(plan.distanceRows.length * n0);
    plan.distanceRows.forEach((r, i) => {
      pts.set(row(data, r), i * n0);
    });
    const d = boundaryDistances(compiled, pts, plan.distanceRows.length);
    detail.distances = Array.from(d);
    record.distance = {
      distance: summarize(d),
      timesUnits: summarize(d.map((x) => x * units)),
      onBoundary: d.filter((x) => x === 0).length,
    };
  }
  if (track.has("patterns")) {
    const points = Math.min(plan.settings.patternPoints, data.count);
    record.patterns = {
      distinct: distinctPatterns(compiled, data.x, points).distinct,
      points,
      sampled: true,
    };
  }
  if (track.has("local")) {
    const s = localSettings(plan.settings);
    record.local = { radius: s.radius, dimension: s.dimension, regions: measureLocal(compiled, data, plan) };
  }
  record.seconds.track = (performance.now() - start) / 1000;
  return { record, detail };
}

/** The plane of a 2-input network's inputs (u, v = x0, x1). */
const INPUT_PLANE: Plane = { origin: new Float64Array(2), e1: Float64Array.of(1, 0), e2: Float64Array.of(0, 1) };

function localSettings(settings: TrackSettings): typeof DEFAULT_LOCAL {
  return {
    points: settings.localPoints ?? DEFAULT_LOCAL.points,
    radius: settings.localRadius ?? DEFAULT_LOCAL.radius,
    dimension: settings.localDimension ?? DEFAULT_LOCAL.dimension,
  };
}

function localPlan(data: Dataset, settings: TrackSettings): { rows: Int32Array; frames: Float64Array[] } {
  const s = localSettings(settings);
  if (s.dimension !== 1 && s.dimension !== 2) throw new TrackError(`local complexity dimension must be 1 or 2, got ${s.dimension}`);
  if (!(s.radius > 0)) throw new TrackError(`local complexity radius must be positive, got ${s.radius}`);
  if (s.dimension > data.inputSize) throw new TrackError(`local complexity in ${s.dimension} dimensions needs at least ${s.dimension} inputs`);
  const rng = createRandom(settings.seed ^ 0x10ca1);
  const rows = permutation(data.count, rng).slice(0, Math.min(s.points, data.count));
  const frames = Array.from(rows, () => randomFrame(data.inputSize, s.dimension, rng));
  return { rows, frames };
}

/** Local complexity at the plan's points of `data` (a plan made on that data set). */
export function measureLocal(compiled: Compiled, data: Dataset, plan: TrackPlan): Summary {
  const radius = localSettings(plan.settings).radius;
  return summarize(Array.from(plan.localRows, (r, i) => localRegions(compiled, row(data, r), plan.localFrames[i], radius)));
}

/**
 * Exact partition of the rectangle box = [lo0, hi0, lo1, hi1] of a 2-input network; with a
 * budget, within its limits (`stopped` set when one was hit).
 */
export function inputPlane(compiled: Compiled, box: Float64Array, budget?: Budget): PlanePartition {
  const [x0, x1, y0, y1] = box;
  return partition(compiled, planePolygon(INPUT_PLANE, Float64Array.of(x0, y0, x1, y0, x1, y1, x0, y1)), budget ? { budget } : {});
}

/** Three (nearly) collinear points span no parallelogram. */
function degenerate(plane: Plane): boolean {
  const { e1, e2 } = plane;
  let a = 0;
  let b = 0;
  let ab = 0;
  for (let i = 0; i < e1.length; i++) {
    a += e1[i] * e1[i];
    b += e2[i] * e2[i];
    ab += e1[i] * e2[i];
  }
  return a * b - ab * ab <= 1e-12 * a * b;
}
