/**
 * `tessera count MODEL --lines FILE [--json]`: activation regions along each segment of FILE, each
 * segment counted on its own (Hanin & Rolnick's protocol), with their sum. With --json, one object:
 * segments, activationRegions (the sum), perSegment, seconds (engine time for all), complete.
 */
import type { Compiled } from "../model/forward.ts";
import { countSegments, type SegmentCounts } from "../regions/line-segments.ts";
import { UserError } from "./errors.ts";
import { commandBudget, engineError, type LimitFlags, stoppedEarly } from "./limits.ts";
import { output } from "./output.ts";
import { readSegmentsFile } from "./segments-file.ts";

export interface LinesReport {
  model: string;
  file: string;
  inputSize: number;
  /** Segments counted (all of FILE unless a limit stopped the run). */
  segments: number;
  /** Sum over the segments of each one's activation regions. */
  activationRegions: number;
  perSegment: number[];
  /** Engine time for all segments (not reading the model or FILE). */
  seconds: number;
  /** False when a limit (--max-cells, --timeout) stopped the run: the counts are those of the whole segments before it. */
  complete: boolean;
  /** Decisions float64 left open that no exact recomputation decided (absent when none). */
  uncertain?: number;
}

export interface LinesOptions extends LimitFlags {
  json?: boolean;
  check?: boolean;
}

export function countLines(modelPath: string, compiled: Compiled, file: string, options: LinesOptions): void {
  if (options.check) throw new UserError("--check does not apply to --lines (run --line on one segment to check it)");
  const segments = readSegmentsFile(file, compiled.inputSize);
  const run = commandBudget(options, "pieces");
  const t0 = performance.now();
  let counts: SegmentCounts;
  try {
    counts = countSegments(compiled, segments, { budget: run.budget });
  } catch (e) {
    run.done();
    engineError(e);
  }
  const seconds = (performance.now() - t0) / 1000;
  run.done();
  const report: LinesReport = {
    model: modelPath,
    file,
    inputSize: compiled.inputSize,
    segments: counts.segments,
    activationRegions: counts.activationRegions,
    perSegment: Array.from(counts.perSegment),
    seconds,
    complete: counts.stopped === undefined,
    ...(counts.uncertain ? { uncertain: counts.uncertain } : {}),
  };
  if (options.json) {
    output.write(`${JSON.stringify(report)}\n`);
  } else {
    const mean = report.segments > 0 ? report.activationRegions / report.segments : 0;
    const rows = [
      ["model", modelPath],
      ["segments", `${report.segments} (${file})`],
      ["activation regions", `${report.activationRegions} in all, ${Number(mean.toPrecision(4))} per segment`],
      ...(report.uncertain ? [["uncertain decisions", String(report.uncertain)]] : []),
      ["seconds", report.seconds < 0.01 ? report.seconds.toFixed(4) : report.seconds.toFixed(3)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    output.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`);
  }
  if (report.uncertain) process.stderr.write(`tessera: ${report.uncertain} decisions were uncertain: the counts may be off (docs/numerics.md, known limits)\n`);
  if (counts.stopped !== undefined) throw stoppedEarly(counts.stopped, counts.segments, "segments");
}
