/**
 * The bounds of the lines the plane engine's cuts make (plane.ts; relative to the exact map, as
 * each cut took them), and the widening of the vertices a split by one of them makes
 * (plane-vertex-error.ts): a vertex's radius takes in how far its lines' exact intersection may be.
 */
import { grown } from "../geometry/grown.ts";
import type { LineTable, PolygonArena } from "../geometry/polygon.ts";
import { widenCutVertices } from "./plane-vertex-error.ts";

export class LineBounds {
  constructor(private readonly lines: LineTable) {}

  /**
   * The bounds (relative to the exact map) of line ids' coefficients, 3 per id: 0 for the
   * domain's; a vertex's radius takes in how far its lines' exact intersection may be (widen).
   */
  private bounds = new Float64Array(3 * 1024);

  /** Line id's bounds (ea, eb, ec) as its cut took it. */
  bound(id: number, ea: number, eb: number, ec: number): void {
    if (3 * id + 3 > this.bounds.length) this.bounds = grown(this.bounds, 2 * Math.max(3 * id + 3, this.bounds.length));
    this.bounds[3 * id] = ea;
    this.bounds[3 * id + 1] = eb;
    this.bounds[3 * id + 2] = ec;
  }

  /** The parts of a split by line id (plus, and minus after it): their vertices on it widened by their displacement from the exact lines' intersection. */
  widen(arena: PolygonArena, plus: number, id: number): void {
    // Every cut line's bounds are recorded before its split (so are all smaller ids': the domain's are 0).
    const bounds = this.bounds;
    widenCutVertices(arena, plus, id, this.lines.coef, bounds);
    widenCutVertices(arena, plus + 1, id, this.lines.coef, bounds);
  }
}
