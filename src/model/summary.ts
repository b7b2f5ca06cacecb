/**
 * A network's layers as rows for people: shapes, piecewise-linear units and parameters per
 * layer, with branches nested (for `tessera inspect` and the web app).
 */
import type { Layer, Network } from "./layers.ts";
import { layerOutputShape, networkInputShape, shapeSize } from "./layers.ts";

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
  const outputShape = walk(net.layers, networkInputShape(net), "", 0, rows);
  const top = rows.filter((r) => r.depth === 0);
  return {
    inputShape: networkInputShape(net),
    outputShape,
    rows,
    units: top.reduce((a, r) => a + r.units, 0),
    parameters: top.reduce((a, r) => a + r.parameters, 0),
  };
}

function walk(layers: Layer[], inShape: number[], prefix: string, depth: number, rows: LayerRow[]): number[] {
  let shape = inShape;
  layers.forEach((layer, i) => {
    const path = `${prefix}${i}`;
    const outShape = layerOutputShape(layer, shape);
    const row: LayerRow = {
      path,
      depth,
      type: layer.type,
      detail: detail(layer),
      inShape: shape,
      outShape,
      units: 0,
      parameters: 0,
    };
    rows.push(row);
    const size = shapeSize(shape);
    switch (layer.type) {
      case "dense":
        row.parameters = layer.weight.length + layer.bias.length;
        break;
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
        row.units = size;
        break;
      case "relu":
      case "leaky-relu":
      case "abs":
      case "hard-tanh":
        row.units = size;
        break;
      case "maxout":
      case "max-pool":
        row.units = shapeSize(outShape);
        break;
      case "residual": {
        const start = rows.length;
        walk(layer.layers, shape, `${path}/`, depth + 1, rows);
        addChildren(row, rows.slice(start), depth + 1);
        break;
      }
      case "add":
      case "concat":
      case "max": {
        const start = rows.length;
        layer.branches.forEach((b, k) => {
          walk(b, shape, `${path}/${k}/`, depth + 1, rows);
        });
        addChildren(row, rows.slice(start), depth + 1);
        if (layer.type === "max") row.units += shapeSize(outShape);
        break;
      }
    }
    shape = outShape;
  });
  return shape;
}

function addChildren(row: LayerRow, children: LayerRow[], depth: number): void {
  for (const c of children) {
    if (c.depth !== depth) continue;
    row.units += c.units;
    row.parameters += c.parameters;
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
