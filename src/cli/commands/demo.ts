/**
 * `tessera demo [--model FILE] [--out DIR]` (what `npm start` runs): a default analysis in a few
 * seconds. Builds a 2-32-32-32-1 MLP with PyTorch's default initialisation (seed 0), or loads
 * --model; counts its regions exactly along a diagonal and in the square [-1,1]^2; checks the
 * engines against a theorem (Montufar's 2-4-4-3 construction has exactly 112 regions in [0,1]^2);
 * writes a picture of the square as PNG and SVG.
 */
import { join } from "node:path";
import { mlp } from "../../model/build/mlp.ts";
import { montufar } from "../../model/build/montufar.ts";
import { prepare } from "../../model/forward.ts";
import type { Network } from "../../model/layers.ts";
import { parseInteger } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { type CliDomain, parseDomain } from "../region-domain.ts";
import { montufarRegions } from "./build.ts";
import { type CountReport, countReport, formatSeconds, table, timedPartition } from "./count.ts";
import type { Register } from "./index.ts";
import { drawPlane, writePicture } from "./map.ts";

export const DEFAULT_WIDTHS = [2, 32, 32, 32, 1] as const;

interface DemoOptions extends LimitFlags {
  model?: string;
  out: string;
  size: string;
  json?: boolean;
}

/** "-1,-1,...,-1;1,1,...,1": the main diagonal of [-1,1]^n0. */
function diagonal(n0: number): string {
  return `${Array(n0).fill(-1).join(",")};${Array(n0).fill(1).join(",")}`;
}

/** The square [-1,1]^2 in the first two coordinates (the others 0), for models of 3+ inputs. */
function firstTwoAxes(n0: number): string {
  const point = (a: number, b: number): string => [a, b, ...Array(n0 - 2).fill(0)].join(",");
  return `${point(-1, -1)};${point(1, -1)};${point(-1, 1)}`;
}

export const register: Register = (program) => {
  const command = program
    .command("demo")
    .description("a default analysis: count regions along a line and in a square, draw them (no browser; npm start serves the explorer)")
    .option("--model <FILE>", "analyse this model instead of the default 2-32-32-32-1 MLP")
    .option("--out <DIR>", "folder for the pictures", "out")
    .option("--size <PX>", "side of the picture's plot area in pixels", "640")
    .option("--json", "print one JSON object on stdout");
  limitOptions(command).action((options: DemoOptions) => {
    const size = parseInteger(options.size, "--size", 16);
    const net: Network = options.model ? loadModel(options.model) : mlp([...DEFAULT_WIDTHS], { init: "uniform", seed: 0 });
    const name = options.model ?? `mlp ${DEFAULT_WIDTHS.join("-")} (PyTorch default init, seed 0)`;
    const compiled = prepare(net);
    const n0 = compiled.inputSize;
    const rows: [string, string, string][] = [];
    const reports: Record<string, CountReport> = {};
    const run = commandBudget(options);
    // A limit hit ends the demo: what was counted so far, as JSON with --json, then exit 3.
    const whole = (r: CountReport): void => {
      if (r.complete) return;
      run.done();
      if (options.json) output.write(`${JSON.stringify({ model: name, ...reports, complete: false })}\n`);
      throw stoppedEarly(r.stopped ?? "aborted", run.budget.cells);
    };
    const count = (key: string, what: string, domain: CliDomain): void => {
      const { partition, seconds } = timedPartition(compiled, domain, run.budget);
      const r = countReport(name, compiled, domain, partition, seconds);
      reports[key] = r;
      whole(r);
      rows.push([what, `${r.activationRegions} activation regions, ${r.linearPieces} linear pieces`, `${formatSeconds(seconds)} s`]);
    };

    const corner = (x: number): string => (n0 === 1 ? String(x) : `(${Array(n0).fill(x).join(",")})`);
    const along = n0 <= 3 ? `along the diagonal ${corner(-1)} -> ${corner(1)}` : `along the diagonal of [-1,1]^${n0}`;
    count("line", along, parseDomain({ line: diagonal(n0) }, n0, ["line"]));

    const pictures: string[] = [];
    if (n0 >= 2) {
      const plane = parseDomain(n0 === 2 ? { box: "-1,1" } : { plane: firstTwoAxes(n0) }, n0, ["box", "plane"]);
      const title = options.model ? options.model : `mlp ${DEFAULT_WIDTHS.join("-")}, PyTorch default init, seed 0`;
      const picture = drawPlane(compiled, plane, { size, boundary: true, title, budget: run.budget });
      const r = countReport(name, compiled, plane, picture.partition, picture.seconds);
      reports.plane = r;
      whole(r);
      const where = n0 === 2 ? "in the square [-1,1]^2" : "in [-1,1]^2 of inputs 0 and 1";
      rows.push([where, `${r.activationRegions} activation regions, ${r.linearPieces} linear pieces`, `${formatSeconds(picture.seconds)} s`]);
      for (const file of ["demo.png", "demo.svg"]) {
        const path = join(options.out, file);
        // The demo's own output folder (out/ by default) is created when missing.
        writePicture(path, picture.svg, { createFolders: true });
        pictures.push(path);
      }
    }

    // A theorem as a live check of the engines: this construction has exactly 112 regions.
    const theory = Number(montufarRegions(2, [4, 4, 3]));
    const folded = prepare(montufar(2, [4, 4, 3]));
    const box01 = parseDomain({ box: "0,1" }, 2, ["box"]);
    const m = timedPartition(folded, box01, run.budget);
    run.done();
    if (m.partition.stopped) whole(countReport("montufar", folded, box01, m.partition, m.seconds));
    rows.push(["Montufar 2-4-4-3 in [0,1]^2", `${m.partition.activationRegions} activation regions (theory: exactly ${theory})`, `${formatSeconds(m.seconds)} s`]);

    if (options.json) {
      const montufarJson = { activationRegions: m.partition.activationRegions, linearPieces: m.partition.linearPieces, theory, seconds: m.seconds };
      output.write(`${JSON.stringify({ model: name, ...reports, montufar: montufarJson, pictures })}\n`);
      return;
    }
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    output.write(`tessera demo: ${name}\n`);
    for (const [a, b, c] of rows) output.write(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padStart(9)}\n`);
    output.write(
      table([
        ["pictures", pictures.length > 0 ? pictures.join(", ") : "none (a 1-input model has no plane to draw)"],
        ["next", "npx tessera build mlp --widths 2,16,16,1 --init he --out m.json"],
        ["", "npx tessera count m.json --box -1,1"],
        ["", "npx tessera map m.json --box -1,1 --out m.png --boundary    (more in docs/cli.md)"],
      ]),
    );
  });
};
