/**
 * The line engine's near-exact maps (line-double.ts, double-double; line-triple.ts, triple-double;
 * line-rounded.ts, BigInt cut to a few hundred bits): every coefficient within its bound of the exact map's (exact-maps.ts),
 * checked exactly in BigInt, on random pieces (random states at every step) of networks of every
 * activation, max groups and residual blocks, and with weights scaled far from 1; the rounded
 * maps' bound is nearly reached where it is made to be (positive weights, every relu on, few
 * bits: the cuts' errors all of one sign add up), so a bound half as large fails. And the engine
 * with them gives the partition it gives with the exact maps alone, to the bit (placed ends,
 * measured bounds), on deep networks where they serve.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decompose } from "../../src/geometry/exact.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import type { Step } from "../../src/model/steps.ts";
import { ExactMaps } from "../../src/regions/exact-maps.ts";
import { LineEngine } from "../../src/regions/line.ts";
import { DoubleMaps } from "../../src/regions/line-double.ts";
import { walkPath } from "../../src/regions/line-path.ts";
import { RoundedMaps } from "../../src/regions/line-rounded.ts";
import { TripleMaps } from "../../src/regions/line-triple.ts";

/** |x 2^ex - y 2^ey| compared with bound: -1 under half of it, 0 under it, 1 over it. */
function against(x: bigint, ex: number, y: bigint, ey: number, bound: number): number {
  const t = Math.min(ex, ey);
  let d = (x << BigInt(ex - t)) - (y << BigInt(ey - t));
  if (d < 0n) d = -d;
  if (d === 0n) return -1;
  if (!(bound < Number.POSITIVE_INFINITY)) return 0;
  if (bound === 0) return 1;
  const b = decompose(bound);
  const k = Math.min(t, b.e);
  const dd = d << BigInt(t - k);
  const bb = b.m << BigInt(b.e - k);
  return dd > bb ? 1 : 2n * dd > bb ? 0 : -1;
}

/** h + l as an integer times 2^e. */
function sumOf(h: number, l: number): { v: bigint; e: number } {
  const parts = [h, l].filter((x) => x !== 0).map(decompose);
  if (parts.length === 0) return { v: 0n, e: 0 };
  const e = Math.min(...parts.map((p) => p.e));
  return { v: parts.reduce((a, p) => a + (p.m << BigInt(p.e - e)), 0n), e };
}

/** Random states for every piecewise step of `steps`. */
function randomStates(steps: Step[], rng: { int(n: number): number }): Uint8Array[] {
  return steps.map((step) => {
    if (step.kind === "elementwise") return Uint8Array.from({ length: step.size }, () => rng.int(step.slopes.length));
    if (step.kind === "max") return Uint8Array.from({ length: step.outSize }, (_, j) => rng.int(step.offsets[j + 1] - step.offsets[j]));
    return new Uint8Array(0);
  });
}

const dense = (w: number[][], b: number[]): Layer => ({ type: "dense", inSize: w[0].length, outSize: w.length, weight: Float64Array.from(w.flat()), bias: Float64Array.from(b) });

/** A residual network: 2 inputs, blocks x + W2 relu(W1 x + b1) of width 6, then one output. */
function residual(seed: number, blocks: number): Network {
  const rng = createRandom(seed);
  const w = (m: number, n: number) => Array.from({ length: m }, () => Array.from({ length: n }, () => rng.normal() / Math.sqrt(n)));
  const b = (m: number) => Array.from({ length: m }, () => rng.normal() * 0.1);
  const layers: Layer[] = [dense(w(6, 2), b(6)), { type: "relu" }];
  for (let k = 0; k < blocks; k++) layers.push({ type: "residual", layers: [dense(w(6, 6), b(6)), { type: "relu" }, dense(w(6, 6), b(6))] } as Layer);
  layers.push(dense(w(1, 6), b(1)));
  return { inputSize: 2, layers } as Network;
}

/** Every coefficient of both maps at every piecewise step within its bound of the exact map (count of checks). */
function checkNet(network: Network, seed: number, pieces: number): { checks: number; over: number; triples: number } {
  const compiled = prepare(network);
  const steps = compiled.steps;
  const rng = createRandom(seed);
  let checks = 0;
  let over = 0;
  let triples = 0;
  for (let p = 0; p < pieces; p++) {
    const states = randomStates(steps, rng);
    const statesOf = (s: number) => states[s];
    const local = Float64Array.from({ length: 4 }, () => rng.normal() * 2);
    const exact = new ExactMaps(steps, statesOf);
    const dd = new DoubleMaps(steps, statesOf);
    const td = new TripleMaps(steps, statesOf);
    const rounded = new RoundedMaps(steps, statesOf);
    exact.segment(local);
    dd.segment(local);
    td.segment(local);
    rounded.segment(local);
    for (let s = 1; s < steps.length; s++) {
      const step = steps[s];
      if (step.kind !== "elementwise" && step.kind !== "max") continue;
      const z = exact.input(s);
      const y = dd.input(s);
      const t = td.input(s);
      const r = rounded.input(s, 64 + rng.int(100));
      for (let i = 0; i < z.v.length; i++) {
        if (y !== null) {
          const h = sumOf(y.h[i], y.l[i]);
          if (against(h.v, h.e, z.v[i], z.e, y.err[i]) > 0) over++;
          checks++;
        }
        if (t !== null) {
          const parts = [t.h[i], t.m[i], t.l[i]].filter((x) => x !== 0).map(decompose);
          const e = parts.length === 0 ? 0 : Math.min(...parts.map((q) => q.e));
          const v = parts.reduce((a, q) => a + (q.m << BigInt(q.e - e)), 0n);
          if (against(v, e, z.v[i], z.e, t.err[i]) > 0) over++;
          triples++;
        }
        if (against(r.v[i], r.e, z.v[i], z.e, r.err[i]) > 0) over++;
        checks++;
      }
    }
  }
  return { checks, over, triples };
}

test("the double-double, triple-double and rounded maps are within their bounds of the exact maps (every activation, max groups, residual blocks, scaled weights)", () => {
  const nets: [string, Network][] = [
    ["relu He 2-8x12", mlp([2, ...new Array(12).fill(8), 1], { init: "he", seed: 1 })],
    ["leaky 2-6x10", mlp([2, ...new Array(10).fill(6), 1], { init: "glorot", seed: 2, activation: { type: "leaky-relu", slope: 0.1 } })],
    ["abs 2-5x10", mlp([2, ...new Array(10).fill(5), 1], { init: "he", seed: 3, activation: { type: "abs" } })],
    ["hard tanh 2-6x8", mlp([2, ...new Array(8).fill(6), 1], { init: "glorot", seed: 4, activation: { type: "hard-tanh", lo: -1, hi: 0.75 } })],
    ["maxout 2-4x8 k 3", mlp([2, ...new Array(8).fill(4), 1], { init: "he", seed: 5, activation: { type: "maxout", k: 3 } })],
    ["residual 6 blocks", residual(6, 6)],
  ];
  // Weights scaled by 2^300 and 2^-300 in turns (the function is the same up to a factor): the double-double maps give up out of their range, the rounded ones do not.
  const far = mlp([2, 6, 6, 6, 6, 1], { init: "he", seed: 7 });
  far.layers.forEach((layer, k) => {
    if (layer.type !== "dense") return;
    const f = k % 4 === 0 ? 2 ** 300 : 2 ** -300;
    (layer as { weight: Float64Array }).weight = (layer as { weight: Float64Array }).weight.map((x) => x * f);
    (layer as { bias: Float64Array }).bias = (layer as { bias: Float64Array }).bias.map((x) => x * f);
  });
  nets.push(["scaled by 2^+-300", far]);
  let triples = 0;
  for (const [name, network] of nets) {
    const c = checkNet(network, name.length, 12);
    const { checks, over } = c;
    triples += c.triples;
    assert.ok(checks > 200, `${name}: ${checks} checks`);
    assert.equal(over, 0, `${name}: ${over} of ${checks} coefficients past their bounds`);
  }
  // The triple-double maps take relu, max groups and residual sums (and give the others up).
  assert.ok(triples > 1000, `${triples} triple-double coefficients checked`);
});

test("the rounded maps' bound is nearly reached where the cuts' errors add up (a bound half as large fails)", () => {
  // Positive weights, relu on everywhere (positive inputs and biases), few bits: every cut rounds down, and |A| is A.
  const rng = createRandom(11);
  const layers: Layer[] = [];
  let n = 2;
  for (let k = 0; k < 8; k++) {
    layers.push(
      dense(
        Array.from({ length: 6 }, () => Array.from({ length: n }, () => 0.25 + rng.next())),
        Array.from({ length: 6 }, () => rng.next()),
      ),
    );
    layers.push({ type: "relu" });
    n = 6;
  }
  layers.push(dense([[1, 1, 1, 1, 1, 1]], [0]));
  const steps = prepare({ inputSize: 2, layers } as Network).steps;
  const states = steps.map((step) => (step.kind === "elementwise" ? new Uint8Array(step.size).fill(1) : new Uint8Array(0)));
  let half = 0;
  let over = 0;
  for (let p = 0; p < 20; p++) {
    const local = Float64Array.of(1 + rng.next(), 1 + rng.next(), rng.next() * 2 ** -20, rng.next() * 2 ** -20);
    const exact = new ExactMaps(steps, (s) => states[s]);
    const rounded = new RoundedMaps(steps, (s) => states[s]);
    exact.segment(local);
    rounded.segment(local);
    for (let s = 3; s < steps.length; s += 2) {
      const z = exact.input(s);
      const r = rounded.input(s, 40);
      for (let i = 0; i < z.v.length / 2; i++) {
        const c = against(r.v[i], r.e, z.v[i], z.e, r.err[i]);
        if (c > 0) over++;
        if (c === 0) half++;
      }
    }
  }
  assert.equal(over, 0);
  assert.ok(half > 0, "no coefficient past half its bound: the test could not see a bound too small");
});

test("linePartition with the near-exact maps is the partition with the exact maps alone, to the bit (He 2-16x24, He 2-32x12, zero-bias 2-8x30, He 2-8x120)", () => {
  const cases: [number[], string][] = [
    [[2, ...new Array(24).fill(16), 1], "he"],
    [[2, ...new Array(12).fill(32), 1], "he"],
    [[2, ...new Array(30).fill(8), 1], "zero-bias"],
    [[2, ...new Array(120).fill(8), 1], "he"],
  ];
  const path = Float64Array.of(-1.3, 0.7, 1.1, -0.9);
  let placed = 0;
  let measured = 0;
  for (const [widths, init] of cases) {
    const compiled = prepare(mlp(widths, { init: init as "he", seed: 0 }));
    const runs = [true, false].map((near) => {
      const engine = new LineEngine(compiled);
      engine.nearMaps = near;
      walkPath(engine, compiled, path);
      return { engine, pieces: engine.pieces() };
    });
    const [a, b] = runs.map((r) => r.pieces);
    for (const key of ["tStart", "tEnd", "lengths", "patterns", "outputMaps", "segmentOf"] as const) {
      assert.deepEqual(Array.from(a[key] as ArrayLike<number>), Array.from(b[key] as ArrayLike<number>), `${widths.length - 2} layers of ${widths[1]}: ${key}`);
    }
    assert.equal(runs[0].engine.uncertain, runs[1].engine.uncertain);
    const e = runs[0].engine;
    placed += e.doublePlacements + e.triplePlacements + e.roundedPlacements;
    measured += e.doubleMeasures + e.tripleMeasures + e.roundedMeasures;
  }
  // They served (else this compared the exact maps with themselves). The adjoint bound measures
  // first (line-adjoint.ts), so the near-exact maps measure only where it left a decision open:
  // zero-bias 2-8x30's ties at the origin.
  assert.ok(placed > 100 && measured >= 10, `${placed} placed, ${measured} measured`);
});
