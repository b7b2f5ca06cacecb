/**
 * Proofs that a row is not a facet, kept from the LPs that made them and tried on later regions
 * before their own LP (docs/whole.md, "Cheaper proofs that a row is not a facet").
 *
 * An LP that rejects a candidate row proves it with row multipliers y: the Lagrangian bound
 * sum_k y_k b_k + max_{x in box} (-A^T y)^T Q x (box-simplex.ts) is below -floor. That bound is
 * certified for *any* multipliers, so the same y, read by hyperplane id, can be tried on another
 * region's LP for the same row: regions met one after the other share most of their rows (a
 * neighbour across a last-layer facet has the same rows but one), and the bound, evaluated on
 * the new region's own rows in O(K r + r n0), usually still proves the row redundant. When it
 * does, the LP (about 50-100 pivots of O(r n0 + K^2)) is not solved; when it does not, the LP
 * runs as before. A rejection is the same fact whichever proof made it, so the partition is the
 * same bit for bit (regions, points, facets); only the counts of LPs change.
 *
 * Per (row id, LP form) the last DEPTH certificates are kept, dense over the row ids (hyperplane
 * ids, then the domain's rows): y of a row absent from the new region is dropped and the rest
 * scaled back to sum y_k nu_k = 1 (any nonnegative scaling keeps the bound valid; the s term
 * max_s s (1 - y . nu) needs the sum at 1 to stay small).
 */
import type { BoxLp } from "./box-lp.ts";

/** The two LPs a candidate row takes (processor.ts 3d): its row as an equality, or reversed. */
export const FORM_EQUALITY = 0;
export const FORM_REVERSED = 1;
const FORMS = 2;
/** Certificates kept per row and form (tried newest first). */
const DEPTH = 4;
/** Largest number of row ids for which certificates are kept (memory: ids^2 x 4 doubles). */
const MAX_IDS = 512;

export class RejectionCertificates {
  readonly enabled: boolean;
  private readonly y: Float64Array;
  private readonly filled: Uint8Array;
  private readonly next: Uint8Array;
  private readonly trial: Float64Array;
  /** Rejections proved here, and attempts (for the stats). */
  proved = 0;
  tried = 0;

  constructor(
    readonly ids: number,
    capacity: number,
  ) {
    this.enabled = ids > 0 && ids <= MAX_IDS;
    const n = this.enabled ? ids * FORMS * DEPTH : 0;
    this.y = new Float64Array(n * (this.enabled ? ids : 0));
    this.filled = new Uint8Array(n);
    this.next = new Uint8Array(this.enabled ? ids * FORMS : 0);
    this.trial = new Float64Array(capacity);
  }

  /**
   * Does a kept certificate for row `id` in `form` prove, on the LP (K, A, nu, b, eq, sLo, sHi)
   * whose rows have ids rowId, an optimum at most -floor (not a facet)?
   */
  rejects(
    lp: BoxLp,
    id: number,
    form: number,
    K: number,
    rowId: Int32Array,
    A: Float64Array,
    nu: Float64Array,
    b: Float64Array,
    eq: Uint8Array,
    sLo: number,
    sHi: number,
    floor: number,
  ): boolean {
    if (!this.enabled) return false;
    const { ids, trial } = this;
    const slot0 = (id * FORMS + form) * DEPTH;
    for (let d = 0; d < DEPTH; d++) {
      // Newest first: the ring's last write is just before `next`.
      const slot = slot0 + ((this.next[id * FORMS + form] + DEPTH - 1 - d) % DEPTH);
      if (!this.filled[slot]) continue;
      const at = slot * ids;
      let yNu = 0;
      for (let k = 0; k < K; k++) {
        const yk = this.y[at + rowId[k]];
        trial[k] = yk;
        if (!eq[k]) yNu += yk * nu[k];
      }
      if (!(yNu > 0)) continue;
      const scale = 1 / yNu;
      for (let k = 0; k < K; k++) trial[k] *= scale;
      this.tried++;
      if (lp.lagrangian(K, A, nu, b, eq, sLo, sHi, trial) <= -floor) {
        this.proved++;
        return true;
      }
    }
    return false;
  }

  /** Keep the multipliers y (K, of the rows with ids rowId) that proved row `id` not a facet in `form`. */
  keep(id: number, form: number, K: number, rowId: Int32Array, y: Float64Array): void {
    if (!this.enabled) return;
    const ids = this.ids;
    const ring = id * FORMS + form;
    const slot = ring * DEPTH + this.next[ring];
    this.next[ring] = (this.next[ring] + 1) % DEPTH;
    const at = slot * ids;
    this.y.fill(0, at, at + ids);
    for (let k = 0; k < K; k++) this.y[at + rowId[k]] = y[k];
    this.filled[slot] = 1;
  }
}
