/**
 * `tessera train --data moons --widths 2,16,16,16,2 --epochs 100 --track plane,lines,distance --out runs/moons`
 *
 * Train an MLP in float64 on a built-in data set or a CSV file, measuring the exact linear
 * regions at chosen epochs into a run directory (see src/train/node/run-dir.ts). `--resume`
 * continues a stopped run from its last commit. Ctrl-C and kill stop the process at once (no
 * handler delays them): every file is written atomically, so any moment is a safe one. A progress bar shows on a terminal only (not
 * with --json, not when stdout is piped).
 */

import { resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { INITS, type Init } from "../../model/build/mlp.ts";
import { defaultTrackEpochs, type RunConfig } from "../../train/config.ts";
import { BUILTIN_DATA, type DataSpec, imageShape, isBuiltin } from "../../train/data/index.ts";
import { LOSSES, type LossName } from "../../train/loss.ts";
import { type RunEvents, resumeRun, startRun } from "../../train/node/run.ts";
import { readMetrics } from "../../train/node/run-dir.ts";
import { OPTIMIZERS, type OptimizerName } from "../../train/optimizer.ts";
import { DEFAULT_LOCAL, DEFAULT_TRACK, TRACKERS, TrackError, type Tracker, type TrackRecord } from "../../train/track.ts";
import { TrainingError } from "../../train/trainable.ts";
import { parseDecimal, parseInteger, parseNumbers, UserError } from "../errors.ts";
import { parseLimits, StoppedEarly } from "../limits.ts";
import { output } from "../output.ts";
import { parseActivation } from "./build.ts";
import type { Register } from "./index.ts";

interface TrainCliOptions {
  data?: string;
  count?: string;
  noise?: string;
  dataSeed?: string;
  pca?: string;
  frequency?: string;
  classes?: string;
  target?: string;
  widths?: string;
  model?: string;
  cnn?: string;
  holdout?: string;
  activation: string;
  init: string;
  residual?: boolean;
  seed: string;
  optimizer: string;
  lr?: string;
  momentum: string;
  weightDecay: string;
  batchSize: string;
  epochs?: string;
  loss?: string;
  track: string;
  trackEvery?: string;
  trackAt?: string;
  lines: string;
  planes: string;
  distancePoints: string;
  patternPoints?: string;
  localPoints?: string;
  localRadius?: string;
  localDimension?: string;
  timeout?: string;
  initScale?: string;
  out?: string;
  resume?: boolean;
  force?: boolean;
  json?: boolean;
}

function parseNumber(text: string, what: string, check: (v: number) => boolean, expect: string): number {
  const v = parseDecimal(text);
  if (text.trim() === "" || !Number.isFinite(v) || !check(v)) throw new UserError(`${what}: expected ${expect}, got "${text}"`);
  return v;
}

function oneOf<T extends string>(text: string, values: readonly T[], what: string): T {
  if (!(values as readonly string[]).includes(text)) throw new UserError(`${what}: unknown "${text}" (choose one of ${values.join(", ")})`);
  return text as T;
}

/** The run configuration the options describe (for a new run). */
export function configFromOptions(o: TrainCliOptions): RunConfig {
  if (!o.data) throw new UserError(`--data is required (built in: ${BUILTIN_DATA.join(", ")}; or a .csv file)`);
  const given = [o.widths, o.model, o.cnn].filter((v) => v !== undefined).length;
  if (given === 0) throw new UserError("--widths is required, e.g. --widths 2,16,16,2 (inputs, hidden..., outputs), or --model FILE, or --cnn LAYERS");
  if (given > 1) throw new UserError("give one of --widths, --model and --cnn");
  const widths = o.widths ? parseNumbers(o.widths, "--widths") : [1, 1];
  if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1)) throw new UserError(`--widths: expected at least 2 positive integers, got "${o.widths}"`);
  const data: DataSpec = {
    // A CSV path is stored absolute, so --resume and report work from any folder.
    source: isBuiltin(o.data) || !/\.(csv|txt)$/i.test(o.data) ? o.data : resolve(o.data),
    seed: o.dataSeed === undefined ? 0 : parseInteger(o.dataSeed, "--data-seed"),
  };
  if (o.count !== undefined) data.count = parseInteger(o.count, "--count", 1);
  if (o.noise !== undefined) data.noise = parseNumber(o.noise, "--noise", (v) => v >= 0, "a non-negative number");
  if (o.pca !== undefined) data.pca = parseInteger(o.pca, "--pca", 1);
  if (o.frequency !== undefined) data.frequency = parseInteger(o.frequency, "--frequency", 1);
  if (o.classes !== undefined) data.classes = parseInteger(o.classes, "--classes", 2);
  if (o.target !== undefined) data.target = o.target;
  if (o.holdout !== undefined) data.holdout = parseInteger(o.holdout, "--holdout", 1);
  const shape = imageShape(data);
  if (o.cnn !== undefined && !shape) throw new UserError(`--cnn needs images (mnist without --pca); "${o.data}" is not an image set`);
  const epochs = o.epochs === undefined ? 100 : parseInteger(o.epochs, "--epochs");
  const track = o.track === "" || o.track === "none" ? [] : o.track.split(",").map((t) => oneOf(t.trim(), TRACKERS, "--track") as Tracker);
  let trackEpochs: number[];
  let trackSchedule: RunConfig["trackSchedule"] = "default";
  if (o.trackAt !== undefined) {
    trackEpochs = parseNumbers(o.trackAt, "--track-at").map((e) => parseInteger(String(e), "--track-at"));
    trackEpochs = [...new Set(trackEpochs.filter((e) => e <= epochs))].sort((a, b) => a - b);
    trackSchedule = "at";
  } else if (o.trackEvery !== undefined) {
    const every = parseInteger(o.trackEvery, "--track-every", 1);
    trackEpochs = defaultTrackEpochs(epochs, every);
    trackSchedule = { every };
  } else trackEpochs = defaultTrackEpochs(epochs);
  const optimizer = oneOf(o.optimizer, OPTIMIZERS, "--optimizer") as OptimizerName;
  const seed = parseInteger(o.seed, "--seed");
  return {
    format: "tessera.run",
    version: 1,
    data,
    model: {
      widths,
      activation: parseActivation(o.activation),
      init: oneOf(o.init, INITS, "--init") as Init,
      seed,
      residual: o.residual ?? false,
      ...(o.initScale !== undefined ? { initScale: parseNumber(o.initScale, "--init-scale", (v) => v > 0, "a positive number") } : {}),
      ...(o.model ? { file: o.model } : {}),
      ...(o.cnn !== undefined && shape ? { cnn: o.cnn, inputShape: shape } : {}),
    },
    train: {
      optimizer,
      learningRate: o.lr === undefined ? (optimizer === "sgd" ? 0.05 : 0.001) : parseNumber(o.lr, "--lr", (v) => v > 0, "a positive number"),
      momentum: parseNumber(o.momentum, "--momentum", (v) => v >= 0 && v < 1, "a number in [0, 1)"),
      weightDecay: parseNumber(o.weightDecay, "--weight-decay", (v) => v >= 0, "a non-negative number"),
      batchSize: parseInteger(o.batchSize, "--batch-size", 1),
      loss: o.loss === undefined ? undefined : (oneOf(o.loss, LOSSES, "--loss") as LossName),
      seed,
    },
    epochs,
    trackEpochs,
    trackSchedule,
    track: {
      track,
      lines: parseInteger(o.lines, "--lines", 1),
      planes: parseInteger(o.planes, "--planes", 1),
      distancePoints: parseInteger(o.distancePoints, "--distance-points", 1),
      patternPoints: o.patternPoints === undefined ? null : parseInteger(o.patternPoints, "--pattern-points", 1),
      localPoints: o.localPoints === undefined ? DEFAULT_LOCAL.points : parseInteger(o.localPoints, "--local-points", 1),
      localRadius: o.localRadius === undefined ? DEFAULT_LOCAL.radius : parseNumber(o.localRadius, "--local-radius", (v) => v > 0, "a positive number"),
      localDimension: o.localDimension === undefined ? DEFAULT_LOCAL.dimension : (parseInteger(o.localDimension, "--local-dimension", 1) as 1 | 2),
      seed,
    },
  };
}

const fmt = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined || Number.isNaN(x) ? "-" : Number.isInteger(x) ? String(x) : x.toFixed(digits));

/** One line per tracked epoch, for the terminal. */
export function recordsTable(records: readonly TrackRecord[]): string {
  const cols: [string, (r: TrackRecord) => string][] = [
    ["epoch", (r) => String(r.epoch)],
    ["loss", (r) => r.loss.toFixed(4)],
    ["accuracy", (r) => (r.accuracy === null ? "-" : r.accuracy.toFixed(3))],
  ];
  if (records.some((r) => r.test?.accuracy != null)) cols.push(["test accuracy", (r) => fmt(r.test?.accuracy, 3)]);
  const has = (k: keyof TrackRecord): boolean => records.some((r) => r[k] !== undefined);
  if (has("plane")) cols.push(["plane regions", (r) => fmt(r.plane?.activationRegions)], ["pieces", (r) => fmt(r.plane?.linearPieces)]);
  if (has("lines")) cols.push(["line regions (mean±sd)", (r) => (r.lines ? `${fmt(r.lines.regions.mean, 2)}±${fmt(r.lines.regions.std, 2)}` : "-")]);
  if (has("planes")) cols.push(["plane-slice regions", (r) => (r.planes ? `${fmt(r.planes.regions.mean, 1)}±${fmt(r.planes.regions.std, 1)}` : "-")]);
  if (has("distance")) cols.push(["median dist×units", (r) => fmt(r.distance?.timesUnits.median, 3)]);
  if (has("patterns")) cols.push(["patterns (sampled)", (r) => fmt(r.patterns?.distinct)]);
  if (has("local")) {
    cols.push(["local complexity", (r) => fmt(r.local?.regions.mean, 2)]);
    if (records.some((r) => r.local?.test)) cols.push(["local (test)", (r) => fmt(r.local?.test?.mean, 2)]);
  }
  const rows = [cols.map(([h]) => h), ...records.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return `${rows.map((row) => row.map((cell, c) => cell.padStart(widths[c])).join("  ")).join("\n")}\n`;
}

function progressEvents(enabled: boolean): {
  events: RunEvents;
  stop: () => void;
} {
  if (!enabled) return { events: {}, stop: () => {} };
  const bar = new SingleBar({
    format: "epoch {value}/{total} [{bar}] {percentage}% | {status}",
    hideCursor: false,
    clearOnComplete: true,
    stream: process.stdout,
  });
  let started = false;
  const stop = (): void => {
    if (started) bar.stop();
    started = false;
  };
  return {
    events: {
      onEpoch(epoch, epochs, record) {
        if (!started) {
          bar.start(epochs, epoch, { status: "training" });
          started = true;
        }
        const status = record ? `loss ${fmt(record.loss)}${record.plane ? `, ${record.plane.activationRegions} regions` : ""}` : "training";
        bar.update(epoch, { status });
      },
      onTrackStart(epoch) {
        if (started) bar.update(epoch, { status: `counting regions at epoch ${epoch}` });
      },
    },
    stop,
  };
}

export const register: Register = (program) => {
  program
    .command("train")
    .description("train an MLP or a CNN (float64) and track its exact linear regions over epochs into a run directory")
    .option("--data <NAME|FILE.csv>", `data set: ${BUILTIN_DATA.join(", ")}, or a CSV file (last column the target)`)
    .option("--count <N>", "number of points (default: 1000 for 2D sets, 256 for 1D targets, all 10,000 MNIST digits)")
    .option("--noise <SD>", "Gaussian noise of the built-in sets")
    .option("--data-seed <N>", "seed of the data set", "0")
    .option("--pca <K>", "MNIST: project to K principal components")
    .option("--frequency <N>", "1D targets: periods or steps")
    .option("--classes <N>", "spirals, blobs: number of classes")
    .option("--target <COLUMN>", "CSV: target column, by name or 0-based index (default: last)")
    .option("--widths <N0,...,NL>", "layer widths: inputs, hidden..., outputs")
    .option("--model <FILE>", "train the layers of this model file instead of a new MLP")
    .option("--cnn <LAYERS>", "a convolutional network on MNIST images, e.g. conv:8:5:2:2,relu,conv:16:3:2:1,relu,dense:64,relu,dense:10")
    .option("--holdout <N>", "keep the last N rows of the (shuffled) data for test loss and accuracy")
    .option("--activation <NAME>", "relu, leaky-relu[:SLOPE], abs, hard-tanh[:LO:HI], maxout:K", "relu")
    .option("--init <NAME>", `initialisation: ${INITS.join(", ")}`, "he")
    .option("--residual", "wrap hidden layers of equal width in residual blocks y = x + act(Wx + b)")
    .option("--seed <N>", "seed of the initialisation, shuffling and tracked samples", "0")
    .option("--optimizer <NAME>", "adam or sgd", "adam")
    .option("--lr <RATE>", "learning rate (default 0.001 for adam, 0.05 for sgd)")
    .option("--momentum <M>", "SGD momentum", "0")
    .option("--weight-decay <L>", "weight decay (L2 for sgd, decoupled for adam; weights only)", "0")
    .option("--batch-size <N>", "mini-batch size", "128")
    .option("--epochs <N>", "epochs (default 100; with --resume: extend the run to N)")
    .option("--loss <NAME>", "cross-entropy or mse (default: cross-entropy for classes, mse for regression)")
    .option("--track <LIST>", `what to measure at tracked epochs: ${TRACKERS.join(", ")} (loss and accuracy always)`, "")
    .option("--track-every <N>", "measure every N epochs (default: 0, 1, 2, 5 and ~10 evenly spaced)")
    .option("--track-at <LIST>", "measure at exactly these epochs, e.g. 0,1,10,100")
    .option("--lines <N>", "segments between random pairs of data points (lines)", String(DEFAULT_TRACK.lines))
    .option("--planes <N>", "planes through random triples of data points (planes)", String(DEFAULT_TRACK.planes))
    .option("--distance-points <N>", "data points whose boundary distance is measured", String(DEFAULT_TRACK.distancePoints))
    .option("--pattern-points <N>", "data points whose patterns are counted (default: all)")
    .option("--local-points <N>", `local: data points whose neighbourhood is counted (default ${DEFAULT_LOCAL.points})`)
    .option("--local-radius <R>", `local: radius of the cross-polytope around each point (default ${DEFAULT_LOCAL.radius})`)
    .option("--local-dimension <K>", `local: 1 (a segment) or 2 (a square) through each point (default ${DEFAULT_LOCAL.dimension})`)
    .option("--init-scale <S>", "multiply the initial weights and biases by S (large-norm inits make networks grok)")
    .option("--out <DIR>", "run directory")
    .option("--resume", "continue the run in --out from its last commit")
    .option("--force", "start over in a directory that already holds a run")
    .option("--timeout <SECONDS>", "stop after the epoch that passes this many seconds, committed (exit code 3; continue with --resume)")
    .option("--json", "print one JSON object on stdout (no progress bar)")
    .addHelpText(
      "after",
      `
Examples:
  tessera train --data moons --widths 2,16,16,16,2 --epochs 100 --track plane,lines,distance --out runs/moons
  tessera train --resume --out runs/moons
  tessera train --data mnist --pca 10 --widths 10,32,32,10 --epochs 20 --track lines,distance --out runs/mnist
  tessera train --data mnist --holdout 2000 --cnn conv:8:5:2:2,relu,conv:16:3:2:1,relu,dense:64,relu,dense:10 --epochs 10 --batch-size 64 --track lines --lines 8 --out runs/cnn`,
    )
    .action(async (o: TrainCliOptions) => {
      if (!o.out) throw new UserError("--out DIR is required (the run directory)");
      const progress = progressEvents(!o.json && process.stdout.isTTY === true);
      const { timeout } = parseLimits({ timeout: o.timeout });
      const started = performance.now();
      const events: RunEvents = timeout === undefined ? progress.events : { ...progress.events, shouldStop: () => performance.now() - started >= timeout * 1000 };
      let result: Awaited<ReturnType<typeof startRun>>;
      try {
        const epochs = o.epochs === undefined ? undefined : parseInteger(o.epochs, "--epochs");
        result = o.resume ? await resumeRun(o.out, events, epochs) : await startRun(o.out, configFromOptions(o), events, o.force);
      } catch (e) {
        if (e instanceof TrainingError || e instanceof TrackError) throw new UserError(e.message);
        throw e;
      } finally {
        progress.stop();
      }
      const records = readMetrics(result.dir);
      const complete = result.stopped === null;
      // The run is committed up to the epoch it stopped at; --resume continues it.
      const stopped = complete
        ? null
        : new StoppedEarly(
            `stopped by the time limit (--timeout) after epoch ${result.stopped} of ${result.epochs}: the run is committed; continue it with tessera train --resume --out ${result.dir}`,
          );
      if (o.json) {
        output.write(
          `${JSON.stringify({ dir: result.dir, data: result.data.name, epochs: result.epochs, resumedFrom: result.resumedFrom, complete, ...(complete ? {} : { stopped: "timeout", epoch: result.stopped }), records })}\n`,
        );
        if (stopped) throw stopped;
        return;
      }
      if (stopped) throw stopped;
      const from = result.resumedFrom === null ? "" : result.resumedFrom === result.epochs ? " (already finished)" : ` (resumed at epoch ${result.resumedFrom})`;
      output.write(`${result.dir}: trained ${result.data.name} for ${result.epochs} epochs${from}\n`);
      if (records.length) output.write(recordsTable(records));
      output.write(`model: ${result.dir}/model.json, metrics: ${result.dir}/metrics.jsonl\n`);
    });
};
