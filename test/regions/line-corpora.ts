/**
 * The line tests' degenerate corpora (line-propagation.test.ts, line-walk.test.ts): networks
 * with duplicated and dead units, coincident hyperplanes, and huge and tiny scales, and random
 * segments with some through the origin, through first-layer vertices and along a first-layer
 * line.
 */
import type { DenseLayer, Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";

export const dense = (layer: Layer): DenseLayer => {
  if (layer.type !== "dense") throw new Error("dense layer expected");
  return layer;
};

/** Each hidden dense layer of 8 units or more changed by `edit` (its rows, its bias), the output layer kept. */
export function editHidden(net: Network, edit: (rows: Float64Array[], bias: Float64Array) => void): Network {
  const last = net.layers.length - 1;
  const layers = net.layers.map((layer, l) => {
    if (layer.type !== "dense" || l === last || layer.outSize < 8) return layer;
    const rows = Array.from({ length: layer.outSize }, (_, i) => layer.weight.slice(i * layer.inSize, (i + 1) * layer.inSize));
    const bias = layer.bias.slice();
    edit(rows, bias);
    const weight = new Float64Array(layer.weight.length);
    rows.forEach((row, i) => {
      weight.set(row, i * layer.inSize);
    });
    return { ...layer, weight, bias };
  });
  return { inputSize: net.inputSize, layers };
}

/** Every dense layer's weights times f and its bias times f^(its depth): the function times f^depth, the same regions. */
export function scaled(net: Network, f: number): Network {
  let depth = 0;
  const layers = net.layers.map((layer) => {
    if (layer.type !== "dense") return layer;
    depth++;
    return { ...layer, weight: layer.weight.map((w) => w * f), bias: layer.bias.map((b) => b * f ** depth) };
  });
  return { inputSize: net.inputSize, layers };
}

export const degenerate: [string, (net: Network) => Network][] = [
  ["as drawn", (net) => net],
  [
    "duplicated units",
    (net) =>
      editHidden(net, (rows, bias) => {
        rows[3] = rows[1].slice();
        bias[3] = bias[1];
        rows[6] = rows[1].slice();
        bias[6] = bias[1];
      }),
  ],
  [
    "dead units",
    (net) =>
      editHidden(net, (rows, bias) => {
        rows[2].fill(0);
        bias[2] = 0;
        rows[5].fill(0);
      }),
  ],
  [
    "coincident hyperplanes",
    (net) =>
      editHidden(net, (rows, bias) => {
        rows[4] = rows[0].map((w) => -2 * w);
        bias[4] = -2 * bias[0];
        rows[7] = rows[0].map((w) => 0.5 * w);
        bias[7] = 0.5 * bias[0];
      }),
  ],
  ["weights 2^30 larger", (net) => scaled(net, 2 ** 30)],
  ["weights 2^-30 smaller", (net) => scaled(net, 2 ** -30)],
];

/** Random segments in [-2, 2]^n0, one through the origin, and (two inputs) some through first-layer vertices and along a first-layer line. */
export function segmentsFor(net: Network, seed: number, count: number): Float64Array {
  const n0 = net.inputSize;
  const rng = createRandom(seed);
  const points: number[] = [];
  for (let i = 0; i < 2 * n0 * count; i++) points.push(rng.next() * 4 - 2);
  for (let i = 0; i < n0; i++) points.push(-1 - i, 1 + 0.5 * i);
  if (n0 === 2) {
    const first = dense(net.layers[0]);
    const W = first.weight;
    const b = first.bias;
    for (let k = 0; k + 1 < first.outSize && k < 6; k += 2) {
      // Where units k and k + 1 of the first layer meet, and the segment through it (and another along unit k's line).
      const det = W[2 * k] * W[2 * k + 3] - W[2 * k + 1] * W[2 * k + 2];
      if (Math.abs(det) < 1e-9) continue;
      const x = (-b[k] * W[2 * k + 3] + b[k + 1] * W[2 * k + 1]) / det;
      const y = (-W[2 * k] * b[k + 1] + W[2 * k + 2] * b[k]) / det;
      points.push(x - 1, y - 0.75, x + 1, y + 0.75);
      points.push(x - W[2 * k + 1], y + W[2 * k], x + W[2 * k + 1], y - W[2 * k]);
    }
  }
  return Float64Array.from(points);
}

/**
 * An integer network (2 inputs, `hidden` relu layers of 8, weights and biases in -3..3, zero
 * biases for every third seed) and segments between integer points (through many vertices of
 * its integer lines, and along the axes and the diagonal): exact ties on nearly every segment.
 */
export function integerTies(seed: number, hidden: number): { net: Network; segments: Float64Array } {
  const rng = createRandom(seed);
  const int = () => Math.round(rng.uniform(-3.49, 3.49));
  const layers: Layer[] = [];
  let inSize = 2;
  for (let l = 0; l < hidden; l++) {
    const width = 8;
    const weight = Float64Array.from({ length: width * inSize }, int);
    const bias = Float64Array.from({ length: width }, () => (seed % 3 === 0 ? 0 : int()));
    layers.push({ type: "dense", inSize, outSize: width, weight, bias }, { type: "relu" });
    inSize = width;
  }
  layers.push({ type: "dense", inSize, outSize: 1, weight: Float64Array.from({ length: inSize }, int), bias: Float64Array.of(int()) });
  const points: number[] = [];
  for (let g = 0; g < 24; g++) points.push(rng.int(7) - 3, rng.int(7) - 3, rng.int(7) - 3, rng.int(7) - 3);
  points.push(-3, -3, 3, 3, -3, 0, 3, 0, 0, -3, 0, 3);
  const segments = Float64Array.from(points);
  for (let g = 0; g < segments.length / 4; g++) if (segments[4 * g] === segments[4 * g + 2] && segments[4 * g + 1] === segments[4 * g + 3]) segments[4 * g + 2] += 1;
  return { net: { inputSize: 2, layers }, segments };
}
