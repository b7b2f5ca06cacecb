/**
 * Test helper: writes small ONNX models with protobufjs (the same schema the importer reads), for
 * ops and encodings that torch.onnx.export does not produce in our fixtures.
 */
import { modelProtoType } from "../../src/io/onnx/schema.ts";

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs?: string[];
  name?: string;
  attrs?: Record<string, number | number[] | string | { floats: number[] } | { tensor: TensorSpec }>;
}

export interface TensorSpec {
  name?: string;
  dims: number[];
  values: number[];
  /** How to store the values: raw float32 (default), raw float64, float_data, double_data, int64_data. */
  as?: "raw32" | "raw64" | "floatData" | "doubleData" | "int64";
  external?: boolean;
}

export function tensor(spec: TensorSpec): Record<string, unknown> {
  const t: Record<string, unknown> = { name: spec.name ?? "", dims: spec.dims };
  const as = spec.as ?? "raw32";
  if (spec.external) {
    return {
      ...t,
      dataType: 1,
      dataLocation: 1,
      externalData: [{ key: "location", value: "weights.bin" }],
    };
  }
  switch (as) {
    case "raw32":
      return {
        ...t,
        dataType: 1,
        rawData: new Uint8Array(Float32Array.from(spec.values).buffer),
      };
    case "raw64":
      return {
        ...t,
        dataType: 11,
        rawData: new Uint8Array(Float64Array.from(spec.values).buffer),
      };
    case "floatData":
      return { ...t, dataType: 1, floatData: spec.values };
    case "doubleData":
      return { ...t, dataType: 11, doubleData: spec.values };
    case "int64":
      return { ...t, dataType: 7, int64Data: spec.values };
  }
}

function attribute(name: string, v: NonNullable<NodeSpec["attrs"]>[string]): Record<string, unknown> {
  if (typeof v === "number") return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === "string") return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ("floats" in v) return { name, type: 6, floats: v.floats };
  return { name, type: 4, t: tensor(v.tensor) };
}

/** Attributes that are floats even when integral (alpha = 1 etc.): pass them as { floats } or here. */
export function floatAttr(name: string, f: number): Record<string, unknown> {
  return { name, type: 1, f };
}

export function onnxModel(options: {
  inputShape: (number | string)[];
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  output?: string;
  opset?: number;
  floatAttrs?: Record<string, Record<string, number>>;
}): Uint8Array {
  const dim = (d: number | string) => (typeof d === "number" ? { dimValue: d } : { dimParam: d });
  const nodes = options.nodes.map((n, i) => ({
    input: n.inputs,
    output: n.outputs ?? [`t${i}`],
    name: n.name ?? `${n.op}_${i}`,
    opType: n.op,
    attribute: [...Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)), ...Object.entries(options.floatAttrs?.[n.name ?? ""] ?? {}).map(([k, f]) => floatAttr(k, f))],
  }));
  const last = nodes[nodes.length - 1].output[0];
  const doc = {
    irVersion: 7,
    producerName: "tessera-test",
    opsetImport: [{ domain: "", version: options.opset ?? 13 }],
    graph: {
      name: "g",
      node: nodes,
      initializer: (options.initializers ?? []).map(tensor),
      input: [
        {
          name: "x",
          type: {
            tensorType: {
              elemType: 1,
              shape: { dim: options.inputShape.map(dim) },
            },
          },
        },
      ],
      output: [{ name: options.output ?? last }],
    },
  };
  const ModelProto = modelProtoType();
  return ModelProto.encode(ModelProto.fromObject(doc)).finish();
}
