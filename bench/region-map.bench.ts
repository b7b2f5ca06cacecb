/**
 * Drawing cost of `tessera map`: the SVG string and the PNG raster of a plane partition, as ratios
 * to the plane engine's own time on the same partition, measured in the same run. PyTorch-default
 * MLPs over [-1,1]^2 (the performance networks).
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { decisionBoundary } from "../src/report/decision-boundary.ts";
import { svgToPng } from "../src/report/png.ts";
import { regionMapSvg } from "../src/report/region-map.ts";
import { fmt, table, time } from "./timing.ts";

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const widths of [
    [2, 64, 64, 64, 64, 1],
    [2, 128, 128, 128, 128, 1],
  ]) {
    const compiled = prepare(mlp(widths, { init: "uniform", seed: 0 }));
    const { slice, domain } = boxSlice(-1, 1);
    let partition = planePartition(compiled, slice, { domain });
    const engine = time(() => {
      partition = planePartition(compiled, slice, { domain });
    }, 3);
    let svg = "";
    const draw = time(() => {
      svg = regionMapSvg(partition, { size: 600, boundary: true });
    }, 3);
    const boundary = time(() => decisionBoundary(partition), 3);
    let png: Uint8Array = new Uint8Array(0);
    const raster = time(() => {
      png = svgToPng(svg);
    }, 3);
    rows.push([
      widths.join("-"),
      partition.cellCount,
      fmt(engine.median),
      fmt(draw.median),
      fmt(boundary.median),
      fmt(raster.median),
      `${(svg.length / 1e6).toFixed(1)} MB / ${(png.length / 1e6).toFixed(2)} MB`,
      fmt(draw.median / engine.median, 2),
      fmt(raster.median / engine.median, 2),
    ]);
  }
  return [
    "## Region maps (SVG and PNG)",
    "",
    "`npm run bench -- region-map`: medians of 3 runs after a warm-up; baseline = the plane engine on the same network in the same run.",
    "",
    table(["network", "cells", "engine s (baseline)", "SVG s (with boundary)", "boundary s", "PNG s", "SVG / PNG size", "SVG / engine", "PNG / engine"], rows),
  ].join("\n");
}
