/**
 * Line and plane engines on MLPs with PyTorch's default init over [-1, 1]^2 (issue 2):
 * regions, seconds, regions per second, and the ratio to the floor, a batched float64 forward
 * pass at one point per region found (timed in the same run).
 */
import { mlp } from "../src/model/build/mlp.ts";
import { forwardBatch, prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { countSegments } from "../src/regions/line-segments.ts";
import { boxSlice, planePartition } from "../src/regions/plane.ts";
import { fmt, table, time } from "./timing.ts";

function floorPoints(count: number, n0: number): Float64Array {
  const xs = new Float64Array(count * n0);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.sin(i * 12.9898) * 0.999;
  return xs;
}

/** Bytes held by a partition's typed arrays, per cell. */
function bytesPerCell(p: object & { cellCount: number }): number {
  let bytes = 0;
  for (const v of Object.values(p)) if (ArrayBuffer.isView(v)) bytes += v.byteLength;
  return bytes / p.cellCount;
}

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const [name, widths] of [
    ["2-64x4-1", [2, 64, 64, 64, 64, 1]],
    ["2-128x4-1", [2, 128, 128, 128, 128, 1]],
    ["2-256x2-1", [2, 256, 256, 1]],
  ] as const) {
    const compiled = prepare(mlp(widths, { init: "uniform", seed: 0 }));
    const { slice, domain } = boxSlice(-1, 1);
    let regions = 0;
    let perCell = 0;
    const engine = time(() => {
      const p = planePartition(compiled, slice, { domain });
      regions = p.activationRegions;
      perCell = bytesPerCell(p);
    }, 3);
    const xs = floorPoints(regions, 2);
    const floor = time(() => forwardBatch(compiled, xs, regions), 3);
    rows.push([
      name,
      regions,
      fmt(engine.median),
      `${fmt(engine.min)}-${fmt(engine.max)}`,
      fmt(regions / engine.median, 4),
      fmt(floor.median),
      fmt(engine.median / floor.median),
      fmt(perCell),
    ]);
  }
  // Line engine: 1,000 random segments in [-1, 1]^2 through 2-128x4-1.
  const compiled = prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }));
  let s = 1;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
  const segments = Array.from({ length: 1000 }, () => Float64Array.of(rnd(), rnd(), rnd(), rnd()));
  let pieces = 0;
  const line = time(() => {
    pieces = 0;
    for (const seg of segments) pieces += linePartition(compiled, seg).cellCount;
  }, 3);
  // The same segments counted as `tessera count --lines` does (Hanin & Rolnick's protocol).
  const flat = new Float64Array(4000);
  segments.forEach((seg, g) => {
    flat.set(seg, 4 * g);
  });
  let regions = 0;
  const counted = time(() => {
    regions = countSegments(compiled, flat).activationRegions;
  }, 5);
  const xs = floorPoints(pieces, 2);
  const lineFloor = time(() => forwardBatch(compiled, xs, pieces), 3);
  return [
    "## Line and plane engines",
    "",
    "Plane engine over [-1,1]^2, PyTorch-default init (uniform +-1/sqrt(fan_in)), seed 0. Seconds are medians of 3 runs (min-max beside).",
    "Floor: one batched float64 forward pass at one point per region found, same run. Ratio = engine / floor.",
    "",
    table(["network", "regions", "engine s", "range s", "regions/s", "floor s", "ratio", "result bytes/cell"], rows),
    "",
    `Line engine: 1,000 random segments in [-1,1]^2 through 2-128x4-1: ${pieces} pieces in ${fmt(line.median)} s as 1,000 partitions (floor ${fmt(lineFloor.median)} s, ratio ${fmt(line.median / lineFloor.median)}); counted per segment (countSegments, count --lines): ${regions} activation regions in ${fmt(counted.median)} s (min ${fmt(counted.min)}, ratio to floor ${fmt(counted.median / lineFloor.median)}).`,
  ].join("\n");
}
