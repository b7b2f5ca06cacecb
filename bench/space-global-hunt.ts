/**
 * Hunt for space counts that differ from the exact oracle (test/oracles/exact-space.ts) on
 * degenerate deep networks, as bench/plane-global-hunt.ts does for the plane engine: zero-bias
 * deep narrow networks, integer-weight hard-tanh zero-bias ones, duplicated units, in boxes about
 * and at the origin. Compares every cell's pattern, not only the count. Not part of npm test.
 *
 *   npx tsx bench/space-global-hunt.ts [--src DIR] [--no-wasm] [--family NAME] [--seeds N] [--first K]
 *
 * Prints one line per case (family, seed, box, engine's count, exact count) and a summary per family.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { exactSpaceBoxRegions } from "../test/oracles/exact-space.ts";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const src = resolve(flag("--src") ?? new URL("../src", import.meta.url).pathname);
if (args.includes("--no-wasm")) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
const onlyFamily = flag("--family");
const seeds = Number(flag("--seeds") ?? 10);
const first = Number(flag("--first") ?? 0);

type Layer = Record<string, unknown>;
type Net = { inputSize: number; layers: Layer[] };
interface Layout {
  words: number;
  stepBit: Int32Array;
  stepUnits: Int32Array;
}
interface Partition {
  activationRegions: number;
  cellCount: number;
  uncertain?: number;
  patterns: Uint32Array;
  layout: Layout;
}
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(`${src}/${path}`).href)) as T;
const { mlp } = await load<{ mlp: (w: number[], o?: object) => Net }>("model/build/mlp.ts");
const { prepare } = await load<{ prepare: (n: Net) => unknown }>("model/forward.ts");
const { createRandom } = await load<{ createRandom: (s: number) => { next(): number; uniform(a: number, b: number): number } }>("model/random.ts");
const { getState } = await load<{ getState: (l: Layout, p: Uint32Array, o: number, s: number, j: number) => number }>("model/pattern.ts");
const { spacePartition } = await load<{ spacePartition: (c: unknown, o: object) => Partition }>("regions/space.ts");

/** Each cell's pattern as the oracle writes it ("|" then each step's states), sorted. */
function patternsOf(p: Partition): string[] {
  const out: string[] = [];
  const { layout } = p;
  for (let cell = 0; cell < p.cellCount; cell++) {
    let text = "";
    for (let s = 0; s < layout.stepBit.length; s++) {
      if (layout.stepBit[s] < 0) continue;
      text += "|";
      for (let j = 0; j < layout.stepUnits[s]; j++) text += getState(layout, p.patterns, cell * layout.words, s, j);
    }
    out.push(text);
  }
  return out.sort();
}

/** An integer-weight network, zero biases, the given activation after every hidden layer. */
function integerNet(widths: number[], seed: number, activation: Layer): Net {
  const rng = createRandom(seed);
  const layers: Layer[] = [];
  for (let l = 1; l < widths.length; l++) {
    const [n, m] = [widths[l - 1], widths[l]];
    const weight = Float64Array.from({ length: n * m }, () => Math.round(rng.uniform(-2.49, 2.49)));
    layers.push({ type: "dense", inSize: n, outSize: m, weight, bias: new Float64Array(m) });
    if (l < widths.length - 1) layers.push({ ...activation });
  }
  return { inputSize: widths[0], layers };
}

/** One unit of every hidden layer copied onto another (the same row and bias). */
function duplicated(net: Net, seed: number): Net {
  const rng = createRandom(seed);
  const layers = net.layers.map((l) => ({ ...l, weight: (l.weight as Float64Array | undefined)?.slice(), bias: (l.bias as Float64Array | undefined)?.slice() }));
  for (let k = 0; k < layers.length - 1; k++) {
    const d = layers[k];
    if (d.type !== "dense") continue;
    const n = d.inSize as number;
    const m = d.outSize as number;
    if (m < 2) continue;
    const w = d.weight as Float64Array;
    const i = Math.floor(rng.next() * m);
    const j = (i + 1 + Math.floor(rng.next() * (m - 1))) % m;
    for (let c = 0; c < n; c++) w[j * n + c] = w[i * n + c];
    (d.bias as Float64Array)[j] = (d.bias as Float64Array)[i];
  }
  return { inputSize: net.inputSize, layers };
}

const boxes: [number, number][] = [
  [-1, 1],
  [0, 1],
  [-0.3, 0.7],
];
const families: Record<string, (seed: number) => Net> = {
  "zero-bias-4x8": (seed) => mlp([3, ...Array(8).fill(4), 1], { init: "zero-bias", seed }),
  "zero-bias-3x12": (seed) => mlp([3, ...Array(12).fill(3), 1], { init: "zero-bias", seed }),
  "zero-bias-4x8-dup": (seed) => duplicated(mlp([3, ...Array(8).fill(4), 1], { init: "zero-bias", seed }), seed),
  "zero-bias-leaky-3x6": (seed) => mlp([3, ...Array(6).fill(3), 1], { init: "zero-bias", seed, activation: { type: "leaky-relu", slope: 0.25 } }),
  "integer-hardtanh-4x6": (seed) => integerNet([3, ...Array(6).fill(4), 1], seed, { type: "hard-tanh", lo: -1, hi: 1 }),
  "integer-relu-4x6-dup": (seed) => duplicated(integerNet([3, ...Array(6).fill(4), 1], seed, { type: "relu" }), seed),
};

for (const [family, make] of Object.entries(families)) {
  if (onlyFamily && family !== onlyFamily) continue;
  let cases = 0;
  let wrong = 0;
  let silent = 0;
  let engineMs = 0;
  let oracleMs = 0;
  for (let seed = first; seed < first + seeds; seed++) {
    const net = make(seed);
    for (const [lo, hi] of boxes) {
      const name = `box[${lo},${hi}]`;
      const t0 = performance.now();
      let got: Partition;
      try {
        got = spacePartition(prepare(net), { box: [lo, hi] });
      } catch (e) {
        console.log(`${family} seed ${seed} ${name}: engine threw ${(e as Error).message}`);
        continue;
      }
      engineMs += performance.now() - t0;
      const o0 = performance.now();
      const oracle = exactSpaceBoxRegions(net as never, lo, hi);
      oracleMs += performance.now() - o0;
      cases++;
      const patternsRight = JSON.stringify(patternsOf(got)) === JSON.stringify(oracle.patterns.slice().sort());
      const uncertain = got.uncertain ?? 0;
      if (got.cellCount !== oracle.regions || !patternsRight) {
        wrong++;
        if (uncertain === 0) silent++;
        console.log(`${family} seed ${seed} ${name}: ${got.cellCount} (uncertain ${uncertain}), exact ${oracle.regions}${patternsRight ? "" : ", patterns differ"}`);
      }
    }
  }
  console.log(`# ${family}: ${cases} cases, ${wrong} miscounted (${silent} silently); engine ${engineMs.toFixed(0)} ms, oracle ${oracleMs.toFixed(0)} ms`);
}
