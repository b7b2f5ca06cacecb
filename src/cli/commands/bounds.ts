/**
 * `tessera bounds`: the theoretical bounds on the number of linear regions (docs/bounds.md).
 *
 *   tessera bounds --input N0 --widths a,b,c [--activation relu|maxout:K|pieces:P] [--json]
 *   tessera bounds --conv "n=8,d0=1,f=3,s=1,filters=4,4" [--json]
 *   tessera bounds MODEL [--box LO,HI] [--json]      (adds the rank-refined bound and the model's exact count)
 *   tessera bounds --sweep --input 10 --neurons 60 [--out bounds-sweep.svg] [--json]
 *
 * Hanin & Rolnick's expected counts need C_grad and C_bias: --cgrad X --cbias Y, or --init NAME to
 * estimate them from seeded networks of that initialisation; for a MODEL they are estimated from
 * the model by sampling the box. --length T sets the segment length of hanin2019-line.
 */
import type { Command } from "commander";
import { type ActivationSpec, type Architecture, architectureOf, denseArchitecture, totalUnits, widthsOf } from "../../bounds/architecture.ts";
import { Rational, shortDecimal } from "../../bounds/exact.ts";
import { estimateForInit, estimateHaninConstants, type HaninEstimate } from "../../bounds/hanin2019.ts";
import { type AllBoundsOptions, allBounds } from "../../bounds/index.ts";
import { type BoundResult, boundToJson } from "../../bounds/result.ts";
import { type ConvArchitecture, type ConvSize, convArchitectureOf, convAsArchitecture, describeConv, validateConv } from "../../bounds/xiong2020.ts";
import { writeFileAtomic } from "../../io/files.ts";
import { INITS, type Init, mlp } from "../../model/build/mlp.ts";
import { prepare } from "../../model/forward.ts";
import { MAX_SPACE_DIMENSION } from "../../regions/engines.ts";
import type { Budget, StopReason } from "../../regions/limits.ts";
import { vegaLiteToSvg } from "../../report/vega-svg.ts";
import { parseInteger, parseNumbers, UserError } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { parseDomain } from "../region-domain.ts";
import { timedPartition } from "../run-partition.ts";
import type { Register } from "./index.ts";

interface BoundsOptions extends LimitFlags {
  input?: string;
  widths?: string;
  activation: string;
  conv?: string;
  box?: string;
  sweep?: boolean;
  neurons?: string;
  out: string;
  cgrad?: string;
  cbias?: string;
  init?: string;
  length?: string;
  json?: boolean;
}

export const register: Register = (program: Command) => {
  const command = program
    .command("bounds")
    .description("theoretical bounds on the number of linear regions, exact, beside the real count")
    .argument("[model]", "a model file: bounds for its architecture, the rank-refined bound and its exact count")
    .option("--input <n0>", "input dimension n0")
    .option("--widths <list>", "hidden widths n1,...,nL")
    .option("--activation <kind>", "relu | maxout:K | pieces:P", "relu")
    .option("--conv <spec>", 'conv architecture "n=8,d0=1,f=3,s=1,filters=4,4" (n x n x d0 input, f x f filters, stride s; HxW sizes and per-layer f, s allowed)')
    .option("--box <lo,hi>", "with a model: count its regions exactly on [lo,hi]^n0 (n0 <= 2); sampling box of the Hanin estimate")
    .option("--sweep", "how the bounds change with depth for a fixed number of units (Serra et al. 2018, Fig. 3)")
    .option("--neurons <N>", "with --sweep: total number of hidden units")
    .option("--out <file.svg>", "with --sweep: chart file", "bounds-sweep.svg")
    .option("--cgrad <x>", "Hanin-Rolnick C_grad")
    .option("--cbias <x>", "Hanin-Rolnick C_bias")
    .option("--init <name>", `estimate C_grad, C_bias from this initialisation (${INITS.join(", ")})`)
    .option("--length <T>", "segment length for hanin2019-line", "1")
    .option("--json", "print one JSON array");
  limitOptions(command).action(async (model: string | undefined, options: BoundsOptions) => {
    if (options.sweep) return sweep(model, options);
    const run = commandBudget(options);
    const { arch, label, boundsOptions, modelCount } = resolve(model, options, run.budget);
    run.done();
    const results = allBounds(arch, boundsOptions);
    if (modelCount) results.push(modelCount);
    if (options.json) output.write(`${JSON.stringify(results.map(boundToJson))}\n`);
    else output.write(renderTable(label, arch, results));
    // The bounds are printed; the count a limit cut short ends the command with exit code 3.
    const stopped = run.budget.stopped;
    if (stopped) throw stoppedEarly(stopped.reason, run.budget.cells);
  });
};

function resolve(
  model: string | undefined,
  options: BoundsOptions,
  budget?: Budget,
): {
  arch: Architecture;
  label: string;
  boundsOptions: AllBoundsOptions;
  modelCount: BoundResult | null;
} {
  const length = parseNonNegative(options.length ?? "1", "--length");
  const given = [model !== undefined, options.conv !== undefined, options.input !== undefined || options.widths !== undefined].filter(Boolean).length;
  if (given === 0) throw new UserError('say what to bound: a MODEL file, --input N0 --widths a,b,c, or --conv "n=..,d0=..,f=..,s=..,filters=.."');
  if (given > 1) throw new UserError("give only one of: a MODEL file, --input/--widths, --conv");
  if (model !== undefined) {
    const network = loadModel(model);
    const arch = architectureOf(network);
    const [lo, hi] = options.box ? parseBoxOption(options.box) : [-1, 1];
    const explicit = haninFromOptions(options, length);
    let hanin: AllBoundsOptions["hanin"] = explicit;
    let haninMissing: string | undefined;
    if (!explicit) {
      try {
        const est = estimateHaninConstants(network, {
          lo,
          hi,
          samples: samplesFor(arch),
        });
        hanin = { cGrad: est.cGrad, cBias: est.cBias, length };
      } catch (e) {
        haninMissing = `could not estimate C_grad and C_bias (${(e as Error).message})`;
      }
    }
    // A plain conv + relu stack also gets the convolutional bounds (xiong2020-*).
    const conv = convArchitectureOf(network);
    const convLabel = typeof conv === "string" ? "" : `; a conv stack: ${describeConv(conv)}`;
    const label = `${model}: n0 = ${arch.n0}, hidden widths ${widthsOf(arch).join(",") || "(none)"}${convLabel}${hanin && !explicit ? `; C_grad, C_bias estimated by sampling [${lo},${hi}]^n0` : ""}`;
    return {
      arch,
      label,
      boundsOptions: { rank: true, hanin, haninMissing, ...(typeof conv === "string" ? {} : { conv }) },
      modelCount: modelCount(network, arch, options.box, budget),
    };
  }
  if (options.conv !== undefined) {
    const conv = parseConv(options.conv);
    const arch = convAsArchitecture(conv);
    return {
      arch,
      label: `conv ${options.conv}: n0 = ${arch.n0}, units per layer ${widthsOf(arch).join(",")}`,
      boundsOptions: { conv, ...haninOptions(options, arch, length) },
      modelCount: null,
    };
  }
  const arch = architectureFromOptions(options);
  const act = options.activation;
  return {
    arch,
    label: `n0 = ${arch.n0}, hidden widths ${widthsOf(arch).join(",")}, ${act}`,
    boundsOptions: { ...haninOptions(options, arch, length) },
    modelCount: null,
  };
}

function architectureFromOptions(options: BoundsOptions): Architecture {
  if (options.input === undefined) throw new UserError("--input: give the input dimension n0");
  if (options.widths === undefined) throw new UserError("--widths: give the hidden widths, e.g. --widths 20,20,20");
  const n0 = parseInteger(options.input, "--input", 1);
  const widths = parseNumbers(options.widths, "--widths");
  widths.forEach((w) => {
    if (!Number.isInteger(w) || w < 1) throw new UserError(`--widths: expected positive integers, got ${w}`);
  });
  return denseArchitecture(n0, widths, parseActivation(options.activation));
}

export function parseActivation(text: string): ActivationSpec {
  if (text === "relu") return { type: "relu" };
  const m = /^(maxout|pieces):(\d+)$/.exec(text);
  if (!m) throw new UserError(`--activation: expected relu, maxout:K or pieces:P, got "${text}"`);
  const v = Number(m[2]);
  if (v < 2) throw new UserError(`--activation: ${m[1]} needs at least 2, got ${v}`);
  return m[1] === "maxout" ? { type: "maxout", k: v } : { type: "pieces", p: v };
}

/**
 * Parse "n=8,d0=1,f=3,s=1,filters=4,4": a bare number continues the previous key's list. Sizes may
 * be rectangular ("n=8x6", "f=3x2"); f and s take one value for every layer or one per layer.
 */
/** The --conv keys that take HxW sizes. */
const SIZE_KEYS = ["n", "f", "s"];

export function parseConv(text: string): ConvArchitecture {
  const values = new Map<string, ConvSize[]>();
  let key: string | null = null;
  for (const raw of text.split(",")) {
    const part = raw.trim();
    const eq = part.indexOf("=");
    const valueText = eq >= 0 ? part.slice(eq + 1).trim() : part;
    if (eq >= 0) key = part.slice(0, eq).trim();
    if (key === null) throw new UserError(`--conv: expected key=value, got "${part}"`);
    const sides = valueText.split("x").map((t) => (t.trim() === "" ? Number.NaN : Number(t)));
    if (sides.length > 2 || sides.some((v) => !Number.isInteger(v) || v < 1))
      throw new UserError(`--conv: ${key} must be positive integers${SIZE_KEYS.includes(key) ? " (or HxW sizes)" : ""}, got "${valueText}"`);
    values.set(key, [...(values.get(key) ?? []), sides.length === 1 ? sides[0] : [sides[0], sides[1]]]);
  }
  const known = ["n", "d0", "f", "s", "filters"];
  for (const k of values.keys()) if (!known.includes(k)) throw new UserError(`--conv: unknown key "${k}" (known: ${known.join(", ")})`);
  const list = (k: string, fallback?: ConvSize): ConvSize[] => {
    const v = values.get(k);
    if (v) return v;
    if (fallback !== undefined) return [fallback];
    throw new UserError(`--conv: missing ${k}=...`);
  };
  const one = (k: string, fallback?: ConvSize): ConvSize => {
    const v = list(k, fallback);
    if (v.length !== 1) throw new UserError(`--conv: ${k} takes one value, got ${v.join(",")}`);
    return v[0];
  };
  const integer = (k: string, v: ConvSize): number => {
    if (typeof v !== "number") throw new UserError(`--conv: ${k} takes a number, got ${v.join("x")}`);
    return v;
  };
  const filters = (values.get("filters") ?? []).map((v) => integer("filters", v));
  if (filters.length === 0) throw new UserError("--conv: missing filters=d1[,d2...]");
  const perLayer = (k: string, fallback?: ConvSize): ConvSize | ConvSize[] => {
    const v = list(k, fallback);
    if (v.length === 1) return v[0];
    if (v.length !== filters.length) throw new UserError(`--conv: ${k} takes one value or one per layer (${filters.length}), got ${v.length}`);
    return v;
  };
  const conv: ConvArchitecture = { n: one("n"), d0: integer("d0", one("d0", 1)), f: perLayer("f"), s: perLayer("s", 1), filters };
  try {
    validateConv(conv);
  } catch (e) {
    throw new UserError(`--conv: ${(e as Error).message}`);
  }
  return conv;
}

function parseBoxOption(text: string): [number, number] {
  const v = parseNumbers(text, "--box");
  if (v.length !== 2 || !(v[0] < v[1])) throw new UserError(`--box: expected LO,HI with LO < HI, got "${text}"`);
  return [v[0], v[1]];
}

function parseNonNegative(text: string, what: string): number {
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v) || v < 0) throw new UserError(`${what}: expected a non-negative number, got "${text}"`);
  return v;
}

function haninFromOptions(options: BoundsOptions, length: number): AllBoundsOptions["hanin"] {
  if (options.cgrad === undefined && options.cbias === undefined) return null;
  if (options.cgrad === undefined || options.cbias === undefined) throw new UserError("give both --cgrad and --cbias");
  return {
    cGrad: parseNonNegative(options.cgrad, "--cgrad"),
    cBias: parseNonNegative(options.cbias, "--cbias"),
    length,
  };
}

function haninOptions(options: BoundsOptions, arch: Architecture, length: number): Pick<AllBoundsOptions, "hanin" | "haninMissing"> {
  const explicit = haninFromOptions(options, length);
  if (explicit) return { hanin: explicit };
  if (options.init !== undefined) {
    if (!(INITS as readonly string[]).includes(options.init)) throw new UserError(`--init: unknown "${options.init}" (choose one of ${INITS.join(", ")})`);
    const layer = arch.layers[0];
    if (layer.family === "elementwise") throw new UserError("--init: estimating constants supports relu and maxout architectures");
    const activation = layer.family === "maxout" ? { type: "maxout" as const, k: layer.pieces } : { type: "relu" as const };
    const est: HaninEstimate = estimateForInit(
      (seed) =>
        mlp([arch.n0, ...widthsOf(arch), 1], {
          init: options.init as Init,
          seed,
          activation,
        }),
      3,
      { samples: samplesFor(arch) },
    );
    return { hanin: { cGrad: est.cGrad, cBias: est.cBias, length } };
  }
  return {
    haninMissing: "needs C_grad and C_bias: give --cgrad and --cbias, or --init NAME to estimate them",
  };
}

/** Fewer samples for big networks: the estimate costs samples * (n0 + 1) * weights. */
function samplesFor(arch: Architecture): number {
  const work = (arch.n0 + 1) * totalUnits(arch) * Math.max(arch.n0, ...widthsOf(arch));
  return Math.max(200, Math.min(2000, Math.floor(4e8 / Math.max(1, work))));
}

/** The model's exact count on --box, where an engine supports its input dimension. */
/** The space engine counts boxes in up to about 8 dimensions (docs/space.md). */
const MAX_COUNT_DIMENSION = MAX_SPACE_DIMENSION;

function modelCount(network: ReturnType<typeof loadModel>, arch: Architecture, box: string | undefined, budget?: Budget): BoundResult {
  const citation = "tessera exact engines (src/regions); counted on the box only, so it can be below a bound over all of R^n0";
  const title = "this model's activation regions on the box";
  const na = (reason: string): BoundResult => ({
    id: "model-count",
    kind: "exact",
    title,
    value: null,
    applies: false,
    reason,
    citation,
  });
  if (arch.n0 > MAX_COUNT_DIMENSION)
    return na(`the model has ${arch.n0} inputs: exact counts over a box go up to n0 = ${MAX_COUNT_DIMENSION}; count a slice with tessera count --slice`);
  if (box === undefined) return na("give --box LO,HI to count the model's regions exactly");
  const compiled = prepare(network);
  const domain = parseDomain({ box }, compiled.inputSize, ["box"]);
  try {
    const { partition } = timedPartition(compiled, domain, budget);
    if (partition.stopped) {
      const why = stoppedEarly(partition.stopped as StopReason, partition.cellCount).message;
      return { ...na(`${why}: at least ${partition.activationRegions} regions`), details: { stopped: partition.stopped, cells: partition.cellCount } };
    }
    return {
      id: "model-count",
      kind: "exact",
      title: `this model's activation regions on ${domain.label}`,
      value: new Rational(BigInt(partition.activationRegions)),
      applies: true,
      citation,
      details: { engine: partition.kind, linearPieces: partition.linearPieces },
    };
  } catch (e) {
    // Too many regions for the space engine: the bounds are still worth printing.
    if (e instanceof UserError && compiled.inputSize > 2) return na(e.message);
    throw e;
  }
}

const GROUPS: [BoundResult["kind"], string][] = [
  ["lower", "Lower bounds (some network of this architecture has at least this many regions)"],
  ["exact", "Exact"],
  ["upper", "Upper bounds (no network of this architecture has more regions)"],
  ["expected", "Expected counts for random networks (Hanin & Rolnick)"],
];

export function renderTable(label: string, arch: Architecture, results: readonly BoundResult[]): string {
  const lines: string[] = [label, `${totalUnits(arch)} hidden units in ${arch.layers.length} layer(s)`, ""];
  const idWidth = Math.max(...results.map((r) => r.id.length));
  for (const [kind, heading] of GROUPS) {
    const rows = results.filter((r) => r.kind === kind && r.applies);
    if (rows.length === 0) continue;
    lines.push(heading);
    const values = rows.map((r) => shortDecimal(r.value as Rational));
    const vWidth = Math.max(...values.map((v) => v.length));
    rows.forEach((r, i) => {
      const log = (r.value as Rational).sign() > 0 ? `10^${(r.value as Rational).log10().toFixed(2)}` : "";
      lines.push(`  ${r.id.padEnd(idWidth)}  ${values[i].padStart(vWidth)}  ${log.padEnd(10)}  ${r.title}${detailText(r)}`);
    });
    lines.push("");
  }
  const skipped = results.filter((r) => !r.applies);
  if (skipped.length > 0) {
    lines.push("Not applicable");
    for (const r of skipped) lines.push(`  ${r.id.padEnd(idWidth)}  ${r.reason}`);
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

function detailText(r: BoundResult): string {
  if (!r.details) return "";
  if (r.id === "montufar2014-lower") {
    const shallow = r.details.shallowMaximum as Rational;
    const ratio = r.details.deepOverShallow as Rational;
    return ` [Cor. 5: one layer of ${r.details.shallowUnits} units has at most ${shortDecimal(shallow)}; deep/shallow = ${ratio.toDecimal(4)}]`;
  }
  if (r.id === "serra2018-upper-rank") return ` [ranks ${r.details.ranks}]`;
  if (r.id === "model-count") return ` [${r.details.engine} engine, ${r.details.linearPieces} linear pieces]`;
  if (r.id.startsWith("hanin2019")) return ` [C_grad ${Number(r.details.cGrad).toPrecision(4)}, C_bias ${Number(r.details.cBias).toPrecision(4)}, T ${r.details.length}]`;
  if (r.id === "xiong2020-single") return ` [${r.details.method}]`;
  if (r.id === "xiong2020-lower" || r.id === "conv-first-layer-lower") {
    const paper = r.details.paperValue instanceof Rational ? `; the paper's formula gives ${shortDecimal(r.details.paperValue)}` : "";
    return ` [${r.id === "xiong2020-lower" ? "R_N'" : "layer 1"}: ${r.details.lastLayer ?? r.details.method}${paper}]`;
  }
  return "";
}

/** The ids charted by --sweep. */
export const SWEEP_IDS = ["pascanu2013-lower", "montufar2014-lower", "serra2018-lower", "serra2018-upper", "montufar2017-upper", "raghu2017-upper", "trivial-upper"] as const;

export interface SweepRow {
  depth: number;
  width: number;
  bounds: BoundResult[];
}

/** Every depth L dividing N, width N / L: the bounds of each. */
export function sweepRows(n0: number, neurons: number): SweepRow[] {
  const rows: SweepRow[] = [];
  for (let depth = 1; depth <= neurons; depth++) {
    if (neurons % depth !== 0) continue;
    const width = neurons / depth;
    const arch = denseArchitecture(n0, new Array(depth).fill(width));
    const all = allBounds(arch);
    rows.push({
      depth,
      width,
      bounds: SWEEP_IDS.map((id) => all.find((b) => b.id === id) as BoundResult),
    });
  }
  return rows;
}

async function sweep(model: string | undefined, options: BoundsOptions): Promise<void> {
  if (model !== undefined) throw new UserError("--sweep takes --input and --neurons, not a model file");
  if (options.input === undefined || options.neurons === undefined) throw new UserError("--sweep needs --input N0 and --neurons N");
  const n0 = parseInteger(options.input, "--input", 1);
  const neurons = parseInteger(options.neurons, "--neurons", 1);
  if (neurons > 2000) throw new UserError(`--neurons: at most 2000 for a sweep, got ${neurons}`);
  const rows = sweepRows(n0, neurons);
  const values = rows.flatMap((r) =>
    r.bounds
      .filter((b) => b.applies && (b.value as Rational).sign() > 0)
      .map((b) => ({
        depth: r.depth,
        width: r.width,
        bound: b.id,
        log10: (b.value as Rational).log10(),
      })),
  );
  const svg = await vegaLiteToSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Bounds on linear regions, ${neurons} relu units on ${n0} inputs, by depth`,
    width: 480,
    height: 320,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "depth",
        type: "quantitative",
        title: "hidden layers L (width N/L)",
        scale: { type: "log" },
      },
      y: { field: "log10", type: "quantitative", title: "log10(regions)" },
      color: { field: "bound", type: "nominal", title: "bound" },
    },
  });
  writeFileAtomic(options.out, svg);
  if (options.json) {
    const out = rows.map((r) => ({
      depth: r.depth,
      width: r.width,
      bounds: r.bounds.map(boundToJson),
    }));
    output.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const head = ["L", "width", ...SWEEP_IDS];
  const table = rows.map((r) => [String(r.depth), String(r.width), ...r.bounds.map((b) => (b.applies ? shortDecimal(b.value as Rational, 14) : "-"))]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  output.write(`${neurons} relu units on n0 = ${n0} inputs, by depth ("-": the bound's conditions fail)\n${fmt(head)}\n${table.map(fmt).join("\n")}\nchart: ${options.out}\n`);
}
