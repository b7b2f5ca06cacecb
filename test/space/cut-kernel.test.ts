import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/model/random.ts";
import { CutKernel } from "../../src/regions/space/cut-kernel.ts";
import { FacetList } from "../../src/regions/space/facet-list.ts";
import { PolytopeArena } from "../../src/regions/space/polytope.ts";
import { RowStore } from "../../src/regions/space/row-store.ts";
import { Side, type SignTolerance } from "../../src/regions/space/side.ts";
import { VertexNames } from "../../src/regions/space/vertex-names.ts";

/** An arena (with its rows and vertex names), in the cut kernel's memory or in JavaScript. */
function setup(kernel: CutKernel | null): { arena: PolytopeArena; rows: RowStore; names: VertexNames } {
  const rows = new RowStore(3);
  const arena = new PolytopeArena(3);
  const names = new VertexNames(8);
  arena.names = names;
  if (kernel !== null) {
    arena.useKernel(kernel);
    rows.useKernel(kernel);
    names.useKernel(kernel);
  }
  arena.addBox(new Float64Array(3).fill(-1), new Float64Array(3).fill(1), rows);
  return { arena, rows, names };
}

// The kernel's cut (space-cut.as) must give the JavaScript cut's bits: the same vertices, bounds,
// names, rows, incidences, boxes and facets, and the same decisions (exact ones and undecided
// ones alike). Hyperplanes of small integers pass through vertices and edges (signs decided
// exactly), rounded ones carry error bounds (signs left undecided); the kernel's memory is filled
// first so that it grows in the middle of the cuts (every view made again).
test("the 3-D cut kernel gives the JavaScript cut's polytopes to the bit, through growths of its memory", (t) => {
  const kernel = CutKernel.create();
  if (kernel === null) {
    t.skip("no WebAssembly here");
    return;
  }
  const js = setup(null);
  const wasm = setup(kernel);
  const memory = kernel.wasm.memory;
  kernel.place(memory.buffer.byteLength - kernel.placed - 256);
  const before = memory.buffer;
  const rand = createRandom(11);
  const h = new Float64Array(4);
  const tol: SignTolerance = { err: new Float64Array(4), eps: 0 };
  let jsPieces = [0];
  let wasmPieces = [0];
  const sides = [0, 0, 0, 0];
  for (let i = 0; i < 26; i++) {
    const integer = i % 2 === 0;
    for (let c = 0; c < 4; c++) {
      h[c] = integer ? Math.floor(5 * rand.next()) - 2 : rand.next() - 0.5;
      tol.err[c] = integer ? 0 : 1e-16 * rand.next();
    }
    const nextJs: number[] = [];
    const nextWasm: number[] = [];
    for (let q = 0; q < jsPieces.length; q++) {
      const a = js.arena.cut(jsPieces[q], h, tol, 3, js.rows, 0, i, 0, i);
      const b = wasm.arena.cut(wasmPieces[q], h, tol, 3, wasm.rows, 0, i, 0, i);
      assert.equal(b, a, `hyperplane ${i}, piece ${q}`);
      sides[a + 1]++;
      if (a === Side.Split) {
        nextJs.push(js.arena.below, js.arena.above);
        nextWasm.push(wasm.arena.below, wasm.arena.above);
      } else {
        nextJs.push(jsPieces[q]);
        nextWasm.push(wasmPieces[q]);
      }
    }
    jsPieces = nextJs;
    wasmPieces = nextWasm;
  }
  assert.notEqual(memory.buffer, before, "the kernel's memory grew during the cuts");
  assert.ok(sides[Side.Split + 1] > 500 && sides[Side.Below + 1] > 0 && sides[Side.Above + 1] > 0, `sides ${sides}`);
  assert.ok(js.arena.undecided > 0, "some signs were left undecided");
  assert.equal(wasm.arena.undecided, js.arena.undecided);
  assert.equal(wasm.names.count, js.names.count);
  assert.equal(wasm.rows.count, js.rows.count);
  assert.deepEqual(wasm.rows.coef.subarray(0, 4 * js.rows.count), js.rows.coef.subarray(0, 4 * js.rows.count));
  const a = js.arena;
  const b = wasm.arena;
  const listA = new FacetList();
  const listB = new FacetList();
  let facets = 0;
  for (let q = 0; q < jsPieces.length; q++) {
    const p = jsPieces[q];
    const r = wasmPieces[q];
    const nv = a.nv[p];
    assert.equal(b.nv[r], nv);
    assert.equal(b.nc[r], a.nc[p]);
    assert.equal(b.words[r], a.words[p]);
    assert.deepEqual(b.verts.subarray(b.vertAt[r], b.vertAt[r] + 3 * nv), a.verts.subarray(a.vertAt[p], a.vertAt[p] + 3 * nv));
    assert.deepEqual(b.rad.subarray(b.vertAt[r] / 3, b.vertAt[r] / 3 + nv), a.rad.subarray(a.vertAt[p] / 3, a.vertAt[p] / 3 + nv));
    assert.deepEqual(b.name.subarray(b.vertAt[r] / 3, b.vertAt[r] / 3 + nv), a.name.subarray(a.vertAt[p] / 3, a.vertAt[p] / 3 + nv));
    assert.deepEqual(b.cons.subarray(b.consAt[r], b.consAt[r] + b.nc[r]), a.cons.subarray(a.consAt[p], a.consAt[p] + a.nc[p]));
    assert.deepEqual(b.inc.subarray(b.incAt[r], b.incAt[r] + nv * b.words[r]), a.inc.subarray(a.incAt[p], a.incAt[p] + nv * a.words[p]));
    assert.deepEqual(b.box.subarray(6 * r, 6 * r + 6), a.box.subarray(6 * p, 6 * p + 6));
    assert.ok(Object.is(b.radMax[r], a.radMax[p]));
    a.facets(p, listA);
    b.facets(r, listB);
    assert.equal(listB.count, listA.count);
    assert.deepEqual(listB.rows.subarray(0, listA.count), listA.rows.subarray(0, listA.count));
    assert.deepEqual(listB.start.subarray(0, listA.count + 1), listA.start.subarray(0, listA.count + 1));
    assert.deepEqual(listB.verts.subarray(0, listA.start[listA.count]), listA.verts.subarray(0, listA.start[listA.count]));
    facets += listA.count;
  }
  assert.ok(facets > 0);
  wasm.rows.release();
  wasm.names.release();
  wasm.arena.release();
  kernel.release();
});
