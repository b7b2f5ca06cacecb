/**
 * The plain twin of a residual network: the same layers and weights without the skip
 * connections. A residual block x + F(x) becomes F(x); an add over branches drops its identity
 * (empty) branches, and a single remaining branch is inlined. An et al. compare a residual
 * network's shallow representation with its twin's.
 */
import type { Layer, Network } from "../model/layers.ts";

/** The same network without its skip connections (residual blocks become plain layers). */
export function plainTwin(network: Network): Network {
  return { ...network, layers: withoutSkips(network.layers) };
}

/** Whether the network has a skip connection for plainTwin to remove. */
export function hasSkips(network: Network): boolean {
  const visit = (layers: readonly Layer[]): boolean =>
    layers.some((l) => {
      if (l.type === "residual") return true;
      if (l.type === "add" || l.type === "concat" || l.type === "max") {
        return (l.type === "add" && l.branches.some((b) => b.length === 0)) || l.branches.some(visit);
      }
      return false;
    });
  return visit(network.layers);
}

function withoutSkips(layers: readonly Layer[]): Layer[] {
  const out: Layer[] = [];
  for (const layer of layers) {
    if (layer.type === "residual") out.push(...withoutSkips(layer.layers));
    else if (layer.type === "add" || layer.type === "concat" || layer.type === "max") {
      const branches = layer.branches.filter((b) => !(layer.type === "add" && b.length === 0)).map(withoutSkips);
      // Nothing left (an add of skips only) is the identity; one branch is inlined.
      if (branches.length <= 1) out.push(...(branches[0] ?? []));
      else out.push({ ...layer, branches });
    } else out.push(layer);
  }
  return out;
}
