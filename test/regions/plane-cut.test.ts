import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { Budget } from "../../src/regions/limits.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { kernelParts, kernelRuns } from "../../src/regions/plane-cut.ts";

/** A partition's arrays and numbers, for a comparison to the bit (NaN-safe, -0 distinct). */
function flat(p: object): unknown {
  return JSON.stringify(p, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) : x));
}

/** `run()`'s result with the kernel handing its cells over every `bytes` of vertices (many parts). */
function withHandoverBytes<T>(bytes: number, run: () => T): T {
  const saved = kernelParts.handoverBytes;
  kernelParts.handoverBytes = bytes;
  try {
    return run();
  } finally {
    kernelParts.handoverBytes = saved;
  }
}

describe("plane engine's descent in WebAssembly (plane-cut.as)", () => {
  // A budget that can stop the walk keeps the kernel out: the JavaScript engine's partition.
  const javascript = () => new Budget({ maxCells: 1e9 });
  const cases: [string, ReturnType<typeof mlp>][] = [
    ["relu 2-16x16x16-1", mlp([2, 16, 16, 16, 1], { init: "he", seed: 1 })],
    ["leaky relu 2-12x12-2", mlp([2, 12, 12, 2], { init: "uniform", seed: 2, activation: { type: "leaky-relu", slope: 0.1 } })],
    ["hard tanh 2-10x10-1", mlp([2, 10, 10, 1], { init: "he", seed: 3, activation: { type: "hard-tanh", lo: -1, hi: 1 } })],
    ["abs 2-10x10-1", mlp([2, 10, 10, 1], { init: "glorot", seed: 5, activation: { type: "abs" } })],
    ["zero biases 2-8x8-1", mlp([2, 8, 8, 1], { init: "zero-bias", seed: 4 })],
  ];
  for (const [name, net] of cases) {
    it(`gives the JavaScript engine's partition to the bit: ${name}`, () => {
      const compiled = prepare(net);
      for (const [lo, hi] of [
        [-1, 1],
        [0, 2],
      ]) {
        const { slice, domain } = boxSlice(lo, hi);
        const before = { ...kernelRuns };
        const fast = planePartition(compiled, slice, { domain });
        const used = kernelRuns.made > before.made;
        const reference = planePartition(compiled, slice, { domain, budget: javascript() });
        assert.equal(kernelRuns.made + kernelRuns.gaveUp, before.made + before.gaveUp + 1, "the kernel ran once, for the call without a limit");
        assert.ok(fast.cellCount > 1);
        assert.equal(flat(fast), flat(reference), `${name} on [${lo}, ${hi}]^2 (kernel ${used ? "made the cells" : "gave up"})`);
      }
    });
  }

  it("gives the same partition when its cells come in many parts (a large count's memory stays bounded)", () => {
    const compiled = prepare(mlp([2, 24, 24, 24, 1], { init: "he", seed: 6 }));
    const { slice, domain } = boxSlice(-1, 1);
    const whole = planePartition(compiled, slice, { domain });
    const before = { ...kernelRuns };
    const inParts = withHandoverBytes(4096, () => planePartition(compiled, slice, { domain })); // about 50 cells per part
    assert.equal(kernelRuns.made, before.made + 1);
    assert.ok(kernelRuns.parts - before.parts > 10, `the cells came in ${kernelRuns.parts - before.parts} parts`);
    assert.equal(flat(inParts), flat(whole));
    assert.equal(flat(whole), flat(planePartition(compiled, slice, { domain, budget: javascript() })));
  });

  it("hands over every line when a count's lines fill many chunks and its cells come in many parts", () => {
    // Thousands of lines, the kernel keeping only the live ones in slots it writes over (in
    // chunks of 2,048), cells in parts of 16 KB of vertices: a line lost or misplaced between
    // parts, a slot of a live line written over, or storage given back by one growing vector and
    // taken by another while still in use changes the partition (or makes the kernel give up).
    const compiled = prepare(mlp([2, 64, 64, 64, 1], { init: "he", seed: 7 }));
    const { slice, domain } = boxSlice(-2, 2);
    const before = { ...kernelRuns };
    const inParts = withHandoverBytes(1 << 14, () => planePartition(compiled, slice, { domain }));
    assert.equal(kernelRuns.made, before.made + 1, "the kernel made the cells");
    assert.ok(kernelRuns.parts - before.parts > 20, `the cells came in ${kernelRuns.parts - before.parts} parts`);
    assert.ok(inParts.lines.length / 3 > 4 * 2048, `${inParts.lines.length / 3} lines`);
    assert.equal(flat(inParts), flat(planePartition(compiled, slice, { domain, budget: javascript() })));
  });

  it("leaves the line table as it was when it gives up after handing over parts", () => {
    // A second-layer unit duplicated: its two lines coincide, so the kernel gives up at the first
    // piece they cross, after 76 parts of one cell each; the lines those parts appended must go.
    const net = mlp([2, 12, 12, 1], { init: "he", seed: 0 });
    const second = net.layers.filter((l) => l.type === "dense")[1] as { inSize: number; weight: Float64Array; bias: Float64Array };
    second.weight.copyWithin(second.inSize, 0, second.inSize);
    second.bias[1] = second.bias[0];
    const compiled = prepare(net);
    const { slice, domain } = boxSlice(-1, 1);
    const before = { ...kernelRuns };
    const counted = withHandoverBytes(16, () => planePartition(compiled, slice, { domain }));
    assert.equal(kernelRuns.gaveUp, before.gaveUp + 1, "the kernel gave up");
    assert.ok(kernelRuns.parts - before.parts > 10, `after ${kernelRuns.parts - before.parts} parts`);
    assert.equal(flat(counted), flat(planePartition(compiled, slice, { domain, budget: javascript() })));
  });

  it("makes the cells of dense relu networks (the common case) and gives up on lines through vertices", () => {
    const before = { ...kernelRuns };
    planePartition(prepare(mlp([2, 32, 32, 1], { init: "uniform", seed: 0 })), boxSlice(-1, 1).slice, { domain: boxSlice(-1, 1).domain });
    assert.equal(kernelRuns.made, before.made + 1);
    // Zero biases: every first-layer line passes through the origin, a vertex of the second cut.
    planePartition(prepare(mlp([2, 8, 8, 1], { init: "zero-bias", seed: 4 })), boxSlice(-1, 1).slice, { domain: boxSlice(-1, 1).domain });
    assert.equal(kernelRuns.gaveUp, before.gaveUp + 1);
  });
});
