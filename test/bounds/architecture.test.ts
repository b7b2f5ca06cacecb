import assert from "node:assert/strict";
import { test } from "node:test";
import { architectureOf, numericalRank } from "../../src/bounds/architecture.ts";
import { allBounds } from "../../src/bounds/index.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { dense, type Network, relu } from "../../src/model/layers.ts";

test("architectureOf reads widths, unit families and ranks", () => {
  const a = architectureOf(mlp([3, 5, 4, 1], { seed: 3 }));
  assert.deepEqual(
    a.layers.map((l) => [l.width, l.family, l.pieces, l.rank]),
    [
      [5, "relu", 2, 3],
      [4, "relu", 2, 4],
    ],
  );
  assert.equal(a.feedForward, true);
  const m = architectureOf(mlp([2, 3, 1], { activation: { type: "maxout", k: 4 } }));
  assert.deepEqual(
    m.layers.map((l) => [l.width, l.family, l.pieces]),
    [[3, "maxout", 4]],
  );
  const h = architectureOf(mlp([2, 3, 1], { activation: { type: "hard-tanh", lo: -1, hi: 1 } }));
  assert.deepEqual(
    h.layers.map((l) => [l.family, l.pieces]),
    [["elementwise", 3]],
  );
  const leaky = architectureOf(mlp([2, 3, 1], { activation: { type: "leaky-relu", slope: 0.1 } }));
  assert.equal(leaky.layers[0].family, "elementwise");
  assert.equal(allBounds(leaky).find((b) => b.id === "serra2018-upper")?.applies, false, "the bottleneck argument needs relu");
  assert.equal(allBounds(leaky).find((b) => b.id === "zaslavsky")?.applies, true);
});

test("duplicated and dead units lower the rank, and the rank-refined bound with it", () => {
  const net: Network = {
    inputSize: 3,
    layers: [
      dense(
        [
          [1, 2, 3],
          [2, 4, 6],
          [0, 0, 0],
          [1, 0, 0],
        ],
        [0, 1, 2, 3],
      ),
      relu(),
      dense([
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [0, 1, 0, 2],
      ]),
      relu(),
      dense([[1, 1, 1]]),
    ],
  };
  const a = architectureOf(net);
  assert.deepEqual(
    a.layers.map((l) => l.rank),
    [2, 2],
  );
  const bounds = allBounds(a);
  const serra = bounds.find((b) => b.id === "serra2018-upper")?.value?.num as bigint;
  const rank = bounds.find((b) => b.id === "serra2018-upper-rank")?.value?.num as bigint;
  assert.ok(rank < serra, `${rank} < ${serra}`);
});

test("numerical rank is scale-invariant and sees near-dependence", () => {
  const m = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.equal(numericalRank(m, 3, 3), 2);
  assert.equal(
    numericalRank(
      m.map((x) => x * 1e-200),
      3,
      3,
    ),
    2,
  );
  assert.equal(
    numericalRank(
      m.map((x) => x * 1e200),
      3,
      3,
    ),
    2,
  );
  assert.equal(numericalRank([1, 0, 0, 1 + 1e-14], 2, 2), 2);
  assert.equal(numericalRank([1, 1, 1, 1 + 1e-13], 2, 2), 1);
  assert.equal(numericalRank(new Float64Array(6), 2, 3), 0);
});

test("residual blocks are not plain feed-forward: only the trivial bound applies", () => {
  const net: Network = {
    inputSize: 2,
    layers: [
      dense([
        [1, 0],
        [0, 1],
      ]),
      {
        type: "residual",
        layers: [
          dense([
            [1, 1],
            [1, -1],
          ]),
          relu(),
        ],
      },
      relu(),
    ],
  };
  const a = architectureOf(net);
  assert.equal(a.feedForward, false);
  const applying = allBounds(a)
    .filter((b) => b.applies)
    .map((b) => b.id);
  assert.deepEqual(applying, ["trivial-upper"]);
});
