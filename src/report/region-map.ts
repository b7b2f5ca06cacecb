/**
 * The picture of a plane partition, drawn once for every medium: each cell a polygon filled with
 * its activation pattern's colour, thin cell edges, the exact decision boundary, points on top,
 * the domain's outline, and a frame with ticks and axis labels. `drawRegionMap` draws to any
 * DrawContext (a browser canvas, or an SvgContext); `regionMapSvg` is the SVG string the CLI,
 * the HTML report and the explorer's SVG export write. The plot is in slice coordinates (u, v)
 * with equal scales on both axes (a box slice shows the inputs themselves; a parallelogram slice
 * P1 + s (P2 - P1) + t (P3 - P1) shows the unit square in (s, t)).
 */
import { type PatternLayout, patternHash } from "../model/pattern.ts";
import type { PlanePartition } from "../regions/partition.ts";
import { FONT_FAMILY, INK, patternColor } from "./colors.ts";
import { decisionBoundary } from "./decision-boundary.ts";
import { canAnnotate, type DrawContext, SvgContext } from "./draw-context.ts";

export interface MapPoint {
  u: number;
  v: number;
  /** CSS colour of the dot (default: near-black). */
  color?: string;
  /** Radius in pixels (default 3). */
  radius?: number;
}

/** What a map needs of a partition: cell polygons, patterns and the domain (a PlanePartition has them). */
export interface MapCells {
  cellCount: number;
  cellStart: Uint32Array;
  vertices: Float64Array;
  patterns: Uint32Array;
  layout: PatternLayout;
  domain: Float64Array;
}

/** What a region map draws besides the cells: edges, decision boundary, points, axes. */
export interface RegionMapStyle {
  /** Draw cell edges (default true). */
  edges?: boolean;
  /** Stroke width of cell edges in pixels (default 0.5). */
  edgeWidth?: number;
  /** Decision boundary segments (u1, v1, u2, v2, ...) in slice coordinates, or none. */
  boundary?: Float64Array | null;
  /** Points drawn on top, in slice coordinates. */
  points?: readonly MapPoint[];
  /** Frame, ticks and axis labels (default true). */
  axes?: boolean;
  /** Axis labels (default ["u", "v"]). */
  labels?: readonly [string, string];
  /** A title above the plot. */
  title?: string;
  /** SVG only: give each cell a `data-cell="i"` attribute (for interactive use; default false). */
  cellIds?: boolean;
}

/** Size, labels, title and style of `regionMapSvg`. */
export interface RegionMapOptions extends Omit<RegionMapStyle, "boundary"> {
  /** Width in pixels of the longer side of the plot area (default 600). */
  size?: number;
  /** Draw the decision boundary (default false); see `decisionBoundary`. */
  boundary?: boolean;
}

/** Where the plot sits: slice coordinates (u, v) -> pixels with one scale, v upwards. */
export interface MapTransform {
  scale: number;
  uMin: number;
  vMax: number;
  /** The plot area in pixels. */
  left: number;
  top: number;
  width: number;
  height: number;
}

export const toPixel = (t: MapTransform, u: number, v: number): [number, number] => [t.left + (u - t.uMin) * t.scale, t.top + (t.vMax - v) * t.scale];
export const toPlane = (t: MapTransform, x: number, y: number): [number, number] => [t.uMin + (x - t.left) / t.scale, t.vMax - (y - t.top) / t.scale];

/** Pixels around the plot: room for tick labels and axis labels, and for a title. */
function margins(axes: boolean, title: boolean): { left: number; right: number; top: number; bottom: number } {
  return { left: axes ? 64 : 6, right: axes ? 16 : 6, top: (title ? 32 : 0) + (axes ? 12 : 6), bottom: axes ? 48 : 6 };
}

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

/** The transform that fits a domain, with its axes and title, into a w x h pixel box (centred). */
export function fitMap(domain: Float64Array, w: number, h: number, options: { axes?: boolean; title?: boolean } = {}): MapTransform {
  const m = margins(options.axes ?? true, options.title ?? false);
  const [uMin, uMax, vMin, vMax] = domainBounds(domain);
  const scale = Math.max(1e-300, Math.min((w - m.left - m.right) / (uMax - uMin || 1), (h - m.top - m.bottom) / (vMax - vMin || 1)));
  const width = (uMax - uMin) * scale;
  const height = (vMax - vMin) * scale;
  const spareW = w - m.left - m.right - width;
  const spareH = h - m.top - m.bottom - height;
  return { scale, uMin, vMax, left: m.left + spareW / 2, top: m.top + spareH / 2, width, height };
}

/** About `count` round numbers (1, 2, 5 times a power of ten) covering [lo, hi]. */
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

/** The colour of cell i (its pattern's colour). */
export function cellColor(cells: MapCells, cell: number): string {
  const words = cells.layout.words;
  return patternColor(patternHash(cells.patterns, cell * words, words));
}

/** Trace cell c's polygon as the current path. */
export function traceCell(ctx: DrawContext, cells: MapCells, t: MapTransform, c: number): void {
  const { cellStart, vertices } = cells;
  ctx.beginPath();
  for (let j = cellStart[c]; j < cellStart[c + 1]; j++) {
    const x = t.left + (vertices[2 * j] - t.uMin) * t.scale;
    const y = t.top + (t.vMax - vertices[2 * j + 1]) * t.scale;
    if (j === cellStart[c]) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
}

/** Draw the map of `cells` into the plot area `t` of a context (background, cells, boundary, points, outline, axes). */
export function drawRegionMap(ctx: DrawContext, cells: MapCells, t: MapTransform, style: RegionMapStyle = {}): void {
  const edges = style.edges ?? true;
  const axes = style.axes ?? true;
  const annotate = canAnnotate(ctx) ? ctx : null;
  ctx.save();
  ctx.lineJoin = "round";
  // Cells. With edges, each cell's outline is stroked with it (a shared edge twice, which also
  // hides the hairline seams anti-aliasing leaves between fills); without, a hairline in the
  // fill colour hides them.
  const palette = new Map<number, string>();
  const words = cells.layout.words;
  annotate?.beginGroup({ class: "cells" });
  for (let c = 0; c < cells.cellCount; c++) {
    const hash = patternHash(cells.patterns, c * words, words);
    let colour = palette.get(hash);
    if (colour === undefined) {
      colour = patternColor(hash);
      palette.set(hash, colour);
    }
    traceCell(ctx, cells, t, c);
    if (annotate && style.cellIds) annotate.annotate({ "data-cell": c });
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.strokeStyle = edges ? INK.edge : colour;
    ctx.lineWidth = edges ? (style.edgeWidth ?? 0.5) : 0.6;
    ctx.stroke();
  }
  annotate?.endGroup();
  const b = style.boundary;
  if (b && b.length > 0) {
    ctx.beginPath();
    for (let s = 0; s < b.length; s += 4) {
      ctx.moveTo(...toPixel(t, b[s], b[s + 1]));
      ctx.lineTo(...toPixel(t, b[s + 2], b[s + 3]));
    }
    ctx.strokeStyle = INK.boundary;
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    annotate?.annotate({ class: "boundary" });
    ctx.stroke();
    ctx.lineCap = "butt";
  }
  for (const p of style.points ?? []) {
    const [x, y] = toPixel(t, p.u, p.v);
    const r = p.radius ?? 3;
    if (x < t.left - r || x > t.left + t.width + r || y < t.top - r || y > t.top + t.height + r) continue;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = p.color ?? INK.frame;
    ctx.fill();
    ctx.strokeStyle = INK.background;
    ctx.lineWidth = 0.8;
    ctx.stroke();
  }
  // The domain's outline (a polygon, not always the bounding box).
  const dom = cells.domain;
  ctx.beginPath();
  for (let j = 0; j < dom.length; j += 2) {
    const [x, y] = toPixel(t, dom[j], dom[j + 1]);
    if (j === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
  ctx.strokeStyle = INK.frame;
  ctx.lineWidth = 1;
  annotate?.annotate({ class: "domain" });
  ctx.stroke();
  if (axes) drawAxes(ctx, dom, t, style.labels ?? ["u", "v"]);
  if (style.title) {
    ctx.fillStyle = INK.text;
    ctx.font = `15px ${FONT_FAMILY}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    annotate?.annotate({ class: "title" });
    ctx.fillText(style.title, t.left + t.width / 2, t.top - (axes ? 22 : 16));
  }
  ctx.restore();
}

/** Ticks below and left of the plot area, with tick labels and axis labels. */
function drawAxes(ctx: DrawContext, domain: Float64Array, t: MapTransform, [labelU, labelV]: readonly [string, string]): void {
  const [uMin, uMax, vMin, vMax] = domainBounds(domain);
  const bottom = t.top + t.height;
  const ticksU = niceTicks(uMin, uMax);
  const ticksV = niceTicks(vMin, vMax);
  ctx.beginPath();
  for (const u of ticksU) {
    const x = toPixel(t, u, 0)[0];
    ctx.moveTo(x, bottom);
    ctx.lineTo(x, bottom + 5);
  }
  for (const v of ticksV) {
    const y = toPixel(t, 0, v)[1];
    ctx.moveTo(t.left, y);
    ctx.lineTo(t.left - 5, y);
  }
  ctx.strokeStyle = INK.frame;
  ctx.lineWidth = 1;
  if (canAnnotate(ctx)) ctx.annotate({ class: "ticks" });
  ctx.stroke();
  ctx.fillStyle = INK.text;
  ctx.font = `11px ${FONT_FAMILY}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "alphabetic";
  for (const u of ticksU) ctx.fillText(String(u), toPixel(t, u, 0)[0], bottom + 18);
  ctx.textAlign = "end";
  ctx.textBaseline = "middle";
  for (const v of ticksV) ctx.fillText(String(v), t.left - 8, toPixel(t, 0, v)[1]);
  ctx.font = `13px ${FONT_FAMILY}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(labelU, t.left + t.width / 2, bottom + 38);
  ctx.save();
  ctx.translate(t.left - 46, t.top + t.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(labelV, 0, 0);
  ctx.restore();
}

/** The SVG picture of a plane partition. */
export function regionMapSvg(partition: PlanePartition, options: RegionMapOptions = {}): string {
  const size = options.size ?? 600;
  const axes = options.axes ?? true;
  // The plot's longer side is `size` pixels; the picture adds the margins around it.
  const [uMin, uMax, vMin, vMax] = domainBounds(partition.domain);
  const span = Math.max(uMax - uMin, vMax - vMin) || 1;
  const m = margins(axes, Boolean(options.title));
  const width = Math.ceil(m.left + Math.max(1, ((uMax - uMin) * size) / span) + m.right);
  const height = Math.ceil(m.top + Math.max(1, ((vMax - vMin) * size) / span) + m.bottom);
  const t = fitMap(partition.domain, width, height, { axes, title: Boolean(options.title) });
  const svg = new SvgContext(width, height);
  svg.fillStyle = INK.background;
  svg.rect(0, 0, width, height);
  svg.fill();
  drawRegionMap(svg, partition, t, { ...options, boundary: options.boundary ? decisionBoundary(partition) : null });
  return svg.toString();
}
