/**
 * The deep-to-shallow construction on small plain, residual and degenerate networks, over all
 * three exact engines: max_S g_S = f (forward pass of the saved network), g_S <= f, the own piece
 * attains the max on every cell, K = the exact region count, and the special cases with known
 * answers (one hidden layer; non-negative weights after the first layer).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { dense, type Layer, type Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { linePartition } from "../../src/regions/line.ts";
import type { Partition } from "../../src/regions/partition.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { checkShallow, deepToShallow, freezeRegion, hingesOf, shallowRepresentation, UnsupportedNetworkError } from "../../src/shallow/index.ts";
import { residualMlp } from "../../src/train/residual.ts";
import { exactBoxRegions } from "../oracles/exact-partition.ts";

function plane(network: Network, lo = -2, hi = 2): Partition {
  const { slice, domain } = boxSlice(lo, hi);
  return planePartition(prepare(network), slice, { domain });
}

/** Every check of checkShallow, plus K against the partition's exact activation regions. */
function assertRepresents(network: Network, partition: Partition, what: string): ReturnType<typeof deepToShallow> {
  const compiled = prepare(network);
  const result = deepToShallow(compiled, partition);
  const check = checkShallow(compiled, result.representation, partition, { points: 400 });
  assert.equal(result.summary.pieces, partition.activationRegions, `${what}: K = activation regions`);
  assert.ok(check.maxRelativeError <= 1e-12, `${what}: max g = f, error ${check.maxRelativeError}`);
  assert.ok(check.maxExcess <= 1e-12, `${what}: g <= f, excess ${check.maxExcess}`);
  assert.equal(check.ownPieceFailures, 0, `${what}: own piece attains the max`);
  assert.ok(check.boundaryPoints > 0 && check.randomPoints === 400, what);
  return result;
}

describe("deep to shallow: plain and residual networks", () => {
  it("represents random 2-input MLPs of depth 1 to 4 exactly on a box (plane engine)", () => {
    for (const [seed, widths] of [
      [1, [2, 8, 1]],
      [2, [2, 4, 4, 1]],
      [3, [2, 3, 3, 3, 1]],
      [4, [2, 3, 3, 3, 3, 2]],
      [5, [2, 5, 4, 3]],
    ] as const) {
      const net = mlp(widths, { seed, init: "he" });
      assertRepresents(net, plane(net), `mlp ${widths.join("-")} seed ${seed}`);
    }
  });

  it("represents residual MLPs exactly (stack steps need no special case)", () => {
    for (const [seed, widths] of [
      [1, [2, 4, 4, 4, 1]],
      [7, [2, 3, 3, 3, 3, 1]],
    ] as const) {
      const net = residualMlp(widths, { seed, init: "he" });
      assert.ok(
        net.layers.some((l) => l.type === "residual"),
        "has residual blocks",
      );
      assertRepresents(net, plane(net), `residual ${widths.join("-")}`);
    }
  });

  it("works with the line engine (1 input) and the space engine (3 inputs)", () => {
    const one = mlp([1, 5, 5, 1], { seed: 3, init: "he" });
    assertRepresents(one, linePartition(prepare(one), Float64Array.of(-3, 3)), "1 input");
    const three = residualMlp([3, 4, 4, 1], { seed: 4, init: "he" });
    assertRepresents(three, spacePartition(prepare(three), { box: [-1, 1], complex: false }), "3 inputs");
  });

  it("K equals the exact rational region count", () => {
    for (const seed of [11, 12, 13]) {
      const net = mlp([2, 3, 3, 1], { seed, init: "he" });
      const rep = shallowRepresentation(prepare(net), plane(net, -1, 1));
      assert.equal(rep.pieces.length, exactBoxRegions(net, -1, 1).regions, `seed ${seed}`);
    }
  });

  it("the saved network computes f on the domain through forward()", () => {
    const net = residualMlp([2, 4, 4, 2], { seed: 9, init: "he" });
    const compiled = prepare(net);
    const { network } = deepToShallow(compiled, plane(net));
    assert.equal(network.layers[0].type, "max");
    const shallow = prepare(network);
    const rng = createRandom(5);
    for (let i = 0; i < 200; i++) {
      const x = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
      const f = forward(compiled, x).output;
      const g = forward(shallow, x).output;
      for (let o = 0; o < 2; o++) assert.ok(Math.abs(f[o] - g[o]) <= 1e-12 * Math.max(1, Math.abs(f[o])), `output ${o} at ${x}`);
    }
  });
});

describe("deep to shallow: frozen quantities", () => {
  it("f = f_S + sum_u m_u delta_u and z_v = z_v^S + sum_u J[v][u] delta_u hold exactly off the region", () => {
    const net = residualMlp([2, 3, 3, 3, 1], { seed: 21, init: "he" });
    const compiled = prepare(net);
    const hinges = hingesOf(compiled);
    const partition = plane(net);
    const words = compiled.layout.words;
    const frozen = freezeRegion(compiled, hinges, partition.patterns, 3 * words);
    const rng = createRandom(8);
    for (let i = 0; i < 50; i++) {
      const x = [rng.uniform(-2, 2), rng.uniform(-2, 2)];
      const f = forward(compiled, x).output[0];
      // delta_u = relu(z_u) - s_u z_u = relu(a_h) with a_h evaluated on the *true* z (relu: kink 1, t 0).
      const pre = unitPreActivations(net, x);
      let rebuilt = frozen.affine[0] + frozen.affine[1] * x[0] + frozen.affine[2] * x[1];
      for (let h = 0; h < hinges.count; h++) rebuilt += frozen.sensitivity[h] * Math.max(0, -frozen.sigma[h] * pre[hinges.unit[h]]);
      assert.ok(Math.abs(rebuilt - f) <= 1e-12 * Math.max(1, Math.abs(f)), `f at ${x}: ${rebuilt} vs ${f}`);
      // Jhat is strictly lower triangular in hinge (unit) order.
      for (let r = 0; r < hinges.count; r++) for (let c = r; c < hinges.count; c++) assert.equal(frozen.coupling[r * hinges.count + c], 0);
    }
  });

  it("one hidden layer: lambda_u = |min(w2_u, 0)|, no coupling, the same units in every piece", () => {
    const net: Network = {
      inputSize: 2,
      layers: [
        dense(
          [
            [1, 0.5],
            [-0.7, 1],
            [0.3, -1.2],
            [1, 1],
          ],
          [0.1, -0.2, 0.3, 0],
        ),
        { type: "relu" },
        dense([[2, -1.5, 0.5, -0.25]], [0.4]),
      ],
    };
    const { representation, summary } = deepToShallow(prepare(net), plane(net));
    assert.ok(summary.pieces > 4);
    for (const piece of representation.pieces) {
      assert.deepEqual(Array.from(piece.hinge), [1, 3], "units with negative output weights");
      assert.deepEqual(Array.from(piece.lambda), [1.5, 0.25]);
    }
    assert.equal(summary.hiddenPerPiece.max, 2);
  });

  it("non-negative weights after the first layer: every piece is affine (f is a max of affine maps)", () => {
    const rng = createRandom(31);
    const positive = (rows: number, cols: number): number[][] => Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(0, 1)));
    const signed = (rows: number, cols: number): number[][] => Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(-1, 1)));
    const net: Network = {
      inputSize: 2,
      layers: [dense(signed(5, 2), [0.2, -0.1, 0.3, 0, -0.4]), { type: "relu" }, dense(positive(4, 5), [-0.5, 0.1, -0.2, 0.3]), { type: "relu" }, dense(positive(1, 4), [0])],
    };
    const { summary } = assertRepresents(net, plane(net), "non-negative");
    assert.equal(summary.hiddenPerPiece.max, 0);
    assert.equal(summary.hiddenTotal, 0);
  });
});

describe("deep to shallow: other units and degenerate networks", () => {
  it("covers leaky relu, abs and hard-tanh through their breakpoints", () => {
    const activations: Layer[] = [{ type: "leaky-relu", slope: 0.1 }, { type: "abs" }, { type: "hard-tanh", lo: -0.5, hi: 0.5 }, { type: "leaky-relu", slope: 1.5 }];
    for (const activation of activations) {
      const net = mlp([2, 3, 3, 1], { seed: 41, init: "he" });
      const layers = net.layers.map((l) => (l.type === "relu" ? activation : l));
      const withAct: Network = { inputSize: 2, layers };
      assertRepresents(withAct, plane(withAct), activation.type);
    }
  });

  it("handles zero biases, duplicated and dead units, coincident hyperplanes", () => {
    const net: Network = {
      inputSize: 2,
      layers: [
        dense(
          [
            [1, -1],
            [1, -1],
            [0, 0],
            [2, -2],
            [0.5, 1],
          ],
          [0, 0, 0, 0, 0],
        ),
        { type: "relu" },
        dense(
          [
            [1, -1, 3, 0.5, -1],
            [1, -1, 3, 0.5, -1],
            [0, 0, 0, 0, 0],
          ],
          [0, 0, -0.1],
        ),
        { type: "relu" },
        dense([[-1, 0.5, 2]], [0]),
      ],
    };
    assertRepresents(net, plane(net), "degenerate");
  });

  it("rejects max steps with a clear error", () => {
    const net = mlp([2, 3, 1], { seed: 1, activation: { type: "maxout", k: 2 } });
    assert.throws(
      () => hingesOf(prepare(net)),
      (e: Error) => e instanceof UnsupportedNetworkError && /maximum/.test(e.message),
    );
  });
});

/** Pre-activations of every relu unit at x, in order, by a plain evaluation of the layers. */
function unitPreActivations(net: Network, x: number[]): number[] {
  const pre: number[] = [];
  const run = (layers: Layer[], v: number[]): number[] => {
    for (const l of layers) {
      if (l.type === "dense") v = Array.from({ length: l.outSize }, (_, i) => l.bias[i] + v.reduce((a, xj, j) => a + l.weight[i * l.inSize + j] * xj, 0));
      else if (l.type === "relu") {
        pre.push(...v);
        v = v.map((z) => Math.max(0, z));
      } else if (l.type === "residual") {
        const inner = run(l.layers, v);
        v = v.map((z, i) => z + inner[i]);
      } else throw new Error(`unexpected ${l.type}`);
    }
    return v;
  };
  run(net.layers, x);
  return pre;
}
