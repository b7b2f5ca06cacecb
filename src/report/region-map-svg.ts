/**
 * A picture of a plane partition as SVG: every cell a polygon filled with a colour derived from
 * its activation pattern's hash (the same pattern gets the same colour in every picture, so maps
 * of one network at two epochs or over two slices can be compared by eye), thin cell edges, the
 * decision boundary drawn exactly from each cell's output affine map, optional points on top,
 * and a frame with axes.
 *
 * Pure: a function from a PlanePartition to a string, no Node API, so the CLI, the HTML report
 * and the browser app draw the same picture. The plot is in slice coordinates (u, v) with equal
 * scales on both axes (a box slice shows the inputs themselves; a parallelogram slice
 * P1 + s (P2 - P1) + t (P3 - P1) shows the unit square in (s, t)).
 */
import { patternHash } from "../model/pattern.ts";
import type { PlanePartition } from "../regions/partition.ts";

export interface MapPoint {
  u: number;
  v: number;
  /** CSS colour of the dot (default: near-black). */
  color?: string;
  /** Radius in pixels (default 3). */
  radius?: number;
}

export interface RegionMapOptions {
  /** Width in pixels of the longer side of the plot area (default 600). */
  size?: number;
  /** Draw the decision boundary (default false); see `decisionBoundary`. */
  boundary?: boolean;
  /** Draw cell edges (default true). */
  edges?: boolean;
  /** Stroke width of cell edges in pixels (default 0.5). */
  edgeWidth?: number;
  /** Points drawn on top, in slice coordinates. */
  points?: readonly MapPoint[];
  /** Frame, ticks and axis labels (default true). */
  axes?: boolean;
  /** Axis labels (default ["u", "v"]). */
  labels?: readonly [string, string];
  /** A title above the plot. */
  title?: string;
  /** Give each cell polygon a `data-cell="i"` attribute (for interactive use; default false). */
  cellIds?: boolean;
}

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const BOUNDARY_COLOR = "#111111";

/** A stable pastel colour (#rrggbb) for a 32-bit pattern hash: hue, saturation, lightness from its bits. */
export function patternColor(hash: number): string {
  const h = hash >>> 0;
  const hue = (h % 360) / 360;
  const saturation = 0.4 + (((h >>> 9) & 0xff) / 255) * 0.25;
  const lightness = 0.66 + (((h >>> 17) & 0xff) / 255) * 0.18;
  return hslToHex(hue, saturation, lightness);
}

function hslToHex(h: number, s: number, l: number): string {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number): string => {
    let x = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    x = x < 1 / 6 ? p + (q - p) * 6 * x : x < 1 / 2 ? q : x < 2 / 3 ? p + (q - p) * (2 / 3 - x) * 6 : p;
    return Math.round(x * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}

/** The colour of cell i of a partition. */
export function cellColor(partition: PlanePartition, cell: number): string {
  const words = partition.layout.words;
  return patternColor(patternHash(partition.patterns, cell * words, words));
}

/**
 * The decision boundary as segments [u1, v1, u2, v2, ...] in slice coordinates, exact per cell
 * (the network is affine on a cell, so the boundary is a union of straight segments):
 * - one output f: the zero level set f = 0 (classes "f > 0" and "f < 0");
 * - two outputs: the zero level set of f0 - f1;
 * - C > 2 outputs: where the argmax changes, i.e. the edges between the sub-polygons on which each
 *   output is the largest.
 * One rule covers all three: class i's part of a cell is the cell clipped by f_i >= f_k for every
 * other k (with a constant 0 as the second class for one output); its edges that come from a clip
 * line f_i = f_k with k > i are boundary (k > i so each is drawn once).
 */
export function decisionBoundary(partition: PlanePartition): Float64Array {
  const outs = partition.outputSize;
  const classes = outs === 1 ? 2 : outs;
  const maps = partition.outputMaps;
  // Per-class affine maps of the current cell: classes x 3 (constant, d/du, d/dv).
  const f = new Float64Array(classes * 3);
  const out: number[] = [];
  let poly: Polygon = emptyPolygon(16);
  let scratch: Polygon = emptyPolygon(16);
  for (let cell = 0; cell < partition.cellCount; cell++) {
    f.fill(0);
    for (let k = 0; k < Math.min(outs, classes); k++) {
      for (let c = 0; c < 3; c++) f[k * 3 + c] = maps[(cell * outs + k) * 3 + c];
    }
    const start = partition.cellStart[cell];
    const end = partition.cellStart[cell + 1];
    for (let i = 0; i < classes - 1; i++) {
      poly = loadCell(partition, start, end, poly);
      for (let k = 0; k < classes && poly.n > 0; k++) {
        if (k === i) continue;
        scratch = clipHalfPlane(poly, f[i * 3] - f[k * 3], f[i * 3 + 1] - f[k * 3 + 1], f[i * 3 + 2] - f[k * 3 + 2], k, scratch);
        [poly, scratch] = [scratch, poly];
      }
      for (let j = 0; j < poly.n; j++) {
        if (poly.tag[j] <= i) continue;
        const next = (j + 1) % poly.n;
        const u1 = poly.uv[2 * j];
        const v1 = poly.uv[2 * j + 1];
        const u2 = poly.uv[2 * next];
        const v2 = poly.uv[2 * next + 1];
        if (u1 !== u2 || v1 !== v2) out.push(u1, v1, u2, v2);
      }
    }
  }
  return Float64Array.from(out);
}

/** A convex polygon with, per vertex, a tag for its outgoing edge (-1: the cell's own boundary). */
interface Polygon {
  n: number;
  uv: Float64Array;
  tag: Int32Array;
}

function emptyPolygon(capacity: number): Polygon {
  return { n: 0, uv: new Float64Array(2 * capacity), tag: new Int32Array(capacity) };
}

function reserve(p: Polygon, n: number): Polygon {
  if (p.tag.length >= n) return p;
  const q = emptyPolygon(2 * n);
  q.uv.set(p.uv.subarray(0, 2 * p.n));
  q.tag.set(p.tag.subarray(0, p.n));
  q.n = p.n;
  return q;
}

function loadCell(partition: PlanePartition, start: number, end: number, into: Polygon): Polygon {
  const p = reserve(into, end - start);
  p.n = end - start;
  p.uv.set(partition.vertices.subarray(2 * start, 2 * end));
  p.tag.fill(-1, 0, p.n);
  return p;
}

/**
 * Sutherland-Hodgman against g(u, v) = c + a u + b v >= 0; new edges on g = 0 get `tag`.
 * Values within rounding of zero count as zero, so a map that vanishes on a whole cell or along
 * a cell edge (f = relu(...) next to a dead region) draws no boundary there: only sign changes do.
 */
function clipHalfPlane(p: Polygon, c: number, a: number, b: number, tag: number, into: Polygon): Polygon {
  const q = reserve(into, 2 * p.n + 2);
  q.n = 0;
  let reach = 0;
  for (let j = 0; j < 2 * p.n; j += 2) reach = Math.max(reach, Math.abs(a * p.uv[j]) + Math.abs(b * p.uv[j + 1]));
  const tol = 1e-12 * (Math.abs(c) + reach);
  const g = (u: number, v: number): number => {
    const x = c + a * u + b * v;
    return Math.abs(x) <= tol ? 0 : x;
  };
  const push = (u: number, v: number, t: number): void => {
    q.uv[2 * q.n] = u;
    q.uv[2 * q.n + 1] = v;
    q.tag[q.n] = t;
    q.n++;
  };
  for (let j = 0; j < p.n; j++) {
    const next = (j + 1) % p.n;
    const u1 = p.uv[2 * j];
    const v1 = p.uv[2 * j + 1];
    const u2 = p.uv[2 * next];
    const v2 = p.uv[2 * next + 1];
    const g1 = g(u1, v1);
    const g2 = g(u2, v2);
    if (g1 >= 0) {
      push(u1, v1, p.tag[j]);
      if (g2 < 0) {
        const t = g1 / (g1 - g2);
        push(u1 + t * (u2 - u1), v1 + t * (v2 - v1), tag);
      }
    } else if (g2 >= 0) {
      const t = g1 / (g1 - g2);
      push(u1 + t * (u2 - u1), v1 + t * (v2 - v1), p.tag[j]);
    }
  }
  return q;
}

/** Round to 2 decimals for compact SVG (a hundredth of a pixel is below what any renderer shows). */
function fmt(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[ch] as string);
}

/** About `count` round numbers (1, 2, 5 times a power of ten) covering [lo, hi]. */
/** [uMin, uMax, vMin, vMax] of a domain polygon given as (u, v) pairs. */
export function domainBounds(domain: Float64Array): [number, number, number, number] {
  let uMin = Infinity;
  let uMax = -Infinity;
  let vMin = Infinity;
  let vMax = -Infinity;
  for (let j = 0; j < domain.length; j += 2) {
    uMin = Math.min(uMin, domain[j]);
    uMax = Math.max(uMax, domain[j]);
    vMin = Math.min(vMin, domain[j + 1]);
    vMax = Math.max(vMax, domain[j + 1]);
  }
  return [uMin, uMax, vMin, vMax];
}

export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    ticks.push(Math.abs(k * step) < step * 1e-9 ? 0 : Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** The SVG picture of a plane partition. */
export function regionMapSvg(partition: PlanePartition, options: RegionMapOptions = {}): string {
  const size = options.size ?? 600;
  const axes = options.axes ?? true;
  const edges = options.edges ?? true;
  const [labelU, labelV] = options.labels ?? ["u", "v"];

  // Bounding box of the domain in (u, v), mapped with one scale for both axes.
  const dom = partition.domain;
  const [uMin, uMax, vMin, vMax] = domainBounds(dom);
  const span = Math.max(uMax - uMin, vMax - vMin) || 1;
  const scale = size / span;
  const plotW = Math.max(1, (uMax - uMin) * scale);
  const plotH = Math.max(1, (vMax - vMin) * scale);
  const left = axes ? 64 : 8;
  const right = 16;
  const top = (options.title ? 32 : 0) + (axes ? 12 : 8);
  const bottom = axes ? 48 : 8;
  const width = Math.ceil(left + plotW + right);
  const height = Math.ceil(top + plotH + bottom);
  const x = (u: number): number => left + (u - uMin) * scale;
  const y = (v: number): number => top + (vMax - v) * scale;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  if (options.title) {
    parts.push(`<text x="${fmt(left + plotW / 2)}" y="22" text-anchor="middle" font-size="15" ${FONT}>${escapeXml(options.title)}</text>`);
  }

  // Cells. Edges are each cell's outline; a shared edge is stroked twice, which also hides the
  // hairline seams anti-aliasing leaves between adjacent fills.
  const stroke = edges ? ` stroke="#3a3a3a" stroke-opacity="0.55" stroke-width="${options.edgeWidth ?? 0.5}" stroke-linejoin="round"` : "";
  parts.push(`<g class="cells"${stroke}>`);
  const vtx = partition.vertices;
  for (let cell = 0; cell < partition.cellCount; cell++) {
    const start = partition.cellStart[cell];
    const end = partition.cellStart[cell + 1];
    let pts = "";
    for (let j = start; j < end; j++) pts += `${j > start ? " " : ""}${fmt(x(vtx[2 * j]))},${fmt(y(vtx[2 * j + 1]))}`;
    const id = options.cellIds ? ` data-cell="${cell}"` : "";
    parts.push(`<polygon${id} points="${pts}" fill="${cellColor(partition, cell)}"/>`);
  }
  parts.push("</g>");

  if (options.boundary) {
    const seg = decisionBoundary(partition);
    let d = "";
    for (let s = 0; s < seg.length; s += 4) {
      d += `M${fmt(x(seg[s]))} ${fmt(y(seg[s + 1]))}L${fmt(x(seg[s + 2]))} ${fmt(y(seg[s + 3]))}`;
    }
    if (d) parts.push(`<path class="boundary" d="${d}" fill="none" stroke="${BOUNDARY_COLOR}" stroke-width="2" stroke-linecap="round"/>`);
  }

  if (options.points && options.points.length > 0) {
    parts.push(`<g class="points" stroke="#ffffff" stroke-width="0.8">`);
    for (const p of options.points) {
      parts.push(`<circle cx="${fmt(x(p.u))}" cy="${fmt(y(p.v))}" r="${p.radius ?? 3}" fill="${escapeXml(p.color ?? "#222222")}"/>`);
    }
    parts.push("</g>");
  }

  // The domain's outline (a polygon, not always the bounding box), then axes on the bounding box.
  let outline = "";
  for (let j = 0; j < dom.length; j += 2) outline += `${j > 0 ? " " : ""}${fmt(x(dom[j]))},${fmt(y(dom[j + 1]))}`;
  parts.push(`<polygon class="domain" points="${outline}" fill="none" stroke="#222222" stroke-width="1"/>`);
  if (axes) {
    const tick: string[] = [];
    const text: string[] = [];
    const yAxis = top + plotH;
    for (const t of niceTicks(uMin, uMax)) {
      const px = fmt(x(t));
      tick.push(`M${px} ${fmt(yAxis)}v5`);
      text.push(`<text x="${px}" y="${fmt(yAxis + 18)}" text-anchor="middle">${t}</text>`);
    }
    for (const t of niceTicks(vMin, vMax)) {
      const py = fmt(y(t));
      tick.push(`M${fmt(left)} ${py}h-5`);
      text.push(`<text x="${fmt(left - 8)}" y="${py}" dy="0.35em" text-anchor="end">${t}</text>`);
    }
    parts.push(
      `<path class="ticks" d="${tick.join("")}" stroke="#222222" stroke-width="1"/>`,
      `<g class="axes" font-size="11" fill="#222222" ${FONT}>`,
      ...text,
      `<text x="${fmt(left + plotW / 2)}" y="${fmt(yAxis + 38)}" text-anchor="middle" font-size="13">${escapeXml(labelU)}</text>`,
      `<text transform="translate(${fmt(left - 46)} ${fmt(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(labelV)}</text>`,
      "</g>",
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
