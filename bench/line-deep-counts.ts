/**
 * Per-segment counts through deep networks, compared between source trees: the peers benchmark's
 * 100 segments (endpoints uniform in [-1, 1]^2, its generator) and line-deep-many's (seed 1, in
 * [-1.5, 1.5]^2) through deep and narrow shapes x inits, `countSegments` segment by segment.
 * Prints each case's total, the segments the WebAssembly walk counted, and whether every
 * segment's count equals the first tree's; exits 1 when one differs.
 *
 *   npx tsx bench/line-deep-counts.ts SRC [SRC...]
 *
 * Each SRC is a tree's src/ (a base from `git archive`, with a package.json {"type":"module"}
 * beside it).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const trees = process.argv.slice(2).map((t) => resolve(t));
const shapes: Record<string, number[]> = {
  "2-8x120": [2, ...new Array(120).fill(8), 1],
  "2-16x24": [2, ...new Array(24).fill(16), 1],
  "2-31x20": [2, ...new Array(20).fill(31), 1],
  "2-12x30": [2, ...new Array(30).fill(12), 1],
  "2-8x40": [2, ...new Array(40).fill(8), 1],
  "2-32x12": [2, ...new Array(12).fill(32), 1],
  "2-48x10": [2, ...new Array(10).fill(48), 1],
  "2-4x60": [2, ...new Array(60).fill(4), 1],
  "3-16x20-2": [3, ...new Array(20).fill(16), 2],
};
const INITS = ["he", "zero-bias", "uniform"];
const COUNT = 100;

/** The peers benchmark's segments (bench/peers/run.ts): endpoints uniform in [-1, 1]^n. */
function peerSegments(count: number, n0: number): Float64Array {
  let s = 1;
  const out = new Float64Array(2 * n0 * count);
  for (let i = 0; i < out.length; i++) {
    s = (s * 16807) % 2147483647;
    out[i] = (s / 2147483647) * 2 - 1;
  }
  return out;
}

type Counter = (c: unknown, s: Float64Array) => { perSegment: Uint32Array; activationRegions: number };
const loaded: {
  count: Counter;
  mlp: (w: number[], o: object) => unknown;
  prepare: (n: unknown) => unknown;
  random: (s: number) => { next(): number };
  runs: { counted: number; gaveUp: number };
}[] = [];
for (const src of trees) {
  const { mlp } = await import(pathToFileURL(`${src}/model/build/mlp.ts`).href);
  const { prepare } = await import(pathToFileURL(`${src}/model/forward.ts`).href);
  const { countSegments } = await import(pathToFileURL(`${src}/regions/line-segments.ts`).href);
  const { createRandom } = await import(pathToFileURL(`${src}/model/random.ts`).href);
  const { walkRuns } = await import(pathToFileURL(`${src}/regions/line-walk.ts`).href);
  loaded.push({ count: countSegments, mlp, prepare, random: createRandom, runs: walkRuns });
}
let differ = 0;
for (const [shape, widths] of Object.entries(shapes)) {
  for (const init of INITS) {
    for (const which of ["peers", "many"]) {
      const n0 = widths[0];
      const rows: string[] = [];
      let first: Uint32Array | null = null;
      for (const t of loaded) {
        const compiled = t.prepare(t.mlp(widths, { init, seed: 0 }));
        let segs: Float64Array;
        if (which === "peers") segs = peerSegments(COUNT, n0);
        else {
          const rng = t.random(1);
          segs = Float64Array.from({ length: 2 * n0 * COUNT }, () => -1.5 + 3 * rng.next());
        }
        const before = t.runs.counted;
        const r = t.count(compiled, segs);
        const inKernel = t.runs.counted - before;
        let same = "";
        if (first === null) first = r.perSegment;
        else {
          const ok = first.length === r.perSegment.length && first.every((v, i) => v === r.perSegment[i]);
          if (!ok) differ++;
          same = ok ? " same" : " DIFFERENT";
        }
        rows.push(`${r.activationRegions} (${inKernel} in the kernel)${same}`);
      }
      console.log(`${shape} ${init} ${which}: ${rows.join(" | ")}`);
    }
  }
}
console.log(differ === 0 ? "every segment's count equal" : `${differ} cases differ`);
process.exit(differ === 0 ? 0 : 1);
