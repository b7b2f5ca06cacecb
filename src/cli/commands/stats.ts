/**
 * `tessera stats MODEL --data FILE [--pairs N] [--planes N] [--radius R] [--seed S] [--json]`
 *
 * Statistics for networks with many inputs, where exact enumeration is out of reach, on a data
 * set (CSV rows of numbers, or a JSON array of rows): distinct patterns (a sampled lower bound),
 * and Hanin & Rolnick's protocol: exact regions along segments between pairs of data points and
 * in squares through triples, the exact distance of each point to its region's boundary (times
 * the number of units), and the local complexity (units whose hyperplane passes within R).
 */
import { readBytes } from "../../io/files.ts";
import { localComplexity } from "../../metrics/distance.ts";
import { type DistanceStats, distanceStats, type PlaneStats, planeStats, type SegmentStats, segmentStats, spread } from "../../metrics/hanin-rolnick.ts";
import { distinctPatterns } from "../../metrics/patterns.ts";
import { type Compiled, prepare } from "../../model/forward.ts";
import { createRandom } from "../../model/random.ts";
import { type Budget, caughtLimit, type LimitReached } from "../../regions/limits.ts";
import { parseInteger, parseNumbers, UserError } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { MODEL_ARGUMENT, tableFormat, writePointCells } from "../shared-options.ts";
import type { Register } from "./index.ts";

/** Data rows from CSV (a non-numeric first line is a header) or JSON (an array of rows). */
export function parseDataRows(text: string, source: string, n0: number): { data: Float64Array; count: number } {
  const trimmed = text.trim();
  let rows: number[][];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new UserError(`${source}: not valid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(doc) ? doc : ((doc as { rows?: unknown; data?: unknown }).rows ?? (doc as { data?: unknown }).data);
    if (!Array.isArray(list)) throw new UserError(`${source}: expected a JSON array of rows (or {"rows": [...]})`);
    rows = list.map((r, i) => {
      if (!Array.isArray(r) || r.some((x) => typeof x !== "number" || !Number.isFinite(x))) throw new UserError(`${source}: row ${i + 1} is not an array of finite numbers`);
      return r as number[];
    });
  } else {
    const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length > 0 && lines[0].split(",").some((c) => c.trim() === "" || !Number.isFinite(Number(c)))) lines.shift();
    rows = lines.map((line, i) => {
      try {
        return parseNumbers(line, `${source}: line ${i + 1}`);
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    });
  }
  if (rows.length === 0) throw new UserError(`${source}: no data rows`);
  const data = new Float64Array(rows.length * n0);
  rows.forEach((r, i) => {
    if (r.length !== n0) throw new UserError(`${source}: row ${i + 1} has ${r.length} numbers, the model has ${n0} inputs`);
    data.set(r, i * n0);
  });
  return { data, count: rows.length };
}

export interface StatsOptions {
  pairs: number;
  planes: number;
  /** Radius for the local complexity. */
  radius: number;
  seed: number;
  /** Points for the distances (the first ones of the data set). */
  distancePoints: number;
}

/**
 * Every statistic of `tessera stats` as one JSON-ready object. When a limit of `budget` stops the
 * work, the statistics finished before it are there, the others are left out, and `complete` is
 * false.
 */
export function dataStatsWithin(compiled: Compiled, data: Float64Array, count: number, options: StatsOptions, budget?: Budget) {
  const t0 = performance.now();
  const rng = createRandom(options.seed);
  const n0 = compiled.inputSize;
  const done: Partial<{
    patterns: ReturnType<typeof distinctPatterns>;
    segments: SegmentStats;
    planes: PlaneStats;
    distance: DistanceStats;
    near: number[];
  }> = {};
  let stopped: LimitReached | null = null;
  try {
    done.patterns = distinctPatterns(compiled, data, count);
    done.segments = segmentStats(compiled, data, count, options.pairs, rng, budget);
    done.planes = planeStats(compiled, data, count, options.planes, rng, budget);
    done.distance = distanceStats(compiled, data, count, options.distancePoints, Math.min(20, options.distancePoints), budget);
    const near: number[] = [];
    for (let i = 0; i < Math.min(count, options.distancePoints); i++) {
      budget?.poll();
      near.push(localComplexity(compiled, data.subarray(i * n0, (i + 1) * n0), options.radius));
    }
    done.near = near;
  } catch (e) {
    stopped = caughtLimit(e);
  }
  const { patterns, segments, planes, distance, near } = done;
  return {
    inputSize: n0,
    units: compiled.layout.units,
    dataRows: count,
    ...(patterns && {
      patterns: {
        ...patterns,
        note: "distinct activation patterns of the data points: a lower bound on the regions they meet",
      },
    }),
    ...(segments && {
      segments: {
        pairs: segments.regions.n,
        ...segments,
        note: "exact regions on each segment between two data points; mean and spread over random pairs",
      },
    }),
    ...(planes && {
      planes: {
        planes: planes.regions.n,
        ...planes,
        note: "exact regions in a square around each random triple's triangle, in its plane",
      },
    }),
    ...(distance && {
      distance: {
        ...distance,
        note: "exact distance of each data point to its region's boundary; normalised = distance x units",
      },
    }),
    ...(near && {
      localComplexity: {
        radius: options.radius,
        units: spread(near),
        note: "units whose hyperplane (in the point's region) passes within the radius",
      },
    }),
    seconds: (performance.now() - t0) / 1000,
    complete: stopped === null,
    ...(stopped ? { stopped: stopped.reason } : {}),
  };
}

type FullStats = Required<Omit<ReturnType<typeof dataStatsWithin>, "stopped">>;

/** Every statistic of `tessera stats`, with no limits. */
export function dataStats(compiled: Compiled, data: Float64Array, count: number, options: StatsOptions): FullStats {
  return dataStatsWithin(compiled, data, count, options) as FullStats;
}

function fmt(s: { mean: number; std: number; n: number }, digits = 4): string {
  return s.n === 0 ? "n/a" : `${Number(s.mean.toPrecision(digits))} ± ${Number(s.std.toPrecision(2))} (n=${s.n})`;
}

interface CliOptions extends LimitFlags {
  data?: string;
  pairs: string;
  planes: string;
  radius: string;
  seed: string;
  points: string;
  json?: boolean;
  cells?: string;
}

export const register: Register = (program) => {
  const command = program
    .command("stats")
    .description("estimates for high-dimensional inputs on a data set (Hanin & Rolnick's protocol)")
    .argument("<model>", MODEL_ARGUMENT)
    .option("--data <FILE>", "data points: CSV rows of numbers (optional header) or a JSON array of rows")
    .option("--pairs <N>", "segments between random pairs of data points", "20")
    .option("--planes <N>", "planes through random triples of data points", "5")
    .option("--radius <R>", "radius for the local complexity", "0.1")
    .option("--points <N>", "data points for distances and local complexity", "200")
    .option("--seed <S>", "seed for choosing pairs and triples", "0")
    .option("--json", "print one JSON object on stdout")
    .option("--cells <FILE>", "one row per data point (its pattern, distance to the boundary, units within the radius) as .csv or .parquet");
  limitOptions(command).action(async (modelPath: string, o: CliOptions) => {
    if (!o.data) throw new UserError("stats needs --data FILE (CSV rows or a JSON array of rows)");
    const compiled = prepare(loadModel(modelPath));
    const { data, count } = parseDataRows(readBytes(o.data, "data file").toString("utf8"), o.data, compiled.inputSize);
    const radius = Number(o.radius);
    if (!(radius > 0 && Number.isFinite(radius))) throw new UserError(`--radius: expected a positive number, got "${o.radius}"`);
    const options = {
      pairs: parseInteger(o.pairs, "--pairs"),
      planes: parseInteger(o.planes, "--planes"),
      radius,
      seed: parseInteger(o.seed, "--seed"),
      distancePoints: parseInteger(o.points, "--points"),
    };
    const cellsFormat = o.cells === undefined ? null : tableFormat(o.cells, "--cells");
    const run = commandBudget(o);
    const partial = dataStatsWithin(compiled, data, count, options, run.budget);
    if (o.cells && cellsFormat) await writePointCells(o.cells, cellsFormat, compiled, data, Math.min(count, options.distancePoints), radius);
    run.done();
    if (o.json) output.write(`${JSON.stringify({ model: modelPath, ...partial })}\n`);
    if (!partial.complete) throw stoppedEarly(partial.stopped ?? "aborted", run.budget.cells);
    if (o.json) return;
    const stats = partial as FullStats;
    const lines: [string, string][] = [
      ["model", `${modelPath}: ${compiled.inputSize} inputs, ${stats.units} piecewise-linear units`],
      ["data rows", String(count)],
      ["distinct patterns", `${stats.patterns.distinct} of ${count} points (sampled lower bound)`],
      ["regions per segment", fmt(stats.segments.regions)],
      ["  per unit length", fmt(stats.segments.perLength)],
      ["regions per plane square", fmt(stats.planes.regions)],
      ["  per unit area", fmt(stats.planes.perArea)],
      ["distance to boundary", fmt(stats.distance.distance)],
      ["  x units", fmt(stats.distance.normalised)],
      ["  confirmed by line engine", `${stats.distance.agreed} of ${stats.distance.checked}`],
      [`units within r=${radius}`, fmt(stats.localComplexity.units)],
      ["seconds", stats.seconds.toFixed(3)],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    output.write(`${lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`);
  });
};
