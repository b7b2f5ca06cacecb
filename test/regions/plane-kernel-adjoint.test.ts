/**
 * The WebAssembly kernel's per-unit and adjoint bounds (plane-cut.as: unitBound, adjointRows over
 * its steps) against plane.ts's and plane-adjoint.ts's, bit for bit, on deep networks where the
 * channel bounds leave vertices open (docs/numerics.md, "An adjoint bound on a settled chain").
 * Every adjoint bound the kernel makes is compared with the one plane.ts makes at the same place
 * (same step, unit, and the same three doubles, in the same order), so a kernel whose bound is
 * halved or drops its rounding term (f) fails here, even where its partition would not change;
 * and its partition is plane.ts's to the bit, with the kernel making every cell.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import type { Network } from "../../src/model/layers.ts";
import { Budget } from "../../src/regions/limits.ts";
import type { PlanePartition } from "../../src/regions/partition.ts";
import { boxSlice, type PlaneShare, type PlaneSlice, parallelogramSlice, planePartition, planePartitionShare } from "../../src/regions/plane.ts";
import type { PlaneAdjointProbe } from "../../src/regions/plane-adjoint.ts";
import { kernelRuns } from "../../src/regions/plane-cut.ts";
import { AROUND_ORIGIN, zeroBiasDeep } from "../invariance/plane-global-cases.ts";

/** A partition's arrays and numbers, for a comparison to the bit (NaN-safe, -0 distinct). */
function flat(p: object): string {
  return JSON.stringify(p, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) : x));
}

interface Run {
  partition: PlanePartition;
  /** Per adjoint bound made, in order: kernel step (from the first elementwise step), unit, 3 channels. */
  bounds: Float64Array;
  kernelMade: boolean;
}

/** The kernel's partition and its log of adjoint bounds (`seen`: plane.ts's too, then the kernel makes none). */
function kernelRun(net: Network, slice: PlaneSlice, domain: Float64Array, seen?: PlaneAdjointProbe["seen"]): Run {
  const compiled = prepare(net);
  const made = kernelRuns.made;
  let bounds: Float64Array = new Float64Array(0);
  const adjointProbe: PlaneAdjointProbe = { kernelBounds: (records) => (bounds = records), ...(seen ? { seen } : {}) };
  const partition = planePartition(compiled, slice, { domain, adjointProbe });
  return { partition, bounds, kernelMade: kernelRuns.made > made };
}

/** plane.ts's partition (a budget keeps the kernel out) and every adjoint bound it makes (plane-adjoint.ts's hook). */
function javascriptRun(net: Network, slice: PlaneSlice, domain: Float64Array): Run {
  const compiled = prepare(net);
  const first = compiled.steps.findIndex((s) => s.kind === "elementwise");
  const bounds: number[] = [];
  const seen: NonNullable<PlaneAdjointProbe["seen"]> = (s, j, _z, bound) => {
    bounds.push((s - first) / 2, j, bound[0], bound[1], bound[2]);
  };
  const partition = planePartition(compiled, slice, { domain, budget: new Budget({ maxCells: 1e9 }), adjointProbe: { seen } });
  return { partition, bounds: Float64Array.from(bounds), kernelMade: false };
}

/** The two logs are the same doubles (Object.is: -0 and NaN told apart), record by record. */
function assertSameBounds(kernel: Float64Array, js: Float64Array, what: string): void {
  assert.equal(kernel.length, js.length, `${what}: ${kernel.length / 5} adjoint bounds in the kernel, ${js.length / 5} in plane.ts`);
  for (let i = 0; i < js.length; i++) {
    if (!Object.is(kernel[i], js[i])) {
      const r = Math.floor(i / 5);
      assert.fail(`${what}: bound ${r} (step ${js[5 * r]}, unit ${js[5 * r + 1]}), field ${i % 5}: kernel ${kernel[i]}, plane-adjoint.ts ${js[i]}`);
    }
  }
}

const he = (width: number, depth: number, seed = 0): Network => mlp([2, ...Array(depth).fill(width), 1], { init: "he", seed });
const square = (lo: number, hi: number): { slice: PlaneSlice; domain: Float64Array } =>
  parallelogramSlice(Float64Array.of(lo, lo), Float64Array.of(hi, lo), Float64Array.of(lo, hi));

test("deep He networks: the kernel makes every cell, its adjoint bounds are plane-adjoint.ts's to the bit, its partition plane.ts's", () => {
  const box = boxSlice(-1, 1);
  const cases: [Network, { slice: PlaneSlice; domain: Float64Array }, string][] = [
    [he(8, 32), box, "2-8x32 He [-1, 1]^2"],
    [he(8, 36), box, "2-8x36 He [-1, 1]^2"],
    [he(8, 40), box, "2-8x40 He [-1, 1]^2"],
    [he(8, 60), box, "2-8x60 He [-1, 1]^2"],
    [he(8, 40, 1), box, "2-8x40 He seed 1 [-1, 1]^2"],
    [he(10, 36, 2), box, "2-10x36 He seed 2 [-1, 1]^2"],
    [he(8, 34), square(0, 0.5), "2-8x34 He [0, 0.5]^2 (a parallelogram: the first step's map has bounds)"],
    // Widths 10 and 5 in turn: each step's units and chain are its own.
    [mlp([2, ...Array.from({ length: 36 }, (_, l) => (l % 2 === 0 ? 10 : 5)), 1], { init: "he", seed: 0 }), square(-1, 1), "2-(10-5)x18 He [-1, 1]^2 (a parallelogram)"],
  ];
  for (const [net, { slice, domain }, what] of cases) {
    const fast = kernelRun(net, slice, domain);
    const reference = javascriptRun(net, slice, domain);
    assert.ok(fast.kernelMade, `${what}: the kernel gave up`);
    assert.ok(reference.bounds.length > 0, `${what}: no adjoint bound made (the test would prove nothing)`);
    assertSameBounds(fast.bounds, reference.bounds, what);
    assert.equal(flat(fast.partition), flat(reference.partition), `${what}: partition`);
  }
});

test("wide steps (the adjoint bound unit by unit, no lowering) and zero-bias deep networks: the kernel's bounds up to where it gives up are plane.ts's, the partition plane.ts's", () => {
  const cases: [Network, { slice: PlaneSlice; domain: Float64Array }, string][] = [
    // 2-40x12: a chain of 11 steps of 1,600 multiply-adds costs more than 2^16 per unit of 40.
    [he(40, 12, 3), boxSlice(-1, 1), "2-40x12 He [-1, 1]^2"],
    [he(16, 24, 1), boxSlice(-1, 1), "2-16x24 He [-1, 1]^2"],
  ];
  for (let seed = 0; seed < 3; seed++) {
    const [p1, p2, p3] = AROUND_ORIGIN[seed % AROUND_ORIGIN.length];
    cases.push([zeroBiasDeep(seed), parallelogramSlice(Float64Array.from(p1), Float64Array.from(p2), Float64Array.from(p3)), `zero-bias deep seed ${seed}`]);
  }
  for (const [net, { slice, domain }, what] of cases) {
    const fast = kernelRun(net, slice, domain);
    const reference = javascriptRun(net, slice, domain);
    // The kernel gives up on these at a decision only the exact maps take (plane-ties.ts settles 44 and
    // 930 ties on the He ones): the bounds it made up to there are plane.ts's first ones.
    assert.ok(!fast.kernelMade || fast.bounds.length === reference.bounds.length, `${what}: all of plane.ts's bounds`);
    assertSameBounds(fast.bounds, reference.bounds.subarray(0, fast.bounds.length), `${what} (the kernel's ${fast.bounds.length / 5})`);
    if (what.includes("He")) assert.ok(fast.bounds.length > 0, `${what}: the kernel made no adjoint bound`);
    assert.equal(flat(fast.partition), flat(reference.partition), `${what}: partition`);
  }
});

test("with a probe watching plane.ts's adjoint bounds (its tests), the kernel makes none: plane.ts makes them", () => {
  const net = he(8, 40);
  const { slice, domain } = boxSlice(-1, 1);
  const gaveUp = kernelRuns.gaveUp;
  let seen = 0;
  const run = kernelRun(net, slice, domain, () => {
    seen++;
  });
  assert.ok(seen > 0, "plane.ts made them");
  assert.equal(run.bounds.length, 0, "the kernel made none");
  assert.equal(kernelRuns.gaveUp, gaveUp + 1, "the kernel gives up where only an adjoint bound decides");
});

test("a share of a deep count (threads): the kernel makes it with adjoint bounds, plane.ts's share to the bit", () => {
  const { slice, domain } = boxSlice(-1, 1);
  for (const net of [he(8, 40), mlp([2, ...Array(48).fill(5), 1], { init: "he", seed: 0, activation: { type: "leaky-relu", slope: 0.1 } })]) {
    const compiled = prepare(net);
    for (const parts of [2, 3]) {
      // 1 and 3: other shares' maps made for the next piece's rank-one update (its updates count
      // in the per-unit bounds); 0: whole runs passed over.
      for (const chunk of [1, 3, 0]) {
        for (let part = 0; part < parts; part++) {
          const share: PlaneShare = { parts, part, chunk };
          const made = kernelRuns.made;
          let bounds: Float64Array = new Float64Array(0);
          const fast = planePartitionShare(compiled, slice, domain, share, null, { kernelBounds: (records) => (bounds = records) });
          assert.equal(kernelRuns.made, made + 1, `parts ${parts}, part ${part}, chunk ${chunk}: the kernel made the share`);
          const reference = planePartitionShare(compiled, slice, domain, share, new Budget({ maxCells: 1e9 }));
          assert.equal(flat(fast), flat(reference), `parts ${parts}, part ${part}, chunk ${chunk}`);
          if (fast.topPieces.length > 0) assert.ok(bounds.length > 0, `parts ${parts}, part ${part}, chunk ${chunk}: adjoint bounds made`);
        }
      }
    }
  }
});
