/**
 * Mini-batch training of a Network on a Dataset, in float64, deterministic for a given seed:
 * epoch e shuffles with its own generator seeded from (seed, e), so a run resumed at epoch e
 * (weights + optimiser state restored) continues bit for bit as if it had never stopped.
 */
import type { Network } from "../model/layers.ts";
import { createRandom } from "../model/random.ts";
import { type Dataset, outputWidth } from "./data/dataset.ts";
import { permutation } from "./data/toy2d.ts";
import { correctCount, crossEntropy, type LossName, meanSquaredError } from "./loss.ts";
import { createOptimizer, type Optimizer, type OptimizerName, type OptimizerState } from "./optimizer.ts";
import { type Trainable, TrainingError, trainable } from "./trainable.ts";

export interface TrainOptions {
  optimizer?: OptimizerName;
  learningRate?: number;
  momentum?: number;
  weightDecay?: number;
  batchSize?: number;
  loss?: LossName;
  seed?: number;
}

export interface Evaluation {
  loss: number;
  /** Fraction of rows classified correctly (null for regression). */
  accuracy: number | null;
}

export interface Trainer {
  network: Network;
  data: Dataset;
  options: Required<TrainOptions>;
  /** Epochs completed so far. */
  readonly epoch: number;
  /**
   * Run one epoch; returns the mean training loss over its batches. `afterStep(k)` is called after
   * the k-th optimiser step of the epoch (1-based), for measurements within an epoch.
   */
  runEpoch(afterStep?: (step: number) => void): number;
  evaluate(data?: Dataset): Evaluation;
  /** Change the learning rate from the next step on (a schedule is the caller's, per epoch). */
  setLearningRate(rate: number): void;
  exportState(): TrainerState;
  importState(state: TrainerState): void;
  /** The differentiable program (for input gradients and custom steps). */
  program: Trainable;
}

export interface TrainerState {
  epoch: number;
  optimizer: OptimizerState;
}

export function defaultLoss(data: Dataset): LossName {
  return data.task === "classification" ? "cross-entropy" : "mse";
}

export function createTrainer(network: Network, data: Dataset, options: TrainOptions = {}): Trainer {
  const opts: Required<TrainOptions> = {
    optimizer: options.optimizer ?? "adam",
    learningRate: options.learningRate ?? (options.optimizer === "sgd" ? 0.05 : 0.001),
    momentum: options.momentum ?? 0,
    weightDecay: options.weightDecay ?? 0,
    batchSize: options.batchSize ?? 128,
    loss: options.loss ?? defaultLoss(data),
    seed: options.seed ?? 0,
  };
  if (network.inputSize !== data.inputSize) throw new TrainingError(`the network has ${network.inputSize} inputs, the data set "${data.name}" has ${data.inputSize}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new TrainingError(`batch size must be a positive integer, got ${opts.batchSize}`);
  if (!(opts.learningRate > 0)) throw new TrainingError(`learning rate must be positive, got ${opts.learningRate}`);
  if (opts.loss === "cross-entropy" && data.task !== "classification") throw new TrainingError(`cross-entropy needs class labels; "${data.name}" is a regression set (use mse)`);
  const maxBatch = Math.min(opts.batchSize, data.count);
  const program = trainable(network, Math.max(maxBatch, Math.min(data.count, 1024)));
  const outSize = program.outputSize;
  if (outSize !== outputWidth(data)) {
    throw new TrainingError(
      `the network has ${outSize} outputs, "${data.name}" needs ${outputWidth(data)} (${data.task === "classification" ? "one per class" : "one per target"})`,
    );
  }
  const optimizer: Optimizer = createOptimizer(program.params, {
    name: opts.optimizer,
    learningRate: opts.learningRate,
    momentum: opts.momentum,
    weightDecay: opts.weightDecay,
  });
  const d = data.inputSize;
  const xb = new Float64Array(program.maxBatch * d);
  const lb = new Int32Array(program.maxBatch);
  const tb = new Float64Array(program.maxBatch * outSize);
  const grad = new Float64Array(program.maxBatch * outSize);
  let epoch = 0;

  /** Copy rows `order[start..start+batch)` into the batch buffers. */
  const gather = (ds: Dataset, order: Int32Array | null, start: number, batch: number): void => {
    for (let r = 0; r < batch; r++) {
      const i = order ? order[start + r] : start + r;
      xb.set(ds.x.subarray(i * d, (i + 1) * d), r * d);
      if (ds.labels) lb[r] = ds.labels[i];
      if (ds.targets) tb.set(ds.targets.subarray(i * outSize, (i + 1) * outSize), r * outSize);
    }
  };
  const batchLoss = (out: Float64Array, batch: number, g: Float64Array | null, ds: Dataset): number => {
    if (opts.loss === "cross-entropy") return crossEntropy(out, lb, batch, outSize, g);
    if (ds.task === "classification") {
      // mse on a classification set: one-hot targets.
      tb.fill(0, 0, batch * outSize);
      for (let r = 0; r < batch; r++) tb[r * outSize + lb[r]] = 1;
    }
    return meanSquaredError(out, tb, batch, outSize, g);
  };

  return {
    network,
    data,
    options: opts,
    program,
    get epoch() {
      return epoch;
    },
    runEpoch(afterStep) {
      const order = permutation(data.count, createRandom(epochSeed(opts.seed, epoch)));
      let total = 0;
      let batches = 0;
      for (let start = 0; start < data.count; start += opts.batchSize) {
        const batch = Math.min(opts.batchSize, data.count - start);
        gather(data, order, start, batch);
        program.zeroGrad();
        const out = program.forward(xb, batch, true);
        total += batchLoss(out, batch, grad, data);
        program.backward(grad, batch);
        optimizer.step();
        batches++;
        afterStep?.(batches);
      }
      epoch++;
      return total / batches;
    },
    evaluate(ds = data) {
      let loss = 0;
      let correct = 0;
      for (let start = 0; start < ds.count; start += program.maxBatch) {
        const batch = Math.min(program.maxBatch, ds.count - start);
        gather(ds, null, start, batch);
        const out = program.forward(xb, batch);
        loss += batchLoss(out, batch, null, ds) * batch;
        if (ds.task === "classification") correct += correctCount(out, lb, batch, outSize);
      }
      return {
        loss: loss / ds.count,
        accuracy: ds.task === "classification" ? correct / ds.count : null,
      };
    },
    setLearningRate(rate) {
      if (!(rate > 0)) throw new TrainingError(`learning rate must be positive, got ${rate}`);
      optimizer.setLearningRate(rate);
    },
    exportState: () => ({ epoch, optimizer: optimizer.exportState() }),
    importState(state) {
      optimizer.importState(state.optimizer);
      epoch = state.epoch;
    },
  };
}

/** The shuffling seed of an epoch: a mix of the run seed and the epoch number. */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (epoch + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
