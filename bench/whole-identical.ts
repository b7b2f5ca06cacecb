/**
 * Bit-identity check for the whole-domain engine (bench/identical.ts covers the line, plane and
 * space engines; not a benchmark, not part of npm test): runs `wholePartition` (and a split count)
 * of the source tree SRC on a fixed corpus (every activation, the engine's options switched off
 * one at a time, 784 inputs, zero biases, test/whole/degenerate-networks.ts's lattices, decimals,
 * integers, nearly dependent rows, cut lattices and slices, polytopes with and without row
 * generation) and prints one line per case: name, counts, and a SHA-256 over every array and
 * number of the partition but `seconds`.
 *
 *   npx tsx bench/whole-identical.ts [--src DIR] > after.txt
 *
 * Run it on the tree before a change (`git archive BASE src | tar -x -C /tmp/base`, then --src
 * /tmp/base/src; the corpus's networks come from this tree's test/whole) and after; `diff` must
 * be empty. About a minute.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as deg from "../test/whole/degenerate-networks.ts";

const args = process.argv.slice(2);
const flag = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const src = resolve(flag("--src") ?? new URL("../src", import.meta.url).pathname);
const load = async <T>(p: string): Promise<T> => (await import(pathToFileURL(`${src}/${p}`).href)) as T;
/** What the digest reads of a partition (every other field is hashed as it comes). */
type Partition = Record<string, unknown> & { activationRegions: number; facetCount: number; linearPieces: number; uncertain: number };
type Net = { inputSize: number };
const { mlp } = await load<{ mlp: (widths: number[], options?: object) => Net }>("model/build/mlp.ts");
const { prepare } = await load<{ prepare: (net: unknown) => unknown }>("model/forward.ts");
const { wholePartition } = await load<{ wholePartition: (compiled: unknown, options: object) => Partition }>("regions/whole.ts");
const { wholeSplitLocally } = await load<{ wholeSplitLocally: (compiled: unknown, options: object, k: number) => { perJob: number[]; partition: Partition } }>(
  "sweep/whole-split.ts",
);

function digest(p: Record<string, unknown>): string {
  const h = createHash("sha256");
  for (const key of Object.keys(p).sort()) {
    if (key === "seconds") continue;
    const v = p[key];
    h.update(key);
    if (ArrayBuffer.isView(v)) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (typeof v === "number" || typeof v === "string") h.update(String(v));
    else if (v !== null && typeof v === "object") h.update(JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x)));
  }
  return h.digest("hex").slice(0, 24);
}
const out = (name: string, p: Partition) =>
  console.log(`${name}\tregions=${p.activationRegions}\tfacets=${p.facetCount}\tpieces=${p.linearPieces}\tunc=${p.uncertain}\t${digest(p)}`);
const run = (name: string, net: unknown, o: object) => out(name, wholePartition(prepare(net), o));

const acts: ({ type: string } & Record<string, unknown>)[] = [
  { type: "relu" },
  { type: "leaky-relu", slope: 0.2 },
  { type: "abs" },
  { type: "hard-tanh", lo: -1, hi: 1 },
  { type: "maxout", k: 2 },
];
for (let s = 1; s <= 5; s++) {
  const activation = acts[s - 1];
  run(`mlp 2-8-8-1 ${activation.type} s${s}`, mlp([2, 8, 8, 1], { init: "he", seed: s, activation }), { box: [-1, 1] });
  run(`mlp 3-6-6-2 ${activation.type} s${s}`, mlp([3, 6, 6, 2], { init: "glorot", seed: s, activation }), { box: [-1, 1], maps: true });
}
for (const [label, o] of [
  ["noStep", { stepPoints: false }],
  ["noShort", { lpShortcuts: false }],
  ["noStar", { star: false }],
  ["noRowGen", { rowGeneration: false }],
] as const)
  run(`mlp 4-6-6-2 ${label}`, mlp([4, 6, 6, 2], { init: "he", seed: 7 }), { box: [-1, 1], ...o });
run("mlp 3-8-8-8-1 zero-bias", mlp([3, 8, 8, 8, 1], { init: "zero-bias", seed: 3 }), { box: [-1, 1] });
run("mlp 20-10-10-3 he", mlp([20, 10, 10, 3], { init: "he", seed: 2 }), { box: [-1, 1], points: false, maxCells: 400 });
run("mlp 784-8-8-10 he", mlp([784, 8, 8, 10], { init: "he", seed: 1 }), { box: [0, 1], points: false, maxCells: 300 });
run("mlp 784-8-8-10 he noStep", mlp([784, 8, 8, 10], { init: "he", seed: 1 }), { box: [0, 1], points: false, maxCells: 150, stepPoints: false });
run("mlp 50-6-6-6-2 maxout", mlp([50, 6, 6, 6, 2], { init: "he", seed: 4, activation: { type: "maxout", k: 2 } }), { box: [-1, 1], points: false, maxCells: 200 });
for (let s = 0; s < 8; s++) {
  run(`lattice s${s} n0=2`, deg.lattice(s, 2, [1, 2, 0.5][s % 3], { nonDyadic: s % 2 === 1, maxout: s % 4 === 3 }), { box: [-[1, 2, 0.5][s % 3], [1, 2, 0.5][s % 3]] });
  run(`lattice s${s} n0=3`, deg.lattice(s + 100, 3, 1, { nonDyadic: s % 2 === 0 }), { box: [-1, 1] });
  run(`decimal s${s}`, deg.decimal(s, 2 + (s % 2), s % 3 === 2), { box: [-1, 1] });
  run(`integer s${s}`, deg.integer(s, 2 + (s % 2)), { box: [-2, 2] });
  run(`nearlyDependent s${s}`, deg.nearlyDependent(s, 1), { box: [-1, 1] });
  const cut = deg.cutLattice(s, s % 2 === 1);
  if (cut) run(`cutLattice s${s}`, cut.net, { box: [-cut.B, cut.B], polytope: { A: Float64Array.from(cut.A), b: Float64Array.from(cut.b) } });
  const sl = deg.sliceThroughDecimals(s);
  const pts = sl.points;
  if (pts.length >= 3) {
    const origin = pts[0];
    const basis = [Float64Array.from(pts[1], (v, d) => v - origin[d]), Float64Array.from(pts[2], (v, d) => v - origin[d])];
    try {
      run(`slice s${s}`, sl.net, { box: [0, 1], slice: { origin, basis, points: pts.slice(0, 3) } });
    } catch (e) {
      console.log(`slice s${s}\terror ${(e as Error).message}`);
    }
  }
}
// Polytopes of many rows (row generation in the box LP from 48 rows on), on and off.
{
  const { createRandom } = await load<{ createRandom: (seed: number) => { next(): number; normal(): number } }>("model/random.ts");
  for (const [n0, rowsN, seed] of [
    [3, 60, 1],
    [4, 80, 2],
    [30, 64, 3],
  ] as const) {
    const rng = createRandom(seed);
    const A = new Float64Array(rowsN * n0);
    const b = new Float64Array(rowsN);
    for (let q = 0; q < rowsN; q++) {
      let norm = 0;
      for (let d = 0; d < n0; d++) {
        A[q * n0 + d] = rng.normal();
        norm += A[q * n0 + d] ** 2;
      }
      for (let d = 0; d < n0; d++) A[q * n0 + d] /= Math.sqrt(norm);
      b[q] = 0.5 + 0.5 * rng.next();
    }
    const net = mlp([n0, 8, 6, 2], { init: "he", seed: seed + 10 });
    for (const rowGeneration of [true, false])
      run(`polytope ${rowsN} rows n0=${n0} rowGen=${rowGeneration}`, net, { box: [-1, 1], polytope: { A, b }, rowGeneration, points: n0 < 10, maxCells: 300 });
  }
}
for (let s = 1; s <= 3; s++) {
  const r = wholeSplitLocally(prepare(mlp([3, 8, 8, 1], { init: "he", seed: s })), { box: [-1, 1], points: true }, 2);
  out(`split k=2 3-8-8-1 s${s} perJob=${r.perJob.join(",")}`, r.partition);
}
