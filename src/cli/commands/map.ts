/**
 * `tessera map MODEL (--box LO,HI | --plane "P1;P2;P3") --out FILE.svg|FILE.png [--boundary]`
 *
 * A picture of the exact cells in a plane: each cell filled with its pattern's colour, optionally
 * the decision boundary. The format follows the file's extension; the file is written atomically.
 */
import { checkWritable, type WriteOptions, writeFileAtomic } from "../../io/files.ts";
import { type Compiled, prepare } from "../../model/forward.ts";
import type { Budget, StopReason } from "../../regions/limits.ts";
import type { PlanePartition } from "../../regions/partition.ts";
import { svgToPng } from "../../report/png.ts";
import { regionMapSvg } from "../../report/region-map.ts";
import { parseInteger, UserError } from "../errors.ts";
import { commandBudget, type LimitFlags, limitOptions, stoppedEarly } from "../limits.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import { type CliDomain, parseDomain } from "../region-domain.ts";
import { timedPartition } from "../run-partition.ts";
import { MODEL_ARGUMENT } from "../shared-options.ts";
import { countReport, describeCheck, failOnProblems, formatSeconds, selfCheck } from "./count.ts";
import type { Register } from "./index.ts";

export type ImageFormat = "svg" | "png";

/** The picture format named by a file's extension (a user error for anything else). */
export function imageFormat(path: string): ImageFormat {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === "svg" || ext === "png") return ext;
  throw new UserError(`--out: "${path}" must end in .svg or .png`);
}

export interface MapPicture {
  partition: PlanePartition;
  seconds: number;
  svg: string;
}

/** Partition a plane domain (a 2-input box or a parallelogram) and draw it; a partial partition is drawn as far as it goes. */
export function drawPlane(compiled: Compiled, domain: CliDomain, options: { size?: number; boundary?: boolean; title?: string; budget?: Budget }): MapPicture {
  const { partition, seconds } = timedPartition(compiled, domain, options.budget);
  if (partition.kind !== "plane") throw new UserError(`map draws planes: the ${domain.label} went to the ${partition.kind} engine`);
  const plane = partition;
  const svg = regionMapSvg(plane, { size: options.size, boundary: options.boundary, labels: domain.labels ?? undefined, title: options.title });
  return { partition: plane, seconds, svg };
}

/** Write the picture as SVG or PNG (by the path's extension), atomically. Returns [width, height]. */
export function writePicture(path: string, svg: string, options: WriteOptions = {}): [number, number] {
  const format = imageFormat(path);
  const size = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  const dims: [number, number] = size ? [Number(size[1]), Number(size[2])] : [0, 0];
  writeFileAtomic(path, format === "svg" ? svg : svgToPng(svg), options);
  return dims;
}

interface MapOptions extends LimitFlags {
  box?: string;
  plane?: string;
  out?: string;
  boundary?: boolean;
  size: string;
  title?: string;
  check?: boolean;
  json?: boolean;
}

export const register: Register = (program) => {
  const command = program
    .command("map")
    .description("draw the exact linear regions in a plane as SVG or PNG")
    .argument("<model>", MODEL_ARGUMENT)
    .option("--box <LO,HI>", "the input square [LO,HI]^2 of a 2-input model")
    .option("--plane <P1;P2;P3>", "the parallelogram P1 + s(P2-P1) + t(P3-P1), s, t in [0, 1] (any input size)")
    .option("--out <FILE>", "where to write the picture: FILE.svg or FILE.png")
    .option("--boundary", "draw the decision boundary (output 0 = 0; output 0 = output 1 for two outputs; the argmax's changes for more)")
    .option("--size <PX>", "side of the plot area in pixels", "600")
    .option("--title <TEXT>", "a title above the picture")
    .option("--check", "run the self-checks on the partition; exit 1 on a problem")
    .option("--json", "print one JSON object on stdout (counts, file, size)");
  limitOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  tessera map m.json --box -1,1 --out out/m.png --boundary
  tessera map m.json --plane "0,0,0;1,0,0;0,1,0" --out out/slice.svg`,
    )
    .action(async (modelPath: string, options: MapOptions) => {
      if (!options.out) throw new UserError("--out FILE.svg|FILE.png is required");
      imageFormat(options.out);
      checkWritable(options.out);
      const size = parseInteger(options.size, "--size", 16);
      if (size > 20000) throw new UserError(`--size: at most 20000 pixels, got ${size}`);
      const compiled = prepare(loadModel(modelPath));
      if (compiled.inputSize === 1) throw new UserError(`${modelPath} has 1 input: there is no plane to draw; count its pieces with tessera count ${modelPath} --box LO,HI`);
      if (options.box !== undefined && compiled.inputSize !== 2) {
        throw new UserError(`--box draws the input square of a 2-input model; ${modelPath} has ${compiled.inputSize} inputs: use --plane "P1;P2;P3"`);
      }
      const domain = parseDomain(options, compiled.inputSize, ["box", "plane"]);
      const run = commandBudget(options);
      const picture = drawPlane(compiled, domain, { size, boundary: options.boundary, title: options.title, budget: run.budget });
      run.done();
      const report = countReport(modelPath, compiled, domain, picture.partition, picture.seconds);
      if (!report.complete) {
        // Nothing is written: a picture of part of the plane would pass for the whole.
        if (options.json) output.write(`${JSON.stringify(report)}\n`);
        throw stoppedEarly(picture.partition.stopped as StopReason, picture.partition.cellCount);
      }
      if (options.check) report.check = await selfCheck(compiled, picture.partition, domain.domain);
      const [width, height] = writePicture(options.out, picture.svg);
      if (options.json) {
        output.write(`${JSON.stringify({ ...report, out: options.out, width, height })}\n`);
      } else {
        output.write(
          `wrote ${options.out} (${width}x${height} px): ${report.cells} cells, ${report.activationRegions} activation regions, ` +
            `${report.linearPieces} linear pieces (plane engine ${formatSeconds(report.seconds)} s)\n`,
        );
        if (report.check) output.write(`self-checks: ${describeCheck(report.check)}\n`);
      }
      failOnProblems(report.check);
    });
};
