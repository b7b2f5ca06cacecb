/**
 * `PolytopeArena.boxSide` (space/polytope.ts): a hyperplane's sign over a polytope's bounding box
 * and the error bound of its vertices, the cheap test before `cut` looks at the vertices
 * (space/box-sides.ts makes the same test for every unit of a step at once).
 */
import type { PolytopeArena } from "./polytope.ts";
import { gammaOf as gammaOfK, Side, type SignTolerance } from "./side.ts";

// A module-local copy (see space/polytope.ts: tsx turns a read of an imported binding into a call).
const gammaOf = gammaOfK;

/**
 * Sign of h over the bounding box of the arena's polytope p when it decides (interval arithmetic),
 * else Split (undecided). The tolerance is the largest of `PolytopeArena.cut`'s per-vertex
 * tolerances over the box, so a decision here is the one the vertices would give.
 */
export function boxSideOf(arena: PolytopeArena, p: number, h: Float64Array, t: SignTolerance): Side {
  const k = arena.k;
  if (k === 3) return boxSide3(arena, p, h, t);
  const box = arena.box;
  const lo = 2 * k * p;
  const hi = lo + k;
  const r = arena.radMax[p];
  const e = t.err;
  let min = h[0];
  let max = h[0];
  let mag = Math.abs(h[0]);
  let bound = e[0];
  for (let j = 0; j < k; j++) {
    const c = h[j + 1];
    const a = Math.abs(c);
    const y = Math.max(Math.abs(box[lo + j]), Math.abs(box[hi + j])) + r;
    mag += a * y;
    bound += e[j + 1] * y + a * r;
    if (c >= 0) {
      min += c * box[lo + j];
      max += c * box[hi + j];
    } else {
      min += c * box[hi + j];
      max += c * box[lo + j];
    }
  }
  const tol = 2 * bound + (gammaOf(k) + t.eps) * mag + Number.MIN_VALUE;
  if (min > tol) return Side.Above;
  if (max < -tol) return Side.Below;
  return Side.Split;
}

/** `boxSideOf` in 3-D, unrolled: the same operations in the same order. */
function boxSide3(arena: PolytopeArena, p: number, h: Float64Array, t: SignTolerance): Side {
  const box = arena.box;
  const at = 6 * p;
  const r = arena.radMax[p];
  const e = t.err;
  const lo0 = box[at];
  const lo1 = box[at + 1];
  const lo2 = box[at + 2];
  const hi0 = box[at + 3];
  const hi1 = box[at + 4];
  const hi2 = box[at + 5];
  const c0 = h[1];
  const c1 = h[2];
  const c2 = h[3];
  const a0 = Math.abs(c0);
  const a1 = Math.abs(c1);
  const a2 = Math.abs(c2);
  const y0 = Math.max(Math.abs(lo0), Math.abs(hi0)) + r;
  const y1 = Math.max(Math.abs(lo1), Math.abs(hi1)) + r;
  const y2 = Math.max(Math.abs(lo2), Math.abs(hi2)) + r;
  let min = h[0];
  let max = h[0];
  let mag = Math.abs(h[0]);
  let bound = e[0];
  mag += a0 * y0;
  bound += e[1] * y0 + a0 * r;
  if (c0 >= 0) {
    min += c0 * lo0;
    max += c0 * hi0;
  } else {
    min += c0 * hi0;
    max += c0 * lo0;
  }
  mag += a1 * y1;
  bound += e[2] * y1 + a1 * r;
  if (c1 >= 0) {
    min += c1 * lo1;
    max += c1 * hi1;
  } else {
    min += c1 * hi1;
    max += c1 * lo1;
  }
  mag += a2 * y2;
  bound += e[3] * y2 + a2 * r;
  if (c2 >= 0) {
    min += c2 * lo2;
    max += c2 * hi2;
  } else {
    min += c2 * hi2;
    max += c2 * lo2;
  }
  const tol = 2 * bound + (gammaOf(3) + t.eps) * mag + Number.MIN_VALUE;
  if (min > tol) return Side.Above;
  if (max < -tol) return Side.Below;
  return Side.Split;
}
