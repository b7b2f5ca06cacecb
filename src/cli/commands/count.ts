/**
 * `tessera count MODEL (--box LO,HI | --line "A;B[;C...]" | --plane "P1;P2;P3" | --lines FILE) [--json] [--check]`
 *
 * The exact number of activation regions and linear pieces of a model over a domain. With
 * --json, one object on stdout: the `CountSummary` contract (engine, activationRegions,
 * linearPieces, seconds) plus cells, sizes, the domain and its measure.
 */
import type { Domain } from "../../domain/domain.ts";
import { domainMeasure } from "../../domain/measure.ts";
import { type Compiled, prepare } from "../../model/forward.ts";
import type { CheckReport } from "../../regions/check.ts";
import type { StopReason } from "../../regions/limits.ts";
import type { CountSummary, Partition } from "../../regions/partition.ts";
import { countLines } from "../count-lines.ts";
import { polytopeAlone, slicePoints as slicePointsOf, standalonePolytope, withCuts } from "../domain-cuts.ts";
import { hasSliceSpec, sliceFromSpec } from "../domain-slice.ts";
import { UserError } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, parseLimits, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { type CliDomain, type DomainJson, parseDomain } from "../region-domain.ts";
import { timedPartition } from "../run-partition.ts";
import { MODEL_ARGUMENT, tableFormat, writeCells } from "../shared-options.ts";
import { wholeFields, writeWholeEdges } from "../whole-count.ts";
import { timedPartitionOnThreads, timedSplitCount, workersFor, workersOption } from "../workers.ts";
import type { Register } from "./index.ts";

export { timedPartition };

export interface CountReport extends CountSummary {
  /** Cells of positive measure (a pattern met in two separate cells counts once in activationRegions). */
  cells: number;
  model: string;
  inputSize: number;
  outputSize: number;
  /** Piecewise-linear units of the network (the pattern's length). */
  units: number;
  domain: DomainJson;
  /** Length (line), area (plane) or volume (space) of the domain in input-space units. */
  measure: number;
  /** The self-checks' findings (--check; `problems` empty when all is well); absent when they did not run. */
  check?: CheckReport;
  /** Space engine in k <= 4 dimensions: distinct vertices, edges and facets of the complex. */
  vertices?: number;
  edges?: number;
  facets?: number;
  /** Space engine: why vertices, edges and facets are not given although k <= 4 (absent when they are). */
  complexWithheld?: string;
  /** Whole-domain engine: decisions left uncertain (0: exact), the reduced dimension, LPs solved, decisions float64 left open that were made exactly. */
  uncertain?: number;
  reducedDimension?: number;
  lpSolves?: number;
  exactDecisions?: number;
  /** Whole-domain engine: margins within float64's reach of zero taken as zero without an exact decision (inputs x rows above 4096). */
  floatZeros?: number;
  /** False when a limit (--max-cells, --timeout) stopped the engine: the counts are those of the cells found so far. */
  complete: boolean;
  /** Why the engine stopped early (absent when complete). */
  stopped?: StopReason;
}

export function countReport(model: string, compiled: Compiled, where: CliDomain, partition: Partition, seconds: number): CountReport {
  return {
    engine: partition.kind,
    activationRegions: partition.activationRegions,
    linearPieces: partition.linearPieces,
    seconds,
    cells: partition.cellCount,
    model,
    inputSize: compiled.inputSize,
    outputSize: compiled.outputSize,
    units: compiled.layout.units,
    domain: where.json,
    measure: domainMeasure(where.domain),
    ...(partition.kind === "space" && partition.vertexCount >= 0 ? { vertices: partition.vertexCount, edges: partition.edgeCount, facets: partition.facetCount } : {}),
    ...(partition.kind === "space" && partition.complexWithheld ? { complexWithheld: partition.complexWithheld } : {}),
    ...wholeFields(partition),
    ...((partition.kind === "plane" || partition.kind === "line") && partition.uncertain ? { uncertain: partition.uncertain } : {}),
    complete: partition.stopped === undefined,
    ...(partition.stopped !== undefined ? { stopped: partition.stopped } : {}),
  };
}

const MEASURE_NAME = { line: "length", plane: "area", space: "volume", whole: "volume" } as const;

/** Rows of a two-column table, aligned. */
export function table(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeModel(path: string, compiled: Compiled): string {
  return `${path}: ${plural(compiled.inputSize, "input")}, ${plural(compiled.outputSize, "output")}, ${plural(compiled.layout.units, "piecewise-linear unit")}`;
}

export function formatSeconds(s: number): string {
  return s < 0.01 ? s.toFixed(4) : s < 10 ? s.toFixed(3) : s.toFixed(1);
}

/** The engines' self-checks (loaded only when asked for), on the domain the partition was counted on. */
export async function selfCheck(compiled: Compiled, partition: Partition, domain: Domain): Promise<CheckReport> {
  const { checkPartition } = await import("../../regions/check.ts");
  return checkPartition(compiled, partition, domain);
}

/** One line on the self-checks for the human output. */
export function describeCheck(check: CheckReport): string {
  if (check.problems.length > 0) return `FAILED: ${plural(check.problems.length, "problem")} (listed on stderr)`;
  const notes: string[] = [];
  if (check.euler) notes.push(`Euler: V - E + F = ${check.euler.vertices} - ${check.euler.edges} + ${check.euler.faces} = 1`);
  if (check.skippedThinCells > 0) notes.push(`${plural(check.skippedThinCells, "cell")} too thin for a forward-pass test`);
  return `passed${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

/** After the report is printed: list the self-checks' problems on stderr and fail (exit 1). */
export function failOnProblems(check: CheckReport | undefined): void {
  if (!check || check.problems.length === 0) return;
  for (const p of check.problems) process.stderr.write(`tessera: check: ${p}\n`);
  throw new UserError(`self-checks failed: ${plural(check.problems.length, "problem")}`);
}

interface CountOptions extends LimitFlags {
  lines?: string;
  box?: string;
  line?: string;
  plane?: string;
  slice?: string;
  sliceOrigin?: string;
  sliceDirections?: string;
  sliceRange?: string;
  sliceFile?: string;
  zonotope?: string;
  frame?: string;
  data?: string;
  polytope?: string;
  clip?: string;
  simplex?: boolean;
  json?: boolean;
  check?: boolean;
  engine?: string;
  cells?: string;
  workers?: string;
  queue?: string;
  split?: string;
}

export const register: Register = (program) => {
  const command = program
    .command("count")
    .description("exact number of linear regions over a box, along a line or in a plane")
    .argument("<model>", MODEL_ARGUMENT)
    .option("--box <LO,HI>", "the box [LO,HI]^n0 (1 input: line engine, 2 inputs: plane engine, 3 to 8 inputs: space engine, more: whole-domain engine)")
    .option("--line <A;B>", 'the segment from A to B, each a comma-separated point ("A;B;C..." for a polyline)')
    .option("--plane <P1;P2;P3>", "the parallelogram P1 + s(P2-P1) + t(P3-P1), s, t in [0, 1]")
    .option(
      "--slice <P0;P1;...;Pk>",
      "the k-dimensional parallelotope P0 + sum y_c (P_c - P0), y in [0,1]^k (space engine for 3 <= k <= 8, whole beyond); a point #I is row I of --data",
    )
    .option("--slice-origin <P>", "a slice given by its origin P (n0 numbers, or #I: row I of --data) and --slice-directions")
    .option("--slice-directions <D1;...;Dk>", "the slice P + sum y_c D_c, y in [0,1]^k (or --slice-range): k directions, each n0 numbers or #I (row I of --data)")
    .option("--slice-range <LO,HI>", "y in [LO,HI]^k for --slice-origin/--slice-directions or --slice-file (default 0,1)")
    .option("--slice-file <FILE>", 'the slice as JSON {"origin": [...], "basis": [[...], ...], "lo": 0, "hi": 1} (lo, hi optional)')
    .option("--zonotope <FILE>", 'the zonotope center + sum t_c g_c, t in [-1,1]^m, JSON {"center": [...], "generators": [[...], ...]} (any m; a slice to the engines)')
    .option("--frame <FILE>", 'the turned frame {lo <= R (x - center) <= hi}, JSON {"rotation": [[...], ...], "lo": -1, "hi": 1, "center": [...]}, R orthonormal rows')
    .option("--data <FILE|mnist>", "rows for --slice's #I points: CSV rows of numbers (optional header), a JSON array of rows, or mnist (the 10,000 digits)")
    .option(
      "--polytope <FILE>",
      'the polytope A x <= b, JSON {"A": [[...]], "b": [...]}, in input space (alone: inside its bounding box, found by LP; with --box: cut by it), or in slice coordinates y with --slice',
    )
    .option("--clip <LO,HI>", "keep a --slice inside the input box [LO,HI]^n0 (e.g. 0,1 for pixels)")
    .option("--simplex", "a --slice's simplex (the convex hull of its k+1 points: y >= 0, sum y <= 1) instead of its parallelotope")
    .option("--lines <FILE>", "each segment of FILE (one A;B per line) counted on its own, and their sum")
    .option("--json", "print one JSON object on stdout")
    .option("--check", "run the self-checks (measures sum up, patterns reproduce, Euler, closed adjacency); exit 1 on a problem")
    .option("--engine <NAME>", "line, plane, space or whole (default: the first that can serve the domain: space up to 8 inputs, whole beyond)")
    .option("--cells <FILE>", "one row per cell (pattern, measure, interior point, linear piece, output map) as .csv or .parquet");
  limitOptions(workersOption(command))
    .addHelpText(
      "after",
      `
Examples:
  tessera count m.json --box -1,1
  tessera count m.json --line "-1,-1;1,1" --json
  tessera count m.json --plane "0,0,0;1,0,0;0,1,0" --check
  tessera count m.json --slice "0,0,0,0;1,0,0,0;0,1,0,0;0,0,1,0"
  tessera count m.json --box -1,1 --cells cells.parquet     (pandas: pd.read_parquet("cells.parquet"))
  tessera count m.json --lines segments.txt --json       (one "A;B" per line; perSegment and their sum)
  tessera count m.json --box -1,1 --timeout 60 --json    (exit 3 and "complete": false if cut short)
  tessera count mnist.json --box 0,1 --cells cells.csv   (784 inputs: the whole-domain engine; adjacency in cells.edges.csv)
  tessera count mnist.json --box 0,1 --polytope cut.json (cut.json: {"A": [[...784 numbers], ...], "b": [...]})
  tessera count mnist.json --slice "#0;#1000;#2000;#3000" --data mnist --simplex --clip 0,1
                                                         (the 3-D simplex through four digits, inside the pixel box)
  tessera count mnist.json --polytope simplex.json      (a polytope of input space alone: its bounding box by LP)
  tessera count m.json --slice-origin 0,0,0,0 --slice-directions "1,0,0,0;0,1,1,0;0,0,0,1" --slice-range -1,1
  tessera count mnist.json --slice-origin "#0" --slice-directions "#1;#2;#3" --data rows.csv --clip 0,1
                                                         (the origin and three directions as rows of rows.csv)
  tessera count mnist.json --slice-file slice.json       (slice.json: {"origin": [...], "basis": [[...], ...], "lo": 0, "hi": 1})
  tessera count mnist.json --frame frame.json            (frame.json: {"rotation": [[...784 numbers] x 784]}: {-1 <= R x <= 1})`,
    )
    .action(async (modelPath: string, options: CountOptions) => {
      const compiled = prepare(loadModel(modelPath));
      if (options.lines !== undefined) {
        const other = (["box", "line", "plane", "slice", "sliceOrigin", "sliceDirections", "sliceFile", "zonotope", "frame", "polytope"] as const).find(
          (name) => options[name] !== undefined,
        );
        if (other !== undefined) throw new UserError(`give only one of --lines and --${other.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        return countLines(modelPath, compiled, options.lines, options);
      }
      const sliceSpec = hasSliceSpec(options);
      // Without a queue there is nothing to split across: say so rather than count here silently.
      if (options.split !== undefined && options.queue === undefined)
        throw new UserError("--split N splits a count across the machines of --queue redis://HOST:PORT; give --queue too (on this machine, --workers N)");
      if (options.sliceRange !== undefined && !sliceSpec) throw new UserError("--slice-range gives the range of y for --slice-origin/--slice-directions or --slice-file");
      if (sliceSpec) {
        const other = (["box", "line", "plane", "slice"] as const).find((name) => options[name] !== undefined);
        if (other !== undefined) throw new UserError(`give the slice once: --slice-origin/--slice-directions or --slice-file, or --${other}, not both`);
      }
      const cuts = { ...options, sliceSpec };
      const slicePoints = await slicePointsOf(cuts, compiled.inputSize);
      // --polytope FILE alone is the domain itself (inside its bounding cube), not a cut of one.
      const alone = polytopeAlone(cuts);
      const where = sliceSpec
        ? await sliceFromSpec(options, compiled.inputSize)
        : alone
          ? await standalonePolytope(cuts, compiled.inputSize)
          : parseDomain({ ...options, ...(slicePoints ? { slicePoints, data: options.data } : {}) }, compiled.inputSize, ["box", "line", "plane", "slice"]);
      const domain = alone ? where : withCuts(where, cuts, compiled.inputSize, slicePoints);
      const cellsFormat = options.cells === undefined ? null : tableFormat(options.cells, "--cells");
      const workers = await workersFor(options.workers, compiled, domain);
      const run = workers > 1 ? null : commandBudget(options);
      // The whole-domain engine keeps each region's input point (n0 numbers) only for --cells and --check.
      const points = options.cells !== undefined || options.check === true;
      const { partition, seconds } = options.queue
        ? await timedSplitCount(compiled, domain, options.queue, options.split, {
            points,
            limits: parseLimits(options),
            ...(options.engine !== undefined ? { engine: options.engine } : {}),
          })
        : run
          ? timedPartition(compiled, domain, run.budget, options.engine, points)
          : await timedPartitionOnThreads(compiled, domain, workers, { ...parseLimits(options), points, ...(options.engine !== undefined ? { engine: options.engine } : {}) });
      run?.done();
      const report = countReport(modelPath, compiled, domain, partition, seconds);
      // The cells found are written even when a limit cut the run short (the JSON says so).
      if (options.cells && cellsFormat) await writeCells(options.cells, cellsFormat, partition);
      const edges = options.cells && cellsFormat ? await writeWholeEdges(options.cells, cellsFormat, partition) : null;
      if (!report.complete) {
        if (options.json) output.write(`${JSON.stringify(report)}\n`);
        throw stoppedEarly(partition.stopped as StopReason, partition.cellCount);
      }
      if (options.check) report.check = await selfCheck(compiled, partition, domain.domain);
      if (options.json) {
        output.write(`${JSON.stringify(report)}\n`);
      } else {
        const rows: [string, string][] = [
          ["model", describeModel(modelPath, compiled)],
          ["domain", `${domain.label} (${MEASURE_NAME[partition.kind]} ${Number.isFinite(report.measure) ? Number(report.measure.toPrecision(6)) : "not computed"})`],
          ["engine", report.engine],
          ["cells", String(report.cells)],
          ["activation regions", String(report.activationRegions)],
          ["linear pieces", String(report.linearPieces)],
          ...(report.vertices !== undefined ? ([["vertices, edges, facets", `${report.vertices}, ${report.edges}, ${report.facets}`]] as [string, string][]) : []),
          ...(report.complexWithheld !== undefined ? ([["vertices, edges, facets", `withheld: ${report.complexWithheld}`]] as [string, string][]) : []),
          ...(report.reducedDimension !== undefined
            ? ([
                ["facets (inside the box)", String(report.facets)],
                ["reduced dimension", String(report.reducedDimension)],
              ] as [string, string][])
            : []),
          ...(report.exactDecisions ? ([["exact decisions", String(report.exactDecisions)]] as [string, string][]) : []),
          ...(report.uncertain !== undefined ? ([["uncertain decisions", String(report.uncertain)]] as [string, string][]) : []),
          ...(report.floatZeros ? ([["margins zero in float64", String(report.floatZeros)]] as [string, string][]) : []),
          ...(edges !== null ? ([["adjacency written", edges]] as [string, string][]) : []),
          ["seconds", formatSeconds(report.seconds)],
        ];
        if (report.check) rows.push(["self-checks", describeCheck(report.check)]);
        output.write(table(rows));
      }
      if (report.uncertain)
        process.stderr.write(
          `tessera: ${report.uncertain} decisions were uncertain: the count may be off (${report.engine === "whole" ? "docs/whole.md" : "docs/numerics.md, known limits"})\n`,
        );
      // Not an error (degenerate networks make many exact zeros), but not proven either: say so.
      if (report.floatZeros)
        process.stderr.write(
          `tessera: ${report.floatZeros} margins within float64's reach of zero were taken as measure zero without an exact check (too large to decide exactly); a part thinner than 1e-12 of the domain's radius there would be missed (docs/whole.md)\n`,
        );
      failOnProblems(report.check);
    });
};
