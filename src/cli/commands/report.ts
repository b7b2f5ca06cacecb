/**
 * `tessera report RUN_DIR|MODEL -o report.html`
 *
 * One self-contained HTML page (opens offline) for a training run directory or a single model:
 * region maps at several epochs with stable pattern colours and an animation, regions over
 * epochs beside the bounds, regions along lines, the boundary-distance distribution, loss and
 * accuracy, and PNG export of every figure. See src/report/html-report.ts.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { allBounds, architectureOf } from "../../bounds/index.ts";
import { type BoundJson, boundToJson } from "../../bounds/result.ts";
import { writeFileAtomic } from "../../io/files.ts";
import { tableBytes } from "../../io/table-files.ts";
import { prepare } from "../../model/forward.ts";
import type { Network } from "../../model/layers.ts";
import { cellTable, stackTables, type Table } from "../../report/cell-table.ts";
import { classColor } from "../../report/colors.ts";
import { type ReportFrame, type ReportInput, reportHtml, spread } from "../../report/html-report.ts";
import { recordsTable } from "../../report/records-table.ts";
import type { MapPoint } from "../../report/region-map.ts";
import type { RunConfig } from "../../train/config.ts";
import type { Dataset } from "../../train/data/dataset.ts";
import { loadDataset } from "../../train/node/load-data.ts";
import { readJson, readMetrics, runPaths } from "../../train/node/run-dir.ts";
import { inputPlane } from "../../train/track.ts";
import { parseInteger, parseNumbers, UserError } from "../errors.ts";
import { type CommandBudget, commandBudget, type LimitFlags, limitOptions, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { tableFormat } from "../shared-options.ts";
import type { Register } from "./index.ts";

interface ReportOptions extends LimitFlags {
  output?: string;
  metrics?: string;
  cells?: string;
  maps: string;
  frames: string;
  box: string;
  points: string;
  json?: boolean;
}

function boundsOf(network: Network): BoundJson[] {
  try {
    return allBounds(architectureOf(network)).map(boundToJson);
  } catch {
    return [];
  }
}

function dataPoints(data: Dataset, max: number): MapPoint[] {
  if (data.inputSize !== 2) return [];
  const step = Math.max(1, Math.floor(data.count / max));
  const points: MapPoint[] = [];
  for (let i = 0; i < data.count && points.length < max; i += step) {
    points.push({
      u: data.x[2 * i],
      v: data.x[2 * i + 1],
      color: data.labels ? classColor(data.labels[i]) : "#222",
      radius: 1.8,
    });
  }
  return points;
}

async function runInput(dir: string, o: ReportOptions, run: CommandBudget): Promise<ReportInput> {
  const paths = runPaths(dir);
  const config = readJson(paths.config, "run config") as RunConfig;
  const records = readMetrics(dir);
  if (records.length === 0) throw new UserError(`${dir}: the run has no metrics yet`);
  const data = await loadDataset(config.data);
  const finalPath = existsSync(paths.model) ? paths.model : paths.checkpoint(records[records.length - 1].epoch);
  const final = loadModel(finalPath);
  const frames: ReportFrame[] = [];
  const mapped = spread(
    records.filter((r) => r.plane && existsSync(paths.checkpoint(r.epoch))),
    parseInteger(o.frames, "--frames", 1),
  );
  for (const r of mapped) {
    const compiled = prepare(loadModel(paths.checkpoint(r.epoch)));
    frames.push({
      epoch: r.epoch,
      partition: inputPlane(compiled, Float64Array.from((r.plane as NonNullable<typeof r.plane>).box), run.budget),
    });
    if (run.budget.stopped) break;
  }
  const withDistance = records.filter((r) => r.distance && existsSync(paths.snapshot(r.epoch)));
  const distances = spread(withDistance, 2).map((r) => {
    const snap = readJson(paths.snapshot(r.epoch), "region snapshot") as {
      distances: number[];
    };
    return {
      epoch: r.epoch,
      timesUnits: snap.distances.map((d) => d * r.units),
    };
  });
  const last = records[records.length - 1];
  const m = config.model;
  return {
    title: `tessera run: ${data.name}, ${m.file ? m.file : m.cnn ? `CNN ${m.cnn}` : `widths ${m.widths.join("-")}`}`,
    facts: [
      ["run", dir],
      ["data", `${data.name}: ${data.count} points, ${data.inputSize} inputs, ${data.task}${data.task === "classification" ? ` (${data.classes} classes)` : ""}`],
      [
        "model",
        m.file
          ? `${m.file} (${last.units} piecewise-linear units)`
          : m.cnn
            ? `CNN ${m.cnn} on ${m.inputShape?.join("x")} images, ${last.units} piecewise-linear units`
            : `${m.residual ? "residual " : ""}MLP ${m.widths.join("-")}, ${m.activation.type}, init ${m.init}, ${last.units} piecewise-linear units`,
      ],
      [
        "training",
        `${config.train.optimizer}, lr ${config.train.learningRate}, batch ${config.train.batchSize}, weight decay ${config.train.weightDecay}, seed ${config.train.seed}; ${last.epoch} of ${config.epochs} epochs`,
      ],
      ["final", `loss ${last.loss.toFixed(4)}${last.accuracy === null ? "" : `, accuracy ${last.accuracy.toFixed(3)}`}`],
    ],
    records,
    frames,
    points: dataPoints(data, parseInteger(o.points, "--points")),
    distances,
    bounds: boundsOf(final),
    mapCount: parseInteger(o.maps, "--maps", 1),
  };
}

function modelInput(path: string, o: ReportOptions, run: CommandBudget): ReportInput {
  const network = loadModel(path);
  const compiled = prepare(network);
  const frames: ReportFrame[] = [];
  if (network.inputSize === 2) {
    const box = parseNumbers(o.box, "--box");
    if (box.length !== 2 || !(box[0] < box[1])) throw new UserError(`--box: expected LO,HI with LO < HI, got "${o.box}"`);
    frames.push({
      epoch: 0,
      partition: inputPlane(compiled, Float64Array.of(box[0], box[1], box[0], box[1]), run.budget),
    });
  }
  return {
    title: `tessera report: ${path}`,
    facts: [["model", `${path}: ${compiled.inputSize} inputs, ${compiled.outputSize} outputs, ${compiled.layout.units} piecewise-linear units`]],
    records: [],
    frames,
    points: [],
    distances: [],
    bounds: boundsOf(network),
    mapCount: 1,
  };
}

/** The cells of every frame, an epoch column first. */
function framesTable(frames: readonly ReportFrame[]): Table {
  const tables = frames.map((f) => ({ epoch: f.epoch, table: cellTable(f.partition) }));
  return stackTables(
    tables.map((t) => t.table),
    tables.map((t) => t.epoch),
    "epoch",
  );
}

export const register: Register = (program) => {
  const command = program
    .command("report")
    .description("one self-contained HTML page (opens offline) for a training run directory or a model")
    .argument("<source>", "a run directory (tessera train --out) or a model file")
    .option("-o, --output <FILE>", "the HTML file to write")
    .option("--maps <N>", "region maps shown side by side", "4")
    .option("--frames <N>", "most region maps in the animation", "24")
    .option("--box <LO,HI>", "for a 2-input model: the box [LO,HI]^2 of its region map", "-1,1")
    .option("--points <N>", "most data points drawn on the maps", "400")
    .option("--metrics <FILE>", "a run's tracked metrics as a table, one row per tracked epoch (.csv or .parquet)")
    .option("--cells <FILE>", "the cells of every region map, one row per cell with its epoch (.csv or .parquet)")
    .option("--json", "print one JSON object on stdout");
  limitOptions(command)
    .addHelpText(
      "after",
      "\nExamples:\n  tessera report runs/moons -o moons.html\n  tessera report model.json --box -2,2 -o model.html\n  tessera report runs/moons --metrics moons.parquet --cells moons-cells.parquet",
    )
    .action(async (source: string, o: ReportOptions) => {
      if (!o.output && !o.metrics && !o.cells) throw new UserError("say what to write: -o FILE.html, --metrics FILE or --cells FILE");
      const metricsFormat = o.metrics === undefined ? null : tableFormat(o.metrics, "--metrics");
      const cellsFormat = o.cells === undefined ? null : tableFormat(o.cells, "--cells");
      if (!existsSync(source)) throw new UserError(`${source}: no such run directory or model file`);
      const isRun = statSync(source).isDirectory();
      if (isRun && !existsSync(join(source, "config.json"))) throw new UserError(`${source}: not a run directory (no config.json)`);
      if (!isRun && o.metrics) throw new UserError(`--metrics: ${source} is a model file; tracked metrics come from a run directory (tessera train --out)`);
      const run = commandBudget(o);
      const input = isRun ? await runInput(source, o, run) : modelInput(source, o, run);
      run.done();
      const stopped = run.budget.stopped;
      if (stopped) {
        // Nothing is written: a report with part of a region map would pass for the whole.
        if (o.json) output.write(`${JSON.stringify({ complete: false, stopped: stopped.reason, source, maps: input.frames.length - 1, cells: run.budget.cells })}\n`);
        throw stoppedEarly(stopped.reason, run.budget.cells);
      }
      const html = o.output ? await reportHtml(input) : "";
      if (o.output) writeFileAtomic(o.output, html);
      const lines: string[] = [];
      if (o.output) lines.push(`${o.output}: ${Buffer.byteLength(html)} bytes, ${input.frames.length} region maps, ${input.records.length} tracked epochs`);
      if (o.metrics && metricsFormat) {
        const table = recordsTable(input.records);
        writeFileAtomic(o.metrics, tableBytes(table, metricsFormat));
        lines.push(`wrote ${o.metrics}: ${table.rows} rows, one per tracked epoch`);
      }
      if (o.cells && cellsFormat) {
        const table = framesTable(input.frames);
        writeFileAtomic(o.cells, tableBytes(table, cellsFormat));
        lines.push(`wrote ${o.cells}: ${table.rows} rows, one per cell of ${input.frames.length} region maps`);
      }
      const summary = {
        output: o.output ?? null,
        metrics: o.metrics ?? null,
        cells: o.cells ?? null,
        source,
        kind: isRun ? "run" : "model",
        bytes: Buffer.byteLength(html),
        maps: input.frames.length,
        epochs: input.records.map((r) => r.epoch),
        complete: true,
      };
      if (o.json) output.write(`${JSON.stringify(summary)}\n`);
      else output.write(`${lines.join("\n")}\n`);
    });
};
