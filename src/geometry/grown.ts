/** Typed arrays cannot grow in place; the engines' arenas double through this one helper. */
export type GrowableArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** A copy of `a` in a new array of the same type and `length` elements (length >= a.length). */
export function grown<T extends GrowableArray>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a as never);
  return b;
}
