import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, LineTable, PolygonArena, SPLIT, WHOLE_MINUS, WHOLE_PLUS } from "../../src/geometry/polygon.ts";
import { createRandom } from "../../src/model/random.ts";
import { classifyCutLines, filterUnits, kernelCodes, placeCutLines, vertexTests } from "../../src/regions/plane-filter.ts";

/** A convex polygon (a random quadrilateral about the origin) with small error radii. */
function polygon(rng: { next(): number }): { arena: PolygonArena; p: number; corners: number[] } {
  const arena = new PolygonArena();
  const corners = [-1 - rng.next(), -1 - rng.next(), 1 + rng.next(), -1 - rng.next(), 1 + rng.next(), 1 + rng.next(), -1 - rng.next(), 1 + rng.next()];
  const p = arena.begin(4);
  for (let k = 0; k < 4; k++) arena.push(p, corners[2 * k], corners[2 * k + 1], 1e-15 * rng.next(), -1, 2);
  return { arena, p, corners };
}

describe("plane engine's float tests in WebAssembly", () => {
  it("classifies listed lines as classify does, and leaves lines through a vertex to it", () => {
    const rng = createRandom(5);
    const lines = new LineTable();
    const signs = new Int8Array(8);
    let decided = 0;
    let open = 0;
    for (let round = 0; round < 40; round++) {
      const { arena, p, corners } = polygon(rng);
      const L = 24;
      const [la, lb, lc, lea, leb, lec] = Array.from({ length: 6 }, () => new Float64Array(L));
      for (let k = 0; k < L; k++) {
        lb[k] = rng.next() - 0.5;
        lc[k] = rng.next() - 0.5;
        // Every third line passes through a corner (within rounding): the float tests cannot decide it.
        const through = k % 3 === 0 ? k % 4 : -1;
        la[k] = through >= 0 ? -(lb[k] * corners[2 * through] + lc[k] * corners[2 * through + 1]) : 3 * (rng.next() - 0.5);
        lea[k] = k % 2 === 0 ? 0 : 1e-12;
        leb[k] = k % 2 === 0 ? 0 : 1e-12;
        lec[k] = k % 2 === 0 ? 0 : 1e-12;
      }
      // The kernel places the cut's lines after the last filter's arrays: run one first.
      filterUnits(new Float64Array(3), 1, new Float64Array(1), 0, 0, 1, 1, 0, 0, 0, new Uint8Array(1), new Int32Array(2));
      assert.equal(placeCutLines(la, lb, lc, lea, leb, lec, L), true);
      const list = Int32Array.from({ length: L + 2 }, (_, i) => (i < 2 ? 0 : L - 1 - (i - 2)));
      const at = classifyCutLines(arena.uv, arena.err, arena.start[p], arena.size[p], list, 2, L + 2);
      const codes = kernelCodes();
      for (let i = 0; i < L; i++) {
        const k = list[i + 2];
        const code = codes[at + i];
        const expected = classify(arena, p, lines, la[k], lb[k], lc[k], signs, lea[k], leb[k], lec[k]);
        if (code === 0) {
          open++;
          assert.equal(k % 3, 0, `line ${k} is clear of every vertex`);
        } else {
          decided++;
          assert.ok([WHOLE_PLUS, WHOLE_MINUS, SPLIT].includes(code));
          assert.equal(code, expected, `line ${k}`);
          assert.notEqual(k % 3, 0, `line ${k} passes through a vertex`);
        }
      }
    }
    assert.ok(decided > 500 && open > 200);
  });

  it("tests the filter's undecided pairs at every vertex: decided ones as classify decides them", () => {
    const rng = createRandom(9);
    const lines = new LineTable();
    const signs = new Int8Array(8);
    let seen = 0;
    for (let round = 0; round < 30; round++) {
      const { arena, p, corners } = polygon(rng);
      const n = 16;
      const z = new Float64Array(3 * n);
      for (let j = 0; j < n; j++) {
        z[n + j] = rng.next() - 0.5;
        z[2 * n + j] = rng.next() - 0.5;
        z[j] = j < 4 ? -(z[n + j] * corners[2 * j] + z[2 * n + j] * corners[2 * j + 1]) : rng.next() - 0.5;
      }
      const t = Float64Array.of(0);
      const undecided = new Int32Array(2 * n);
      // Pretend the filter decided nothing (a huge bound), so every unit goes to the vertex tests.
      const count = filterUnits(z, n, t, 0, 0, 1e300, 1e300, 0, 0, 0, new Uint8Array(n), undecided);
      assert.equal(count, n);
      const at = vertexTests(arena.uv, arena.err, arena.start[p], arena.size[p], 0, 0);
      const codes = kernelCodes();
      for (let q = 0; q < count; q++) {
        const j = undecided[2 * q];
        const code = codes[at + q];
        if (j < 4) assert.ok((code & 4) !== 0, `unit ${j} passes through a corner`);
        else {
          assert.equal(code & 4, 0);
          const cls = classify(arena, p, lines, z[j], z[n + j], z[2 * n + j], signs);
          assert.equal(code, cls === SPLIT ? 3 : cls, `unit ${j}`);
          seen++;
        }
      }
    }
    assert.ok(seen > 300);
  });
});
