/**
 * The configuration of a training run, as stored in a run directory's config.json: enough to
 * rebuild the data, the initial network, the trainer and the tracking plan exactly.
 */
import type { Activation, Init } from "../model/build/mlp.ts";
import type { DataSpec } from "./data/index.ts";
import type { TrackSettings } from "./track.ts";
import type { TrainOptions } from "./trainer.ts";

export interface RunConfig {
  format: "tessera.run";
  version: 1;
  data: DataSpec;
  /** The initial network: an MLP built from widths, or (with `file`) a model file whose layers are trained. */
  model: {
    widths: number[];
    activation: Activation;
    init: Init;
    seed: number;
    residual: boolean;
    file?: string;
    /** A convolutional network from a layer text (cnn.ts) on images of `inputShape`, instead of an MLP. */
    cnn?: string;
    inputShape?: number[];
    /** Every initial weight and bias multiplied by this (large-norm inits, Liu et al. 2022). */
    initScale?: number;
  };
  train: Required<Omit<TrainOptions, "loss">> & { loss: TrainOptions["loss"] };
  epochs: number;
  /** Epochs at which to measure (0 = the initial model). */
  trackEpochs: number[];
  /**
   * How trackEpochs was chosen, so that extending the run (--resume --epochs) keeps the schedule:
   * every N epochs (--track-every N), exactly the listed epochs ("at", --track-at), or the
   * default schedule (absent, and in runs written before this field existed).
   */
  trackSchedule?: { every: number } | "at" | "default";
  track: Omit<TrackSettings, "patternPoints"> & {
    patternPoints: number | null;
  };
}

/**
 * The tracked epochs of a run extended from `config.epochs` to `epochs`: the ones kept, then the
 * same schedule continued (every N stays every N; an explicit list only gains the last epoch).
 */
export function extendedTrackEpochs(config: RunConfig, epochs: number): number[] {
  const schedule = config.trackSchedule ?? inferSchedule(config);
  const kept = config.trackEpochs.filter((e) => e <= Math.min(config.epochs, epochs));
  const ahead = schedule === "at" ? [] : defaultTrackEpochs(epochs, schedule === "default" ? undefined : schedule.every).filter((e) => e > config.epochs);
  return [...new Set([...kept, ...ahead, epochs])].sort((a, b) => a - b);
}

/** A run written before trackSchedule: "every N" when its epochs are exactly that schedule. */
function inferSchedule(config: RunConfig): { every: number } | "default" {
  const every = config.trackEpochs[1];
  const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  if (every !== undefined && !same(config.trackEpochs, defaultTrackEpochs(config.epochs)) && same(config.trackEpochs, defaultTrackEpochs(config.epochs, every))) return { every };
  return "default";
}

/** Default tracked epochs: 0, 1, 2, 5, then about ten evenly spaced, and the last. */
export function defaultTrackEpochs(epochs: number, every?: number): number[] {
  const step = every ?? Math.max(1, Math.ceil(epochs / 10));
  const set = new Set<number>([0, epochs]);
  if (every === undefined) for (const e of [1, 2, 5]) if (e <= epochs) set.add(e);
  for (let e = step; e <= epochs; e += step) set.add(e);
  return [...set].sort((a, b) => a - b);
}
