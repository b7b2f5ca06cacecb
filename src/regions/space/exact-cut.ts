/**
 * The cut's exact stage (space/polytope.ts's `cut`, in JavaScript and after its kernel): a
 * vertex sign that rounding leaves within the bounds, and a crossing the doubles cannot place,
 * decided and placed in BigInt from the rows known exactly (space/exact-sign.ts). Rare: only
 * decisions within rounding of a zero get here.
 */
import { grown } from "../../geometry/grown.ts";
import { EPS } from "../map-error.ts";
import { exactVertex, integerRow, signAtPoint } from "./exact-sign.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";
import type { ExactHyperplane } from "./side.ts";

/** `exactSignAt`'s answer when it cannot decide (a row or the vertex not known exactly): not a sign. */
export const UNDECIDED = 2;

/** The rows tight at a vertex (global ids), for an exact sign. */
let tightRows: Int32Array = new Int32Array(64);

/**
 * n / d as a double, within two units in the last place (BigInt to Number would overflow for the
 * large integers of an exact solve): both scaled to 64 significant bits of the quotient first.
 */
function quotient(n: bigint, d: bigint): number {
  if (n === 0n) return 0;
  const negative = n < 0n !== d < 0n;
  const a = n < 0n ? -n : n;
  const b = d < 0n ? -d : d;
  const shift = b.toString(2).length - a.toString(2).length + 64;
  const q = shift >= 0 ? (a << BigInt(shift)) / b : a / (b << BigInt(-shift));
  const x = Number(q) * 2 ** -shift;
  return negative ? -x : x;
}

/**
 * The exact sign at vertex v of the arena's polytope p of h (exact doubles), or else of `exact`'s
 * row, when every row tight at v is known exactly (the exact ones, and rounded ones `exact` gives:
 * space/exact-sign.ts), else UNDECIDED (then the caller takes it as 0: on h, within the bounds).
 */
export function exactSignAt(arena: PolytopeArena, p: number, v: number, h: Float64Array | null, rows: RowStore, exact: ExactHyperplane | null): number {
  const k = arena.k;
  // A named vertex is one point in every cell that has it (space/vertex-names.ts): once solved,
  // its exact sign needs none of this cell's rows (zero biases: the origin, in most cells).
  const name = arena.names !== null ? arena.name[arena.vertAt[p] / k + v] : -1;
  let point: bigint[] | null | undefined = name >= 0 ? rows.exactVertexNamed.get(name) : undefined;
  if (point === undefined) {
    const W = arena.words[p];
    const at = arena.incAt[p] + v * W;
    let count = 0;
    for (let w = 0; w < W; w++) {
      for (let x = arena.inc[at + w]; x !== 0; x &= x - 1) {
        const id = arena.cons[arena.consAt[p] + (w << 5) + 31 - Math.clz32(x & -x)];
        // A rounded row of this cell's lineage: exactly, once (the same hyperplane in every cell that has it).
        if (!rows.exact[id] && !rows.exactRows.has(id)) {
          const row = exact?.stored(rows.step[id], rows.unit[id], rows.other[id], rows.side[id]) ?? null;
          if (row === null) return UNDECIDED;
          rows.exactRows.set(id, row);
        }
        if (count === tightRows.length) tightRows = grown(tightRows, 2 * count);
        tightRows[count++] = id;
      }
    }
    // The vertex exactly, solved once for all the hyperplanes that come within bounds of it.
    let key = "";
    for (let i = 0; i < count; i++) key += `${tightRows[i]},`;
    const solved = rows.exactVertices.get(key);
    if (solved === undefined) {
      const rowOf = (i: number): bigint[] => rows.exactRows.get(tightRows[i]) ?? integerRow(rows.coef, tightRows[i] * (k + 1), k);
      point = exactVertex(k, rowOf, count);
      rows.exactVertices.set(key, point);
    } else point = solved;
    if (point !== null && name >= 0) rows.exactVertexNamed.set(name, point);
  }
  if (point === null) return UNDECIDED;
  const row = h !== null ? integerRow(h, 0, k) : (exact?.row() ?? null);
  return row === null ? UNDECIDED : signAtPoint(k, row, point);
}

/**
 * The crossing `added` of the hyperplane being cut (h; `exactH`: its doubles are exact, else
 * `exact` its exact form; `eps`: the tolerance's, 0 for an exact decision) with the edge whose
 * rows are edgeRows[0 .. common), into newVerts / newRad (and, when the vertices are `named`, its
 * point under its name newName[added]), solved exactly (space/exact-sign.ts: Cramer's rule in
 * BigInt) and rounded, with the rounding as its bound; false when a row or h is not known
 * exactly, or the rows do not meet in one point. Only for crossings the doubles cannot place: rare.
 */
export function exactCrossingPoint(
  k: number,
  h: Float64Array,
  exactH: boolean,
  exact: ExactHyperplane | null,
  eps: number,
  rows: RowStore,
  edgeRows: Int32Array,
  common: number,
  named: boolean,
  newVerts: Float64Array,
  newRad: Float64Array,
  newName: Int32Array,
  added: number,
): boolean {
  if (eps !== 0) return false;
  const hRow = exactH ? integerRow(h, 0, k) : (exact?.row() ?? null);
  if (hRow === null) return false;
  for (let i = 0; i < common; i++) {
    const id = edgeRows[i];
    if (rows.exact[id] || rows.exactRows.has(id)) continue;
    const row = exact?.stored(rows.step[id], rows.unit[id], rows.other[id], rows.side[id]) ?? null;
    if (row === null) return false;
    rows.exactRows.set(id, row);
  }
  const rowOf = (i: number): bigint[] => (i === 0 ? hRow : (rows.exactRows.get(edgeRows[i - 1]) ?? integerRow(rows.coef, edgeRows[i - 1] * (k + 1), k)));
  const point = exactVertex(k, rowOf, common + 1);
  if (point === null) return false;
  let here = 0;
  for (let j = 0; j < k; j++) {
    const x = quotient(point[j], point[k]);
    newVerts[added * k + j] = x;
    here = Math.max(here, Math.abs(x));
  }
  // The vertex is one point in every cell that has it: its exact sign tests need no solve again.
  if (named) rows.exactVertexNamed.set(newName[added], point);
  newRad[added] = 4 * EPS * here + Number.MIN_VALUE;
  return true;
}
