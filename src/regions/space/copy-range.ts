/** a[from .. from + n) into b[to ..] (one function per array type: a generic one saw three, and its accesses went polymorphic). */
export function copyFloats(a: Float64Array, from: number, b: Float64Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) b[to + i] = a[from + i];
}

/** a[from .. from + n) into b[to ..]. */
export function copyInts(a: Int32Array, from: number, b: Int32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) b[to + i] = a[from + i];
}

/** a[from .. from + n) into b[to ..]. */
export function copyWords(a: Uint32Array, from: number, b: Uint32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) b[to + i] = a[from + i];
}
