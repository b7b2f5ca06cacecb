/**
 * `tessera convert MODEL -o OUT.json|OUT.onnx`: any model tessera reads (ONNX, TensorFlow.js,
 * tessera JSON) to the tessera JSON format or to ONNX (by the output's extension), written
 * atomically. Numbers keep full float64 precision unless `--float32` asks for an ONNX file that
 * float32-only runtimes accept.
 */
import { checkWritable, writeFileAtomic } from "../../io/files.ts";
import { stringifyNetwork } from "../../io/network-json.ts";
import { exportOnnx } from "../../io/onnx/export.ts";
import { summarize } from "../../model/summary.ts";
import { UserError } from "../errors.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

export const register: Register = (program) => {
  program
    .command("convert")
    .description("convert an ONNX, TensorFlow.js or tessera model to the tessera JSON format or to ONNX")
    .argument("<MODEL>", "tessera JSON, ONNX (.onnx) or TensorFlow.js model.json")
    .requiredOption("-o, --output <FILE>", "the file to write: ONNX when it ends in .onnx, else tessera JSON")
    .option("--float32", "ONNX only: float32 weights (for runtimes without float64 Conv; rounds each weight once)")
    .option("--json", "print one JSON object on stdout describing what was written")
    .action((modelPath: string, options: { output: string; float32?: boolean; json?: boolean }) => {
      if (!options.output) throw new UserError("convert: -o/--output is required");
      const onnx = options.output.toLowerCase().endsWith(".onnx");
      if (options.float32 && !onnx) throw new UserError(`convert: --float32 applies to ONNX output; ${options.output} does not end in .onnx`);
      checkWritable(options.output);
      const network = loadModel(modelPath);
      const bytes = onnx ? exportOnnx(network, { float: options.float32 ? "float32" : "float64" }) : stringifyNetwork(network);
      writeFileAtomic(options.output, bytes);
      const s = summarize(network);
      const summary = {
        model: modelPath,
        output: options.output,
        format: onnx ? (options.float32 ? "onnx-float32" : "onnx") : "tessera",
        bytes: typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength,
        inputShape: s.inputShape,
        outputShape: s.outputShape,
        layers: network.layers.length,
        units: s.units,
        parameters: s.parameters,
      };
      output.write(
        options.json
          ? `${JSON.stringify(summary)}\n`
          : `wrote ${options.output} (${summary.bytes} bytes): input [${s.inputShape.join(", ")}], ${summary.layers} layers, ${s.units} piecewise-linear units, ${s.parameters} parameters\n`,
      );
    });
};
