/**
 * The WebAssembly segment walk (regions/line-walk.ts + line-walk.as): every segment it counts must
 * have the LineEngine's count, and every segment it gives up on must still be counted right by
 * countSegments (the engine). Compared segment by segment on random relu networks of several
 * shapes (odd widths, deep, a last relu with no output layer), on the degenerate corpora of
 * line-propagation.test.ts (duplicated and dead units, coincident hyperplanes, zero biases, huge
 * and tiny scales, segments through the origin, through first-layer vertices and along a
 * first-layer line) and on integer networks full of exact ties, where it must give up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { Budget } from "../../src/regions/limits.ts";
import { LineEngine } from "../../src/regions/line.ts";
import { segmentLength, segmentMap } from "../../src/regions/line-path.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { LineWalk, walkRuns } from "../../src/regions/line-walk.ts";
import { exactSegmentRegions } from "../oracles/exact-partition.ts";
import { degenerate, integerTies, segmentsFor } from "./line-corpora.ts";

/** The engine's count of each segment (its distinct patterns) or the message of its refusal, and its pieces (the cells it ticks). */
function engineCounts(compiled: Compiled, segments: Float64Array): { counts: (number | string)[]; pieces: number[] } {
  const n0 = compiled.inputSize;
  let seen = new Set<string>();
  let emitted = 0;
  const engine = new LineEngine(compiled, {
    add: (pattern) => {
      emitted++;
      seen.add(pattern.join(","));
    },
  });
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  const counts: (number | string)[] = [];
  const pieces: number[] = [];
  for (let g = 0; g < segments.length / (2 * n0); g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    seen = new Set();
    emitted = 0;
    try {
      engine.segment(g, segmentLength(map, n0, `segment ${g}`), map, residual);
      counts.push(seen.size);
    } catch (e) {
      counts.push(e instanceof Error ? e.message : String(e));
    }
    pieces.push(emitted);
  }
  return { counts, pieces };
}

/**
 * The kernel's count of each segment against the engine's (0: it gave up), and its pieces against
 * the engine's (a budget's cells); countSegments (kernel and engine together) against the engine's
 * counts, whole and under cell limits (where it must stop at the engine's segment). Returns how
 * many segments the kernel counted and gave up on.
 */
function compare(net: Network, segments: Float64Array, what: string): { counted: number; gaveUp: number } {
  const compiled = prepare(net);
  const found = LineWalk.for(compiled);
  assert.ok(found !== null, `${what}: the kernel serves dense/relu networks`);
  const walk: LineWalk = found;
  const n0 = compiled.inputSize;
  const { counts: expected, pieces } = engineCounts(compiled, segments);
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  let counted = 0;
  let gaveUp = 0;
  for (let g = 0; g < expected.length; g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    let length: number;
    try {
      length = segmentLength(map, n0, `segment ${g}`);
    } catch {
      continue;
    }
    const regions: number = walk.count(map, residual, length);
    if (regions === 0) {
      gaveUp++;
      continue;
    }
    counted++;
    assert.equal(regions, expected[g], `${what}, segment ${g}: the kernel's count against the engine's`);
    assert.equal(walk.pieces(), pieces[g], `${what}, segment ${g}: the kernel's pieces against the engine's`);
  }
  if (expected.every((e) => typeof e === "number")) {
    const both = countSegments(compiled, segments);
    assert.deepEqual(Array.from(both.perSegment), expected, `${what}: countSegments`);
    // A cell limit stops before the segment whose pieces pass it, as the engine does.
    const all = pieces.reduce((a, b) => a + b, 0);
    for (const maxCells of [0, Math.floor(all / 3), all - 1, all]) {
      let whole = 0;
      let cells = 0;
      while (whole < pieces.length && cells + pieces[whole] <= maxCells) cells += pieces[whole++];
      const limited = countSegments(compiled, segments, { budget: new Budget({ maxCells }) });
      assert.equal(limited.segments, whole, `${what}: segments counted within ${maxCells} cells`);
      assert.deepEqual(Array.from(limited.perSegment), expected.slice(0, whole), `${what}: counts within ${maxCells} cells`);
      assert.equal(limited.stopped, whole < pieces.length ? "max-cells" : undefined, `${what}: stopped within ${maxCells} cells`);
    }
  }
  return { counted, gaveUp };
}

/** A network of dense layers (rows, bias), each but the last followed by relu. */
function denseNet(inputSize: number, dense: { w: number[][]; b: number[] }[]): Network {
  const layers: Layer[] = [];
  let inSize = inputSize;
  dense.forEach((d, l) => {
    layers.push({ type: "dense", inSize, outSize: d.w.length, weight: Float64Array.from(d.w.flat()), bias: Float64Array.from(d.b) });
    if (l < dense.length - 1) layers.push({ type: "relu" });
    inSize = d.w.length;
  });
  return { inputSize, layers };
}

/**
 * Each segment's count from the kernel (when it counts it) and from countSegments against the
 * exact rational oracle's distinct patterns; the segments the kernel counted.
 */
function againstOracle(net: Network, segments: number[][][], what: string): number {
  const compiled = prepare(net);
  const walk = LineWalk.for(compiled);
  assert.ok(walk !== null);
  const n0 = net.inputSize;
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  const exact = segments.map(([a, b]) => new Set(exactSegmentRegions(net, a, b).patterns).size);
  let counted = 0;
  segments.forEach(([a, b], g) => {
    segmentMap(Float64Array.from([...a, ...b]), 0, n0, n0, map, residual);
    const regions = walk.count(map, residual, segmentLength(map, n0, "segment"));
    if (regions === 0) return;
    counted++;
    assert.equal(regions, exact[g], `${what}, segment ${g}: the kernel's count against the exact one`);
  });
  const both = countSegments(compiled, Float64Array.from(segments.flat(2)));
  assert.deepEqual(Array.from(both.perSegment), exact, `${what}: countSegments against the exact counts`);
  return counted;
}

describe("line walk in WebAssembly (countSegments' kernel)", () => {
  it("counts as the engine, segment by segment, on random and degenerate relu networks", () => {
    const shapes = [
      [2, 16, 16, 16, 1],
      [2, 8, 16, 8, 8, 1],
      [3, 24, 16, 8, 1],
      [2, 7, 13, 5, 3],
      [5, 33, 17, 1],
      [2, 40, 40, 2],
      [2, ...Array.from({ length: 12 }, () => 8), 1],
    ];
    let counted = 0;
    let gaveUp = 0;
    for (const [s, widths] of shapes.entries()) {
      for (const init of ["uniform", "zero-bias", "he"] as const) {
        const base = mlp(widths, { init, seed: 10 * s + init.length });
        for (const [name, make] of degenerate) {
          const net = make(base);
          const r = compare(net, segmentsFor(net, s + 1, 12), `${widths.join("-")} ${init}, ${name}`);
          counted += r.counted;
          gaveUp += r.gaveUp;
        }
      }
    }
    // The comparison can fail only where the kernel counted: most segments (it gives up on exact
    // ties: duplicated units and coincident hyperplanes cross together on every segment, and the
    // segments made through first-layer vertices or along a first-layer line).
    assert.ok(counted > gaveUp && counted > 1000, `segments counted by the kernel ${counted}, given up ${gaveUp}`);
  });

  it("counts networks that end with relu (no output layer) and larger widths", () => {
    const relu: Network = mlp([2, 24, 24], { init: "uniform", seed: 4 });
    const ending: Network = { inputSize: 2, layers: [...relu.layers, { type: "relu" }] };
    const r1 = compare(ending, segmentsFor(ending, 3, 30), "2-24-24 relu");
    const wide = mlp([2, 64, 64, 64, 1], { init: "uniform", seed: 2 });
    const r2 = compare(wide, segmentsFor(wide, 5, 40), "2-64x3-1");
    assert.ok(r1.counted > 20 && r2.counted > 30, `counted ${r1.counted}, ${r2.counted}`);
  });

  it("gives up on integer networks full of exact ties, and countSegments still counts as the engine", () => {
    const before = { ...walkRuns };
    let gaveUp = 0;
    let counted = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { net, segments } = integerTies(seed, 3);
      const r = compare(net, segments, `integer network ${seed}`);
      gaveUp += r.gaveUp;
      counted += r.counted;
    }
    assert.ok(gaveUp > 20, `segments given up: ${gaveUp}`);
    assert.ok(walkRuns.gaveUp - before.gaveUp >= gaveUp, "countSegments met the give-ups too");
    // and counted (as the engine) the segments with no tie
    assert.ok(counted > 0, `segments counted: ${counted}`);
  });

  it("is not used for other activations", () => {
    const leaky = prepare(mlp([2, 8, 8, 1], { init: "uniform", seed: 1, activation: { type: "leaky-relu", slope: 0.2 } }));
    assert.equal(LineWalk.for(leaky), null);
    const before = walkRuns.counted + walkRuns.gaveUp;
    countSegments(leaky, Float64Array.of(-1, -1, 1, 1));
    assert.equal(walkRuns.counted + walkRuns.gaveUp, before);
    const net = prepare(mlp([2, 8, 8, 1], { init: "uniform", seed: 1 }));
    countSegments(net, Float64Array.of(-1, -1, 1, 1));
    assert.equal(walkRuns.counted + walkRuns.gaveUp, before + 1);
  });

  it("bounds a propagated direction whose products fall below float64's normal range", () => {
    // Layer 1's weights 2^-550, layer 2's 2^-550: after unit 0 of layer 0 (values 2^990) turns
    // on at x = 0, layer 2's map moves by W2 W1[:, 0] (0, 2^990), a slope of 2^-110, but the
    // propagated direction W2 W1[:, 0] = 2^-1100 rounds to 0. Unit 0 of layer 2, 2^-110 (x - 3)
    // before, is 2^-110 (2x - 3) after: it turns on at 1.5, 3 regions on [-2, 2]. The kernel,
    // its bound relative only, counted 2 (its map still 2^-110 (x - 3)).
    const rest = <T>(f: (i: number) => T): T[] => Array.from({ length: 6 }, (_, i) => f(i));
    const unit = (k: number, w: number, n: number) => Array.from({ length: n }, (_, c) => (c === k ? w : 0));
    const net = denseNet(1, [
      { w: [[2 ** 990], [2 ** 990], ...rest((i) => [2 ** 990 * (1 + i / 8)])], b: [0, 4 * 2 ** 990, ...rest((i) => 5 * 2 ** 990 * (1 + i / 8))] },
      { w: [[2 ** -550, 2 ** -550, 0, 0, 0, 0, 0, 0], ...rest((i) => unit(1, 2 ** -550 * (1 + i / 16), 8)), unit(1, 2 ** -550 * 1.5, 8)], b: new Array(8).fill(0) },
      { w: [unit(0, 2 ** -550, 8), ...rest((i) => unit(1, 2 ** -550 * (1 + i / 16), 8)), unit(1, 2 ** -550 * 1.5, 8)], b: [-7 * 2 ** -110, ...new Array(7).fill(0)] },
      { w: [new Array(8).fill(1)], b: [0] },
    ]);
    againstOracle(
      net,
      [
        [[-2], [2]],
        [[-1.5], [2]],
        [[-2], [1.75]],
      ],
      "2^990, 2^-550, 2^-550",
    );
  });

  it("lays a network out again in an instance another network took over (after a release)", () => {
    // A walk keeps its kernel instance; after a large network's release a new instance serves the
    // next walks. The first walk, counting again, once skipped its layout because its network was
    // the one laid out last, but in the new instance: it counted the large network's layout.
    const small = prepare(mlp([2, 16, 16, 1], { init: "uniform", seed: 1 }));
    const large = prepare(mlp([2, 2100, 2100, 1], { init: "uniform", seed: 2 }));
    const segment = Float64Array.of(-1, -0.5, 1, 0.7);
    const map = new Float64Array(4);
    const residual = new Float64Array(2);
    segmentMap(segment, 0, 2, 2, map, residual);
    const length = segmentLength(map, 2, "segment");
    const exact = new Set(exactSegmentRegions(mlp([2, 16, 16, 1], { init: "uniform", seed: 1 }), [-1, -0.5], [1, 0.7]).patterns).size;
    const first = LineWalk.for(small) as LineWalk;
    assert.equal(first.count(map, residual, length), exact);
    const big = LineWalk.for(large) as LineWalk;
    assert.ok(big.count(map, residual, length) > 0);
    big.release();
    const again = LineWalk.for(small) as LineWalk;
    assert.equal(again.count(map, residual, length), exact);
    assert.equal(first.count(map, residual, length), exact, "the first walk, in its own instance");
  });

  it("counts a second network after a segment of more than 128 regions (the pattern set made again, empty)", () => {
    // The set's size was left from the last segment when a new network was laid out: growSet
    // then placed that many patterns again in 256 slots and probed the full table forever.
    const many = prepare(mlp([2, 256, 256, 1], { init: "uniform", seed: 1 }));
    const long = Float64Array.of(-20, -10, 20, 12);
    assert.ok(countSegments(many, long).perSegment[0] > 128);
    const net = mlp([2, 16, 16, 1], { init: "uniform", seed: 2 });
    const exact = new Set(exactSegmentRegions(net, [-1, -0.5], [1, 0.7]).patterns).size;
    const before = walkRuns.counted;
    assert.deepEqual(Array.from(countSegments(prepare(net), Float64Array.of(-1, -0.5, 1, 0.7)).perSegment), [exact]);
    assert.equal(walkRuns.counted, before + 1, "the kernel counted it");
  });
});
