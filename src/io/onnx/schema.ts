/**
 * The part of onnx.proto (ONNX IR, proto2, package `onnx`) that tessera reads, as a protobufjs
 * JSON descriptor: no .proto parser and no file access, so the browser decodes models too.
 * Field numbers follow onnx/onnx.proto; fields we do not need (doc strings, training info,
 * sparse tensors, subgraphs of control-flow ops) are left out and skipped by the decoder, which
 * also keeps decoding free of recursion through nested graphs.
 */
import protobuf from "protobufjs/light.js";

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            producerVersion: { type: "string", id: 3 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: {
              rule: "repeated",
              type: "OperatorSetIdProto",
              id: 8,
            },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: "string", id: 1 },
            version: { type: "int64", id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
            domain: { type: "string", id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            t: { type: "TensorProto", id: 5 },
            floats: { rule: "repeated", type: "float", id: 7 },
            ints: { rule: "repeated", type: "int64", id: 8 },
            type: { type: "int32", id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            dataType: { type: "int32", id: 2 },
            floatData: { rule: "repeated", type: "float", id: 4 },
            int32Data: { rule: "repeated", type: "int32", id: 5 },
            int64Data: { rule: "repeated", type: "int64", id: 7 },
            name: { type: "string", id: 8 },
            rawData: { type: "bytes", id: 9 },
            doubleData: { rule: "repeated", type: "double", id: 10 },
            uint64Data: { rule: "repeated", type: "uint64", id: 11 },
            externalData: {
              rule: "repeated",
              type: "StringStringEntryProto",
              id: 13,
            },
            dataLocation: { type: "int32", id: 14 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: "string", id: 1 },
            value: { type: "string", id: 2 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: "string", id: 1 },
            type: { type: "TypeProto", id: 2 },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: "TypeProtoTensor", id: 1 } },
        },
        TypeProtoTensor: {
          fields: {
            elemType: { type: "int32", id: 1 },
            shape: { type: "TensorShapeProto", id: 2 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
        },
        Dimension: {
          fields: {
            dimValue: { type: "int64", id: 1 },
            dimParam: { type: "string", id: 2 },
          },
        },
      },
    },
  },
};

let modelProto: protobuf.Type | null = null;

/**
 * The ModelProto message type, built on first use: a command that never reads ONNX never touches
 * protobufjs (the command's bundle imports it on first property access, scripts/build.mjs).
 */
export function modelProtoType(): protobuf.Type {
  modelProto ??= protobuf.Root.fromJSON(descriptor).lookupType("onnx.ModelProto");
  return modelProto;
}

/** An int64 as protobufjs gives it (a number, or a Long when the `long` package is present). */
export type Int64 = number | { toNumber(): number };

export interface TensorMessage {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  name: string;
  rawData: Uint8Array;
  doubleData: number[];
  uint64Data: Int64[];
  externalData: { key: string; value: string }[];
  dataLocation: number;
}

export interface AttributeMessage {
  name: string;
  f: number;
  i: Int64;
  s: Uint8Array;
  t: TensorMessage | null;
  floats: number[];
  ints: Int64[];
  type: number;
}

export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: AttributeMessage[];
  domain: string;
}

export interface ValueInfoMessage {
  name: string;
  type: {
    tensorType: {
      elemType: number;
      shape: { dim: { dimValue: Int64; dimParam: string }[] } | null;
    } | null;
  } | null;
}

export interface GraphMessage {
  node: NodeMessage[];
  name: string;
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
}

export interface ModelMessage {
  irVersion: Int64;
  producerName: string;
  producerVersion: string;
  graph: GraphMessage | null;
  opsetImport: { domain: string; version: Int64 }[];
}

export function int64(x: Int64 | null | undefined): number {
  if (x === null || x === undefined) return 0;
  return typeof x === "number" ? x : x.toNumber();
}
