import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { boxSides, containedIn } from "../../src/regions/space/box-sides.ts";
import { PolytopeArena } from "../../src/regions/space/polytope.ts";
import { RowStore } from "../../src/regions/space/row-store.ts";
import { Side } from "../../src/regions/space/side.ts";

// boxSides is boxSide for every unit at once, and a decision of a cell's box carries to the pieces
// containedIn it: the engine skips their tests on that ground, so both must hold exactly.
test("boxSides gives boxSide's decision for every hyperplane, and contained pieces decide alike", () => {
  const rand = createRandom(7);
  const k = 3;
  const n = 40;
  const t = new Float64Array([0, 0.25]);
  let decided = 0;
  let inherited = 0;
  for (let trial = 0; trial < 30; trial++) {
    const rows = new RowStore(k);
    const arena = new PolytopeArena(k);
    const lo = -1 - rand.next();
    const hi = 1 + rand.next();
    let root = arena.addBox(new Float64Array(k).fill(lo), new Float64Array(k).fill(hi), rows);
    arena.radMax[root] = trial % 3 === 0 ? 0 : 1e-13 * rand.next();
    // Units as z (channel-major, k + 1 channels) with rounding bounds; some exact, some far away.
    const z = new Float64Array((k + 1) * n);
    const zErr = new Float64Array((k + 1) * n);
    for (let i = 0; i < z.length; i++) {
      z[i] = (i < n ? 6 : 1) * (rand.next() - 0.5);
      zErr[i] = trial % 2 === 0 ? 0 : 1e-15 * rand.next();
    }
    // Every other unit's hyperplane passes within a few roundings of the box's corner: decided by
    // the tolerance itself, so any difference from boxSide's arithmetic shows.
    for (let j = 0; j < n; j += 2) {
      let corner = 0;
      let mag = 0;
      for (let c = 1; c <= k; c++) {
        const a = z[c * n + j];
        corner += a >= 0 ? a * lo : a * hi;
        mag += Math.abs(a) * hi;
      }
      z[j] = t[j % 4 === 0 ? 0 : 1] - corner + (rand.next() - 0.5) * (64e-16 * mag + (trial % 2) * 8e-15 * (1 + k * hi));
    }
    const sides = new Int8Array(n * t.length);
    boxSides(arena, root, z, zErr, n, t, 0, sides);
    const h = new Float64Array(k + 1);
    const tol = { err: new Float64Array(k + 1), eps: 0 };
    const sideOf = (p: number, j: number, b: number): number => {
      for (let c = 0; c <= k; c++) {
        h[c] = z[c * n + j];
        tol.err[c] = zErr[c * n + j];
      }
      const d = z[j] - t[b];
      const v = d - z[j];
      h[0] = d;
      tol.err[0] = zErr[j] + Math.abs(z[j] - (d - v) + (-t[b] - v));
      return arena.boxSide(p, h, tol);
    };
    for (let j = 0; j < n; j++) for (let b = 0; b < t.length; b++) assert.equal(sides[j * t.length + b], sideOf(root, j, b), `trial ${trial}, unit ${j}, breakpoint ${b}`);
    // Pieces of root cut by random planes: those contained in root decide as root does.
    const cut = new Float64Array([rand.next() - 0.5, rand.next() - 0.5, rand.next() - 0.5, rand.next() - 0.5]);
    if (arena.cut(root, cut, { err: new Float64Array(k + 1), eps: 0 }, 3, rows, 0, 0, 0) !== Side.Split) continue;
    for (const piece of [arena.below, arena.above]) {
      if (!containedIn(arena, piece, root)) continue;
      for (let j = 0; j < n; j++) {
        for (let b = 0; b < t.length; b++) {
          const s = sides[j * t.length + b];
          if (s === Side.Split) continue;
          decided++;
          if (sideOf(piece, j, b) === s) inherited++;
        }
      }
    }
    root = arena.below;
  }
  assert.ok(decided > 100, `only ${decided} decided hyperplanes were compared`);
  assert.equal(inherited, decided);
  // A piece with a larger error bound is not contained, whatever its box.
  const rows = new RowStore(k);
  const arena = new PolytopeArena(k);
  const a = arena.addBox(new Float64Array(k).fill(-1), new Float64Array(k).fill(1), rows);
  const b = arena.addBox(new Float64Array(k).fill(-0.5), new Float64Array(k).fill(0.5), rows);
  assert.equal(containedIn(arena, b, a), true);
  assert.equal(containedIn(arena, a, b), false);
  arena.radMax[b] = 1e-12;
  assert.equal(containedIn(arena, b, a), false);
});
