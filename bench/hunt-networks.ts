/**
 * Degenerate networks for the hunts against the exact oracles (bench/plane-global-hunt.ts,
 * bench/space-global-hunt.ts): integer weights with zero biases, and duplicated units. Plain
 * network objects, so the engine under test may come from another tree.
 */
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
