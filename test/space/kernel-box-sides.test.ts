import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { boxSides } from "../../src/regions/space/box-sides.ts";
import { SpaceKernel } from "../../src/regions/space/kernel.ts";
import { PolytopeArena } from "../../src/regions/space/polytope.ts";
import { RowStore } from "../../src/regions/space/row-store.ts";
import { gammaOf } from "../../src/regions/space/side.ts";

// The engine tests an elementwise step's units against a 3-D cell's box in the kernel where
// WebAssembly SIMD runs and with boxSides elsewhere: every decision must be the same, on every
// kind of entry (zeros of both signs, ties where the interval's end equals the tolerance,
// subnormals, huge values that overflow, infinities, NaN), for odd and even unit counts and
// several breakpoints.
test("the kernel's boxSides3 decides as boxSides", (t) => {
  const kernel = SpaceKernel.create();
  if (kernel === null) {
    t.skip("no WebAssembly SIMD here");
    return;
  }
  const most = 33;
  const T = 3;
  let z: Float64Array = new Float64Array(0);
  let e: Float64Array = new Float64Array(0);
  let bps: Float64Array = new Float64Array(0);
  let sidesView: Float64Array = new Float64Array(0);
  const zAt = kernel.place(4 * most, (v) => {
    z = v;
  });
  const eAt = kernel.place(4 * most, (v) => {
    e = v;
  });
  const tAt = kernel.place(T, (v) => {
    bps = v;
  });
  kernel.place(Math.ceil((most * T) / 8), (v) => {
    sidesView = v;
  });
  let args: Float64Array = new Float64Array(0);
  const argsAt = kernel.place(8, (v) => {
    args = v;
  });
  kernel.commit();
  const sides = new Int8Array(sidesView.buffer, sidesView.byteOffset, most * T);
  // The kernel's boxSides3 as the engine calls it: the box, its error bound and rel at argsAt.
  const kernelSides = (n: number, breaks: number, eps: number): void => {
    for (let i = 0; i < 6; i++) args[i] = arena.box[6 * p + i];
    args[6] = arena.radMax[p];
    args[7] = gammaOf(3) + eps;
    kernel.boxSides3(zAt, eAt, n, tAt, breaks, sides.byteOffset, argsAt);
  };
  const arena = new PolytopeArena(3);
  const p = arena.addBox(new Float64Array(3).fill(-1), new Float64Array(3).fill(1), new RowStore(3));
  const special = [0, -0, 1, -1, 0.5, 5e-324, -5e-324, 2 ** -1022, 1e300, -1e300, 2 ** 1023, Infinity, -Infinity, Number.NaN, 0.1, 1 + 2 ** -52];
  const rand = createRandom(11);
  const value = (): number => {
    const pick = rand.int(5);
    if (pick === 0) return special[rand.int(special.length)];
    if (pick === 1) return 0;
    if (pick === 2) return (rand.next() < 0.5 ? -1 : 1) * 2 ** (rand.int(60) - 30);
    return rand.next() - 0.5;
  };
  let ties = 0;
  let decided = 0;
  let split = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const n = 1 + rand.int(most);
    const breaks = 1 + rand.int(T);
    for (let i = 0; i < 4 * n; i++) {
      z[i] = value();
      // Bounds are non-negative; zero for exact maps.
      e[i] = rand.int(3) === 0 ? 0 : Math.abs(value());
    }
    for (let b = 0; b < breaks; b++) bps[b] = rand.int(2) === 0 ? 0 : value();
    // Ties: a unit with zero slopes and bounds on a subnormal value (min equals the tolerance),
    // or on its breakpoint (a zero interval).
    if (trial % 4 === 0) {
      const j = rand.int(n);
      z[j] = trial % 8 === 0 ? 5e-324 : bps[0];
      for (let c = 0; c < 4; c++) {
        if (c > 0) z[c * n + j] = trial % 16 === 0 ? -0 : 0;
        e[c * n + j] = 0;
      }
      ties++;
    }
    const box = arena.box;
    for (let d = 0; d < 3; d++) {
      const a = rand.int(6) === 0 ? special[rand.int(9)] : 2 * rand.next() - 1;
      const b = rand.int(6) === 0 ? special[rand.int(9)] : 2 * rand.next() - 1;
      box[6 * p + d] = Math.min(a, b);
      box[6 * p + 3 + d] = Math.max(a, b);
    }
    arena.radMax[p] = rand.int(3) === 0 ? 0 : Math.abs(value());
    const eps = rand.int(4) === 0 ? 1e-9 : 0;
    const want = new Int8Array(n * breaks);
    const zs = z.subarray(0, 4 * n);
    const es = e.subarray(0, 4 * n);
    boxSides(arena, p, zs, es, n, bps.subarray(0, breaks), eps, want);
    sides.fill(7);
    kernelSides(n, breaks, eps);
    assert.deepEqual([...sides.subarray(0, n * breaks)], [...want], `trial ${trial}`);
    // Nothing written past the last unit's sides.
    if (n * breaks < sides.length) assert.equal(sides[n * breaks], 7, `trial ${trial}: wrote past the sides`);
    for (const s of want)
      if (s === 2) split++;
      else decided++;
  }
  assert.ok(ties > 500 && decided > 1000 && split > 1000, `ties ${ties}, decided ${decided}, split ${split}`);

  // At the edge of a decision: the least z_j (to the last bit) that boxSides finds Above, and the
  // double below it (Split), so that a tolerance off by one rounding anywhere decides otherwise.
  const bits = new Float64Array(1);
  const word = new BigInt64Array(bits.buffer);
  const step = (x: number, up: boolean): number => {
    bits[0] = x;
    // Ordered as integers: positive doubles upwards, negative ones downwards.
    word[0] += (x > 0 || Object.is(x, 0)) === up ? 1n : -1n;
    return bits[0];
  };
  const sideAt = (x: number, n: number, j: number, breaks: number): number => {
    z[j] = x;
    const want = new Int8Array(n * breaks);
    boxSides(arena, p, z.subarray(0, 4 * n), e.subarray(0, 4 * n), n, bps.subarray(0, breaks), 0, want);
    return want[j * breaks];
  };
  let edges = 0;
  for (let trial = 0; trial < 400; trial++) {
    const n = 1 + rand.int(5);
    for (let i = 0; i < 4 * n; i++) {
      z[i] = rand.next() - 0.5;
      // Bounds as large as the values in half the trials, so that z_j's last bit and the
      // tolerance's are of one size and a rounding in the tolerance moves the edge.
      e[i] = rand.int(3) === 0 ? 0 : trial % 2 === 0 ? rand.next() : 2 ** -(20 + rand.int(30)) * rand.next();
    }
    bps[0] = rand.int(2) === 0 ? 0 : rand.next() - 0.5;
    for (let d = 0; d < 3; d++) {
      const a = 2 * rand.next() - 1;
      const b = 2 * rand.next() - 1;
      arena.box[6 * p + d] = Math.min(a, b);
      arena.box[6 * p + 3 + d] = Math.max(a, b);
    }
    arena.radMax[p] = rand.int(2) === 0 ? 0 : 2 ** -(rand.int(40) + 1);
    const j = rand.int(n);
    // Bisect over the doubles between one that is not Above and one that is.
    let below = -64;
    let above = 64;
    if (sideAt(below, n, j, 1) === 1 || sideAt(above, n, j, 1) !== 1) continue;
    for (let i = 0; i < 200; i++) {
      const mid = (below + above) / 2;
      if (mid === below || mid === above) break;
      if (sideAt(mid, n, j, 1) === 1) above = mid;
      else below = mid;
    }
    while (step(below, true) !== above) {
      const next = step(below, true);
      if (sideAt(next, n, j, 1) === 1) above = next;
      else below = next;
    }
    for (const x of [below, above, step(above, true)]) {
      const want = sideAt(x, n, j, 1);
      sides.fill(7);
      kernelSides(n, 1, 0);
      assert.equal(sides[j], want, `edge trial ${trial}, z_j ${x}`);
    }
    edges++;
  }
  assert.ok(edges > 300, `${edges} edges found`);
});
