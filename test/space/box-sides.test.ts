import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { boxSides, boxSidesOver, containedIn, ENVELOPE_MARGIN, envelope, insideEnvelope } from "../../src/regions/space/box-sides.ts";
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
    const sideOf = unitSide(arena, z, zErr, n, t);
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

// The walk tests each unit against root's envelope (its box and bound widened by a margin), so that
// the pieces whose crossings round a little out of root's box, or carry a larger bound, inherit the
// decisions too: every decision of the envelope must be boxSide's on root and on every piece inside
// it, also for hyperplanes passing within a few roundings of the envelope's corners.
test("a decision over a cell's envelope is boxSide's on the cell and on every piece inside the envelope", () => {
  const rand = createRandom(11);
  const k = 3;
  const n = 40;
  const t = new Float64Array([0, 0.25]);
  const env = new Float64Array(2 * k + 1);
  let decided = 0;
  let inherited = 0;
  let widened = 0;
  for (let trial = 0; trial < 40; trial++) {
    const rows = new RowStore(k);
    const arena = new PolytopeArena(k);
    const scale = trial % 4 === 3 ? 1e6 : 1;
    const lo = scale * (-1 - rand.next());
    const hi = scale * (1 + rand.next());
    let root = arena.addBox(new Float64Array(k).fill(lo), new Float64Array(k).fill(hi), rows);
    arena.radMax[root] = trial % 3 === 0 ? 0 : 1e-13 * scale * rand.next();
    envelope(arena, root, env);
    assert.ok(env[2 * k] >= arena.radMax[root] && env[2 * k] >= ENVELOPE_MARGIN * hi);
    const z = new Float64Array((k + 1) * n);
    const zErr = new Float64Array((k + 1) * n);
    for (let i = 0; i < z.length; i++) {
      z[i] = (i < n ? 6 * scale : 1) * (rand.next() - 0.5);
      zErr[i] = trial % 2 === 0 ? 0 : 1e-15 * rand.next();
    }
    // Every other unit passes near a corner of the envelope (or of root's box, every fourth):
    // decided by the tolerance itself.
    for (let j = 0; j < n; j += 2) {
      const ref = j % 4 === 0 ? 0 : env[2 * k];
      let corner = 0;
      let mag = 0;
      for (let c = 1; c <= k; c++) {
        const a = z[c * n + j];
        corner += a >= 0 ? a * (lo - ref) : a * (hi + ref);
        mag += Math.abs(a) * (hi + ref);
      }
      z[j] = t[j % 4 === 0 ? 0 : 1] - corner + (rand.next() - 0.5) * (64e-16 * mag + (trial % 2) * 8e-15 * (1 + k * hi));
    }
    const sides = new Int8Array(n * t.length);
    boxSidesOver(env, 0, env[2 * k], k, z, zErr, n, t, 0, sides);
    const own = new Int8Array(n * t.length);
    boxSides(arena, root, z, zErr, n, t, 0, own);
    const sideOf = unitSide(arena, z, zErr, n, t);
    const check = (piece: number): void => {
      for (let j = 0; j < n; j++) {
        for (let b = 0; b < t.length; b++) {
          const s = sides[j * t.length + b];
          if (s === Side.Split) continue;
          decided++;
          if (sideOf(piece, j, b) === s) inherited++;
        }
      }
    };
    assert.equal(insideEnvelope(arena, root, env), true);
    check(root);
    for (let i = 0; i < sides.length; i++) if (sides[i] !== own[i]) widened++;
    const cut = new Float64Array([scale * (rand.next() - 0.5), rand.next() - 0.5, rand.next() - 0.5, rand.next() - 0.5]);
    if (arena.cut(root, cut, { err: new Float64Array(k + 1), eps: 0 }, 3, rows, 0, 0, 0) !== Side.Split) continue;
    for (const piece of [arena.below, arena.above]) {
      // As the walk's pieces: a larger bound than root's, a box reaching out of root's, both up to the envelope's.
      const R = env[2 * k];
      arena.radMax[piece] = Math.max(arena.radMax[piece], R * rand.next());
      const box = arena.box;
      const i = rand.int(2 * k);
      box[2 * k * piece + i] = env[i];
      assert.equal(insideEnvelope(arena, piece, env), true);
      check(piece);
      // Just outside: a bound or a corner beyond the envelope's.
      arena.radMax[piece] = R * 2;
      assert.equal(insideEnvelope(arena, piece, env), false);
      arena.radMax[piece] = R;
      box[2 * k * piece + i] = i < k ? env[i] - Math.abs(env[i]) * 1e-15 - 1e-300 : env[i] + Math.abs(env[i]) * 1e-15 + 1e-300;
      assert.equal(insideEnvelope(arena, piece, env), false);
    }
    root = arena.below;
  }
  assert.ok(decided > 1000, `only ${decided} decided hyperplanes were compared`);
  assert.equal(inherited, decided);
  // The margin is small: only hyperplanes near root's box change from decided to undecided.
  assert.ok(widened > 0 && widened < 0.2 * 40 * 40 * 2, `${widened} decisions changed by the envelope`);
});

/**
 * boxSide's decision for unit j's breakpoint b (z - t[b], its bound widened by the subtraction's
 * rounding, as boxSides takes it) on polytope p: the one-hyperplane reference both tests compare with.
 */
function unitSide(arena: PolytopeArena, z: Float64Array, zErr: Float64Array, n: number, t: Float64Array): (p: number, j: number, b: number) => number {
  const k = arena.k;
  const h = new Float64Array(k + 1);
  const tol = { err: new Float64Array(k + 1), eps: 0 };
  return (p, j, b) => {
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
}
