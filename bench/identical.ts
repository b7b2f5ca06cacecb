/**
 * Bit-identity check for engine optimisations (not a benchmark, not part of npm test):
 * runs the line, plane and space engines of the source tree SRC on a fixed corpus (the
 * benchmark networks, random networks of every activation and init, degenerate ones: zero
 * biases, duplicated, scaled, dead and integer units, deep narrow ones, segments through the
 * origin) and prints one SHA-256 per case over every array and number of the partition.
 *
 *   npx tsx bench/identical.ts [--src DIR] [--no-wasm] [--only line|plane|space] [--match TEXT --dump DIR] > after.txt
 *
 * Run it on the tree before a change (e.g. `git archive BASE src | tar -x -C /tmp/base` then
 * --src /tmp/base/src) and after; `diff before.txt after.txt` must be empty. --no-wasm removes
 * WebAssembly before the engines load, so the JavaScript kernels are compared too. --dump DIR
 * writes every array of the cases whose name contains --match TEXT as JSON, to diff in full.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { benchSegmentList } from "./segments.ts";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const src = resolve(flag("--src") ?? new URL("../src", import.meta.url).pathname);
const only = flag("--only");
const dumpDir = flag("--dump");
const match = flag("--match");
if (args.includes("--no-wasm")) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;

const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(`${src}/${path}`).href)) as T;
type Net = { inputSize: number; layers: ({ type: string; weight?: Float64Array; bias?: Float64Array; inSize?: number; outSize?: number } & Record<string, unknown>)[] };
const { mlp } = await load<{ mlp: (w: number[], o?: object) => Net }>("model/build/mlp.ts");
const { montufar } = await load<{ montufar: (n0: number, w: number[]) => Net }>("model/build/montufar.ts");
const { prepare } = await load<{ prepare: (n: Net) => unknown }>("model/forward.ts");
const { createRandom } = await load<{ createRandom: (s: number) => { next(): number; normal(): number; int(n: number): number } }>("model/random.ts");
const { linePartition } = await load<{ linePartition: (c: unknown, path: Float64Array) => object }>("regions/line.ts");
const { boxSlice, planePartition } = await load<{
  boxSlice: (lo: number, hi: number) => { slice: unknown; domain: Float64Array };
  planePartition: (c: unknown, s: unknown, o: object) => object;
}>("regions/plane.ts");
const { spacePartition } = await load<{ spacePartition: (c: unknown, o: object) => object }>("regions/space.ts");

/** SHA-256 over every typed array and number of a partition, in key order. */
function digest(p: object): string {
  const h = createHash("sha256");
  for (const key of Object.keys(p).sort()) {
    const v = (p as Record<string, unknown>)[key];
    h.update(key);
    if (ArrayBuffer.isView(v)) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    else if (typeof v === "number" || typeof v === "string") h.update(String(v));
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) h.update(JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x)));
  }
  return h.digest("hex").slice(0, 24);
}

/** Degenerate variants of a network's dense layers (the last one is left alone). */
function degenerate(net: Net, kind: string, seed: number): Net {
  const rng = createRandom(seed);
  const dense = net.layers.filter((l) => l.type === "dense");
  for (const layer of dense.slice(0, -1)) {
    const w = layer.weight as Float64Array;
    const b = layer.bias as Float64Array;
    const n = layer.inSize as number;
    const m = layer.outSize as number;
    for (let i = 1; i < m; i++) {
      const src = rng.int(i);
      const roll = rng.next();
      if (kind === "duplicated" && roll < 0.3) {
        for (let j = 0; j < n; j++) w[i * n + j] = w[src * n + j];
        b[i] = b[src];
      } else if (kind === "scaled" && roll < 0.3) {
        const s = roll < 0.1 ? -2 : 0.5;
        for (let j = 0; j < n; j++) w[i * n + j] = s * w[src * n + j];
        b[i] = s * b[src];
      } else if (kind === "dead" && roll < 0.2) {
        for (let j = 0; j < n; j++) w[i * n + j] = 0;
        b[i] = roll < 0.1 ? -1 : 0;
      }
    }
    if (kind === "integer") {
      for (let i = 0; i < w.length; i++) w[i] = Math.round(2 * w[i] * Math.sqrt(n));
      for (let i = 0; i < m; i++) b[i] = Math.round(2 * b[i]) / 2;
    }
  }
  return net;
}

const activations = [{ type: "relu" }, { type: "leaky-relu", slope: 0.1 }, { type: "abs" }, { type: "hard-tanh", lo: -1, hi: 1 }, { type: "maxout", k: 2 }];
const inits = ["uniform", "he", "glorot", "zero-bias"];
const kinds = ["plain", "duplicated", "scaled", "dead", "integer"];

/** Random and degenerate networks of n0 inputs (seeded, the same corpus every run). */
function corpus(n0: number, widths: number[][], count: number): { name: string; net: Net }[] {
  const out: { name: string; net: Net }[] = [];
  for (let c = 0; c < count; c++) {
    const hidden = widths[c % widths.length];
    const activation = activations[c % activations.length];
    const init = inits[Math.floor(c / activations.length) % inits.length];
    const kind = kinds[Math.floor(c / 3) % kinds.length];
    const net = degenerate(mlp([n0, ...hidden, 1], { init, seed: c, activation }), kind, c);
    out.push({ name: `${n0}-${hidden.join("x")}-${activation.type}-${init}-${kind}-${c}`, net });
  }
  return out;
}

const print = (name: string, p: object): void => {
  const cells = (p as { cellCount: number }).cellCount;
  if (match !== undefined && !name.includes(match)) return;
  if (dumpDir !== undefined) {
    mkdirSync(dumpDir, { recursive: true });
    writeFileSync(
      `${dumpDir}/${name.replaceAll(/[^\w.,[\]-]+/g, "_")}.json`,
      JSON.stringify(p, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x), 1),
    );
  }
  process.stdout.write(`${name} ${cells} ${digest(p)}\n`);
};

function segmentsOf(seed: number, count: number, n0: number): Float64Array[] {
  const rng = createRandom(seed);
  const out: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const seg = new Float64Array(2 * n0);
    for (let k = 0; k < 2 * n0; k++) seg[k] = rng.next() * 2 - 1;
    if (i % 5 === 1) seg.fill(0, 0, n0); // from the origin (every zero-bias hyperplane passes through it)
    if (i % 7 === 2) for (let k = 0; k < n0; k++) seg[n0 + k] = -seg[k]; // through the origin
    out.push(seg);
  }
  return out;
}

if (only === undefined || only === "line") {
  // The benchmark: 1,000 random segments through 2-128x4-1 (one digest over all of them).
  const bench = prepare(mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }));
  const h = createHash("sha256");
  let cells = 0;
  for (const segment of benchSegmentList()) {
    const p = linePartition(bench, segment) as { cellCount: number };
    cells += p.cellCount;
    h.update(digest(p));
  }
  process.stdout.write(`line bench-2-128x4-1 ${cells} ${h.digest("hex").slice(0, 24)}\n`);
  const nets = [
    ...corpus(
      2,
      [
        [8, 8],
        [16, 16, 16],
        [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
        [32, 32],
      ],
      60,
    ),
    ...corpus(1, [[6, 6, 6]], 10),
    ...corpus(3, [[12, 12, 12]], 15),
    { name: "montufar-1-4x4", net: montufar(1, [4, 4, 4, 4]) },
    { name: "montufar-2-4x3", net: montufar(2, [4, 4, 4]) },
    { name: "deep-2-6x16", net: mlp([2, ...Array(16).fill(6), 1], { init: "he", seed: 3 }) },
  ];
  for (const { name, net } of nets) {
    const compiled = prepare(net);
    const n0 = net.inputSize;
    for (const [g, seg] of segmentsOf(n0 * 100 + name.length, 6, n0).entries()) print(`line ${name} ${g}`, linePartition(compiled, seg));
    // A polyline of 4 segments.
    const path = new Float64Array(5 * n0);
    const rng = createRandom(name.length);
    for (let i = 0; i < path.length; i++) path[i] = rng.next() * 4 - 2;
    print(`line ${name} polyline`, linePartition(compiled, path));
  }
}

if (only === undefined || only === "plane") {
  const nets = [
    { name: "2-32x2-1", net: mlp([2, 32, 32, 1], { init: "uniform", seed: 0 }) },
    { name: "2-64x4-1", net: mlp([2, 64, 64, 64, 64, 1], { init: "uniform", seed: 0 }) },
    { name: "2-128x4-1", net: mlp([2, 128, 128, 128, 128, 1], { init: "uniform", seed: 0 }) },
    { name: "2-256x2-1", net: mlp([2, 256, 256, 1], { init: "uniform", seed: 0 }) },
    ...corpus(
      2,
      [
        [8, 8],
        [16, 16, 16],
        [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
        [24, 24],
      ],
      60,
    ),
    { name: "montufar-2-4x3", net: montufar(2, [4, 4, 4]) },
  ];
  for (const { name, net } of nets) {
    const compiled = prepare(net);
    for (const [lo, hi] of [
      [-1, 1],
      [0, 2],
    ]) {
      const { slice, domain } = boxSlice(lo, hi);
      print(`plane ${name} [${lo},${hi}]`, planePartition(compiled, slice, { domain }));
    }
  }
}

if (only === undefined || only === "space") {
  const nets = [
    { name: "3-32x3-1", net: mlp([3, 32, 32, 32, 1], { init: "uniform", seed: 1 }) },
    { name: "4-16x3-1", net: mlp([4, 16, 16, 16, 1], { init: "uniform", seed: 1 }) },
    ...corpus(3, [[8, 8], [6, 6, 6], [12]], 30),
    ...corpus(4, [[6, 6]], 10),
  ];
  for (const { name, net } of nets) print(`space ${name}`, spacePartition(prepare(net), {}));
}
