/** Growable typed arrays for engine output: amortised O(1) appends, no per-item objects. */
type TypedArray = Float64Array | Int32Array | Uint32Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = (new (length: number) => T) & { BYTES_PER_ELEMENT: number };

/** How a Growable allocates: on a SharedArrayBuffer (threads read it, or write it for another), and its growth factor. */
export interface GrowableOptions {
  shared?: boolean;
  /**
   * Capacity factor at each growth (default 1.5: at most half a buffer of slack). Larger factors
   * copy less: what costs is not the slack (untouched pages of a large buffer are never mapped)
   * but the fresh pages a copy writes, which on some machines cost more than the copy itself.
   */
  growth?: number;
}

/**
 * The factor a buffer of `cap` items grows by: `growth`, but at most 1.5 from 2^26 items on, so
 * that a large buffer's slack (virtual, yet counted by the kernel's overcommit heuristics and
 * bounded by the engine's array limits) stays within half of it.
 */
export function growthAt(cap: number, growth: number): number {
  return cap >= 2 ** 26 ? Math.min(growth, 1.5) : growth;
}

export class Growable<T extends TypedArray> {
  data: T;
  length = 0;
  private readonly shared: boolean;
  private readonly growth: number;
  constructor(
    private readonly make: TypedArrayConstructor<T>,
    capacity = 1024,
    options: GrowableOptions = {},
  ) {
    this.shared = options.shared ?? false;
    this.growth = options.growth ?? 1.5;
    this.data = this.allocate(capacity);
  }
  /** A Growable over `data` (its capacity), empty: buffers handed on from an earlier user. */
  static over<T extends TypedArray>(make: TypedArrayConstructor<T>, data: T, options: GrowableOptions = {}): Growable<T> {
    const g = new Growable(make, 0, options);
    g.data = data;
    return g;
  }
  private allocate(n: number): T {
    return this.shared ? new this.make(new SharedArrayBuffer(n * this.make.BYTES_PER_ELEMENT) as never) : new this.make(n);
  }
  /** Make room for `extra` more items (the data array may be replaced). */
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let cap = Math.max(16, this.data.length);
    while (cap < this.length + extra) cap = Math.ceil(cap * growthAt(cap, this.growth));
    const next = this.allocate(cap);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }
  /**
   * Make room for exactly `extra` more items when there is not room already: for a final size
   * known in advance (a join), where growth's slack would be zeroed memory never used (large
   * allocations that the C library serves from its heap are zero-filled in full).
   */
  reserveExact(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = this.allocate(this.length + extra);
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

export const growableFloat64 = (capacity?: number, options?: GrowableOptions) => new Growable(Float64Array, capacity, options);
export const growableInt32 = (capacity?: number, options?: GrowableOptions) => new Growable(Int32Array, capacity, options);
export const growableUint32 = (capacity?: number, options?: GrowableOptions) => new Growable(Uint32Array, capacity, options);
export const growableUint8 = (capacity?: number, options?: GrowableOptions) => new Growable(Uint8Array, capacity, options);
