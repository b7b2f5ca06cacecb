/**
 * `tessera build mlp --widths 2,16,16,1 [--init he] [--seed 0] [--activation relu] [--out m.json]`
 * `tessera build montufar --input 2 --widths 4,4,3 [--out m.json]`
 *
 * Build a network and save it in the native format (atomically), or print it on stdout when no
 * --out is given, so `tessera build ... | jq` works.
 */
import { checkWritable, MAX_MODEL_BYTES, writeFileAtomic } from "../../io/files.ts";
import { MAX_UNITS, stringifyNetwork } from "../../io/network-json.ts";
import { type Activation, INITS, type Init, mlp } from "../../model/build/mlp.ts";
import { montufar } from "../../model/build/montufar.ts";
import { prepare } from "../../model/forward.ts";
import type { Network } from "../../model/layers.ts";
import { parseDecimal, parseInteger, parseNumbers, UserError } from "../errors.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

/** "relu", "abs", "leaky-relu[:SLOPE]", "hard-tanh[:LO:HI]", "maxout:K". */
export function parseActivation(text: string): Activation {
  const [name, ...args] = text.split(":");
  const numbers = args.map((a) => {
    const v = parseDecimal(a);
    if (Number.isNaN(v)) throw new UserError(`--activation: "${a}" in "${text}" is not a number`);
    return v;
  });
  const arity = (n: number[]): void => {
    if (numbers.length !== 0 && !n.includes(numbers.length)) throw new UserError(`--activation: ${name} takes ${n.join(" or ")} parameters, got "${text}"`);
  };
  switch (name) {
    case "relu":
    case "abs":
      arity([0]);
      return { type: name };
    case "leaky-relu":
      arity([1]);
      return { type: name, slope: numbers[0] ?? 0.01 };
    case "hard-tanh": {
      arity([2]);
      const [lo, hi] = numbers.length === 2 ? numbers : [-1, 1];
      if (!(lo < hi)) throw new UserError(`--activation: hard-tanh needs LO < HI, got "${text}"`);
      return { type: name, lo, hi };
    }
    case "maxout": {
      const k = numbers[0];
      if (numbers.length !== 1 || !Number.isInteger(k) || k < 2)
        throw new UserError(`--activation: maxout needs an integer number of pieces of at least 2, as in "maxout:3"; got "${text}"`);
      return { type: name, k };
    }
    default:
      throw new UserError(`--activation: unknown "${name}" (choose relu, leaky-relu[:SLOPE], abs, hard-tanh[:LO:HI], maxout:K)`);
  }
}

function parseWidths(text: string, min: number): number[] {
  const widths = parseNumbers(text, "--widths");
  for (const w of widths) {
    if (!Number.isInteger(w) || w < min) throw new UserError(`--widths: expected integers of at least ${min}, got "${text}"`);
  }
  return widths;
}

/** Numbers a saved network may hold: its file must stay under the loader's limit (about 24 bytes a number). */
const MAX_PARAMETERS = Math.floor(MAX_MODEL_BYTES / 24);

/**
 * The loader's size limits, applied before anything is allocated: no layer wider than it reads,
 * no more weights than fit in a file it reads back.
 */
export function checkBuildSize(widths: readonly number[], pieces = 1): void {
  let parameters = 0;
  for (let l = 0; l < widths.length; l++) {
    // A maxout layer of width w is a dense layer of w * pieces outputs.
    const outs = l > 0 && l < widths.length - 1 ? widths[l] * pieces : widths[l];
    if (outs > MAX_UNITS) throw new UserError(`--widths: ${outs} units in one layer, more than the limit of ${MAX_UNITS}`);
    if (l > 0) parameters += widths[l - 1] * outs + outs;
  }
  if (parameters > MAX_PARAMETERS) {
    throw new UserError(`--widths: ${parameters.toExponential(2)} weights and biases, more than the ${MAX_PARAMETERS.toExponential(2)} a model file tessera reads back can hold`);
  }
}

/** "2-16-16-1", or the ends of a long list with its length. */
function describeWidths(widths: readonly number[]): string {
  if (widths.length <= 12) return widths.join("-");
  return `${widths.slice(0, 4).join("-")}-...-${widths.slice(-2).join("-")} (${widths.length} widths)`;
}

/**
 * Regions of the Montufar et al. (2014) construction on [0, 1]^n0, which it reaches exactly:
 * (prod over hidden layers but the last of floor(n_l / n0)^n0) * sum_{j <= n0} C(n_L, j).
 */
export function montufarRegions(n0: number, hidden: readonly number[]): bigint {
  let total = 1n;
  for (const n of hidden.slice(0, -1)) total *= BigInt(Math.floor(n / n0)) ** BigInt(n0);
  const last = hidden[hidden.length - 1];
  let sum = 0n;
  let binom = 1n; // C(last, j)
  for (let j = 0; j <= Math.min(n0, last); j++) {
    sum += binom;
    binom = (binom * BigInt(last - j)) / BigInt(j + 1);
  }
  return total * sum;
}

/** Save (or print) a built network with a one-line summary. */
function emit(net: Network, what: string, options: { out?: string; json?: boolean }, extra: Record<string, unknown> = {}, note = ""): void {
  const text = stringifyNetwork(net);
  if (!options.out) {
    output.write(text);
    return;
  }
  writeFileAtomic(options.out, text);
  const compiled = prepare(net);
  if (options.json) {
    const summary = { out: options.out, network: what, inputSize: compiled.inputSize, outputSize: compiled.outputSize, units: compiled.layout.units, ...extra };
    output.write(`${JSON.stringify(summary)}\n`);
  } else {
    output.write(`wrote ${options.out}: ${what}, ${compiled.layout.units} piecewise-linear units${note}\n`);
  }
}

interface MlpCommandOptions {
  widths?: string;
  init: string;
  seed: string;
  activation: string;
  out?: string;
  json?: boolean;
}

interface MontufarCommandOptions {
  input?: string;
  widths?: string;
  out?: string;
  json?: boolean;
}

export const register: Register = (program) => {
  const build = program.command("build").description("build a network (mlp, montufar) and save it as tessera JSON");

  build
    .command("mlp")
    .description("a multilayer perceptron with a seeded initialisation")
    .option("--widths <N0,...,NL>", "layer widths: inputs, hidden..., outputs (e.g. 2,16,16,1)")
    .option("--init <INIT>", `initialisation: ${INITS.join(", ")}`, "uniform")
    .option("--seed <N>", "seed of the pseudo-random generator", "0")
    .option("--activation <ACT>", "relu, leaky-relu[:SLOPE], abs, hard-tanh[:LO:HI], maxout:K", "relu")
    .option("--out <FILE>", "where to save the network (default: print it on stdout)")
    .option("--json", "with --out: print a JSON summary on stdout")
    .addHelpText("after", "\nExample:\n  tessera build mlp --widths 2,16,16,1 --init he --seed 0 --out m.json")
    .action((options: MlpCommandOptions) => {
      if (!options.widths) throw new UserError("--widths N0,...,NL is required (e.g. --widths 2,16,16,1)");
      const widths = parseWidths(options.widths, 1);
      if (widths.length < 2) throw new UserError(`--widths: expected at least an input and an output width, got "${options.widths}"`);
      if (!(INITS as readonly string[]).includes(options.init)) throw new UserError(`--init: unknown "${options.init}" (choose ${INITS.join(", ")})`);
      const init = options.init as Init;
      const seed = parseInteger(options.seed, "--seed", 0);
      const activation = parseActivation(options.activation);
      if (init === "looks-linear") {
        if (activation.type !== "relu") throw new UserError("--init looks-linear needs --activation relu");
        const odd = widths.slice(1, -1).find((w) => w % 2 !== 0);
        if (odd !== undefined) throw new UserError(`--init looks-linear mirrors units in pairs: hidden widths must be even, got ${odd}`);
      }
      checkBuildSize(widths, activation.type === "maxout" ? activation.k : 1);
      if (options.out) checkWritable(options.out);
      const net = mlp(widths, { init, seed, activation });
      const what = `mlp ${describeWidths(widths)} (${options.activation}, ${init} init, seed ${seed})`;
      emit(net, what, options, { widths, init, seed, activation: options.activation });
    });

  build
    .command("montufar")
    .description("the folding construction of Montufar et al. (2014), exact on [0,1]^n0")
    .option("--input <N0>", "input dimension n0")
    .option("--widths <N1,...,NL>", "hidden widths, each at least n0 (e.g. 4,4,3)")
    .option("--out <FILE>", "where to save the network (default: print it on stdout)")
    .option("--json", "with --out: print a JSON summary on stdout")
    .addHelpText("after", "\nExample:\n  tessera build montufar --input 2 --widths 4,4,3 --out m.json   # 112 regions in [0,1]^2")
    .action((options: MontufarCommandOptions) => {
      if (!options.input) throw new UserError("--input N0 is required (e.g. --input 2)");
      if (!options.widths) throw new UserError("--widths N1,...,NL is required (e.g. --widths 4,4,3)");
      const n0 = parseInteger(options.input, "--input", 1);
      const widths = parseWidths(options.widths, 1);
      const narrow = widths.find((w) => w < n0);
      if (narrow !== undefined) throw new UserError(`--widths: every hidden width must be at least the input dimension ${n0}, got ${narrow}`);
      checkBuildSize([n0, ...widths, 1]);
      if (options.out) checkWritable(options.out);
      const net = montufar(n0, widths);
      const regions = montufarRegions(n0, widths);
      const box = `[0,1]${n0 > 1 ? `^${n0}` : ""}`;
      const what = `montufar ${describeWidths([n0, ...widths, 1])}`;
      const note = `; it has exactly ${regions} activation regions in ${box} (tessera count ${options.out ?? "MODEL"} --box 0,1)`;
      emit(net, what, options, { expectedRegions: Number(regions), expectedDomain: { kind: "box", lo: 0, hi: 1 } }, note);
    });
};
