/**
 * Non-finite numbers never enter a network. NaN or an infinity in a weight makes every count
 * meaningless (the engines would answer anyway), so each importer refuses them as soon as it
 * reads them, naming the tensor or attribute (`finiteValues`), and checks the finished network
 * once more (`assertFiniteNetwork`), which also catches what an importer computes from finite
 * numbers (a folded scale that overflows, 1 / a tiny divisor). Pure: the browser uses it too.
 */
import type { Layer, Network } from "../model/layers.ts";
import { forEachLayer } from "../model/walk.ts";
import { FormatError } from "./network-json.ts";

/** Describes the first non-finite value of `values` ("value 3 is NaN"), or null when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): string | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return `${values.length === 1 ? "its value" : `value ${i}`} is ${v}`;
  }
  return null;
}

/** Throws a FormatError naming `where` when a value is NaN or infinite. */
export function finiteValues(values: ArrayLike<number>, where: string): void {
  const bad = firstNonFinite(values);
  if (bad) throw new FormatError(`${where}: ${bad}; tessera accepts finite numbers only`);
}

/** The numbers a layer holds, by field name (hard-tanh bounds may be infinite: a one-sided clip). */
function layerNumbers(layer: Layer): [string, ArrayLike<number>][] {
  switch (layer.type) {
    case "dense":
    case "conv2d":
      return [
        ["weight", layer.weight],
        ["bias", layer.bias],
      ];
    case "batch-norm":
      return [
        ["gamma", layer.gamma],
        ["beta", layer.beta],
        ["mean", layer.mean],
        ["variance", layer.variance],
        ["epsilon", [layer.epsilon]],
      ];
    case "scale":
      return [
        ["scale", layer.scale],
        ["shift", layer.shift],
      ];
    case "prelu":
      return [["slope", layer.slope]];
    case "leaky-relu":
      return [["slope", [layer.slope]]];
    case "hard-tanh":
      return [["bounds", [Number.isNaN(layer.lo) ? layer.lo : 0, Number.isNaN(layer.hi) ? layer.hi : 0]]];
    default:
      return [];
  }
}

/** Throws a FormatError naming the layer (its path, as `inspect` shows it) that holds a NaN or infinity. */
export function assertFiniteNetwork(net: Network): void {
  forEachLayer(net.layers, (layer, path) => {
    for (const [field, values] of layerNumbers(layer)) finiteValues(values, `layer ${path} (${layer.type}) ${field}`);
  });
}
