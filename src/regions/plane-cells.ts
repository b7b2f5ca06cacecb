/**
 * The cells the plane engine's JavaScript descent reports (plane.ts emit): each cell's vertices,
 * edge lines, activation pattern, output map and area, appended into growable arrays (a share's
 * own, PlaneShare.output, or new ones), and the cell arrays of the partition made from them.
 */
import { type PolygonArena, SIDE_DOMAIN } from "../geometry/polygon.ts";
import { type Growable, growableFloat64, growableInt32, growableUint32 } from "./buffers.ts";
import type { PlaneCells, PlaneOutput } from "./plane.ts";

export class EmittedCells {
  private readonly cellStart: Growable<Uint32Array>;
  private readonly vertices: Growable<Float64Array>;
  private readonly edgeLine: Growable<Int32Array>;
  private readonly patterns: Growable<Uint32Array>;
  private readonly outputMaps: Growable<Float64Array>;
  private readonly areas: Growable<Float64Array>;
  private count = 0;

  constructor(out: PlaneOutput | undefined) {
    this.cellStart = out?.cellStart ?? growableUint32(16);
    this.vertices = out?.vertices ?? growableFloat64(0);
    this.edgeLine = out?.edgeLine ?? growableInt32(0);
    this.patterns = out?.patterns ?? growableUint32(0);
    this.outputMaps = out?.outputMaps ?? growableFloat64(0);
    this.areas = out?.areas ?? growableFloat64(0);
    this.cellStart.push(0);
  }

  /** Cells emitted so far. */
  get cellCount(): number {
    return this.count;
  }

  /** Polygon p of arena as a cell: its pattern's `words` words, its output map (3 channels x `out`) and its area. */
  add(arena: PolygonArena, p: number, area: number, pattern: Uint32Array, words: number, map: Float64Array, out: number): void {
    const s = arena.start[p];
    const n = arena.size[p];
    // Room first, then plain stores into the buffers (a push per value checks capacity each time).
    const vertices = this.vertices;
    const edgeLine = this.edgeLine;
    vertices.reserve(2 * n);
    edgeLine.reserve(n);
    const vd = vertices.data;
    const ed = edgeLine.data;
    const v0 = vertices.length;
    const e0 = edgeLine.length;
    for (let k = 0; k < n; k++) {
      vd[v0 + 2 * k] = arena.uv[2 * (s + k)];
      vd[v0 + 2 * k + 1] = arena.uv[2 * (s + k) + 1];
      const side = arena.side[s + k];
      ed[e0 + k] = side === SIDE_DOMAIN ? -1 : 2 * arena.line[s + k] + side;
    }
    vertices.length = v0 + 2 * n;
    edgeLine.length = e0 + n;
    this.cellStart.push(edgeLine.length);
    const patterns = this.patterns;
    patterns.reserve(words);
    for (let w = 0; w < words; w++) patterns.data[patterns.length + w] = pattern[w];
    patterns.length += words;
    const maps = this.outputMaps;
    maps.reserve(3 * out);
    for (let o = 0; o < out; o++) for (let c = 0; c < 3; c++) maps.data[maps.length + 3 * o + c] = map[c * out + o];
    maps.length += 3 * out;
    this.areas.push(area);
    this.count++;
  }

  /** The cells' arrays, copied to their lengths. */
  cells(): PlaneCells {
    return {
      cellCount: this.count,
      cellStart: this.cellStart.toArray(),
      vertices: this.vertices.toArray(),
      edgeLine: this.edgeLine.toArray(),
      patterns: this.patterns.toArray(),
      outputMaps: this.outputMaps.toArray(),
      areas: this.areas.toArray(),
    };
  }
}
