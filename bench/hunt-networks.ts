/**
 * What the hunts against the exact oracles share (bench/plane-global-hunt.ts,
 * bench/space-global-hunt.ts): their options, the tree they load the engine from, and their
 * degenerate networks (integer weights with zero biases, duplicated units) as plain network
 * objects, so the engine under test may come from another tree.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Layer, Network } from "../src/model/layers.ts";
import { createRandom } from "../src/model/random.ts";

/** An integer-weight network (weights in [-2, 2]), zero biases, the given activation after every hidden layer. */
export function integerNet(widths: number[], seed: number, activation: Layer): Network {
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

/** One unit of every hidden dense layer copied onto another (the same row and bias), on copies of the arrays. */
export function duplicated(net: Network, seed: number): Network {
  const rng = createRandom(seed);
  const layers = net.layers.map((l) => (l.type === "dense" ? { ...l, weight: l.weight.slice(), bias: l.bias.slice() } : l));
  for (let k = 0; k < layers.length - 1; k++) {
    const d = layers[k];
    if (d.type !== "dense" || d.outSize < 2) continue;
    const i = Math.floor(rng.next() * d.outSize);
    const j = (i + 1 + Math.floor(rng.next() * (d.outSize - 1))) % d.outSize;
    for (let c = 0; c < d.inSize; c++) d.weight[j * d.inSize + c] = d.weight[i * d.inSize + c];
    d.bias[j] = d.bias[i];
  }
  return { inputSize: net.inputSize, layers };
}

/**
 * The hunts' options: --src DIR (the tree whose engine is hunted; default this one's), --no-wasm
 * (WebAssembly hidden before the engine loads), --family NAME, --seeds N, --first K; and `load`,
 * a module of that tree by its path under src/.
 */
export function huntOptions(defaultSeeds: number) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const src = resolve(flag("--src") ?? new URL("../src", import.meta.url).pathname);
  if (args.includes("--no-wasm")) (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
  return {
    flag,
    onlyFamily: flag("--family"),
    seeds: Number(flag("--seeds") ?? defaultSeeds),
    first: Number(flag("--first") ?? 0),
    load: async <T>(path: string): Promise<T> => (await import(pathToFileURL(`${src}/${path}`).href)) as T,
  };
}
