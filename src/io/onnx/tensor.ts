/**
 * ONNX tensors to float64: raw_data (little-endian, fixed width) or the typed repeated fields,
 * for the float and integer types a network's weights and shape constants use. Sizes are checked
 * against the bytes present before anything is allocated, so absurd dims fail fast. NaN and
 * infinities are refused here, naming the tensor (finite.ts).
 */
import { finiteValues } from "../finite.ts";
import { FormatError } from "../network-json.ts";
import { int64, type TensorMessage } from "./schema.ts";

/** A constant tensor: dims (row-major) and values as float64 (exact for int32; int64 up to 2^53). */
export interface Tensor {
  dims: number[];
  data: Float64Array;
}

/** Largest number of elements one constant tensor may hold. */
export const MAX_TENSOR_ELEMENTS = 1e8;

/** TensorProto.DataType codes the writer uses (io/onnx/export.ts); the reader knows those below. */
export const DATA_TYPE = { float32: 1, int64: 7, float64: 11 } as const;

const TYPES: Record<number, { name: string; bytes: number }> = {
  1: { name: "float32", bytes: 4 },
  2: { name: "uint8", bytes: 1 },
  3: { name: "int8", bytes: 1 },
  4: { name: "uint16", bytes: 2 },
  5: { name: "int16", bytes: 2 },
  6: { name: "int32", bytes: 4 },
  7: { name: "int64", bytes: 8 },
  9: { name: "bool", bytes: 1 },
  10: { name: "float16", bytes: 2 },
  11: { name: "float64", bytes: 8 },
  12: { name: "uint32", bytes: 4 },
  13: { name: "uint64", bytes: 8 },
};

export function tensorNumel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function decodeTensor(t: TensorMessage, where: string): Tensor {
  if (t.dataLocation === 1 || t.externalData.length > 0) {
    const location = t.externalData.find((e) => e.key === "location")?.value ?? "?";
    throw new FormatError(
      `${where}: its data is in an external file ("${location}"); tessera reads self-contained .onnx files (export without external data, or onnx.save(model, path, save_as_external_data=False))`,
    );
  }
  const dims = t.dims.map(int64);
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d > MAX_TENSOR_ELEMENTS) throw new FormatError(`${where}: dimension ${i} is ${d}`);
  });
  const numel = tensorNumel(dims);
  if (numel > MAX_TENSOR_ELEMENTS) throw new FormatError(`${where}: ${numel} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`);
  const type = TYPES[t.dataType];
  if (!type) throw new FormatError(`${where}: unsupported data type ${t.dataType} (tessera reads float16/32/64 and integer tensors)`);
  const data = new Float64Array(numel);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== numel * type.bytes) {
      throw new FormatError(`${where}: raw_data has ${raw.length} bytes, dims [${dims.join(", ")}] of ${type.name} need ${numel * type.bytes}`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < numel; i++) data[i] = readRaw(view, i, t.dataType);
  } else {
    const field = typedField(t);
    if (field.length !== numel) {
      throw new FormatError(`${where}: holds ${field.length} values, dims [${dims.join(", ")}] need ${numel}`);
    }
    for (let i = 0; i < numel; i++) {
      const v = field[i];
      data[i] = t.dataType === 10 ? halfToFloat(v as number) : typeof v === "number" ? v : int64(v);
    }
  }
  finiteValues(data, where);
  return { dims, data };
}

function typedField(t: TensorMessage): readonly (number | { toNumber(): number })[] {
  switch (t.dataType) {
    case 1:
      return t.floatData;
    case 11:
      return t.doubleData;
    case 7:
      return t.int64Data;
    case 12:
    case 13:
      return t.uint64Data;
    default:
      return t.int32Data;
  }
}

function readRaw(view: DataView, i: number, type: number): number {
  switch (type) {
    case 1:
      return view.getFloat32(i * 4, true);
    case 11:
      return view.getFloat64(i * 8, true);
    case 2:
    case 9:
      return view.getUint8(i);
    case 3:
      return view.getInt8(i);
    case 4:
      return view.getUint16(i * 2, true);
    case 5:
      return view.getInt16(i * 2, true);
    case 6:
      return view.getInt32(i * 4, true);
    case 12:
      return view.getUint32(i * 4, true);
    case 10:
      return halfToFloat(view.getUint16(i * 2, true));
    case 7:
      return Number(view.getBigInt64(i * 8, true));
    default:
      return Number(view.getBigUint64(i * 8, true));
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
