/**
 * Start or resume a training run in a run directory (Node only; see run-dir.ts for the layout
 * and the commit protocol). The loop: measure the initial model (epoch 0), then per epoch
 * train, measure when the epoch is tracked, and commit.
 */
import { existsSync, readdirSync } from "node:fs";
import { InputError, readModel } from "../../io/files.ts";
import { mlp } from "../../model/build/mlp.ts";
import { prepare } from "../../model/forward.ts";
import type { Network } from "../../model/layers.ts";
import { cnn } from "../cnn.ts";
import { extendedTrackEpochs, type RunConfig } from "../config.ts";
import type { Dataset } from "../data/dataset.ts";
import { type Dataset as DataRows, subset } from "../data/dataset.ts";
import { residualMlp } from "../residual.ts";
import { createTrackPlan, measure, measureLocal, type TrackPlan, type TrackRecord, type TrackSettings } from "../track.ts";
import { createTrainer } from "../trainer.ts";
import { loadDataset } from "./load-data.ts";
import { LOCK_FILE, lockRun, RunWriter, readJson, readState, runPaths, stateModel } from "./run-dir.ts";

export function buildNetwork(model: RunConfig["model"]): Network {
  const net = buildUnscaled(model);
  if (model.initScale !== undefined && model.initScale !== 1) scaleParameters(net.layers, model.initScale);
  return net;
}

/** Multiply every weight and bias (dense and conv layers, inside blocks too) by `s`. */
function scaleParameters(layers: Network["layers"], s: number): void {
  for (const l of layers) {
    if (l.type === "dense" || l.type === "conv2d") {
      for (let i = 0; i < l.weight.length; i++) l.weight[i] *= s;
      for (let i = 0; i < l.bias.length; i++) l.bias[i] *= s;
    } else if (l.type === "residual") scaleParameters(l.layers, s);
  }
}

function buildUnscaled(model: RunConfig["model"]): Network {
  if (model.file) {
    const { network, notices } = readModel(model.file);
    for (const n of notices) process.stderr.write(`tessera: note: ${model.file}: ${n}\n`);
    return network;
  }
  if (model.cnn) {
    try {
      return cnn(model.inputShape ?? [], model.cnn, model.seed);
    } catch (e) {
      throw new InputError(`--cnn ${model.cnn}: ${(e as Error).message}`);
    }
  }
  const options = {
    init: model.init,
    seed: model.seed,
    activation: model.activation,
  };
  try {
    return model.residual ? residualMlp(model.widths, options) : mlp(model.widths, options);
  } catch (e) {
    throw new InputError(`--widths ${model.widths.join(",")}: ${(e as Error).message}`);
  }
}

export interface RunEvents {
  /** Called after each epoch (and once for epoch 0) with the record when the epoch was tracked. */
  onEpoch?(epoch: number, epochs: number, record: TrackRecord | null): void;
  /** Called before the slow measurement of a tracked epoch. */
  onTrackStart?(epoch: number): void;
  /** Asked after each committed epoch: true ends the run there (resumable; `stopped` is set). */
  shouldStop?(): boolean;
}

export interface RunResult {
  dir: string;
  epochs: number;
  resumedFrom: number | null;
  /** The last committed epoch when `shouldStop` ended the run early; null when it ran to the end. */
  stopped: number | null;
  records: TrackRecord[];
  data: Dataset;
  network: Network;
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).every((f) => f === LOCK_FILE);
}

/** Run `work` holding the run folder's lock (one trainer per run; see lockRun). */
async function locked<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const release = lockRun(dir);
  try {
    return await work();
  } finally {
    release();
  }
}

/** Start a new run in `dir` (which must be empty or absent unless `force`). */
export function startRun(dir: string, config: RunConfig, events: RunEvents = {}, force = false): Promise<RunResult> {
  return locked(dir, () => startLocked(dir, config, events, force));
}

async function startLocked(dir: string, config: RunConfig, events: RunEvents, force: boolean): Promise<RunResult> {
  if (!force && !isEmptyDir(dir)) {
    throw new InputError(`${dir}: already holds a run; use --resume to continue it or --force to start over`);
  }
  const data = await loadDataset(config.data);
  const network = buildNetwork(config.model);
  const writer = new RunWriter(dir, []);
  writer.writeConfig(config);
  return loop(dir, config, data, network, writer, null, events);
}

/** Continue the run in `dir` from its last commit (optionally to more epochs). */
export function resumeRun(dir: string, events: RunEvents = {}, epochs?: number): Promise<RunResult> {
  if (!existsSync(runPaths(dir).config)) return Promise.reject(new InputError(`${dir}: no run to resume (missing config.json)`));
  return locked(dir, () => resumeLocked(dir, events, epochs));
}

async function resumeLocked(dir: string, events: RunEvents, epochs?: number): Promise<RunResult> {
  const paths = runPaths(dir);
  if (!existsSync(paths.config)) throw new InputError(`${dir}: no run to resume (missing config.json)`);
  const config = readJson(paths.config, "run config") as RunConfig;
  if (config?.format !== "tessera.run" || config.version !== 1) throw new InputError(`${paths.config}: not a tessera run config (version 1)`);
  const state = readState(dir);
  const data = await loadDataset(config.data);
  if (epochs !== undefined && epochs !== config.epochs) {
    if (state && epochs < state.epoch) throw new InputError(`--epochs ${epochs}: the run already finished epoch ${state.epoch}`);
    config.trackEpochs = extendedTrackEpochs(config, epochs);
    config.epochs = epochs;
    new RunWriter(dir, []).writeConfig(config);
  }
  if (!state) {
    // Killed before the first commit: start over from the config.
    return loop(dir, config, data, buildNetwork(config.model), RunWriter.resume(dir, 0), null, events);
  }
  const network = stateModel(state, dir);
  const writer = RunWriter.resume(dir, state.metricsLines);
  return loop(dir, config, data, network, writer, state, events);
}

/** The first rows for training and the last `holdout` rows for testing (the set is already shuffled). */
function splitHoldout(data: DataRows, holdout: number): { train: DataRows; test: DataRows | null } {
  if (holdout <= 0) return { train: data, test: null };
  if (holdout >= data.count) throw new InputError(`--holdout ${holdout}: the data set has only ${data.count} rows`);
  const rows = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return { train: subset(data, rows(0, data.count - holdout)), test: subset(data, rows(data.count - holdout, data.count), `${data.name}-test`) };
}

async function loop(
  dir: string,
  config: RunConfig,
  data: Dataset,
  network: Network,
  writer: RunWriter,
  state: ReturnType<typeof readState>,
  events: RunEvents,
): Promise<RunResult> {
  const { train, test } = splitHoldout(data, config.data.holdout ?? 0);
  data = train;
  const trainer = createTrainer(network, data, config.train);
  if (state) trainer.importState(state.trainer);
  const settings: TrackSettings = {
    ...config.track,
    patternPoints: config.track.patternPoints ?? data.count,
  };
  const plan: TrackPlan = createTrackPlan(data, settings);
  const testPlan = test && settings.track.includes("local") ? createTrackPlan(test, { ...settings, track: ["local"] }) : null;
  const tracked = new Set(config.trackEpochs);
  const records: TrackRecord[] = [];
  const track = (epoch: number, trainLoss: number | null, trainSeconds: number): TrackRecord => {
    events.onTrackStart?.(epoch);
    const { record, detail } = measure(network, data, plan, trainer.evaluate(), epoch, trainLoss, trainSeconds);
    if (test) record.test = trainer.evaluate(test);
    if (test && testPlan && record.local) record.local.test = measureLocal(prepare(network), test, testPlan);
    writer.writeTracked(network, record, detail);
    records.push(record);
    return record;
  };
  if (!state) {
    const record = tracked.has(0) ? track(0, null, 0) : null;
    writer.commit(0, network, trainer.exportState());
    events.onEpoch?.(0, config.epochs, record);
  }
  let stopped: number | null = null;
  while (trainer.epoch < config.epochs) {
    const t0 = performance.now();
    const trainLoss = trainer.runEpoch();
    const seconds = (performance.now() - t0) / 1000;
    const epoch = trainer.epoch;
    const record = tracked.has(epoch) ? track(epoch, trainLoss, seconds) : null;
    writer.commit(epoch, network, trainer.exportState());
    events.onEpoch?.(epoch, config.epochs, record);
    // Let the event loop run between epochs (progress bar redraws, stdout flushes).
    await new Promise((resolve) => setImmediate(resolve));
    if (trainer.epoch < config.epochs && events.shouldStop?.()) {
      stopped = trainer.epoch;
      break;
    }
  }
  if (stopped === null) writer.writeFinalModel(network);
  return {
    dir,
    epochs: config.epochs,
    resumedFrom: state ? state.epoch : null,
    stopped,
    records,
    data,
    network,
  };
}
