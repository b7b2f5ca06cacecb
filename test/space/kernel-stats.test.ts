import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { SpaceKernel } from "../../src/regions/space/kernel.ts";

/** What affineError (map-error.ts) reads of one channel, by its own loop: the reference. */
function reference(x: Float64Array, from: number, to: number): [number, number, number, number] {
  let nonzero = 0;
  let unit = true;
  let largest = 0;
  let smallest = Infinity;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (let j = from; j < to; j++) {
    const v = x[j];
    if (v === 0) continue;
    nonzero++;
    bits[0] = v;
    const power = (words[1] & 0x7ff00000) !== 0 && (words[1] & 0xfffff) === 0 && words[0] === 0;
    if (unit && v !== 1 && v !== -1 && !power) unit = false;
    largest = Math.max(largest, Math.abs(v));
    smallest = Math.min(smallest, Math.abs(v));
  }
  return [nonzero, unit ? 1 : 0, largest, smallest];
}

// The engine's affine bounds come from the kernel's scan where WebAssembly SIMD runs and from
// affineError's loop elsewhere: the figures must agree on every kind of entry (zeros of both signs,
// +-1, powers of two up to the normal range's ends, subnormals, infinities, NaN).
test("the kernel's stats of a map are affineError's figures", (t) => {
  const kernel = SpaceKernel.create();
  if (kernel === null) {
    t.skip("no WebAssembly SIMD here");
    return;
  }
  const n = 13;
  const C = 4;
  let x: Float64Array = new Float64Array(0);
  let out: Float64Array = new Float64Array(0);
  const xAt = kernel.place(n * C, (v) => {
    x = v;
  });
  const outAt = kernel.place(4 * C, (v) => {
    out = v;
  });
  kernel.commit();
  const special = [0, -0, 1, -1, 0.5, -2, 2 ** -1022, -(2 ** 1023), 5e-324, 2 ** -1074 * 3, Infinity, -Infinity, Number.NaN, 0.1, 3, 1 + 2 ** -52];
  const rand = createRandom(3);
  let unitChannels = 0;
  for (let trial = 0; trial < 2000; trial++) {
    for (let i = 0; i < x.length; i++) {
      const pick = rand.int(4);
      x[i] = pick === 0 ? 0 : pick === 1 ? special[rand.int(special.length)] : pick === 2 ? (rand.next() < 0.5 ? -1 : 1) * 2 ** (rand.int(40) - 20) : rand.next() - 0.5;
    }
    // Channels of only zeros and powers of two, as a box's first layer gives.
    if (trial % 3 === 0) for (let i = 0; i < n; i++) x[n + i] = i % 4 === 0 ? 2 ** (i - 5) : 0;
    kernel.stats(xAt, n, C, outAt);
    for (let c = 0; c < C; c++) {
      const want = reference(x, c * n, (c + 1) * n);
      assert.deepEqual([...out.subarray(4 * c, 4 * c + 4)], want, `trial ${trial}, channel ${c}`);
      if (want[1] === 1 && want[0] > 0) unitChannels++;
    }
  }
  assert.ok(unitChannels > 100, "some channels are all powers of two");
});
