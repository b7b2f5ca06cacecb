/**
 * Propagated maps (regions/line.ts, counting only): a sub-piece's map as the previous one's plus a
 * one-channel product times the crossed unit's change, with a chained rounding bound and a full
 * product wherever that bound leaves a decision open. The counts must be the partition's on every
 * segment: compared with `linePartition(...).activationRegions` (which never propagates) on
 * random and degenerate networks and segments, and checked to have propagated (and, on integer
 * networks full of exact ties, to have fallen back) so that the comparison can fail.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Activation } from "../../src/model/build/mlp.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { type Compiled, prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import type { AffineStep, PiecewiseStep } from "../../src/model/steps.ts";
import { LineEngine, linePartition } from "../../src/regions/line.ts";
import { segmentLength, segmentMap } from "../../src/regions/line-path.ts";
import { countSegments } from "../../src/regions/line-segments.ts";
import { scaled as exactly } from "../../src/regions/unit-error.ts";
import { degenerate, integerTies, segmentsFor } from "./line-corpora.ts";

interface Counted {
  /** Each segment's count, or the message of the refusal it met. */
  perSegment: (number | string)[];
  propagated: number;
  refreshed: number;
  uncertain: number;
}

/** countSegments' walk with the engine at hand (its counters): distinct patterns per segment. */
function countWithEngine(compiled: Compiled, segments: Float64Array): Counted {
  const n0 = compiled.inputSize;
  let seen = new Set<string>();
  const engine = new LineEngine(compiled, { add: (pattern) => seen.add(pattern.join(",")) });
  const map = new Float64Array(2 * n0);
  const residual = new Float64Array(n0);
  const perSegment: (number | string)[] = [];
  for (let g = 0; g < segments.length / (2 * n0); g++) {
    segmentMap(segments, 2 * g * n0, (2 * g + 1) * n0, n0, map, residual);
    seen = new Set();
    perSegment.push(
      outcome(() => {
        engine.segment(g, segmentLength(map, n0, `segment ${g}`), map, residual);
        return seen.size;
      }),
    );
  }
  return { perSegment, propagated: engine.propagatedMaps, refreshed: engine.refreshedMaps, uncertain: engine.uncertain };
}

/** A count, or the message of the error that refused it. */
function outcome(count: () => number): number | string {
  try {
    return count();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Both counts against the partition's (the same count or the same refusal), segment by segment; the engine's counters. */
function check(net: Network, segments: Float64Array, what: string): Counted {
  const compiled = prepare(net);
  const n0 = compiled.inputSize;
  const counted = countWithEngine(compiled, segments);
  let counts = 0;
  for (let g = 0; g < counted.perSegment.length; g++) {
    const segment = segments.subarray(2 * g * n0, 2 * (g + 1) * n0);
    const expected = outcome(() => linePartition(compiled, segment).activationRegions);
    assert.equal(counted.perSegment[g], expected, `${what}, segment ${g}`);
    assert.equal(
      outcome(() => countSegments(compiled, segment).perSegment[0]),
      expected,
      `${what}, segment ${g} (countSegments)`,
    );
    if (typeof expected === "number") counts++;
  }
  // Most segments are counted (a refusal on both sides proves little).
  assert.ok(counts >= counted.perSegment.length - 3, `${what}: ${counts} of ${counted.perSegment.length} counted`);
  return counted;
}

/**
 * Every map after a relu step and its dense step (full products, propagated ones, and the
 * counting's product into one output) within its bound of its exact target: the dense step
 * applied, in exact arithmetic, to the computed input in the piece's states (what the bound is
 * about: the map's own rounding from its computed predecessor, numerics.md). The engine's
 * stateMap is wrapped for the test; returns how many maps were checked, and of them propagated
 * and into one output.
 */
function checkBounds(run: () => void): { checked: number; propagated: number; toOne: number } {
  type StateMap = (s: number, step: PiecewiseStep, states: Uint8Array, z: Float64Array, zErr: Float64Array, dense: AffineStep | null, map: Float64Array, err: Float64Array) => void;
  const proto = LineEngine.prototype as unknown as { stateMap: StateMap };
  const original = proto.stateMap;
  const counts = { checked: 0, propagated: 0, toOne: 0 };
  proto.stateMap = function (this: LineEngine, s, step, states, z, zErr, dense, map, err) {
    const before = this.propagatedMaps;
    original.call(this, s, step, states, z, zErr, dense, map, err);
    if (dense === null || dense.weight === null || step.kind !== "elementwise") return;
    if (this.propagatedMaps !== before) counts.propagated++;
    if (dense.outSize === 1) counts.toOne++;
    const n = dense.inSize;
    const m = dense.outSize;
    for (let c = 0; c < 2; c++) {
      const bound = exactly(err[c]);
      for (let i = 0; i < m; i++) {
        let target = c === 0 ? exactly(dense.bias[i]) : 0n;
        for (let k = 0; k < n; k++) if (states[k] === 1) target += exactly(dense.weight[i * n + k], z[c * n + k]);
        const off = exactly(map[c * m + i]) - target;
        assert.ok((off < 0n ? -off : off) <= bound, `step ${s}, output ${i}, channel ${c}: off by more than its bound ${err[c]}`);
      }
    }
    counts.checked++;
  };
  try {
    run();
  } finally {
    proto.stateMap = original;
  }
  return counts;
}

describe("line engine: propagated maps (counting)", () => {
  it("count as linePartition on random and degenerate relu networks of widths 8-24, depth up to 16", () => {
    const shapes = [
      [2, 16, 16, 16, 1],
      [2, 8, 16, 8, 8, 1],
      [3, 24, 16, 8, 1],
      [2, ...Array.from({ length: 16 }, () => 8), 1],
    ];
    let propagated = 0;
    for (const [s, widths] of shapes.entries()) {
      for (const init of ["uniform", "zero-bias", "he"] as const) {
        const base = mlp(widths, { init, seed: 10 * s + init.length });
        for (const [name, make] of degenerate) {
          const net = make(base);
          const counted = check(net, segmentsFor(net, s + 1, 12), `${widths.join("-")} ${init}, ${name}`);
          propagated += counted.propagated;
        }
      }
    }
    assert.ok(propagated > 1000, `maps propagated: ${propagated}`);
  });

  it("leave every map within its bound of the exact one (full products, propagated ones, the product into one output)", () => {
    let propagated = 0;
    let toOne = 0;
    for (const [s, widths] of [
      [2, 16, 16, 16, 1],
      [2, 8, 8, 8, 8, 8, 8, 1],
    ].entries()) {
      for (const [, make] of degenerate) {
        const net = make(mlp(widths, { init: "uniform", seed: 3 + s }));
        const compiled = prepare(net);
        const counts = checkBounds(() => countWithEngine(compiled, segmentsFor(net, s, 8)));
        propagated += counts.propagated;
        toOne += counts.toOne;
      }
    }
    assert.ok(propagated > 500 && toOne > 500, `maps checked: ${propagated} propagated, ${toOne} into one output`);
  });

  it("falls back to full products on integer networks full of exact ties, and counts as linePartition", () => {
    let propagated = 0;
    let refreshed = 0;
    for (let seed = 0; seed < 12; seed++) {
      const { net, segments } = integerTies(seed, 4);
      const counted = check(net, segments, `integer network ${seed}`);
      propagated += counted.propagated;
      refreshed += counted.refreshed;
    }
    assert.ok(propagated > 0, `maps propagated: ${propagated}`);
    assert.ok(refreshed > 0, `maps made again: ${refreshed}`);
  });

  it("counts as linePartition with the other activations, maxout and a residual block (no propagation there, or only where it applies)", () => {
    const activations: Activation[] = [{ type: "leaky-relu", slope: 0.2 }, { type: "abs" }, { type: "hard-tanh", lo: -1, hi: 1 }, { type: "maxout", k: 2 }];
    for (const [a, activation] of activations.entries()) {
      const net = mlp([2, 16, 16, 16, 1], { init: "uniform", seed: a, activation });
      check(net, segmentsFor(net, a, 10), activation.type);
    }
    const rng = createRandom(5);
    const draw = (n: number) => Float64Array.from({ length: n }, () => rng.normal() / 4);
    const residual: Network = {
      inputSize: 2,
      layers: [
        { type: "dense", inSize: 2, outSize: 16, weight: draw(32), bias: draw(16) },
        { type: "relu" },
        { type: "dense", inSize: 16, outSize: 16, weight: draw(256), bias: draw(16) },
        { type: "relu" },
        { type: "residual", layers: [{ type: "dense", inSize: 16, outSize: 16, weight: draw(256), bias: draw(16) }, { type: "relu" }] },
        { type: "dense", inSize: 16, outSize: 16, weight: draw(256), bias: draw(16) },
        { type: "relu" },
        { type: "dense", inSize: 16, outSize: 16, weight: draw(256), bias: draw(16) },
        { type: "relu" },
        { type: "dense", inSize: 16, outSize: 1, weight: draw(16), bias: draw(1) },
      ],
    };
    check(residual, segmentsFor(residual, 9, 10), "residual");
  });
});
