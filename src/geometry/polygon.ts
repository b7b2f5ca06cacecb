/**
 * Convex polygons cut by lines, with exact sign tests.
 *
 * A line is a + b u + c v = 0, stored once in a LineTable. A polygon is a cycle of edges, each on
 * a line; vertex k is the intersection of the lines of edges k-1 and k. Vertex coordinates are
 * cached in float64 with an error radius, which decides almost every sign test; when a vertex is
 * within that radius of a line, the sign comes exactly from the three lines' coefficients
 * (det3Sign), so lines through existing vertices, concurrent and coincident lines are classified
 * consistently however thin the cells get. (Exact relative to the float64 coefficients: see
 * docs/numerics.md.)
 *
 * Polygons live in an arena (flat typed arrays, no per-polygon objects). An arena is reset as a
 * whole when the engine has finished with everything in it.
 */
import { det2Sign, det3Sign } from "./exact.ts";
import { grown } from "./grown.ts";
import { signedPolygonArea } from "./polygon-area.ts";

const EPS = 2 ** -53;

/** Growable table of lines a + b u + c v = 0 with two integers of metadata each. */
export class LineTable {
  coef = new Float64Array(3 * 1024);
  meta = new Int32Array(2 * 1024);
  count = 0;

  add(a: number, b: number, c: number, meta0 = -1, meta1 = -1): number {
    if (this.count * 3 + 3 > this.coef.length) this.reserve(this.count + 1);
    const id = this.count++;
    this.coef[3 * id] = a;
    this.coef[3 * id + 1] = b;
    this.coef[3 * id + 2] = c;
    this.meta[2 * id] = meta0;
    this.meta[2 * id + 1] = meta1;
    return id;
  }

  /** Room for `lines` lines in all, the capacity doubled until it holds them (as add grows it). */
  reserve(lines: number): void {
    let capacity = this.coef.length / 3;
    if (capacity >= lines) return;
    while (capacity < lines) capacity *= 2;
    this.coef = grown(this.coef, 3 * capacity);
    this.meta = grown(this.meta, 2 * capacity);
  }
}

/** Side tag of an edge: 0 positive side of its line, 1 negative side, 2 domain boundary. */
export const SIDE_PLUS = 0;
export const SIDE_MINUS = 1;
export const SIDE_DOMAIN = 2;

export const WHOLE_PLUS = 1;
export const WHOLE_MINUS = 2;
export const WHOLE_ZERO = 3;
export const SPLIT = 4;

export class PolygonArena {
  // Small at first, doubled as needed: an engine has one arena per step, and most hold a few
  // polygons at a time (a cell's cut); 4,096 vertices each made a small count's first call
  // allocate and clear 0.75 MB (about 2 ms in a fresh process).
  uv = new Float64Array(2 * 256);
  err = new Float64Array(256);
  line = new Int32Array(256);
  side = new Uint8Array(256);
  start = new Int32Array(64);
  size = new Int32Array(64);
  vertexCount = 0;
  polygonCount = 0;

  reset(): void {
    this.vertexCount = 0;
    this.polygonCount = 0;
  }

  private growVertices(needed: number): void {
    let cap = this.err.length;
    if (needed <= cap) return;
    while (cap < needed) cap *= 2;
    this.uv = grown(this.uv, 2 * cap);
    this.err = grown(this.err, cap);
    this.line = grown(this.line, cap);
    this.side = grown(this.side, cap);
  }

  /** Start a polygon; push its vertices with `push`, then call `end`. */
  begin(maxVertices: number): number {
    this.growVertices(this.vertexCount + maxVertices);
    if (this.polygonCount >= this.start.length) {
      this.start = grown(this.start, this.start.length * 2);
      this.size = grown(this.size, this.size.length * 2);
    }
    const p = this.polygonCount++;
    this.start[p] = this.vertexCount;
    this.size[p] = 0;
    return p;
  }

  /** Append a vertex (u, v, error radius) whose outgoing edge lies on `line` with `side`. */
  push(p: number, u: number, v: number, err: number, line: number, side: number): void {
    const k = this.vertexCount++;
    this.uv[2 * k] = u;
    this.uv[2 * k + 1] = v;
    this.err[k] = err;
    this.line[k] = line;
    this.side[k] = side;
    this.size[p]++;
  }

  /** Copy polygon p of another arena into this one. */
  copyFrom(src: PolygonArena, p: number): number {
    const n = src.size[p];
    const q = this.begin(n);
    const s = src.start[p];
    for (let k = 0; k < n; k++) this.push(q, src.uv[2 * (s + k)], src.uv[2 * (s + k) + 1], src.err[s + k], src.line[s + k], src.side[s + k]);
    return q;
  }

  area(p: number): number {
    return signedPolygonArea(this.uv, this.start[p], this.size[p]);
  }
}

/**
 * How many vertex signs were 0 because the line's rounding bounds could not tell the vertex from
 * the line (stage 2 of vertexSign): the engines read it before and after a classification and decide
 * those again exactly where they can (regions/plane.ts, `settle`).
 */
export const roundingTies = { count: 0 };

/**
 * Sign of line (a, b, c) at vertex k of polygon p: +1, -1 or 0 (on the line).
 * Float evaluation with an error bound first. (ea, eb, ec) bound the error of the line's own
 * coefficients (0 when they are exact, as for first-layer lines in a box): a vertex within that
 * uncertainty is on the line, since no float64 computation can tell it apart. Lines with exact
 * coefficients get an exact determinant when the float test is undecided.
 */
export function vertexSign(arena: PolygonArena, p: number, k: number, lines: LineTable, a: number, b: number, c: number, ea = 0, eb = 0, ec = 0): number {
  const s = arena.start[p];
  const n = arena.size[p];
  const i = s + k;
  const u = arena.uv[2 * i];
  const v = arena.uv[2 * i + 1];
  const bu = b * u;
  const cv = c * v;
  const f = a + bu + cv;
  const coef = ea + eb * Math.abs(u) + ec * Math.abs(v);
  const bound = (Math.abs(b) + Math.abs(c) + eb + ec) * arena.err[i] + 4 * EPS * (Math.abs(a) + Math.abs(bu) + Math.abs(cv)) + coef;
  if (f > bound) return 1;
  if (-f > bound) return -1;
  if (coef > 0) {
    roundingTies.count++;
    return 0;
  }
  const l1 = arena.line[s + ((k + n - 1) % n)];
  const l2 = arena.line[i];
  const L = lines.coef;
  const a1 = L[3 * l1];
  const b1 = L[3 * l1 + 1];
  const c1 = L[3 * l1 + 2];
  const a2 = L[3 * l2];
  const b2 = L[3 * l2 + 1];
  const c2 = L[3 * l2 + 2];
  // f(vertex) = det3(L1, L2, L) / (b1 c2 - c1 b2)
  return det3Sign(a1, b1, c1, a2, b2, c2, a, b, c) * det2Sign(b1, c1, b2, c2);
}

/**
 * Classify polygon p against a line: WHOLE_PLUS, WHOLE_MINUS, WHOLE_ZERO (every vertex on the
 * line: only for an identically zero function) or SPLIT. Signs go to `signs`.
 */
export function classify(arena: PolygonArena, p: number, lines: LineTable, a: number, b: number, c: number, signs: Int8Array, ea = 0, eb = 0, ec = 0): number {
  const n = arena.size[p];
  let plus = false;
  let minus = false;
  for (let k = 0; k < n; k++) {
    const s = vertexSign(arena, p, k, lines, a, b, c, ea, eb, ec);
    signs[k] = s;
    if (s > 0) plus = true;
    else if (s < 0) minus = true;
  }
  if (plus && minus) return SPLIT;
  if (plus) return WHOLE_PLUS;
  if (minus) return WHOLE_MINUS;
  return WHOLE_ZERO;
}

/**
 * Intersection of lines l1 and l2 by Cramer's rule: out = [u, v, error radius], the radius a
 * bound on the distance (per coordinate) to the exact intersection of the stored lines.
 */
export function lineIntersection(lines: LineTable, l1: number, l2: number, out: Float64Array): void {
  const L = lines.coef;
  const a1 = L[3 * l1];
  const b1 = L[3 * l1 + 1];
  const c1 = L[3 * l1 + 2];
  const a2 = L[3 * l2];
  const b2 = L[3 * l2 + 1];
  const c2 = L[3 * l2 + 2];
  const D = b1 * c2 - c1 * b2;
  const u = (c1 * a2 - a1 * c2) / D;
  const v = (a1 * b2 - a2 * b1) / D;
  const dErr = 2 * EPS * (Math.abs(b1 * c2) + Math.abs(c1 * b2));
  const absD = Math.abs(D);
  const eu = (2 * EPS * (Math.abs(c1 * a2) + Math.abs(a1 * c2)) + Math.abs(u) * dErr) / absD + EPS * Math.abs(u);
  const ev = (2 * EPS * (Math.abs(a1 * b2) + Math.abs(a2 * b1)) + Math.abs(v) * dErr) / absD + EPS * Math.abs(v);
  out[0] = u;
  out[1] = v;
  // Products and the division can each add a rounding: 4x is a safe margin for the filter.
  out[2] = 4 * Math.max(eu, ev);
}

/** Intersection of edge line e with cut line l, between vertices i and j of the arena. */
function intersect(arena: PolygonArena, lines: LineTable, e: number, l: number, i: number, j: number, out: Float64Array): void {
  lineIntersection(lines, e, l, out);
  const ui = arena.uv[2 * i];
  const vi = arena.uv[2 * i + 1];
  const uj = arena.uv[2 * j];
  const vj = arena.uv[2 * j + 1];
  const seg = Math.abs(uj - ui) + Math.abs(vj - vi);
  if (Number.isFinite(out[2]) && out[2] <= seg) return;
  // Nearly parallel lines: interpolate along the edge; the exact point lies on the segment.
  const L = lines.coef;
  const fi = L[3 * l] + L[3 * l + 1] * ui + L[3 * l + 2] * vi;
  const fj = L[3 * l] + L[3 * l + 1] * uj + L[3 * l + 2] * vj;
  let t = fi / (fi - fj);
  if (!(t >= 0 && t <= 1)) t = 0.5;
  out[0] = ui + t * (uj - ui);
  out[1] = vi + t * (vj - vi);
  out[2] = seg + arena.err[i] + arena.err[j];
}

const point = new Float64Array(3);

/**
 * A vertex found on the cut line gets a new implicit definition (an intersection with the cut
 * line). When it was on the line only within rounding, the two points differ slightly: move the
 * cached coordinates to the new intersection when it is well conditioned, otherwise keep them
 * and widen the error radius to cover both.
 */
function rederive(arena: PolygonArena, lines: LineTable, l1: number, l2: number, i: number, out: Float64Array): void {
  lineIntersection(lines, l1, l2, out);
  const u = arena.uv[2 * i];
  const v = arena.uv[2 * i + 1];
  const moved = Math.abs(out[0] - u) + Math.abs(out[1] - v);
  if (Number.isFinite(out[2]) && Number.isFinite(moved) && out[2] + moved <= 1e-6 * (Math.abs(u) + Math.abs(v) + 1)) return;
  out[0] = u;
  out[1] = v;
  out[2] = arena.err[i] + (Number.isFinite(moved) ? moved : 0) + (Number.isFinite(out[2]) ? out[2] : 0);
}

/**
 * Split polygon p (classified SPLIT, signs given) by line l into the part with sign >= 0 and the
 * part with sign <= 0, appended to `dst`. Returns the plus polygon; the minus polygon is the next.
 */
export function split(src: PolygonArena, p: number, lines: LineTable, l: number, signs: Int8Array, dst: PolygonArena): number {
  const n = src.size[p];
  const s = src.start[p];
  const plus = emitSide(src, p, s, n, lines, l, signs, 1, dst);
  emitSide(src, p, s, n, lines, l, signs, -1, dst);
  return plus;
}

function emitSide(src: PolygonArena, _p: number, s: number, n: number, lines: LineTable, l: number, signs: Int8Array, want: number, dst: PolygonArena): number {
  const q = dst.begin(n + 2);
  const cutSide = want > 0 ? SIDE_PLUS : SIDE_MINUS;
  for (let k = 0; k < n; k++) {
    const sk = signs[k] * want;
    const sn = signs[(k + 1) % n] * want;
    const i = s + k;
    const j = s + ((k + 1) % n);
    if (sk >= 0) {
      if (sk === 0 && sn < 0) {
        // Leaving along the cut line: the vertex is now (incoming edge) x (cut line).
        rederive(src, lines, src.line[s + ((k + n - 1) % n)], l, i, point);
        dst.push(q, point[0], point[1], point[2], l, cutSide);
      } else if (sk === 0 && signs[(k + n - 1) % n] * want < 0) {
        // Entering along the cut line: the vertex is now (cut line) x (outgoing edge).
        rederive(src, lines, l, src.line[i], i, point);
        dst.push(q, point[0], point[1], point[2], src.line[i], src.side[i]);
      } else {
        dst.push(q, src.uv[2 * i], src.uv[2 * i + 1], src.err[i], src.line[i], src.side[i]);
        if (sk > 0 && sn < 0) {
          intersect(src, lines, src.line[i], l, i, j, point);
          dst.push(q, point[0], point[1], point[2], l, cutSide);
        }
      }
    } else if (sn > 0) {
      intersect(src, lines, src.line[i], l, i, j, point);
      dst.push(q, point[0], point[1], point[2], src.line[i], src.side[i]);
    }
  }
  return q;
}
