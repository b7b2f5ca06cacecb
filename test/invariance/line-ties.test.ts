/**
 * The line engine's deep-layer ties at extreme scales, against exact rational arithmetic.
 *
 * Integer networks whose features sit at 2^k (k from 40 to 100): a deeper layer's breakpoint
 * passes exactly through a first-layer breakpoint (a real tie), or 2^(k-50) or 2^(k-52) away
 * from it: within the float64 rounding bound of the deep map, so only an exact decision can tell.
 * Such ties were once taken as incidences without a word (4 regions where there are 5); now they
 * are decided from the network's exact maps (regions/exact-maps.ts) or reported as uncertain.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { prepare } from "../../src/model/forward.ts";
import type { Layer, Network } from "../../src/model/layers.ts";
import { linePartition } from "../../src/regions/line.ts";
import { exactSegmentRegions } from "../oracles/exact-partition.ts";
import { denseLayer } from "./networks.ts";

const dense = denseLayer;
const relu: Layer = { type: "relu" };

/**
 * First layer: relu(w.x - B), relu(w.x), relu(C - w.x) with B = 3 2^k, C = 5 2^k (w = 1 for one
 * input, (1, 1) for two). Second layer: relu(u2 - D) crosses at w.x = D, relu(2 u1 + u2 + u3 - D)
 * too; third (when `deep`): relu(v1 - d) at w.x = D + d. D = B + near.
 */
function tiedNet(inputs: number, k: number, near: number, deep: number | null): Network {
  const B = 3 * 2 ** k;
  const C = 5 * 2 ** k;
  const D = B + near;
  const w = inputs === 1 ? [1] : [1, 1];
  const layers: Layer[] = [
    dense([w, w, w.map((x) => -x)], [-B, 0, C]),
    relu,
    dense(
      [
        [0, 1, 0],
        [2, 1, 1],
      ],
      [-D, -D],
    ),
    relu,
  ];
  if (deep !== null)
    layers.push(
      dense(
        [
          [1, 0],
          [1, 1],
        ],
        [-deep, -deep],
      ),
      relu,
    );
  layers.push(dense([[1, 1]], [0]));
  return { inputSize: inputs, layers };
}

const scales = [40, 52, 64, 100];

/** The engine's count is the exact one, and nothing was left uncertain. */
function check(net: Network, a: number[], b: number[], what: string): void {
  const partition = linePartition(prepare(net), Float64Array.from([...a, ...b]));
  assert.equal(partition.activationRegions, exactSegmentRegions(net, a, b).regions, what);
  assert.equal(partition.uncertain, undefined, what);
}

describe("line engine: deep-layer breakpoints through or beside first-layer ones, at 2^40 to 2^100", () => {
  test("one input (the axis: every map exact): the exact count, nothing uncertain", () => {
    for (const k of scales) {
      for (const near of [0, 2 ** (k - 50), -(2 ** (k - 52)), 3 * 2 ** (k - 51)]) {
        for (const deep of [null, 0, 2 ** (k - 51)]) {
          check(tiedNet(1, k, near, deep), [-(2 ** (k + 3))], [2 ** (k + 3)], `k = ${k}, D - B = ${near}, third layer ${deep}`);
        }
      }
    }
  });

  test("two inputs, a segment off the axes (the first layer's maps rounded): the exact count, nothing uncertain", () => {
    for (const k of scales) {
      for (const near of [0, 2 ** (k - 50), -(2 ** (k - 52))]) {
        for (const deep of [null, 2 ** (k - 51)]) {
          const s = 2 ** (k + 2);
          check(tiedNet(2, k, near, deep), [-s, -0.75 * s + 3], [s, 0.75 * s + 3], `k = ${k}, D - B = ${near}, third layer ${deep}`);
        }
      }
    }
  });
});
