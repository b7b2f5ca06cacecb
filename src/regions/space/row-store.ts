import type { CutKernel } from "./cut-kernel.ts";

/** Constraint rows g(y) = c_0 + c . y <= 0 shared by all polytopes of one partition, with labels. */
export class RowStore {
  readonly dim: number;
  coef: Float64Array;
  /** Which hyperplane a row comes from: piecewise step index (-1: domain), unit, and detail. */
  step: Int32Array;
  unit: Int32Array;
  /** Elementwise: breakpoint index; max: the competing group member (the neighbour's state). */
  other: Int32Array;
  /** Elementwise: -1 when the cell is below the breakpoint (z <= t), +1 above. */
  side: Int8Array;
  /** 1 when the row's coefficients are exact (the domain's rows, first-layer hyperplanes of a box). */
  exact: Uint8Array;
  /**
   * The power of two that scales the row's normal into [1, 2) for a vertex solve (vertex-solve.ts's
   * powerScale), once per row instead of once per solve; 0 until a solve asks.
   */
  scale: Float64Array;
  /**
   * Rows whose doubles round but whose exact coefficients are known (a first-layer hyperplane
   * with a breakpoint or a slice's rounding): id -> the row exactly, as exact-sign.ts's integers
   * ([c_1..c_k, c_0] times a positive power of two, signed as the row). Few: a sparse map.
   */
  readonly exactRows = new Map<number, bigint[]>();
  /** Vertices solved exactly (exact-sign.ts, exactVertex), by their tight rows' ids: each once. */
  readonly exactVertices = new Map<string, bigint[] | null>();
  /** The same by the vertex's name (space/vertex-names.ts), when the walk names vertices. */
  readonly exactVertexNamed = new Map<number, bigint[]>();
  count = 0;

  constructor(dim: number, capacity = 1024) {
    this.dim = dim;
    this.coef = new Float64Array(capacity * (dim + 1));
    this.step = new Int32Array(capacity);
    this.unit = new Int32Array(capacity);
    this.other = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.exact = new Uint8Array(capacity);
    this.scale = new Float64Array(capacity);
  }

  /** The 3-D cut's WebAssembly, holding `coef` and `scale` (its vertex solve reads them there); null: JavaScript only. */
  private kernel: CutKernel | null = null;
  /** Byte offsets of coef and scale in the kernel's memory. */
  private coefAt = 0;
  private scaleAt = 0;

  /** Keep `coef` and `scale` in `kernel`'s memory (3-D; until `release`). */
  useKernel(kernel: CutKernel): void {
    if (this.dim !== 3) throw new Error("a cut kernel is for 3-D rows");
    this.kernel = kernel;
    this.moveToKernel(this.step.length, false);
    kernel.watch(() => this.viewKernel());
  }

  /** coef and scale placed anew in the kernel's memory for `cap` rows, their contents copied. */
  private moveToKernel(cap: number, inKernel: boolean): void {
    const kernel = this.kernel as CutKernel;
    const n = this.dim + 1;
    const coef = this.coef;
    const scale = this.scale;
    const coefFrom = this.coefAt;
    const scaleFrom = this.scaleAt;
    // Their sizes now: a growth of the memory below detaches the views (their lengths become 0).
    const coefBytes = coef.byteLength;
    const scaleBytes = scale.byteLength;
    this.coefAt = kernel.place(8 * cap * n);
    this.scaleAt = kernel.place(8 * cap);
    // A growth of the memory leaves the views of the old places stale: copy by offsets.
    kernel.refresh();
    if (inKernel) {
      const bytes = new Uint8Array(kernel.buffer);
      bytes.copyWithin(this.coefAt, coefFrom, coefFrom + coefBytes);
      bytes.copyWithin(this.scaleAt, scaleFrom, scaleFrom + scaleBytes);
      this.viewKernel();
      return;
    }
    this.viewKernel();
    this.coef.set(coef);
    this.scale.set(scale);
  }

  private viewKernel(): void {
    const kernel = this.kernel as CutKernel;
    const cap = this.step.length;
    this.coef = new Float64Array(kernel.buffer, this.coefAt, cap * (this.dim + 1));
    this.scale = new Float64Array(kernel.buffer, this.scaleAt, cap);
    kernel.wasm.rows(this.coefAt, this.scaleAt);
  }

  /** The walk is done with the kernel (its memory goes to the next walk): coef and scale back in JavaScript. */
  release(): void {
    if (this.kernel === null) return;
    this.kernel = null;
    this.coef = this.coef.slice();
    this.scale = this.scale.slice();
  }

  /** Add the row sign * h <= 0; returns its id. */
  add(h: Float64Array, sign: number, step: number, unit: number, other: number, side: number, exact = false, exactRow: bigint[] | null = null): number {
    const n = this.dim + 1;
    if (this.count === this.step.length) this.grow();
    const id = this.count++;
    for (let j = 0; j < n; j++) this.coef[id * n + j] = sign * h[j];
    this.step[id] = step;
    this.unit[id] = unit;
    this.other[id] = other;
    this.side[id] = side;
    this.exact[id] = exact ? 1 : 0;
    this.scale[id] = 0;
    if (exactRow !== null) this.exactRows.set(id, sign > 0 ? exactRow : exactRow.map((x) => -x));
    return id;
  }

  /** Another store's rows appended (ids rebased by this store's count before; returns that base). */
  append(other: Pick<RowStore, "count" | "coef" | "step" | "unit" | "other" | "side" | "exact">): number {
    const base = this.count;
    while (this.step.length < base + other.count) this.grow();
    const n = this.dim + 1;
    this.coef.set(other.coef.subarray(0, other.count * n), base * n);
    this.step.set(other.step.subarray(0, other.count), base);
    this.unit.set(other.unit.subarray(0, other.count), base);
    this.other.set(other.other.subarray(0, other.count), base);
    this.side.set(other.side.subarray(0, other.count), base);
    this.exact.set(other.exact.subarray(0, other.count), base);
    this.scale.fill(0, base, base + other.count);
    this.count += other.count;
    return base;
  }

  private grow(): void {
    const cap = this.step.length * 2;
    const n = this.dim + 1;
    if (this.kernel === null) {
      const coef = new Float64Array(cap * n);
      coef.set(this.coef);
      this.coef = coef;
      const scale = new Float64Array(cap);
      scale.set(this.scale);
      this.scale = scale;
    }
    for (const key of ["step", "unit", "other"] as const) {
      const a = new Int32Array(cap);
      a.set(this[key]);
      this[key] = a;
    }
    const side = new Int8Array(cap);
    side.set(this.side);
    this.side = side;
    const exact = new Uint8Array(cap);
    exact.set(this.exact);
    this.exact = exact;
    // In the kernel's memory: placed anew at the new capacity (step's length, set above).
    if (this.kernel !== null) this.moveToKernel(cap, true);
  }
}
