/**
 * Residual MLPs for the shattering experiment (Balduzzi et al. 2017): the layers of `mlp()`
 * (so the same inits), with every hidden dense + activation pair whose input and output widths
 * agree wrapped in a residual block y = x + act(W x + b).
 */
import { type MlpOptions, mlp } from "../model/build/mlp.ts";
import type { Layer, Network } from "../model/layers.ts";

export function residualMlp(widths: readonly number[], options: MlpOptions = {}): Network {
  const plain = mlp(widths, options);
  const layers: Layer[] = [];
  const src = plain.layers;
  for (let i = 0; i < src.length; i++) {
    const layer = src[i];
    const next = src[i + 1];
    const isHiddenPair = layer.type === "dense" && next !== undefined && next.type !== "dense" && i > 0;
    if (isHiddenPair && layer.type === "dense" && layer.inSize === layer.outSize) {
      layers.push({ type: "residual", layers: [layer, next] });
      i++;
    } else layers.push(layer);
  }
  return { inputSize: plain.inputSize, layers };
}
