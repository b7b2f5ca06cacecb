/**
 * The max-of-branches layer that holds a shallow representation: its compile rule (only save,
 * swap, concat-saved and one max step), its forward pass (elementwise max of the branches), its
 * JSON form (round trip, one-line errors naming the layer), and the plain twin of residual nets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FormatError, networkToJson, parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { dense, type Network } from "../../src/model/layers.ts";
import { createRandom } from "../../src/model/random.ts";
import { hasSkips, plainTwin } from "../../src/shallow/twin.ts";
import { residualMlp } from "../../src/train/residual.ts";

const branchA = [
  dense(
    [
      [1, 2],
      [0, -1],
    ],
    [0.5, 0],
  ),
  { type: "relu" as const },
  dense([[1, -1]]),
];
const branchB = [dense([[-1, 1]], [0.25])];
const branchC = [dense([[0.3, 0.3]], [-0.1])];
const maxNet: Network = { inputSize: 2, layers: [{ type: "max", branches: [branchA, branchB, branchC] }] };

describe("max-of-branches layer", () => {
  it("compiles to save/swap/concat-saved and one max step", () => {
    const steps = prepare(maxNet).steps;
    const kinds = steps.map((s) => s.kind);
    assert.deepEqual(
      kinds.filter((k) => k !== "affine" && k !== "elementwise"),
      ["save", "swap", "save", "swap", "concat-saved", "concat-saved", "max"],
    );
    const last = steps[steps.length - 1];
    assert.equal(last.kind, "max");
  });

  it("computes the elementwise maximum of its branches", () => {
    const branches = [branchA, branchB, branchC].map((layers) => prepare({ inputSize: 2, layers }));
    const whole = prepare(maxNet);
    const rng = createRandom(2);
    for (let i = 0; i < 100; i++) {
      const x = [rng.uniform(-3, 3), rng.uniform(-3, 3)];
      const expected = Math.max(...branches.map((b) => forward(b, x).output[0]));
      assert.equal(forward(whole, x).output[0], expected);
    }
  });

  it("round-trips through the JSON format", () => {
    const text = stringifyNetwork(maxNet);
    const doc = JSON.parse(text);
    assert.equal(doc.layers[0].type, "max");
    assert.equal(doc.layers[0].branches.length, 3);
    const back = parseNetwork(text);
    assert.deepEqual(networkToJson(back), networkToJson(maxNet));
  });

  it("rejects bad branches with one line naming the layer", () => {
    const doc = (layers: unknown): string => JSON.stringify({ format: "tessera.network", version: 1, inputShape: [2], layers });
    const bad: [unknown, RegExp][] = [
      [[{ type: "max", branches: [[{ type: "dense", weight: [[1, 1]] }]] }], /layers\[0\] \(max\)\.branches.*at least two/],
      [
        [
          {
            type: "max",
            branches: [
              [{ type: "dense", weight: [[1, 1]] }],
              [
                {
                  type: "dense",
                  weight: [
                    [1, 1],
                    [2, 2],
                  ],
                },
              ],
            ],
          },
        ],
        /layers\[0\] \(max\)\.branches\[1\]/,
      ],
      [[{ type: "max" }], /layers\[0\] \(max\)/],
    ];
    for (const [layers, pattern] of bad) {
      assert.throws(
        () => parseNetwork(doc(layers)),
        (e: Error) => e instanceof FormatError && pattern.test(e.message) && !e.message.includes("\n"),
      );
    }
  });
});

describe("plain twin", () => {
  it("is the same network without the skips: residualMlp's twin is mlp with the same seed", () => {
    const widths = [2, 4, 4, 4, 1];
    const residual = residualMlp(widths, { seed: 3, init: "he" });
    assert.ok(hasSkips(residual));
    const twin = plainTwin(residual);
    assert.ok(!hasSkips(twin));
    assert.deepEqual(networkToJson(twin), networkToJson(mlp(widths, { seed: 3, init: "he" })));
  });

  it("drops identity branches of an add and inlines a single remaining branch", () => {
    const inner = [
      dense(
        [
          [1, 0],
          [0, 1],
        ],
        [1, 1],
      ),
      { type: "relu" as const },
    ];
    const net: Network = { inputSize: 2, layers: [{ type: "add", branches: [[], inner] }] };
    assert.ok(hasSkips(net));
    assert.deepEqual(networkToJson(plainTwin(net)), networkToJson({ inputSize: 2, layers: inner }));
  });
});
