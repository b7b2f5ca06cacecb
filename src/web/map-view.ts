/**
 * The region map on a canvas: every cell a polygon in its pattern's colour (patternColor of
 * patternHash, the same colours as the CLI's SVG maps and stable across epochs), cell edges, the
 * exact decision boundary, the data, the segment and its breakpoints, and the inspected cell.
 * Coordinates: plane (u, v) -> canvas pixels with one scale for both axes, v upwards.
 */
import { patternHash } from "../model/pattern.ts";
import { classColour } from "../report/html-report.ts";
import { domainBounds, patternColor } from "../report/region-map-svg.ts";
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
}

export interface Transform {
  scale: number;
  uMin: number;
  vMax: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

const colourCache = new Map<number, string>();
function colourOf(hash: number): string {
  let c = colourCache.get(hash);
  if (c === undefined) {
    if (colourCache.size > 200_000) colourCache.clear();
    c = patternColor(hash);
    colourCache.set(hash, c);
  }
  return c;
}

/** The transform that fits the frame's domain into a w x h pixel box with a margin. */
export function fitTransform(domain: Float64Array, w: number, h: number, margin = 6): Transform {
  const [uMin, uMax, vMin, vMax] = domainBounds(domain);
  const scale = Math.min((w - 2 * margin) / (uMax - uMin || 1), (h - 2 * margin) / (vMax - vMin || 1));
  const width = (uMax - uMin) * scale;
  const height = (vMax - vMin) * scale;
  return {
    scale,
    uMin,
    vMax,
    left: (w - width) / 2,
    top: (h - height) / 2,
    width,
    height,
  };
}

export const toPixel = (t: Transform, u: number, v: number): [number, number] => [t.left + (u - t.uMin) * t.scale, t.top + (t.vMax - v) * t.scale];
export const toPlane = (t: Transform, x: number, y: number): [number, number] => [t.uMin + (x - t.left) / t.scale, t.vMax - (y - t.top) / t.scale];

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

/** Draw a frame into a 2D context of w x h CSS pixels; returns the transform used. */
export function drawMap(ctx: CanvasRenderingContext2D, w: number, h: number, frame: Frame, data: DataInfo | null, o: DrawOptions): Transform {
  const t = fitTransform(frame.domain, w, h);
  ctx.save();
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, w, h);
  const words = frame.layout.words;
  const { cellStart, vertices } = frame;
  const path = (c: number): void => {
    ctx.beginPath();
    for (let j = cellStart[c]; j < cellStart[c + 1]; j++) {
      const x = t.left + (vertices[2 * j] - t.uMin) * t.scale;
      const y = t.top + (t.vMax - vertices[2 * j + 1]) * t.scale;
      if (j === cellStart[c]) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
  };
  ctx.lineJoin = "round";
  for (let c = 0; c < frame.cellCount; c++) {
    path(c);
    const colour = colourOf(patternHash(frame.patterns, c * words, words));
    ctx.fillStyle = colour;
    ctx.fill();
    // A hairline in the fill colour hides anti-aliasing seams between neighbours.
    ctx.strokeStyle = colour;
    ctx.lineWidth = 0.6;
    ctx.stroke();
  }
  if (o.edges) {
    ctx.strokeStyle = "rgba(40, 40, 40, 0.45)";
    ctx.lineWidth = 0.6;
    for (let c = 0; c < frame.cellCount; c++) {
      path(c);
      ctx.stroke();
    }
  }
  if (o.boundary && frame.boundary.length > 0) {
    ctx.strokeStyle = "#111111";
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    ctx.beginPath();
    const b = frame.boundary;
    for (let s = 0; s < b.length; s += 4) {
      ctx.moveTo(...toPixel(t, b[s], b[s + 1]));
      ctx.lineTo(...toPixel(t, b[s + 2], b[s + 3]));
    }
    ctx.stroke();
  }
  if (o.points && data && data.points.length > 0) {
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = "#ffffff";
    const r = Math.max(1.5, Math.min(3, w / 250));
    for (let i = 0; i < data.labels.length; i++) {
      const [x, y] = toPixel(t, data.points[2 * i], data.points[2 * i + 1]);
      if (x < t.left - r || x > t.left + t.width + r || y < t.top - r || y > t.top + t.height + r) continue;
      ctx.fillStyle = classColour(data.labels[i]);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
  if (o.cell >= 0 && o.cell < frame.cellCount) {
    path(o.cell);
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
    ctx.strokeStyle = "#d11";
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
    for (const [x, y, name] of [
      [...a, "A"],
      [...b, "B"],
    ] as [number, number, string][]) {
      ctx.fillStyle = "#d11";
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
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let j = 0; j < frame.domain.length; j += 2) {
    const [x, y] = toPixel(t, frame.domain[j], frame.domain[j + 1]);
    if (j === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.closePath();
  ctx.stroke();
  ctx.restore();
  return t;
}

function sameEnds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
