/**
 * tessera as a library: exact linear regions of piecewise-linear networks. The core runs
 * unchanged in a browser; Node-only helpers (model files by path, atomic writes, PNG) are in
 * "tessera/node" (src/node.ts). Every name below is documented where it is declared; anything not
 * listed here is internal and may change.
 *
 *   import { box, mlp, partition, segment } from "tessera";
 *   const net = mlp([2, 16, 16, 1], { init: "he", seed: 0 });
 *   partition(net, box(-1, 1, 2)).activationRegions;          // exact, in [-1, 1]^2
 *   partition(net, segment([0, 0], [1, 1]), { timeout: 5 });  // stops after 5 s if need be
 */

export { type Architecture, type ArchitectureOptions, architectureOf, denseArchitecture } from "./bounds/architecture.ts";
export { type ConvArchitecture, convArchitectureOf } from "./bounds/conv-architecture.ts";
export { Rational } from "./bounds/exact.ts";
export { estimateHaninConstants, type HaninEstimate, type HaninInputs, hanin2019Bounds } from "./bounds/hanin2019.ts";
export { hu2020Single, hu2020Upper } from "./bounds/hu2020.ts";
// Theoretical bounds, exact in BigInt.
export { type AllBoundsOptions, allBounds } from "./bounds/index.ts";
export { montufar2014Lower, montufar2014MaxoutLower, montufar2014MaxoutSingleLower, montufar2014MaxoutSingleUpper } from "./bounds/montufar2014.ts";
export { montufar2017Upper } from "./bounds/montufar2017.ts";
export { pascanu2013Lower } from "./bounds/pascanu2013.ts";
export { raghu2017Upper } from "./bounds/raghu2017.ts";
export { type BoundJson, type BoundKind, type BoundResult, boundToJson } from "./bounds/result.ts";
export { serra2018Exact1d, serra2018Lower, serra2018MaxoutUpper, serra2018Upper, serra2018UpperRank } from "./bounds/serra2018.ts";
export { trivialUpper } from "./bounds/trivial.ts";
export { xiong2020Bounds } from "./bounds/xiong2020.ts";
export { zaslavsky } from "./bounds/zaslavsky.ts";
// Where to look: domains.
export {
  type BoxDomain,
  box,
  type Domain,
  DomainError,
  describeDomain,
  domainDimension,
  domainInputSize,
  type Plane,
  type PolygonDomain,
  type PolylineDomain,
  type PolytopeDomain,
  parallelogram,
  planePolygon,
  polyline,
  polytope,
  type SliceDomain,
  segment,
  slice,
  sliceThrough,
  UNIT_SQUARE,
  zonotope,
} from "./domain/domain.ts";
export { domainMeasure } from "./domain/measure.ts";
// Model files from bytes (any format), and the native format as text.
export { detectFormat, type LoadedModel, MAX_MODEL_BYTES, type ModelBytesOptions, type ModelFile, type ModelFormat, modelFromBytes } from "./io/model-bytes.ts";
export { FormatError, NotPiecewiseLinearError, networkFromJson, networkToJson, parseNetwork, stringifyNetwork } from "./io/network-json.ts";
export { exportOnnx, type OnnxExportOptions, type OnnxFloat } from "./io/onnx/export.ts";
export { type TableFormat, tableBytes, tableToCsv, tableToParquet } from "./io/table-files.ts";
export { boundaryDistances } from "./metrics/batch-distance.ts";
export { type BoundaryDistance, distanceToBoundary, localComplexity } from "./metrics/distance.ts";
export { type DistanceStats, distanceStats, type PlaneStats, planeStats, type SegmentStats, type Spread, segmentStats, spread } from "./metrics/hanin-rolnick.ts";
// Estimates for high-dimensional inputs (each labelled an estimate, with its sample size).
export { boxSamples, distinctPatterns, type PatternEstimate } from "./metrics/patterns.ts";
export { type Activation, INITS, type Init, type MlpOptions, mlp } from "./model/build/mlp.ts";
export { montufar } from "./model/build/montufar.ts";
export { type Compiled, type ForwardResult, forward, forwardBatch, prepare } from "./model/forward.ts";
// Networks: layers as data, builders, compiling, the forward pass.
export type {
  AbsLayer,
  AvgPoolLayer,
  BatchNormLayer,
  BranchLayer,
  Conv2dLayer,
  DenseLayer,
  FlattenLayer,
  HardTanhLayer,
  IdentityLayer,
  Layer,
  LayerType,
  LeakyReluLayer,
  MaxoutLayer,
  MaxPoolLayer,
  Network,
  PadLayer,
  PReluLayer,
  ReluLayer,
  ReshapeLayer,
  ResidualLayer,
  ScaleLayer,
  TransposeLayer,
} from "./model/layers.ts";
export { dense, networkInputShape, networkOutputSize, relu } from "./model/layers.ts";
export { NumericalRefusal } from "./model/numerical-refusal.ts";
export { getState, type PatternLayout, patternHash, patternString } from "./model/pattern.ts";
export { createRandom, type Random } from "./model/random.ts";
export { type CheckReport, checkPartition } from "./regions/check.ts";
export { chooseEngine, EngineRefusal, type EngineRunOptions, engines, MAX_SPACE_DIMENSION, type PartitionEngine, registerEngine } from "./regions/engines.ts";
export { Budget, type LimitOptions, LimitReached, type Progress, type StopReason } from "./regions/limits.ts";
export type { CountSummary, LinePartition, Partition, PartitionBase, PlanePartition, SpacePartition } from "./regions/partition.ts";
// The exact partition of a domain: one entry, its engines, limits and results.
export { type PartitionOptions, partition, partitionAsync } from "./regions/partition-domain.ts";
export { SpaceLimitError } from "./regions/space.ts";
export { warmUpWhenIdle } from "./regions/warm-up.ts";
// Results for pandas and DuckDB: one row per cell, as CSV or Parquet.
export { type ColumnValues, cellTable, type Table, type TableColumn } from "./report/cell-table.ts";
export { CLASS_COLORS, classColor, patternColor } from "./report/colors.ts";
export { decisionBoundary } from "./report/decision-boundary.ts";
export { type DrawContext, SvgContext } from "./report/draw-context.ts";
// Pictures: maps of plane partitions (SVG, or any canvas-like context), charts.
export { drawRegionMap, fitMap, type MapCells, type MapTransform, type RegionMapOptions, type RegionMapStyle, regionMapSvg } from "./report/region-map.ts";
export { type VegaLiteSpec, vegaLiteToSvg } from "./report/vega-svg.ts";
export { UnsupportedNetworkError } from "./shallow/hinges.ts";
// Deep to shallow: a network as a maximum of one-hidden-layer networks.
export { deepToShallow } from "./shallow/index.ts";
export { type ShallowRepresentation, shallowNetwork, shallowRepresentation } from "./shallow/represent.ts";
export { type ShallowSummary, shallowSummary } from "./shallow/summary.ts";
export { hasSkips, plainTwin } from "./shallow/twin.ts";
export { type CheckOptions, checkShallow, checkWithEngine, type EngineCheck, type ShallowCheck } from "./shallow/verify.ts";
