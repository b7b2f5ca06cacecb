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
    const coef = new Float64Array(cap * n);
    coef.set(this.coef);
    this.coef = coef;
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
    const scale = new Float64Array(cap);
    scale.set(this.scale);
    this.scale = scale;
  }
}
