/**
 * Small line charts as SVG strings (regions over training, outputs along a segment): a few
 * polylines on shared axes. Pure string building, so the page sets innerHTML once per update,
 * and the same function is tested in Node. Ticks come from the region map's `niceTicks`.
 */
import { niceTicks } from "../report/region-map.ts";

export interface Series {
  name: string;
  color: string;
  /** Points (x, y), in order of x; NaN in y breaks the line (a gap between pieces). */
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Draw a dot at each point too. */
  dots?: boolean;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  /** Vertical marker lines (e.g. breakpoints along a segment). */
  markers?: ArrayLike<number>;
  /** Always include y = 0 in the range. */
  zero?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function tickLabel(t: number): string {
  if (t === 0) return "0";
  const a = Math.abs(t);
  if (a >= 1e5 || a < 1e-3) return t.toExponential(0);
  return String(Number(t.toPrecision(4)));
}

export function lineChartSvg(series: readonly Series[], options: ChartOptions = {}): string {
  const width = options.width ?? 320;
  const height = options.height ?? 180;
  const left = 48;
  const right = 10;
  const top = 10;
  const bottom = options.xLabel ? 38 : 24;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = options.zero ? 0 : Infinity;
  let yMax = options.zero ? 0 : -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i];
      const y = s.ys[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  if (!(xMax >= xMin)) {
    xMin = 0;
    xMax = 1;
  }
  if (!(yMax >= yMin)) {
    yMin = 0;
    yMax = 1;
  }
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const pad = 0.05 * (yMax - yMin);
  yMin -= pad;
  yMax += pad;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const X = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * pw;
  const Y = (y: number): number => top + ((yMax - y) / (yMax - yMin)) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-size="10" font-family="system-ui, sans-serif">`,
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="#fff" stroke="#bbb"/>`,
  ];
  for (const t of niceTicks(yMin, yMax, 4)) {
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${fmt(Y(t))}" y2="${fmt(Y(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${fmt(Y(t))}" dy="0.35em" text-anchor="end" fill="#333">${tickLabel(t)}</text>`);
  }
  for (const t of niceTicks(xMin, xMax, 5)) {
    parts.push(`<text x="${fmt(X(t))}" y="${top + ph + 13}" text-anchor="middle" fill="#333">${tickLabel(t)}</text>`);
  }
  if (options.markers) {
    for (let i = 0; i < options.markers.length; i++) {
      const m = options.markers[i];
      parts.push(`<line x1="${fmt(X(m))}" x2="${fmt(X(m))}" y1="${top}" y2="${top + ph}" stroke="#999" stroke-dasharray="2 2"/>`);
    }
  }
  for (const s of series) {
    let d = "";
    let pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const x = s.xs[i];
      const y = s.ys[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${fmt(X(x))} ${fmt(Y(y))}`;
      pen = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${esc(s.color)}" stroke-width="1.6"><title>${esc(s.name)}</title></path>`);
    if (s.dots && s.xs.length <= 400) {
      for (let i = 0; i < s.xs.length; i++) {
        if (Number.isFinite(s.ys[i])) parts.push(`<circle cx="${fmt(X(s.xs[i]))}" cy="${fmt(Y(s.ys[i]))}" r="1.8" fill="${esc(s.color)}"/>`);
      }
    }
  }
  if (options.xLabel) parts.push(`<text x="${left + pw / 2}" y="${height - 4}" text-anchor="middle" fill="#333">${esc(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text x="${left + 4}" y="${top + 11}" fill="#333">${esc(options.yLabel)}</text>`);
  // Legend, top right.
  series.forEach((s, i) => {
    const y = top + 12 + 12 * i;
    parts.push(`<rect x="${left + pw - 70}" y="${y - 7}" width="8" height="8" fill="${esc(s.color)}"/>`);
    parts.push(`<text x="${left + pw - 58}" y="${y}" fill="#333">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
