/**
 * Random networks for the invariance properties, generic and degenerate: zero biases, duplicated
 * units, dead units (zero rows), coincident units (a row times a power of two, so the hyperplane
 * is the same in float64 too), and integer weights, where every hyperplane has integer
 * coefficients (many parallel, concurrent and coincident ones). Each is drawn from a description
 * fast-check generates and shrinks.
 */
import fc from "fast-check";
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";

export type Degeneracy = "none" | "zero-bias" | "duplicate" | "dead" | "coincident" | "integer";
export type Activation = "relu" | "leaky-relu" | "abs" | "hard-tanh";

export interface NetSpec {
  widths: number[];
  seed: number;
  degeneracy: Degeneracy;
  activation: Activation;
}

export const netSpec: fc.Arbitrary<NetSpec> = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 2 }),
  seed: fc.nat(1_000_000),
  degeneracy: fc.constantFrom<Degeneracy>("none", "zero-bias", "duplicate", "dead", "coincident", "integer"),
  activation: fc.constantFrom<Activation>("relu", "relu", "leaky-relu", "abs", "hard-tanh"),
});

function activationLayer(a: Activation): Layer {
  switch (a) {
    case "relu":
      return { type: "relu" };
    case "leaky-relu":
      return { type: "leaky-relu", slope: 0.25 };
    case "abs":
      return { type: "abs" };
    case "hard-tanh":
      return { type: "hard-tanh", lo: -1, hi: 1 };
  }
}

/** A dense layer from its rows (one per unit) and biases (also for hand-built test networks). */
export function denseLayer(rows: number[][], bias: number[]): Layer {
  return { type: "dense", inSize: rows[0].length, outSize: rows.length, weight: Float64Array.from(rows.flat()), bias: Float64Array.from(bias) };
}

/** A dense layer from its row-major weights (rows of `inSize`) and its bias. */
export function flatDenseLayer(inSize: number, weight: number[], bias: number[]): Layer {
  return { type: "dense", inSize, outSize: bias.length, weight: Float64Array.from(weight), bias: Float64Array.from(bias) };
}

/** The network of a spec for n0 inputs: hidden layers of the spec's widths, then one output. */
export function buildNetwork(spec: NetSpec, n0: number): Network {
  const rng = createRandom(spec.seed);
  const integer = spec.degeneracy === "integer";
  const draw = (): number => (integer ? Math.round(rng.uniform(-3.49, 3.49)) : rng.normal());
  const layers: Layer[] = [];
  let inSize = n0;
  for (const width of spec.widths) {
    const rows = Array.from({ length: width }, () => Array.from({ length: inSize }, draw));
    const bias = Array.from({ length: width }, () => (spec.degeneracy === "zero-bias" ? 0 : draw()));
    if (width >= 2) {
      const i = rng.int(width);
      const j = (i + 1 + rng.int(width - 1)) % width;
      if (spec.degeneracy === "duplicate") {
        rows[j] = rows[i].slice();
        bias[j] = bias[i];
      } else if (spec.degeneracy === "coincident") {
        rows[j] = rows[i].map((w) => -2 * w);
        bias[j] = -2 * bias[i];
      }
    }
    if (spec.degeneracy === "dead") {
      rows[rng.int(width)].fill(0);
    }
    layers.push(denseLayer(rows, bias), activationLayer(spec.activation));
    inSize = width;
  }
  layers.push(denseLayer([Array.from({ length: inSize }, draw)], [draw()]));
  return { inputSize: n0, layers };
}

/** The network with its first layer's weights times `factor` (biases unchanged). */
export function scaleFirstLayer(net: Network, factor: number): Network {
  const [first, ...rest] = net.layers;
  if (first.type !== "dense") throw new Error("the first layer is dense");
  return { inputSize: net.inputSize, layers: [{ ...first, weight: first.weight.map((w) => w * factor) }, ...rest] };
}

/** The network with the units of hidden layer `layer` (the index of its dense layer) permuted. */
export function permuteUnits(net: Network, layer: number, order: readonly number[]): Network {
  const layers = net.layers.slice();
  const a = layers[layer];
  const next = layers.findIndex((l, i) => i > layer && l.type === "dense");
  const b = layers[next];
  if (a.type !== "dense" || b.type !== "dense") throw new Error("dense layers expected");
  const n = a.inSize;
  const weight = new Float64Array(a.weight.length);
  const bias = new Float64Array(a.outSize);
  order.forEach((from, to) => {
    weight.set(a.weight.subarray(from * n, (from + 1) * n), to * n);
    bias[to] = a.bias[from];
  });
  const m = b.inSize;
  const nextWeight = new Float64Array(b.weight.length);
  for (let r = 0; r < b.outSize; r++) {
    order.forEach((from, to) => {
      nextWeight[r * m + to] = b.weight[r * m + from];
    });
  }
  layers[layer] = { ...a, weight, bias };
  layers[next] = { ...b, weight: nextWeight };
  return { inputSize: net.inputSize, layers };
}

/**
 * The network with unit j of the first hidden layer scaled: its weights and bias times `factor`
 * (a power of two), the next dense layer's weights from it divided by it. For positively
 * homogeneous activations (relu, abs) the function and the regions are unchanged.
 */
export function scaleUnit(net: Network, j: number, factor: number): Network {
  const layers = net.layers.slice();
  const a = layers[0];
  const next = layers.findIndex((l, i) => i > 0 && l.type === "dense");
  const b = layers[next];
  if (a.type !== "dense" || b.type !== "dense") throw new Error("dense layers expected");
  const weight = a.weight.slice();
  for (let i = 0; i < a.inSize; i++) weight[j * a.inSize + i] *= factor;
  const bias = a.bias.slice();
  bias[j] *= factor;
  const nextWeight = b.weight.slice();
  for (let r = 0; r < b.outSize; r++) nextWeight[r * b.inSize + j] /= factor;
  layers[0] = { ...a, weight, bias };
  layers[next] = { ...b, weight: nextWeight };
  return { inputSize: net.inputSize, layers };
}
