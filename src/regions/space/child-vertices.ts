/**
 * A cut's child polytope filled in (space/polytope.ts's `child`): the vertices it keeps from its
 * parent and the crossings it gains, their error bounds, names and bounding box. The rows and
 * incidences are `child`'s.
 */
import type { PolytopeArena } from "./polytope.ts";

/**
 * `PolytopeArena.child`'s vertices: the kept ones of parent p (kept[0 .. old)), then the `added`
 * new ones (the crossings in newVerts, newRad, newName), with their error bounds (and the
 * largest), names, and the bounding box, into child q of the arena.
 */
export function childVertices(
  arena: PolytopeArena,
  p: number,
  q: number,
  old: number,
  added: number,
  kept: Int32Array,
  newVerts: Float64Array,
  newRad: Float64Array,
  newName: Int32Array,
): void {
  const k = arena.k;
  const { verts, box } = arena;
  const pv = arena.vertAt[p];
  const qv = arena.vertAt[q];
  const lo = 2 * k * q;
  const hi = lo + k;
  const rad = arena.rad;
  let radMax = 0;
  for (let n = 0; n < old; n++) {
    const rr = rad[pv / k + kept[n]];
    rad[qv / k + n] = rr;
    if (rr > radMax) radMax = rr;
  }
  for (let a = 0; a < added; a++) {
    const rr = newRad[a];
    rad[qv / k + old + a] = rr;
    if (rr > radMax) radMax = rr;
  }
  arena.radMax[q] = radMax;
  if (arena.names !== null) {
    const name = arena.name;
    for (let n = 0; n < old; n++) name[qv / k + n] = name[pv / k + kept[n]];
    for (let a = 0; a < added; a++) name[qv / k + old + a] = newName[a];
  }
  for (let j = 0; j < k; j++) {
    box[lo + j] = Infinity;
    box[hi + j] = -Infinity;
  }
  for (let n = 0; n < old; n++) {
    const from = pv + kept[n] * k;
    const to = qv + n * k;
    for (let j = 0; j < k; j++) {
      const x = verts[from + j];
      verts[to + j] = x;
      if (x < box[lo + j]) box[lo + j] = x;
      if (x > box[hi + j]) box[hi + j] = x;
    }
  }
  for (let a = 0; a < added; a++) {
    const to = qv + (old + a) * k;
    for (let j = 0; j < k; j++) {
      const x = newVerts[a * k + j];
      verts[to + j] = x;
      if (x < box[lo + j]) box[lo + j] = x;
      if (x > box[hi + j]) box[hi + j] = x;
    }
  }
}

/**
 * `childVertices` in 3-D, in one pass over the vertices: the box's bounds and the largest error
 * bound in locals; the same comparisons in the same order as its loops.
 */
export function childVertices3(
  arena: PolytopeArena,
  p: number,
  q: number,
  old: number,
  added: number,
  kept: Int32Array,
  newVerts: Float64Array,
  newRad: Float64Array,
  newName: Int32Array,
): void {
  const { verts, rad, name } = arena;
  const named = arena.names !== null;
  const pv = arena.vertAt[p];
  const qv = arena.vertAt[q];
  const pr = pv / 3;
  const qr = qv / 3;
  let lo0 = Infinity;
  let lo1 = Infinity;
  let lo2 = Infinity;
  let hi0 = -Infinity;
  let hi1 = -Infinity;
  let hi2 = -Infinity;
  let radMax = 0;
  let to = qv;
  for (let n = 0; n < old; n++) {
    const v = kept[n];
    const rr = rad[pr + v];
    rad[qr + n] = rr;
    if (rr > radMax) radMax = rr;
    if (named) name[qr + n] = name[pr + v];
    const from = pv + v * 3;
    const x0 = verts[from];
    const x1 = verts[from + 1];
    const x2 = verts[from + 2];
    verts[to] = x0;
    verts[to + 1] = x1;
    verts[to + 2] = x2;
    to += 3;
    if (x0 < lo0) lo0 = x0;
    if (x0 > hi0) hi0 = x0;
    if (x1 < lo1) lo1 = x1;
    if (x1 > hi1) hi1 = x1;
    if (x2 < lo2) lo2 = x2;
    if (x2 > hi2) hi2 = x2;
  }
  for (let a = 0; a < added; a++) {
    const rr = newRad[a];
    rad[qr + old + a] = rr;
    if (rr > radMax) radMax = rr;
    if (named) name[qr + old + a] = newName[a];
    const x0 = newVerts[3 * a];
    const x1 = newVerts[3 * a + 1];
    const x2 = newVerts[3 * a + 2];
    verts[to] = x0;
    verts[to + 1] = x1;
    verts[to + 2] = x2;
    to += 3;
    if (x0 < lo0) lo0 = x0;
    if (x0 > hi0) hi0 = x0;
    if (x1 < lo1) lo1 = x1;
    if (x1 > hi1) hi1 = x1;
    if (x2 < lo2) lo2 = x2;
    if (x2 > hi2) hi2 = x2;
  }
  arena.radMax[q] = radMax;
  const box = arena.box;
  const lo = 6 * q;
  box[lo] = lo0;
  box[lo + 1] = lo1;
  box[lo + 2] = lo2;
  box[lo + 3] = hi0;
  box[lo + 4] = hi1;
  box[lo + 5] = hi2;
}
