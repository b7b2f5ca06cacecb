/**
 * The plane engine's test of slivers (docs/numerics.md, "Degenerate slices"): a cell far
 * thinner than rounding may be one only by rounding. Where lines that meet at one point exactly
 * (lines through a corner of the slice, whose coefficients round) meet at several computed
 * points, a corner can be cut off by lines that only touch it; two computed twins of one exact
 * line enclose a cell of area 0. Such a cell is checked against its edges' exact lines: the
 * domain clipped by their exact half-planes (exact integer homogeneous coordinates,
 * geometry/exact-half-planes.ts) has no area, so it is no cell.
 */
import { halfPlanesEncloseArea } from "../geometry/exact-half-planes.ts";
import { type LineTable, type PolygonArena, SIDE_MINUS } from "../geometry/polygon.ts";
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import { scaled } from "./unit-error.ts";

/** Cells under this fraction of the domain's area are checked against their exact lines... */
const SLIVER = 2 ** -40;
/** ... and narrower, or smaller across, than this fraction of the domain's diameter (a rounding sliver is some ulps wide). */
const THIN = 2 ** -36;

/** Line id's stored coefficients, exactly (integers times 2^EXACT_SCALE, unit-error.ts). */
export function storedRow(lines: LineTable, id: number): bigint[] {
  return [0, 1, 2].map((ch) => scaled(lines.coef[3 * id + ch]));
}

export class SliverTest {
  private readonly domainArea: number;
  private readonly domainDiameter: number;
  /** The domain polygon's edge lines, exactly as stored (inside: their positive side). */
  readonly domainRows: bigint[][];

  /** For the domain `domain`, stored as polygon p of `arena` with its edge lines in `lines`. */
  constructor(lines: LineTable, arena: PolygonArena, p: number, domain: Float64Array) {
    this.domainArea = Math.abs(signedPolygonArea(domain));
    this.domainDiameter = diameterOf(arena, p);
    this.domainRows = Array.from({ length: arena.size[p] }, (_, k) => storedRow(lines, arena.line[arena.start[p] + k]));
  }

  /**
   * Whether cell p of `arena` (of this area) is a rounding sliver and no cell: under SLIVER of
   * the domain's area, narrower (or smaller across) than THIN of its diameter, and the domain
   * clipped by its edges' exact half-planes (`exactRow`: a line id's exact line; the side the
   * cell is on) has no positive area.
   */
  noCell(arena: PolygonArena, p: number, area: number, exactRow: (id: number) => bigint[]): boolean {
    if (area > SLIVER * this.domainArea) return false;
    const across = diameterOf(arena, p);
    const limit = THIN * this.domainDiameter;
    if (!(across <= limit || area <= limit * across)) return false;
    const start = arena.start[p];
    const sides: bigint[][] = [];
    for (let k = 0; k < arena.size[p]; k++) {
      const row = exactRow(arena.line[start + k]);
      sides.push(arena.side[start + k] === SIDE_MINUS ? row.map((x) => -x) : row);
    }
    return !halfPlanesEncloseArea(this.domainRows, sides);
  }
}

/** The diagonal of polygon p's bounding box (its diameter within a factor sqrt 2). */
function diameterOf(arena: PolygonArena, p: number): number {
  const start = arena.start[p];
  let [u0, u1, v0, v1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < arena.size[p]; k++) {
    const u = arena.uv[2 * (start + k)];
    const v = arena.uv[2 * (start + k) + 1];
    u0 = Math.min(u0, u);
    u1 = Math.max(u1, u);
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  }
  return Math.hypot(u1 - u0, v1 - v0);
}
