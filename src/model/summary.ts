/**
 * A network's layers as rows for people: shapes, piecewise-linear units and parameters per
 * layer, with branches nested (for `tessera inspect` and the web app).
 */
import type { Layer, Network } from "./layers.ts";
import { networkInputShape, ShapeTracker, shapeSize } from "./layers.ts";
import { isContainer, walkLayers } from "./walk.ts";

export interface LayerRow {
  /** Path of the layer, e.g. "3" or "3/1/0" (layer 3, branch 1, layer 0). */
  path: string;
  depth: number;
  type: Layer["type"];
  /** A few words on the layer's settings ("3x3 stride 2", "k=2"). */
  detail: string;
  inShape: number[];
  outShape: number[];
  /** Piecewise-linear units (each with its own state in the activation pattern). */
  units: number;
  parameters: number;
}

export interface NetworkSummary {
  inputShape: number[];
  outputShape: number[];
  rows: LayerRow[];
  units: number;
  parameters: number;
}

export function summarize(net: Network): NetworkSummary {
  const rows: LayerRow[] = [];
  const shapes = new ShapeTracker(networkInputShape(net));
  // The rows of the blocks being walked, to add their contents' units and parameters at the end.
  const open: LayerRow[] = [];
  walkLayers(net.layers, {
    layer(layer, at) {
      const inShape = shapes.layer(layer);
      const row: LayerRow = {
        path: at.path,
        depth: at.depth,
        type: layer.type,
        detail: detail(layer),
        inShape,
        outShape: shapes.current,
        units: 0,
        parameters: 0,
      };
      rows.push(row);
      if (isContainer(layer)) open.push(row);
      else {
        count(row, layer, shapeSize(inShape), shapeSize(shapes.current));
        if (at.depth > 0) addTo(open[open.length - 1], row);
      }
      return 0;
    },
    branch: () => shapes.branch(),
    branchEnd: () => shapes.branchEnd(),
    end(layer, at) {
      shapes.end(layer);
      const row = open.pop() as LayerRow;
      row.outShape = shapes.current;
      if (layer.type === "max") row.units += shapeSize(shapes.current);
      if (at.depth > 0) addTo(open[open.length - 1], row);
    },
  });
  const top = rows.filter((r) => r.depth === 0);
  return {
    inputShape: networkInputShape(net),
    outputShape: shapes.current,
    rows,
    units: top.reduce((a, r) => a + r.units, 0),
    parameters: top.reduce((a, r) => a + r.parameters, 0),
  };
}

function addTo(parent: LayerRow, child: LayerRow): void {
  parent.units += child.units;
  parent.parameters += child.parameters;
}

/** Units and parameters of a layer that holds no other layers. */
function count(row: LayerRow, layer: Layer, inSize: number, outSize: number): void {
  switch (layer.type) {
    case "dense":
    case "conv2d":
      row.parameters = layer.weight.length + layer.bias.length;
      break;
    case "batch-norm":
      row.parameters = 4 * layer.size;
      break;
    case "scale":
      row.parameters = layer.scale.length + layer.shift.length;
      break;
    case "prelu":
      row.parameters = layer.slope.length;
      row.units = inSize;
      break;
    case "relu":
    case "leaky-relu":
    case "abs":
    case "hard-tanh":
      row.units = inSize;
      break;
    case "maxout":
    case "max-pool":
      row.units = outSize;
      break;
  }
}

function detail(layer: Layer): string {
  const window = (l: { kernel: number[]; stride: number[]; padding: number[]; dilation: number[] }): string => {
    const parts = [`${l.kernel.join("x")}`];
    if (l.stride.some((s) => s !== 1)) parts.push(`stride ${l.stride.join("x")}`);
    if (l.padding.some((p) => p !== 0)) parts.push(`pad ${l.padding.join(",")}`);
    if (l.dilation.some((d) => d !== 1)) parts.push(`dilation ${l.dilation.join("x")}`);
    return parts.join(" ");
  };
  switch (layer.type) {
    case "conv2d":
      return `${window(layer)}${layer.groups > 1 ? ` groups ${layer.groups}` : ""}`;
    case "max-pool":
      return `${window(layer)}${layer.ceilMode ? " ceil" : ""}`;
    case "avg-pool":
      return `${window(layer)}${layer.ceilMode ? " ceil" : ""}${layer.countIncludePad ? " count-pad" : ""}`;
    case "leaky-relu":
      return `slope ${layer.slope}`;
    case "hard-tanh":
      return `[${layer.lo}, ${layer.hi}]`;
    case "maxout":
      return `k=${layer.k}`;
    case "pad":
      return `pad ${layer.padding.join(",")}`;
    case "transpose":
      return `perm ${layer.perm.join(",")}`;
    case "add":
    case "concat":
    case "max":
      return `${layer.branches.length} branches`;
    default:
      return "";
  }
}
