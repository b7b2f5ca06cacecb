/**
 * `tessera inspect MODEL [--json]`: what tessera reads from a model file (tessera JSON, ONNX, or
 * a TensorFlow.js model.json): its format, input shape, layers with shapes, piecewise-linear
 * units and parameters, and whether the network is piecewise linear (if not, which node is not).
 * A network that is not piecewise linear is a finding, not an error: exit 0.
 */
import { readBytes, weightsBeside } from "../../io/files.ts";
import { detectFormat, modelFromBytes } from "../../io/model-bytes.ts";
import { FormatError, NotPiecewiseLinearError } from "../../io/network-json.ts";
import { decodeOnnx } from "../../io/onnx/import.ts";
import type { Network } from "../../model/layers.ts";
import { type NetworkSummary, summarize } from "../../model/summary.ts";
import { UserError } from "../errors.ts";
import { printNotices } from "../load-model.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

export type ModelFormat = "onnx" | "tfjs" | "tessera";

export interface InspectReport {
  model: string;
  format: ModelFormat;
  piecewiseLinear: boolean;
  /** When not piecewise linear: the node (or layer) and op that is not, and the message. */
  notPiecewiseLinear?: { node: string; op: string; message: string };
  /** ONNX only: how many nodes of each op the graph has. */
  ops?: Record<string, number>;
  inputShape?: number[];
  outputShape?: number[];
  inputSize?: number;
  units?: number;
  parameters?: number;
  layers?: {
    path: string;
    type: string;
    detail: string;
    inShape: number[];
    outShape: number[];
    units: number;
    parameters: number;
  }[];
}

export function modelFormat(path: string, bytes: Uint8Array): ModelFormat {
  return detectFormat(path, bytes);
}

export function inspectModel(path: string): InspectReport {
  const bytes = readBytes(path, "model file");
  const format = modelFormat(path, bytes);
  const report: InspectReport = { model: path, format, piecewiseLinear: true };
  if (format === "onnx") {
    try {
      const graph = decodeOnnx(bytes).graph;
      const ops: Record<string, number> = {};
      for (const n of graph?.node ?? []) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
      report.ops = ops;
    } catch (e) {
      if (e instanceof FormatError) throw new UserError(`${path}: ${e.message}`);
      throw e;
    }
  }
  let network: Network;
  try {
    const loaded = modelFromBytes({ name: path, bytes }, { weights: weightsBeside(path) });
    printNotices(loaded.notices, path);
    network = loaded.network;
  } catch (e) {
    if (e instanceof NotPiecewiseLinearError) {
      report.piecewiseLinear = false;
      report.notPiecewiseLinear = {
        node: e.node,
        op: e.op,
        message: e.message,
      };
      return report;
    }
    throw e;
  }
  const s: NetworkSummary = summarize(network);
  report.inputShape = s.inputShape;
  report.outputShape = s.outputShape;
  report.inputSize = network.inputSize;
  report.units = s.units;
  report.parameters = s.parameters;
  report.layers = s.rows.map((r) => ({
    path: r.path,
    type: r.type,
    detail: r.detail,
    inShape: r.inShape,
    outShape: r.outShape,
    units: r.units,
    parameters: r.parameters,
  }));
  return report;
}

const shapeText = (s: number[]): string => `[${s.join(", ")}]`;

export function formatInspect(r: InspectReport): string {
  const lines = [`model: ${r.model} (${r.format === "onnx" ? "ONNX" : r.format === "tfjs" ? "TensorFlow.js layers model" : "tessera JSON"})`];
  if (r.ops)
    lines.push(
      `graph: ${Object.entries(r.ops)
        .map(([op, n]) => (n > 1 ? `${op} x${n}` : op))
        .join(", ")}`,
    );
  if (!r.piecewiseLinear) {
    lines.push(`piecewise linear: no (${r.notPiecewiseLinear?.message})`);
    return lines.join("\n");
  }
  lines.push(`input shape: ${shapeText(r.inputShape ?? [])} (${r.inputSize} numbers)`);
  lines.push("piecewise linear: yes");
  const rows = (r.layers ?? []).map((l) => [
    `${"  ".repeat(l.path.split("/").length > 1 ? (l.path.split("/").length + 1) / 2 : 0)}${l.path}`,
    l.type,
    l.detail,
    shapeText(l.outShape),
    l.units ? String(l.units) : "",
    l.parameters ? String(l.parameters) : "",
  ]);
  const header = ["layer", "type", "settings", "output shape", "units", "parameters"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c >= 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  lines.push(line(header), ...rows.map(line));
  lines.push(`output shape: ${shapeText(r.outputShape ?? [])}; ${r.units} piecewise-linear units, ${r.parameters} parameters`);
  return lines.join("\n");
}

export const register: Register = (program) => {
  program
    .command("inspect")
    .description("show a model's format, layers, shapes, units and parameters, and whether it is piecewise linear")
    .argument("<MODEL>", "tessera JSON, ONNX (.onnx) or TensorFlow.js model.json")
    .option("--json", "print one JSON object on stdout")
    .action((modelPath: string, options: { json?: boolean }) => {
      const report = inspectModel(modelPath);
      output.write(options.json ? `${JSON.stringify(report)}\n` : `${formatInspect(report)}\n`);
    });
};
