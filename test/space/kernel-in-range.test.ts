import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { SpaceKernel } from "../../src/regions/space/kernel.ts";
import { inRange } from "../../src/regions/space/step-maps.ts";

// The engine checks a piecewise step's input in the kernel where WebAssembly SIMD runs and with
// inRange elsewhere: the verdicts must agree on every kind of entry (zeros of both signs, the
// least normal and the subnormals below it, huge values, infinities, NaN), in the constant
// channel, the slopes and the bounds, for odd and even unit counts and channel counts (3-D slices
// have 4 channels, 2-D and 4-D ones an odd number: then the map itself has an odd length), and
// at the underflow test's edge (smallest slope times the reach just above and below 2^-1022).
test("the kernel's inRange is step-maps.ts's", (t) => {
  const kernel = SpaceKernel.create();
  if (kernel === null) {
    t.skip("no WebAssembly SIMD here");
    return;
  }
  const channels = [4, 3, 5];
  const most = 9;
  let z: Float64Array = new Float64Array(0);
  let e: Float64Array = new Float64Array(0);
  let reach: Float64Array = new Float64Array(0);
  const zAt = kernel.place(5 * most, (v) => {
    z = v;
  });
  const eAt = kernel.place(5 * most, (v) => {
    e = v;
  });
  const reachAt = kernel.place(1, (v) => {
    reach = v;
  });
  kernel.commit();
  const MIN = 2 ** -1022;
  const special = [0, -0, 1, -1, MIN, -MIN, MIN * (1 - 2 ** -52), 5e-324, -5e-324, 2 ** 1023, -1e308, Infinity, -Infinity, Number.NaN, 0.3];
  const rand = createRandom(5);
  const value = (): number => (rand.int(12) === 0 ? special[rand.int(special.length)] : rand.int(3) === 0 ? 0 : (rand.next() - 0.5) * 2 ** (rand.int(20) - 10));
  let passed = 0;
  let refused = 0;
  for (let trial = 0; trial < 30000; trial++) {
    const C = channels[trial % 3];
    const n = 1 + rand.int(most);
    for (let i = 0; i < C * n; i++) {
      z[i] = value();
      e[i] = Math.abs(value());
    }
    reach[0] = rand.int(4) === 0 ? 2 ** -rand.int(1100) : 1 + rand.next();
    // The underflow test's edge: the smallest slope at 2^-1022 / reach or the double below it.
    if (trial % 5 < 2) {
      for (let i = n; i < C * n; i++) if (!(Math.abs(z[i]) >= 1 / 1024) || Math.abs(z[i]) > 1e300) z[i] = 0.5;
      z[n + rand.int((C - 1) * n)] = rand.int(2) === 0 ? MIN : MIN * (1 + 2 ** -52);
      reach[0] = rand.int(2) === 0 ? 1 : 1 - 2 ** -53;
    }
    const want = inRange(z.subarray(0, C * n), e.subarray(0, C * n), C, reach[0]);
    const got: boolean = kernel.inRange(zAt, n, C * n, eAt, C * n, reachAt);
    assert.equal(got, want, `trial ${trial}: z ${[...z.subarray(0, C * n)]}, e ${[...e.subarray(0, C * n)]}, reach ${reach[0]}`);
    if (want) passed++;
    else refused++;
  }
  assert.ok(passed > 2000 && refused > 2000, `${passed} pass, ${refused} refused`);
});
