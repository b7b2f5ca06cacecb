/**
 * The explorer's charts as vega-lite specs, the one chart stack of tessera (the HTML report, the
 * experiments and `bounds --sweep` use it too): the outputs along a segment, piece by piece, and
 * the counts over training. Specs are pure data, tested in Node; the page renders them to SVG
 * with vegaLiteToSvg, whose chart libraries load on the first chart, and at most one render
 * runs per chart at a time (a newer spec replaces a waiting one), so charts never hold up the
 * map while training.
 */
import { CLASS_COLORS, FONT_FAMILY } from "../report/colors.ts";
import type { VegaLiteSpec } from "../report/vega-svg.ts";
import type { SegmentResult } from "./protocol.ts";

const WIDTH = 300;
const HEIGHT = 150;

/** Axis and legend style shared by the explorer's charts: small, legend below the plot. */
const CONFIG = {
  font: FONT_FAMILY,
  view: { stroke: "#bbbbbb" },
  axis: { labelFontSize: 10, titleFontSize: 10, grid: true, gridColor: "#eeeeee" },
  legend: { orient: "bottom", labelFontSize: 10, titleFontSize: 10, symbolSize: 60 },
} as const;

/**
 * Each output along the segment, one straight line per piece (the network is affine on a piece,
 * so a piece is exactly its two ends), with the breakpoints as dotted rules when few enough to see.
 */
export function segmentChartSpec(s: SegmentResult, maxOutputs = 10): VegaLiteSpec {
  const outs = Math.min(s.outputSize, maxOutputs);
  const values: { d: number; y: number; output: string; piece: number }[] = [];
  for (let k = 0; k < outs; k++) {
    for (let i = 0; i < s.pieces; i++) {
      const o = (i * s.outputSize + k) * 2;
      for (const t of [s.tStart[i], s.tEnd[i]]) values.push({ d: t * s.length, y: s.outputMaps[o] + t * s.outputMaps[o + 1], output: `y${k}`, piece: i });
    }
  }
  const breaks = s.pieces <= 300 ? Array.from(s.tStart.subarray(1), (t) => ({ d: t * s.length })) : [];
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values: breaks },
        mark: { type: "rule", color: "#999999", strokeDash: [2, 2] },
        encoding: { x: { field: "d", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "line", strokeWidth: 1.6 },
        encoding: {
          x: { field: "d", type: "quantitative", title: "distance from A along the segment" },
          y: { field: "y", type: "quantitative", title: "outputs" },
          color: { field: "output", type: "nominal", title: null, scale: { range: [...CLASS_COLORS] } },
          detail: { field: "piece", type: "quantitative" },
        },
      },
    ],
  } as VegaLiteSpec;
}

/** Activation regions and linear pieces over training epochs, from zero. */
export function historyChartSpec(history: readonly { epoch: number; regions: number; pieces: number }[]): VegaLiteSpec {
  const values = history.flatMap((r) => [
    { epoch: r.epoch, count: r.regions, series: "regions" },
    { epoch: r.epoch, count: r.pieces, series: "linear pieces" },
  ]);
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    mark: { type: "line", strokeWidth: 1.6, point: history.length < 60 ? { size: 12 } : false },
    encoding: {
      // Epochs are whole numbers: one tracked epoch alone got ticks like "0.000000".
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { format: "d", tickMinStep: 1 } },
      y: { field: "count", type: "quantitative", title: "count", scale: { zero: true } },
      color: { field: "series", type: "nominal", title: null, scale: { range: [...CLASS_COLORS] } },
    },
  } as VegaLiteSpec;
}

/** One render at a time per element; the newest spec waiting replaces older ones. */
const waiting = new Map<HTMLElement, VegaLiteSpec | null>();
/** Bumped by clearChart, so a render finishing after a clear does not bring the old chart back. */
const generation = new WeakMap<HTMLElement, number>();

/** Render a spec into an element (innerHTML = the chart's SVG), skipping stale specs. */
export function renderChart(element: HTMLElement, spec: VegaLiteSpec, onError: (message: string) => void = () => {}): void {
  const busy = waiting.has(element);
  waiting.set(element, spec);
  if (busy) return;
  void (async () => {
    const { vegaLiteToSvg } = await import("../report/vega-svg.ts");
    for (let next = waiting.get(element); next; next = waiting.get(element)) {
      waiting.set(element, null);
      const before = generation.get(element) ?? 0;
      try {
        const svg = await vegaLiteToSvg(next);
        if ((generation.get(element) ?? 0) === before) element.innerHTML = svg;
      } catch (e) {
        onError(`chart: ${(e as Error).message}`);
      }
    }
    waiting.delete(element);
  })();
}

/** Clear a chart (and drop a render waiting for it). */
export function clearChart(element: HTMLElement, text = ""): void {
  if (waiting.has(element)) waiting.set(element, null);
  generation.set(element, (generation.get(element) ?? 0) + 1);
  element.textContent = text;
}
