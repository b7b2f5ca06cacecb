/**
 * Memory of the plane engine near a million cells (issue 2: a million cells in under 1 GB):
 * 2-512x3-1 with PyTorch's default init over [-3,3]^2. Reports the process's peak resident set
 * (run it alone, `npm run bench -- memory`, for a clean figure) and the result's own arrays.
 */
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { fmt, table } from "./timing.ts";

export default async function (): Promise<string> {
  const compiled = prepare(mlp([2, 512, 512, 512, 1], { init: "uniform", seed: 0 }));
  const { slice, domain } = boxSlice(-3, 3);
  const started = performance.now();
  const p = planePartition(compiled, slice, { domain });
  const seconds = (performance.now() - started) / 1000;
  let bytes = 0;
  for (const v of Object.values(p)) if (ArrayBuffer.isView(v)) bytes += v.byteLength;
  const peak = process.resourceUsage().maxRSS * 1024;
  return [
    "## Plane engine memory",
    "",
    table(
      ["network", "regions", "seconds", "result MB", "result bytes/cell", "peak RSS MB (whole process)", "peak RSS per million cells, MB"],
      [["2-512x3-1 on [-3,3]^2", p.activationRegions, fmt(seconds), fmt(bytes / 1e6), fmt(bytes / p.cellCount), fmt(peak / 1e6), fmt(peak / 1e6 / (p.cellCount / 1e6))]],
    ),
  ].join("\n");
}
