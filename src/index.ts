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

// The network model.
export * from "./model/layers.ts";
export * from "./model/steps.ts";
export { compile } from "./model/compile.ts";
export { type Compiled, type ForwardResult, prepare, forward, forwardBatch, pushAffine, applyStates, unitState } from "./model/forward.ts";
export * from "./model/pattern.ts";
export { createRandom, type Random } from "./model/random.ts";
export { mlp, INITS, type Init, type Activation, type MlpOptions } from "./model/build/mlp.ts";
export { montufar, generalArrangement } from "./model/build/montufar.ts";

// Files in the native format (pure: strings and objects).
export { FormatError, networkFromJson, networkToJson, parseNetwork, stringifyNetwork } from "./io/network-json.ts";

// Exact engines and their results.
export * from "./regions/partition.ts";
export { linePartition, type LineOptions } from "./regions/line.ts";
export { planePartition, boxSlice, parallelogramSlice, type PlaneSlice, type PlaneOptions } from "./regions/plane.ts";
export { spacePartition, spaceCount, identitySlice, sliceThroughPoints, type SpaceSlice, type SpaceOptions } from "./regions/space.ts";
export { checkPartition, type CheckReport } from "./regions/check.ts";

// Estimates for high-dimensional inputs (labelled as estimates in their results).
export * from "./metrics/patterns.ts";
export * from "./metrics/distance.ts";
export * from "./metrics/batch-distance.ts";
export * from "./metrics/hanin-rolnick.ts";

// Theoretical bounds.
export * from "./bounds/index.ts";

// Pictures: the SVG map of a plane partition (pure; PNG rasterising is Node-only, src/report/png.ts).
export { type MapPoint, type RegionMapOptions, cellColor, decisionBoundary, patternColor, regionMapSvg } from "./report/region-map-svg.ts";

// Other model formats, from bytes (browser-safe).
export { importOnnx, type OnnxImport } from "./io/onnx/import.ts";
export { importTfjs, isTfjsLayersModel, weightManifest, type TfjsImport } from "./io/tfjs/import.ts";

// Deep to shallow: a network as a maximum of one-hidden-layer networks.
export * from "./shallow/index.ts";
export { vegaLiteToSvg } from "./report/vega-svg.ts";
