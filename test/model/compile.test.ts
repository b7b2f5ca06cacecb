/**
 * compile(): a network of dense and ReLU layers only is compiled by a short way (plainMlpSteps)
 * that must give exactly the steps of the general walk (compileLayers): the same kinds, labels,
 * sizes, weights, biases and breakpoints, in the same order. Networks it must leave to the
 * general walk (two dense layers in a row, which are composed; other activations; sizes that do
 * not chain) give the general walk's steps or its error.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { compile, compileLayers } from "../../src/model/compile.ts";
import type { Network } from "../../src/model/layers.ts";
import type { Step } from "../../src/model/steps.ts";

/** A step's data (its functions left out: they are closures over the same arrays). */
function data(steps: Step[]): unknown[] {
  return steps.map((step) => Object.fromEntries(Object.entries(step).filter(([, v]) => typeof v !== "function")));
}

const dense = (inSize: number, outSize: number, seed: number): Network["layers"][number] => ({
  type: "dense",
  inSize,
  outSize,
  weight: Float64Array.from({ length: inSize * outSize }, (_, i) => Math.sin(seed + i)),
  bias: Float64Array.from({ length: outSize }, (_, i) => Math.cos(seed + i)),
});

test("an MLP of dense and ReLU layers compiles to the general walk's steps", () => {
  const nets: Network[] = [
    mlp([2, 32, 32, 1], { init: "uniform", seed: 0 }),
    mlp([3, 5, 1], { init: "he", seed: 1 }),
    mlp([2, 7, 6, 5, 4], { init: "he", seed: 2 }),
    // ReLU first, at the end, twice in a row; an input shape instead of a size.
    { inputSize: 2, layers: [{ type: "relu" }, dense(2, 4, 1), { type: "relu" }, { type: "relu" }, dense(4, 3, 2), { type: "relu" }] },
    { inputSize: 6, inputShape: [1, 2, 3], layers: [dense(6, 4, 3), { type: "relu" }, dense(4, 1, 4)] },
    { inputSize: 2, layers: [] },
  ];
  for (const net of nets) {
    const steps = compile(net);
    const general = compileLayers(net);
    assert.deepEqual(data(steps), data(general));
    // The dense steps' products are the general walk's too.
    const x = Float64Array.from({ length: 64 }, (_, i) => i / 7 - 3);
    for (const [s, step] of steps.entries()) {
      const other = general[s];
      if (step.kind !== "affine" || other.kind !== "affine") continue;
      const y = new Float64Array(step.outSize);
      const z = new Float64Array(step.outSize);
      step.applyLinear(x, 0, y, 0);
      other.applyLinear(x, 0, z, 0);
      assert.deepEqual(y, z);
    }
  }
  // The short way's labels are the general walk's ("index:type"), not something of its own.
  assert.deepEqual(
    compile(mlp([2, 3, 1])).map((s) => ("label" in s ? s.label : s.kind)),
    ["0:dense", "1:relu", "2:dense"],
  );
});

test("networks the short way leaves to the general walk: composed dense layers, other activations, sizes that do not chain", () => {
  const twoDense: Network = { inputSize: 2, layers: [dense(2, 3, 1), dense(3, 2, 2), { type: "relu" }, dense(2, 1, 3)] };
  const steps = compile(twoDense);
  assert.equal(steps.length, 3);
  assert.equal("label" in steps[0] ? steps[0].label : null, "0:dense+1:dense");
  assert.deepEqual(data(steps), data(compileLayers(twoDense)));
  const leaky = mlp([2, 4, 1], { activation: { type: "leaky-relu", slope: 0.1 } });
  assert.deepEqual(data(compile(leaky)), data(compileLayers(leaky)));
  const broken: Network = { inputSize: 2, layers: [dense(3, 4, 1), { type: "relu" }] };
  assert.throws(() => compile(broken), /dense layer expects 3 inputs, gets 2/);
});
