/** Growable typed arrays for engine output: amortised O(1) appends, no per-item objects. */
type TypedArray = Float64Array | Int32Array | Uint32Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

export class Growable<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(
    private readonly make: TypedArrayConstructor<T>,
    capacity = 1024,
  ) {
    this.data = new make(capacity);
  }
  /** Make room for `extra` more items (the data array may be replaced). */
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    // 1.5x growth: amortised O(1) appends with at most half a buffer of slack.
    let cap = Math.max(16, this.data.length);
    while (cap < this.length + extra) cap = Math.ceil(cap * 1.5);
    const next = new this.make(cap);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }
  push(x: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = x;
  }
  /**
   * The items as a view of the buffer (no copy: copying a million cells' arrays would double the
   * peak memory; the view keeps at most the growth slack).
   */
  toArray(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const growableFloat64 = (capacity?: number) => new Growable(Float64Array, capacity);
export const growableInt32 = (capacity?: number) => new Growable(Int32Array, capacity);
export const growableUint32 = (capacity?: number) => new Growable(Uint32Array, capacity);
export const growableUint8 = (capacity?: number) => new Growable(Uint8Array, capacity);
