import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import type { ElementwiseStep } from "../../src/model/steps.ts";
import { SpaceKernel } from "../../src/regions/space/kernel.ts";
import { applyElementwise } from "../../src/regions/space/step-maps.ts";

// The engine applies an elementwise step's states to a piece's map in the kernel where WebAssembly
// SIMD runs and with applyElementwise elsewhere: the same bits for every kind of slope, intercept
// and entry (zeros of both signs, where 1 x + 0 is not x and 0 x is -0; subnormals, huge values
// whose products overflow, infinities, NaN), odd and even unit counts, up to four states. A NaN
// compares as any NaN: WebAssembly leaves a NaN's sign to the hardware (0 x inf is -NaN on x86,
// +NaN in JavaScript), and the engine refuses a map with a NaN before any decision or output uses it.
test("the kernel's elementwise is applyElementwise", (t) => {
  const kernel = SpaceKernel.create();
  if (kernel === null) {
    t.skip("no WebAssembly SIMD here");
    return;
  }
  const C = 4;
  const most = 11;
  const T = 4;
  let src: Float64Array = new Float64Array(0);
  let dst: Float64Array = new Float64Array(0);
  let slopes: Float64Array = new Float64Array(0);
  let intercepts: Float64Array = new Float64Array(0);
  let states: Uint8Array = new Uint8Array(0);
  const srcAt = kernel.place(C * most, (v) => {
    src = v;
  });
  const dstAt = kernel.place(C * most + 2, (v) => {
    dst = v;
  });
  const slopesAt = kernel.place(T, (v) => {
    slopes = v;
  });
  const interceptsAt = kernel.place(T, (v) => {
    intercepts = v;
  });
  const scratchAt = kernel.place(most, () => {});
  kernel.place(Math.ceil(most / 8), (v) => {
    states = new Uint8Array(v.buffer, v.byteOffset, most);
  });
  kernel.commit();
  const special = [0, -0, 1, -1, 0.5, 5e-324, -(2 ** -1022), 1e300, -1e300, 2 ** 1023, Infinity, -Infinity, Number.NaN, 0.1];
  const rand = createRandom(17);
  const value = (): number => (rand.int(4) === 0 ? special[rand.int(special.length)] : rand.int(3) === 0 ? 0 : (rand.next() - 0.5) * 2 ** (rand.int(40) - 20));
  const bits = (a: Float64Array): (bigint | string)[] => [...a].map((x) => (Number.isNaN(x) ? "NaN" : new BigInt64Array(new Float64Array([x]).buffer)[0]));
  let negativeZeros = 0;
  for (let trial = 0; trial < 5000; trial++) {
    const n = 1 + rand.int(most);
    const stateCount = 1 + rand.int(T);
    for (let b = 0; b < stateCount; b++) {
      // relu's (0 and 1, intercepts 0) in a third of the trials.
      slopes[b] = trial % 3 === 0 ? b % 2 : value();
      intercepts[b] = trial % 3 === 0 ? 0 : value();
    }
    for (let i = 0; i < C * n; i++) src[i] = value();
    for (let j = 0; j < n; j++) states[j] = rand.int(stateCount);
    const step = { kind: "elementwise", size: n, slopes: slopes.slice(0, stateCount), intercepts: intercepts.slice(0, stateCount) } as unknown as ElementwiseStep;
    const want = new Float64Array(C * n);
    applyElementwise(step, states.slice(0, n), src.slice(0, C * n), want, C);
    dst.fill(7);
    kernel.elementwise(states.byteOffset, slopesAt, interceptsAt, srcAt, dstAt, n, C, scratchAt);
    assert.deepEqual(bits(dst.subarray(0, C * n)), bits(want), `trial ${trial}`);
    assert.equal(dst[C * n], 7, `trial ${trial}: wrote past the map`);
    for (const x of want) if (Object.is(x, -0)) negativeZeros++;
  }
  assert.ok(negativeZeros > 1000, `${negativeZeros} negative zeros`);
});
