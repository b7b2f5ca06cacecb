/**
 * A max group step's cut of a cell in the plane engine's JavaScript descent (plane.ts): maxout and
 * max-pool units, each cut by the lines between its candidates, rounding ties settled exactly
 * (plane-ties.ts).
 */
import { classify, type LineTable, type PolygonArena, roundingTies, SPLIT, split, WHOLE_MINUS, WHOLE_PLUS, WHOLE_ZERO } from "../geometry/polygon.ts";
import type { MaxStep } from "../model/steps.ts";
import { EPS as UNIT_ROUNDOFF } from "./map-error.ts";
import type { Cut } from "./plane-frame.ts";
import type { LineBounds } from "./plane-line-bounds.ts";
import type { TieDecisions } from "./plane-ties.ts";

// A module-local copy (some loaders, tsx, turn every read of an imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;

export class MaxCut {
  /** The classification's signs at a polygon's vertices (split follows them). */
  private signs = new Int8Array(64);

  constructor(
    private readonly lines: LineTable,
    private readonly lineBounds: LineBounds,
    private readonly ties: TieDecisions,
  ) {}

  private ensureSigns(n: number): Int8Array {
    if (this.signs.length < n) this.signs = new Int8Array(2 * n);
    return this.signs;
  }

  /**
   * Max groups (maxout, max-pool): the region where candidate i is the argmax is the polygon
   * clipped by z_i - z_i' >= 0 for every other candidate i' (ties to the first candidate).
   * The line of a pair (i < i') is created once, z_i - z_i', so both sides share its id.
   */
  cut(step: MaxStep, s: number, arena: PolygonArena, root: number, z: Float64Array, zErr: Float64Array): Cut {
    // A difference of two maps: twice the error, plus the subtraction's rounding (bounded
    // through the coefficients' size, below).
    const [e0, e1, e2] = [2 * zErr[0], 2 * zErr[1], 2 * zErr[2]];
    const diffErr = (x: number, y: number, base: number) => base + EPS * (Math.abs(x) + Math.abs(y));
    const n = step.inSize;
    const m = step.outSize;
    const full = new Uint8Array(m);
    const crossing: number[] = [];
    // Polygon poly against the line z_zl - z_zh = 0 (a0 + a1 u + a2 v, with bounds): rounding ties settled as for elementwise units (plane-ties.ts settle).
    const classifyPair = (poly: number, zl: number, zh: number, a0: number, a1: number, a2: number, ea: number, eb: number, ec: number): number => {
      const ties = roundingTies.count;
      const cls = classify(arena, poly, this.lines, a0, a1, a2, this.ensureSigns(arena.size[poly] + 2), ea, eb, ec);
      return roundingTies.count === ties ? cls : this.ties.settle(arena, poly, this.signs, zl, 0, zh);
    };
    // Whether candidate position i wins on the whole polygon.
    const winsWhole = (poly: number, j: number, i: number): boolean => {
      const start = step.offsets[j];
      const end = step.offsets[j + 1];
      const zi = step.indices[start + i];
      for (let p = start; p < end; p++) {
        if (p === start + i) continue;
        const zk = step.indices[p];
        const cls = classifyPair(
          poly,
          zi,
          zk,
          z[zi] - z[zk],
          z[n + zi] - z[n + zk],
          z[2 * n + zi] - z[2 * n + zk],
          diffErr(z[zi], z[zk], e0),
          diffErr(z[n + zi], z[n + zk], e1),
          diffErr(z[2 * n + zi], z[2 * n + zk], e2),
        );
        if (cls === WHOLE_PLUS) continue;
        if (cls === WHOLE_ZERO && start + i < p) continue;
        return false;
      }
      return true;
    };
    for (let j = 0; j < m; j++) {
      const size = step.offsets[j + 1] - step.offsets[j];
      let winner = -1;
      for (let i = 0; i < size && winner < 0; i++) if (winsWhole(root, j, i)) winner = i;
      if (winner >= 0) full[j] = winner;
      else crossing.push(j);
    }
    const nc = crossing.length;
    let pieces = [root];
    let states = new Uint8Array(Math.max(1, nc));
    for (let c = 0; c < nc; c++) {
      const j = crossing[c];
      const start = step.offsets[j];
      const size = step.offsets[j + 1] - start;
      const pairLine = new Map<number, number>();
      const nextPieces: number[] = [];
      const nextStates: number[] = [];
      for (let q = 0; q < pieces.length; q++) {
        for (let i = 0; i < size; i++) {
          let poly = pieces[q];
          let alive = true;
          for (let k = 0; k < size && alive; k++) {
            if (k === i) continue;
            const lo = Math.min(i, k);
            const hi = Math.max(i, k);
            const zl = step.indices[start + lo];
            const zh = step.indices[start + hi];
            const a0 = z[zl] - z[zh];
            const a1 = z[n + zl] - z[n + zh];
            const a2 = z[2 * n + zl] - z[2 * n + zh];
            const want = i === lo ? 1 : -1; // keep z_i - z_k >= 0
            const cls = classifyPair(poly, zl, zh, a0, a1, a2, diffErr(z[zl], z[zh], e0), diffErr(z[n + zl], z[n + zh], e1), diffErr(z[2 * n + zl], z[2 * n + zh], e2));
            if (cls === WHOLE_ZERO) alive = i < k;
            else if (cls === (want > 0 ? WHOLE_PLUS : WHOLE_MINUS)) continue;
            else if (cls !== SPLIT) alive = false;
            else {
              const key = lo * size + hi;
              let lineId = pairLine.get(key);
              if (lineId === undefined) {
                lineId = this.lines.add(a0, a1, a2, c, key);
                this.ties.rounded(lineId, s, zl, zh, 0);
                this.lineBounds.bound(lineId, diffErr(z[zl], z[zh], e0), diffErr(z[n + zl], z[n + zh], e1), diffErr(z[2 * n + zl], z[2 * n + zh], e2));
                pairLine.set(key, lineId);
              }
              const plus = split(arena, poly, this.lines, lineId, this.signs, arena);
              this.lineBounds.widen(arena, plus, lineId);
              poly = want > 0 ? plus : plus + 1;
            }
          }
          if (alive) {
            nextPieces.push(poly);
            for (let c2 = 0; c2 < nc; c2++) nextStates.push(c2 === c ? i : states[q * nc + c2]);
          }
        }
      }
      pieces = nextPieces;
      states = Uint8Array.from(nextStates);
    }
    if (nc === 0) states = new Uint8Array(0);
    return { pieces: Int32Array.from(pieces), pieceCount: pieces.length, states, crossing: Int32Array.from(crossing), nc, fullStates: full };
  }
}
