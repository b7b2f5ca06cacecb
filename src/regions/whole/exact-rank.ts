/**
 * The exact rank of a set of dyadic rows, one row at a time: the reduction (reduce.ts) asks it
 * only about rows whose float64 residual is within rounding of zero, where Gram-Schmidt cannot
 * tell a dependent row from a unit and its rounded non-dyadic multiple (a row and the float64
 * rounding of 0.1 or 1/3 times it differ by about 1e-17 of their norm: exactly independent, and the
 * thin slabs between their hyperplanes are regions). Nothing here runs on rows Gram-Schmidt
 * decides by a clear margin.
 *
 * Fraction-free Gaussian elimination (Bareiss) on integer rows: every dyadic row is an integer
 * vector times a power of two, which does not change the rank. The rows kept so far are stored
 * in echelon form, E_j after j - 1 elimination steps with its pivot column p_j (its entry of
 * largest magnitude); a new row is reduced by the same steps, each an exact division by the
 * previous pivot (Sylvester's identity: every entry is a minor), so the integers grow linearly
 * with the rank, not exponentially. A row that reduces to zero is dependent; otherwise its
 * reduced form, zero on every earlier pivot column, is a vector of the grown row space outside
 * the old one (the direction reduce.ts adds to its basis), and it becomes the next echelon row.
 */
import { bitLength } from "../../geometry/exact-lp.ts";

export class ExactRowSpace {
  private readonly rows: bigint[][] = [];
  private readonly pivots: number[] = [];

  constructor(readonly n: number) {}

  get rank(): number {
    return this.rows.length;
  }

  /**
   * Adds the integer row v (n entries). Returns its reduced form (exact, not all zero) when it
   * is independent of the rows added before, null when it is in their span.
   */
  add(v: readonly bigint[]): bigint[] | null {
    const reduced = this.reduce(v);
    if (reduced === null) return null;
    let pivot = 0;
    let best = 0n;
    for (let c = 0; c < this.n; c++) {
      const a = reduced[c] < 0n ? -reduced[c] : reduced[c];
      if (a > best) {
        best = a;
        pivot = c;
      }
    }
    this.rows.push(reduced);
    this.pivots.push(pivot);
    return reduced;
  }

  /** v after the elimination steps of every stored row; null when that is zero. */
  private reduce(v: readonly bigint[]): bigint[] | null {
    const n = this.n;
    let cur = v.slice();
    let previous = 1n;
    for (let j = 0; j < this.rows.length; j++) {
      const E = this.rows[j];
      const p = this.pivots[j];
      const lead = E[p];
      const factor = cur[p];
      const next: bigint[] = new Array(n);
      if (factor === 0n) {
        // Nothing to eliminate: the step multiplies by the pivot and divides by the previous one.
        for (let c = 0; c < n; c++) next[c] = cur[c] === 0n ? 0n : (lead * cur[c]) / previous;
      } else {
        for (let c = 0; c < n; c++) {
          const x = lead * cur[c] - factor * E[c];
          next[c] = x === 0n ? 0n : x / previous;
        }
      }
      next[p] = 0n;
      cur = next;
      previous = lead;
    }
    return cur.some((x) => x !== 0n) ? cur : null;
  }
}

/** An exact integer vector rounded to float64 and scaled to unit length (its direction). */
export function unitDirection(v: readonly bigint[]): Float64Array {
  let bits = 0;
  for (const x of v) bits = Math.max(bits, bitLength(x));
  // Every entry shifted so that the largest has about 60 bits: exact enough, never overflowing.
  const shift = BigInt(Math.max(0, bits - 60));
  const out = new Float64Array(v.length);
  let norm = 0;
  for (let c = 0; c < v.length; c++) {
    out[c] = Number(v[c] >> shift);
    norm += out[c] * out[c];
  }
  norm = Math.sqrt(norm);
  for (let c = 0; c < v.length; c++) out[c] /= norm;
  return out;
}
