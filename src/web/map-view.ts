/**
 * The region map on a canvas: every cell a polygon in its pattern's colour (patternColor of
 * patternHash, the same colours as the CLI's SVG maps and stable across epochs), cell edges, the
 * exact decision boundary, the data, the segment and its breakpoints, and the inspected cell.
 * Coordinates: plane (u, v) -> canvas pixels with one scale for both axes, v upwards.
 */
import { classColor, INK } from "../report/colors.ts";
import type { DrawContext } from "../report/draw-context.ts";
import { drawRegionMap, fitMap, type MapPoint, type MapTransform, toPixel, traceCell } from "../report/region-map.ts";
import type { DataInfo, Frame } from "./protocol.ts";

export interface DrawOptions {
  edges: boolean;
  boundary: boolean;
  points: boolean;
  /** Segment being drawn or shown, plane coordinates. */
  segment: [number, number, number, number] | null;
  /** Inspected cell (-1: none) and the cursor, plane coordinates. */
  cell: number;
  cursor: [number, number] | null;
  /** Axis names of the plane. */
  labels: [string, string];
  /** A title above the map (exports). */
  title?: string;
}

export type Transform = MapTransform;
export { toPlane } from "../report/region-map.ts";

/** The cell containing (u, v), or -1 (cells are convex and counter-clockwise). */
export function cellAt(frame: Frame, u: number, v: number): number {
  const { cellStart, vertices } = frame;
  for (let c = 0; c < frame.cellCount; c++) {
    const start = cellStart[c];
    const end = cellStart[c + 1];
    let inside = true;
    for (let j = start; j < end && inside; j++) {
      const k = j + 1 < end ? j + 1 : start;
      const ax = vertices[2 * j];
      const ay = vertices[2 * j + 1];
      const cross = (vertices[2 * k] - ax) * (v - ay) - (vertices[2 * k + 1] - ay) * (u - ax);
      if (cross < 0) inside = false;
    }
    if (inside) return c;
  }
  return -1;
}

/** Breakpoints of a segment result as plane points (where one piece ends and the next starts). */
export function segmentBreaks(frame: Frame): [number, number][] {
  const s = frame.segment;
  if (!s) return [];
  const [u1, v1, u2, v2] = s.ends;
  const out: [number, number][] = [];
  for (let i = 1; i < s.pieces; i++) {
    const t = s.tStart[i];
    out.push([u1 + t * (u2 - u1), v1 + t * (v2 - v1)]);
  }
  return out;
}

/** The data as map points, coloured by class; the dot size follows the picture's size. */
function dataPoints(data: DataInfo | null, w: number): MapPoint[] {
  if (!data) return [];
  const radius = Math.max(1.5, Math.min(3, w / 250));
  return Array.from(data.labels, (label, i) => ({ u: data.points[2 * i], v: data.points[2 * i + 1], color: classColor(label), radius }));
}

/**
 * Draw a frame into a context of w x h pixels (a canvas, or an SvgContext for the SVG export):
 * the same map as the CLI's (drawRegionMap, with axes), then the explorer's overlays: the
 * inspected cell, the segment with its breakpoints, the cursor. Returns the transform used.
 */
export function drawMap(ctx: DrawContext, w: number, h: number, frame: Frame, data: DataInfo | null, o: DrawOptions): Transform {
  const t = fitMap(frame.domain, w, h, { axes: true, title: Boolean(o.title) });
  ctx.save();
  ctx.fillStyle = INK.background;
  ctx.beginPath();
  ctx.rect(0, 0, w, h);
  ctx.fill();
  drawRegionMap(ctx, frame, t, {
    edges: o.edges,
    boundary: o.boundary ? frame.boundary : null,
    points: o.points ? dataPoints(data, w) : [],
    labels: o.labels,
    title: o.title,
  });
  if (o.cell >= 0 && o.cell < frame.cellCount) {
    traceCell(ctx, frame, t, o.cell);
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = 2.5;
    ctx.stroke();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
  const seg = o.segment;
  if (seg) {
    const a = toPixel(t, seg[0], seg[1]);
    const b = toPixel(t, seg[2], seg[3]);
    ctx.lineCap = "round";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 5;
    ctx.beginPath();
    ctx.moveTo(...a);
    ctx.lineTo(...b);
    ctx.stroke();
    ctx.strokeStyle = INK.segment;
    ctx.lineWidth = 2.5;
    ctx.stroke();
    ctx.fillStyle = "#111";
    if (frame.segment && sameEnds(frame.segment.ends, seg)) {
      for (const [u, v] of segmentBreaks(frame)) {
        const [x, y] = toPixel(t, u, v);
        ctx.beginPath();
        ctx.arc(x, y, 2.6, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.textAlign = "start";
    ctx.textBaseline = "alphabetic";
    for (const [x, y, name] of [
      [...a, "A"],
      [...b, "B"],
    ] as [number, number, string][]) {
      ctx.fillStyle = INK.segment;
      ctx.beginPath();
      ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#111";
      ctx.font = "bold 12px system-ui, sans-serif";
      ctx.fillText(name, x + 6, y - 6);
    }
  }
  if (o.cursor) {
    const [x, y] = toPixel(t, o.cursor[0], o.cursor[1]);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x - 8, y);
    ctx.lineTo(x + 8, y);
    ctx.moveTo(x, y - 8);
    ctx.lineTo(x, y + 8);
    ctx.stroke();
  }
  ctx.restore();
  return t;
}

function sameEnds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
