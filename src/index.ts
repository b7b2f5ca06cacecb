/**
 * tessera as a library: everything the CLI does, as typed functions. The core (model, geometry,
 * engines, bounds, metrics) runs unchanged in a browser; Node-only file helpers are exported from
 * "tessera/node" (src/node.ts).
 *
 *   import { mlp, prepare, planePartition, boxSlice } from "tessera";
 *   const compiled = prepare(mlp([2, 16, 16, 1], { init: "he", seed: 0 }));
 *   const { slice, domain } = boxSlice(-1, 1);
 *   const cells = planePartition(compiled, slice, { domain });
 *   cells.activationRegions; // exact count of activation regions in [-1, 1]^2
 */

// Theoretical bounds.
export * from "./bounds/index.ts";
// Files in the native format (pure: strings and objects).
export { FormatError, networkFromJson, networkToJson, parseNetwork, stringifyNetwork } from "./io/network-json.ts";
// Other model formats, from bytes (browser-safe).
export { importOnnx, type OnnxImport } from "./io/onnx/import.ts";
export { importTfjs, isTfjsLayersModel, type TfjsImport, weightManifest } from "./io/tfjs/import.ts";
export * from "./metrics/batch-distance.ts";
export * from "./metrics/distance.ts";
export * from "./metrics/hanin-rolnick.ts";
// Estimates for high-dimensional inputs (labelled as estimates in their results).
export * from "./metrics/patterns.ts";
export { type Activation, INITS, type Init, type MlpOptions, mlp } from "./model/build/mlp.ts";
export { generalArrangement, montufar } from "./model/build/montufar.ts";
export { compile } from "./model/compile.ts";
export { applyStates, type Compiled, type ForwardResult, forward, forwardBatch, prepare, pushAffine, unitState } from "./model/forward.ts";
// The network model.
export * from "./model/layers.ts";
export * from "./model/pattern.ts";
export { createRandom, type Random } from "./model/random.ts";
export * from "./model/steps.ts";
export { type CheckReport, checkPartition } from "./regions/check.ts";
export { type LineOptions, linePartition } from "./regions/line.ts";
// Exact engines and their results.
export * from "./regions/partition.ts";
export { boxSlice, type PlaneOptions, type PlaneSlice, parallelogramSlice, planePartition } from "./regions/plane.ts";
export { identitySlice, type SpaceOptions, type SpaceSlice, sliceThroughPoints, spaceCount, spacePartition } from "./regions/space.ts";
// Pictures: the SVG map of a plane partition (pure; PNG rasterising is Node-only, src/report/png.ts).
export { CLASS_COLORS, classColor, patternColor } from "./report/colors.ts";
export { decisionBoundary } from "./report/decision-boundary.ts";
export { type DrawContext, SvgContext } from "./report/draw-context.ts";
export { cellColor, drawRegionMap, fitMap, type MapPoint, type MapTransform, type RegionMapOptions, type RegionMapStyle, regionMapSvg } from "./report/region-map.ts";
export { vegaLiteToSvg } from "./report/vega-svg.ts";
// Deep to shallow: a network as a maximum of one-hidden-layer networks.
export * from "./shallow/index.ts";
