/**
 * `tessera convert MODEL -o OUT.json`: any model tessera reads (ONNX, TensorFlow.js, tessera
 * JSON) to the tessera JSON format, written atomically. Numbers keep full float64 precision.
 */
import { checkWritable, writeFileAtomic } from "../../io/files.ts";
import { stringifyNetwork } from "../../io/network-json.ts";
import { summarize } from "../../model/summary.ts";
import { UserError } from "../errors.ts";
import { loadModel } from "../load-model.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

export const register: Register = (program) => {
  program
    .command("convert")
    .description("convert an ONNX, TensorFlow.js or tessera model to the tessera JSON format")
    .argument("<MODEL>", "tessera JSON, ONNX (.onnx) or TensorFlow.js model.json")
    .requiredOption("-o, --output <FILE>", "the tessera JSON file to write")
    .option("--json", "print one JSON object on stdout describing what was written")
    .action((modelPath: string, options: { output: string; json?: boolean }) => {
      if (!options.output) throw new UserError("convert: -o/--output is required");
      checkWritable(options.output);
      const network = loadModel(modelPath);
      const text = stringifyNetwork(network);
      writeFileAtomic(options.output, text);
      const s = summarize(network);
      const summary = {
        model: modelPath,
        output: options.output,
        bytes: Buffer.byteLength(text),
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
