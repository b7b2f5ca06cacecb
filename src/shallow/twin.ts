/**
 * The plain twin of a residual network: the same layers and weights without the skip
 * connections. A residual block x + F(x) becomes F(x); an add over branches drops its identity
 * (empty) branches, and a single remaining branch is inlined. An et al. compare a residual
 * network's shallow representation with its twin's.
 */
import type { Layer, Network } from "../model/layers.ts";
import { rewriteLists, someLayer } from "../model/walk.ts";

/** The same network without its skip connections (residual blocks become plain layers). */
export function plainTwin(network: Network): Network {
  return { ...network, layers: withoutSkips(network.layers) };
}

/** Whether the network has a skip connection for plainTwin to remove. */
export function hasSkips(network: Network): boolean {
  return someLayer(network.layers, (l) => l.type === "residual" || (l.type === "add" && l.branches.some((b) => b.length === 0)));
}

/** Bottom-up (walk.ts, no recursion): each block's lists are already without skips. */
function withoutSkips(layers: readonly Layer[]): Layer[] {
  return rewriteLists(layers, (list) => {
    const out: Layer[] = [];
    for (const layer of list) {
      if (layer.type === "residual") for (const l of layer.layers) out.push(l);
      else if (layer.type === "add" || layer.type === "concat" || layer.type === "max") {
        const branches = layer.branches.filter((b) => !(layer.type === "add" && b.length === 0));
        // Nothing left (an add of skips only) is the identity; one branch is inlined.
        if (branches.length <= 1) for (const l of branches[0] ?? []) out.push(l);
        else out.push({ ...layer, branches });
      } else out.push(layer);
    }
    return out;
  });
}
