/**
 * Values with typed arrays through JSON (BullMQ stores job data and results as JSON): each typed
 * array becomes { $typed: "Float64Array", base64 }, bit for bit, and comes back as the same type.
 */
const TYPES = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;

export function toWire(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name as TypeName;
    if (!(name in TYPES)) throw new Error(`internal: cannot send a ${name}`);
    return { $typed: name, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}

export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$typed === "string" && typeof o.base64 === "string") {
      const bytes = Buffer.from(o.base64, "base64");
      const Type = TYPES[o.$typed as TypeName];
      if (!Type) throw new Error(`unknown typed array ${o.$typed}`);
      // A copy into an aligned buffer of its own.
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Type(copy.buffer, 0, copy.byteLength / Type.BYTES_PER_ELEMENT);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}
