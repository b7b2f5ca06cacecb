/**
 * `tessera shallow MODEL (--box LO,HI | --line "A;B" | --plane "P1;P2;P3") [-o shallow.json] [--json] [--check]`
 * `tessera shallow MODEL --box LO,HI --compare OTHER` or `--twin` (MODEL against its plain twin)
 *
 * Deep to shallow (An et al. 2017): the model rewritten exactly, on the domain, as a maximum of
 * one-hidden-layer relu networks, one per activation region (docs/shallow.md). -o saves it as a
 * tessera network (a max over branches) that every command reads. With --json, one object on
 * stdout (with --compare or --twin: {"domain", "networks": [...]}).
 */
import { writeFileAtomic } from "../../io/files.ts";
import { stringifyNetwork } from "../../io/network-json.ts";
import { type Compiled, prepare } from "../../model/forward.ts";
import type { Network } from "../../model/layers.ts";
import type { Budget, StopReason } from "../../regions/limits.ts";
import type { Partition } from "../../regions/partition.ts";
import { hingesOf, UnsupportedNetworkError } from "../../shallow/hinges.ts";
import { type ShallowRepresentation, shallowNetwork, shallowRepresentation } from "../../shallow/represent.ts";
import { type ShallowSummary, shallowSummary } from "../../shallow/summary.ts";
import { hasSkips, plainTwin } from "../../shallow/twin.ts";
import { checkShallow, checkWithEngine, type EngineCheck, type ShallowCheck } from "../../shallow/verify.ts";
import { UserError } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, StoppedEarly, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { type CliDomain, parseDomain } from "../region-domain.ts";
import { timedPartition } from "../run-partition.ts";
import { MODEL_ARGUMENT } from "../shared-options.ts";
import { describeModel, formatSeconds, table } from "./count.ts";
import type { Register } from "./index.ts";

export interface ShallowReport extends ShallowSummary {
  model: string;
  inputSize: number;
  outputSize: number;
  engine: Partition["kind"];
  /** Exact activation regions of the domain (K equals it). */
  activationRegions: number;
  linearPieces: number;
  /** Piecewise-linear units of the saved shallow network (hidden units plus the max's outputs). */
  shallowUnits: number;
  seconds: number;
  /** Where -o wrote the representation. */
  output?: string;
  /** --check: point checks by forward passes, and the same engine run on the saved network. */
  check?: ShallowCheck & { engine: EngineCheck; passed: boolean };
}

interface ShallowOptions extends LimitFlags {
  box?: string;
  line?: string;
  plane?: string;
  output?: string;
  json?: boolean;
  check?: boolean;
  compare?: string;
  twin?: boolean;
}

/** The partition of a domain, whole: a limit that stops it ends the command (exit code 3). */
function wholePartition(compiled: Compiled, domain: CliDomain, budget?: Budget): Partition {
  const { partition } = timedPartition(compiled, domain, budget);
  if (partition.stopped) throw stoppedEarly(partition.stopped as StopReason, partition.cellCount);
  return partition;
}

/** Regions, representation and report of one network over the domain. */
export function shallowReport(
  model: string,
  compiled: Compiled,
  domain: CliDomain,
  check: boolean,
  budget?: Budget,
): { report: ShallowReport; representation: ShallowRepresentation } {
  try {
    hingesOf(compiled);
  } catch (e) {
    if (e instanceof UnsupportedNetworkError) throw new UserError(`${model}: ${e.message}`);
    throw e;
  }
  const t0 = performance.now();
  const partition = wholePartition(compiled, domain, budget);
  const representation = shallowRepresentation(compiled, partition);
  const seconds = (performance.now() - t0) / 1000;
  const shallow = prepare(shallowNetwork(representation));
  const report: ShallowReport = {
    model,
    inputSize: compiled.inputSize,
    outputSize: compiled.outputSize,
    engine: partition.kind,
    activationRegions: partition.activationRegions,
    linearPieces: partition.linearPieces,
    ...shallowSummary(compiled, representation),
    shallowUnits: shallow.layout.units,
    seconds,
  };
  if (check) {
    const points = checkShallow(compiled, representation, partition);
    const engine = checkWithEngine(compiled, representation, wholePartition(shallow, domain, budget));
    report.check = { ...points, engine, passed: points.ok && engine.mismatches === 0 };
  }
  return { report, representation };
}

const round = (x: number): string => String(Number(x.toPrecision(4)));

function rows(r: ShallowReport): [string, string][] {
  const out: [string, string][] = [
    ["depth (piecewise layers)", String(r.depth)],
    ["units", String(r.units)],
    ["activation regions", String(r.activationRegions)],
    ["linear pieces", String(r.linearPieces)],
    ["pieces K", String(r.pieces)],
    ["hidden units per piece", `${r.hiddenPerPiece.min} to ${r.hiddenPerPiece.max}, mean ${round(r.hiddenPerPiece.mean)}`],
    ["hidden units in total", String(r.hiddenTotal)],
    ["distinct hidden units", String(r.distinctHidden)],
    ["largest lambda", round(r.maxLambda)],
    ["seconds", formatSeconds(r.seconds)],
  ];
  if (r.check) {
    const c = r.check;
    const e = c.engine;
    out.push(
      [
        "check: max g = f",
        `${c.maxRelativeError <= c.tolerance ? "passed" : "FAILED"}, error ${c.maxRelativeError.toExponential(1)} relative (${c.randomPoints} random + ${c.boundaryPoints} boundary points)`,
      ],
      ["check: g <= f", `${c.maxExcess <= c.tolerance ? "passed" : "FAILED"}, max (g - f) ${c.maxExcess.toExponential(1)} relative`],
      ["check: own piece is the max", `${c.ownPieceFailures === 0 ? "passed" : "FAILED"} on ${c.interiorPoints - c.ownPieceFailures}/${c.interiorPoints} cells`],
      [
        `check: ${r.engine} engine on it`,
        `${e.mismatches === 0 ? "passed" : "FAILED"}: ${e.checked - e.mismatches}/${e.checked} cells carry f's map (${e.tiny} slivers skipped); ${e.linearPieces} linear pieces`,
      ],
    );
  }
  return out;
}

/** Columns side by side: a metric per row, a network per column. */
function comparisonTable(reports: ShallowReport[]): string {
  const columns = reports.map(rows);
  const header: string[] = ["", ...reports.map((r) => r.model)];
  const body = columns[0].map(([name], i) => [name, ...columns.map((c) => c[i][1])]);
  const all = [header, ...body];
  const widths = header.map((_, j) => Math.max(...all.map((row) => row[j].length)));
  return `${all
    .map((row) =>
      row
        .map((cell, j) => cell.padEnd(widths[j]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

export const register: Register = (program) => {
  const command = program
    .command("shallow")
    .description("rewrite a network exactly as a max of one-hidden-layer relu networks (An et al. 2017)")
    .argument("<model>", MODEL_ARGUMENT)
    .option("--box <LO,HI>", "the box [LO,HI]^n0")
    .option("--line <A;B>", "the segment from A to B (the representation holds on it)")
    .option("--plane <P1;P2;P3>", "the parallelogram P1 + s(P2-P1) + t(P3-P1)")
    .option("-o, --output <file>", "save the representation as a tessera network (a max over branches)")
    .option("--json", "print one JSON object on stdout")
    .option("--check", "check max g = f on random and boundary points, g <= f, own piece attains the max, equal linear pieces")
    .option("--compare <other>", "compare with another model (same domain): depth, pieces, units")
    .option("--twin", "compare with the model's plain twin (the same weights without skip connections)");
  limitOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  tessera shallow m.json --box -1,1 -o shallow.json
  tessera shallow deep.json --box -1,1 --compare wide.json
  tessera shallow resnet.json --box -1,1 --twin --json`,
    )
    .action((modelPath: string, options: ShallowOptions) => {
      if (options.compare !== undefined && options.twin) throw new UserError("give only one of --compare and --twin");
      const comparing = options.compare !== undefined || options.twin === true;
      if (comparing && options.output !== undefined) throw new UserError("-o saves one representation: leave out --compare and --twin");
      const network = loadModel(modelPath);
      const networks: [string, Network][] = [[modelPath, network]];
      if (options.twin) {
        if (!hasSkips(network)) throw new UserError(`--twin: ${modelPath} has no skip connection, its plain twin is itself`);
        networks.push([`${modelPath} (plain twin)`, plainTwin(network)]);
      }
      if (options.compare !== undefined) networks.push([options.compare, loadModel(options.compare)]);
      const compiled = networks.map(([, n]) => prepare(n));
      compiled.forEach((c, i) => {
        if (c.inputSize !== compiled[0].inputSize) throw new UserError(`--compare: ${networks[i][0]} has ${c.inputSize} inputs, ${modelPath} has ${compiled[0].inputSize}`);
      });
      const domain = parseDomain(options, compiled[0].inputSize, ["box", "line", "plane"]);
      const run = commandBudget(options);
      let results: ReturnType<typeof shallowReport>[];
      try {
        results = networks.map(([name], i) => shallowReport(name, compiled[i], domain, options.check === true, run.budget));
      } catch (e) {
        // A limit stopped a partition: a representation of part of the domain is no representation.
        if (e instanceof StoppedEarly && options.json)
          output.write(`${JSON.stringify({ model: modelPath, domain: domain.json, complete: false, stopped: run.budget.stopped?.reason })}\n`);
        throw e;
      } finally {
        run.done();
      }
      const reports = results.map((r) => r.report);
      if (options.output !== undefined) {
        writeFileAtomic(options.output, stringifyNetwork(shallowNetwork(results[0].representation)));
        reports[0].output = options.output;
      }
      if (options.json) {
        const json = comparing ? { domain: domain.json, networks: reports } : { ...reports[0], domain: domain.json };
        output.write(`${JSON.stringify(json)}\n`);
      } else if (comparing) {
        output.write(`domain  ${domain.label}\n${comparisonTable(reports)}`);
      } else {
        const r = reports[0];
        const head: [string, string][] = [
          ["model", describeModel(modelPath, compiled[0])],
          ["domain", `${domain.label} (${r.engine} engine)`],
        ];
        const tail: [string, string][] = r.output ? [["saved", `${r.output} (max over ${r.pieces} branches, ${r.shallowUnits} piecewise-linear units)`]] : [];
        output.write(table([...head, ...rows(r), ...tail]));
      }
      const failed = reports.find((r) => r.check && !r.check.passed);
      if (failed) throw new UserError(`${failed.model}: the shallow representation failed its checks`);
    });
};
