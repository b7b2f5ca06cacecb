/**
 * The adjoint bound in the line engine (src/regions/line-adjoint.ts): on He networks 2-WxD-1, how
 * many anchors (line.ts `anchor`) the adjoint bound served and how many still measured the exact
 * distance, and the walk's time, counting segments as countSegments does (a LineEngine with a
 * pattern sink, so the JavaScript engine on every segment, no WebAssembly walk).
 *
 *   npx tsx bench/line-adjoint.ts WIDTH DEPTHS SEGMENTS      (DEPTHS: a comma list)
 */
import { loadavg } from "node:os";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { LineEngine } from "../src/regions/line.ts";
import { walkPath } from "../src/regions/line-path.ts";

const width = Number(process.argv[2]);
const depths = process.argv[3].split(",").map(Number);
const segments = Number(process.argv[4]);
for (const depth of depths) {
  const compiled = prepare(mlp([2, ...new Array(depth).fill(width), 1], { init: "he", seed: 0 }));
  let s = 1;
  const flat = new Float64Array(4 * segments);
  for (let i = 0; i < flat.length; i++) {
    s = (s * 16807) % 2147483647;
    flat[i] = (s / 2147483647) * 2 - 1;
  }
  let patterns = 0;
  const sink = { add: () => void patterns++ };
  const l0 = loadavg()[0];
  const t0 = performance.now();
  let anchored = 0;
  let adjoint = 0;
  let uncertain = 0;
  for (let k = 0; k < segments; k++) {
    const engine = new LineEngine(compiled, sink);
    walkPath(engine, compiled, flat.subarray(4 * k, 4 * k + 4));
    anchored += engine.anchoredMaps;
    adjoint += engine.adjointMaps;
    uncertain += engine.uncertain;
  }
  const ms = performance.now() - t0;
  console.log(
    `2-${width}x${depth}-1, ${segments} segments: ${patterns} pieces, ${ms.toFixed(0)} ms (load ${l0.toFixed(2)}), anchors: ${adjoint} adjoint, ${anchored} exact, ${uncertain} uncertain`,
  );
}
