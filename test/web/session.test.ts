/**
 * The explorer's engine side (what the Web Worker runs), driven directly in Node. Oracles are
 * independent of the plane and line engines: forward passes at sample points (every sampled
 * pattern must be a cell's pattern, each cell's affine map must reproduce the network's output),
 * areas that must add up to the domain, and the trainer's determinism that shared links rely on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNetwork } from "../../src/io/network-json.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { patternString } from "../../src/model/pattern.ts";
import { SvgContext } from "../../src/report/draw-context.ts";
import { vegaLiteToSvg } from "../../src/report/vega-svg.ts";
import { historyChartSpec, segmentChartSpec } from "../../src/web/charts.ts";
import { cellAt, drawMap } from "../../src/web/map-view.ts";
import { MAX_MODEL_FILE_BYTES, modelFromFiles } from "../../src/web/model-files.ts";
import type { PartitionJson } from "../../src/web/partition-json.ts";
import type { SegmentResult } from "../../src/web/protocol.ts";
import { Session } from "../../src/web/session.ts";
import { parseSettings } from "../../src/web/settings.ts";
import { PlaneError, planePoint, randomDirections, viewPlane } from "../../src/web/view-plane.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const file = (path: string) => ({
  name: path.split("/").pop() as string,
  bytes: new Uint8Array(readFileSync(join(FIXTURES, path))),
});

test("a frame is the exact partition: sampled patterns are cells, maps reproduce outputs, areas fill the square", () => {
  const session = new Session();
  session.build(parseSettings("hidden=6,6&epoch=2&n=100&view=-1.5,2.5"));
  const frame = session.frame();
  const compiled = prepare(session.network as NonNullable<typeof session.network>);
  const cellPatterns = new Set<string>();
  for (let c = 0; c < frame.cellCount; c++) cellPatterns.add(patternString(frame.layout, frame.patterns, c * frame.layout.words));
  assert.equal(cellPatterns.size, frame.activationRegions);
  const area = frame.areas.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(area - 16) < 1e-9, `areas add up to ${area}`);
  const seen = new Set<string>();
  const n = 60;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = -1.5 + ((i + 0.5) / n) * 4;
      const v = -1.5 + ((j + 0.5) / n) * 4;
      const { output, pattern } = forward(compiled, [u, v]);
      const key = patternString(compiled.layout, pattern);
      seen.add(key);
      assert.ok(cellPatterns.has(key), `pattern at (${u}, ${v}) is no cell's`);
      const c = cellAt(frame, u, v);
      assert.ok(c >= 0);
      for (let k = 0; k < frame.outputSize; k++) {
        const o = (c * frame.outputSize + k) * 3;
        const y = frame.outputMaps[o] + frame.outputMaps[o + 1] * u + frame.outputMaps[o + 2] * v;
        assert.ok(Math.abs(y - output[k]) < 1e-7 * (1 + Math.abs(output[k])), `output ${k} at (${u}, ${v})`);
      }
    }
  }
  assert.ok(seen.size <= frame.activationRegions);
  assert.ok(seen.size > 1);
});

test("the segment's pieces: outputs along it match forward passes, and sampled pattern changes are at most the pieces", () => {
  const session = new Session();
  session.build(parseSettings("hidden=8,8&seg=-1,-0.5,2,1&n=100"));
  const frame = session.frame();
  const s = frame.segment;
  assert.ok(s);
  const compiled = prepare(session.network as NonNullable<typeof session.network>);
  let changes = 0;
  let last = "";
  const samples = 2000;
  for (let q = 0; q <= samples; q++) {
    const t = q / samples;
    const x = [-1 + 3 * t, -0.5 + 1.5 * t];
    const { output, pattern } = forward(compiled, x);
    const key = patternString(compiled.layout, pattern);
    if (q > 0 && key !== last) changes++;
    last = key;
    let i = 0;
    while (i < s.pieces - 1 && t > s.tEnd[i]) i++;
    for (let k = 0; k < s.outputSize; k++) {
      const o = (i * s.outputSize + k) * 2;
      const y = s.outputMaps[o] + t * s.outputMaps[o + 1];
      assert.ok(Math.abs(y - output[k]) < 1e-7 * (1 + Math.abs(output[k])), `output ${k} at t = ${t}`);
    }
  }
  assert.ok(changes + 1 <= s.pieces, `${changes + 1} sampled pieces, ${s.pieces} exact`);
  assert.ok(Math.abs(s.length - Math.hypot(3, 1.5)) < 1e-12);
});

test("a shared link rebuilds the same weights: build to epoch N = build, then N epochs", () => {
  const a = new Session();
  a.build(parseSettings("hidden=5,5&epoch=4&n=60&seed=9"));
  const b = new Session();
  b.build(parseSettings("hidden=5,5&n=60&seed=9"));
  for (let e = 0; e < 4; e++) b.trainEpoch();
  a.frame();
  b.frame();
  assert.equal(a.exportFile("model").text, b.exportFile("model").text);
  assert.equal(a.epoch, 4);
});

test("exports: SVG map (the page's drawing, with axes), partition JSON (areas and counts) and a model that parses back", () => {
  const session = new Session();
  const { info, data } = session.build(parseSettings("hidden=4&n=50"));
  const frame = session.frame();
  const svg = new SvgContext(1000, 1000);
  drawMap(svg, 1000, 1000, frame, data ?? null, { edges: true, boundary: true, points: true, segment: null, cell: -1, cursor: null, labels: info.labels, title: "t" });
  const text = svg.toString();
  assert.match(text, /^<svg/);
  // One filled path per cell (each in its pattern's colour) plus the background, ticks, both axis labels.
  assert.equal((text.match(/<path d="[^"]*Z" fill="#[0-9a-f]{6}"\/>/g) ?? []).length, frame.cellCount + 1);
  assert.match(text, /class="ticks"/);
  assert.match(text, />x0<\/text>/);
  assert.match(text, />x1<\/text>/);
  const doc = JSON.parse(session.exportFile("partition").text) as PartitionJson;
  assert.equal(doc.format, "tessera.partition");
  assert.equal(doc.cells.length, frame.cellCount);
  assert.equal(doc.activationRegions, frame.activationRegions);
  const area = doc.cells.reduce((a, c) => a + c.area, 0);
  const [lo, hi] = [doc.domain[0][0], doc.domain[2][0]];
  assert.ok(Math.abs(area - (hi - lo) ** 2) < 1e-9);
  const model = parseNetwork(session.exportFile("model").text);
  const x = [0.3, -0.2];
  assert.deepEqual(forward(prepare(model), x).output, forward(prepare(session.network as NonNullable<typeof session.network>), x).output);
});

test("model files: ONNX bytes, tessera JSON, tfjs with its shard; clear errors otherwise", async () => {
  const onnx = modelFromFiles([file("onnx/mlp.onnx")]);
  assert.equal(onnx.format, "onnx");
  const reference = JSON.parse(readFileSync(join(FIXTURES, "onnx/mlp.json"), "utf8")) as { inputs: number[][]; outputs: number[][] };
  const compiled = prepare(onnx.network);
  reference.inputs.forEach((x, i) => {
    const y = forward(compiled, x).output;
    reference.outputs[i].forEach((v, k) => {
      assert.ok(Math.abs(y[k] - v) < 1e-4);
    });
  });
  const tfjs = modelFromFiles([file("tfjs/mlp/model.json"), file("tfjs/mlp/group1-shard1of1.bin")]);
  assert.equal(tfjs.format, "tfjs");
  assert.equal(tfjs.network.inputSize, 3);
  assert.throws(() => modelFromFiles([file("tfjs/mlp/model.json")]), /needs the weight file "group1-shard1of1.bin"/);
  assert.throws(() => modelFromFiles([{ name: "x.json", bytes: new TextEncoder().encode("{nope") }]), /x\.json: not valid JSON/);
  assert.throws(() => modelFromFiles([{ name: "x.onnx", bytes: Uint8Array.of(0x08, 0xff, 0xff) }]), /x\.onnx: /);
  assert.throws(() => modelFromFiles([]), /choose a model file/);
  assert.ok(MAX_MODEL_FILE_BYTES >= 64 * 1024 * 1024);

  const session = new Session();
  const { info, data } = await session.load([file("onnx/mlp.onnx")], parseSettings(""));
  assert.equal(info.mode, "loaded");
  assert.equal(info.inputSize, 4);
  assert.equal(info.trainable, false);
  assert.equal(data?.thumbnails ?? null, null);
  const frame = session.frame();
  assert.ok(frame.activationRegions >= 1);
  assert.deepEqual(info.labels, ["u", "v"]);
});

test("planes: a square for 2 inputs, orthonormal random directions, data points, and no plane for 1 input", () => {
  const [a, b] = randomDirections(7, 3);
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  assert.ok(Math.abs(dot) < 1e-12);
  assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-12 && Math.abs(Math.hypot(...b) - 1) < 1e-12);
  const square = viewPlane(2, parseSettings("view=-3,1"), null);
  assert.deepEqual(square.box, [-3, 1]);
  assert.deepEqual(Array.from(planePoint(square, 0.5, -2)), [0.5, -2]);
  const x = Float64Array.from({ length: 12 }, (_, i) => i * i);
  const data = {
    name: "d",
    inputSize: 3,
    count: 4,
    x,
    task: "classification" as const,
    classes: 2,
    labels: new Int32Array(4),
    targetSize: 0,
    targets: null,
    box: new Float64Array(6),
  };
  const through = viewPlane(3, parseSettings("plane=points:2,0,3"), data);
  assert.deepEqual(Array.from(planePoint(through, 0, 0)), [36, 49, 64]);
  assert.deepEqual(Array.from(planePoint(through, 1, 0)), [0, 1, 4]);
  assert.deepEqual(Array.from(planePoint(through, 0, 1)), [81, 100, 121]);
  assert.throws(() => viewPlane(3, parseSettings("plane=points:2,0,9"), data), PlaneError);
  assert.throws(() => viewPlane(1, parseSettings(""), null), /at least 2 inputs/);
});

test("charts: outputs along a segment, one straight line per piece; counts over training; both render", async () => {
  // Two pieces of one output, y = 2t on [0, 0.5] and y = 1 - 0 t after (a kink at t = 0.5), length 2.
  const segment = {
    ends: [0, 0, 1, 1] as [number, number, number, number],
    length: 2,
    pieces: 2,
    activationRegions: 2,
    linearPieces: 2,
    outputSize: 1,
    tStart: Float64Array.of(0, 0.5),
    tEnd: Float64Array.of(0.5, 1),
    outputMaps: Float64Array.of(0, 2, 1, 0),
  } as unknown as SegmentResult;
  const spec = segmentChartSpec(segment) as { layer: { data: { values: Record<string, number | string>[] } }[] };
  assert.deepEqual(spec.layer[0].data.values, [{ d: 1 }], "one breakpoint, at distance 1 from A");
  assert.deepEqual(
    spec.layer[1].data.values.map((v) => [v.piece, v.d, v.y]),
    [
      [0, 0, 0],
      [0, 1, 1],
      [1, 1, 1],
      [1, 2, 1],
    ],
  );
  const svg = await vegaLiteToSvg(segmentChartSpec(segment));
  assert.match(svg, /^<svg/);
  assert.match(svg, /distance from A along the segment/);
  const history = await vegaLiteToSvg(
    historyChartSpec([
      { epoch: 0, regions: 10, pieces: 9 },
      { epoch: 1, regions: 12, pieces: 12 },
    ]),
  );
  assert.match(history, /linear pieces/);
  // Epoch ticks are whole numbers, also when only epoch 0 is tracked (the explorer's first frame).
  const first = await vegaLiteToSvg(historyChartSpec([{ epoch: 0, regions: 661, pieces: 661 }]));
  assert.doesNotMatch(first, />0\.0+</);
  assert.doesNotMatch(history, />0\.[0-9]+</);
});

test("a loaded conv + relu stack shows the convolutional bounds beside the dense ones", async () => {
  const filter = (v: number) => [
    [
      [v, -v],
      [0.5, v],
    ],
  ];
  const model = {
    format: "tessera.network",
    version: 1,
    inputShape: [1, 4, 4],
    layers: [
      { type: "conv2d", weight: [filter(1), filter(-2)], bias: [0.1, -0.2] },
      { type: "relu" },
      { type: "flatten" },
      { type: "dense", weight: [Array.from({ length: 18 }, (_, i) => (i % 3) - 1)], bias: [0] },
    ],
  };
  const session = new Session();
  const { info } = await session.load([{ name: "conv.json", bytes: new TextEncoder().encode(JSON.stringify(model)) }], parseSettings(""));
  const ids = info.bounds.map((b) => b.id);
  for (const id of ["xiong2020-single", "xiong2020-upper", "xiong2020-lower", "serra2018-upper"]) assert.ok(ids.includes(id), id);
  const single = info.bounds.find((b) => b.id === "xiong2020-single");
  assert.equal(single?.kind, "upper"); // 2x2 filters overlap and share weights: the formula is an upper bound
  assert.equal(single?.value, "262121");
});
