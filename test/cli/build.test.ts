/**
 * `tessera build` (one real process; the rest in-process, see cli-harness.ts; errors.test.ts runs
 * the error contract as real processes): the saved file is exactly the library's network (compared as the native format's
 * text, which is what the file can hold: JSON has no -0); bad options are one-line errors.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { montufarRegions } from "../../src/cli/commands/build.ts";
import { loadModel } from "../../src/io/files.ts";
import { parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { montufar } from "../../src/model/build/montufar.ts";
import { assertOk, assertUserError, scratch, tessera, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

test("build mlp --out writes the same network as mlp() in the library, bit for bit", async () => {
  mkdirSync(join(dir, "sub"));
  const r = await tessera(["build", "mlp", "--widths", "2,5,3,1", "--init", "he", "--seed", "7", "--out", "sub/m.json"], dir);
  assertOk(r, "build mlp");
  assert.match(r.stdout, /^wrote sub\/m\.json: mlp 2-5-3-1 \(relu, he init, seed 7\), 8 piecewise-linear units\n$/);
  const saved = loadModel(join(dir, "sub/m.json"));
  assert.deepEqual(stringifyNetwork(saved), stringifyNetwork(mlp([2, 5, 3, 1], { init: "he", seed: 7 })));
});

test("build mlp without --out prints the network; activations and seeds are honoured", async () => {
  const [plain, maxout, tanh, other] = [
    await tesseraInProcess(["build", "mlp", "--widths", "3,4,2"]),
    await tesseraInProcess(["build", "mlp", "--widths", "2,4,1", "--activation", "maxout:3", "--seed", "1"]),
    await tesseraInProcess(["build", "mlp", "--widths", "2,4,1", "--activation", "hard-tanh:-2:2", "--init", "glorot"]),
    await tesseraInProcess(["build", "mlp", "--widths", "3,4,2", "--seed", "1"]),
  ];
  for (const r of [plain, maxout, tanh, other]) assertOk(r, "build mlp to stdout");
  const net = parseNetwork(plain.stdout);
  assert.deepEqual(stringifyNetwork(net), stringifyNetwork(mlp([3, 4, 2], { init: "uniform", seed: 0 })));
  assert.notDeepEqual(stringifyNetwork(parseNetwork(other.stdout)), stringifyNetwork(net), "another seed, other weights");
  const m = parseNetwork(maxout.stdout);
  assert.deepEqual(
    m.layers.map((l) => l.type),
    ["dense", "maxout", "dense"],
  );
  assert.deepEqual(stringifyNetwork(m), stringifyNetwork(mlp([2, 4, 1], { seed: 1, activation: { type: "maxout", k: 3 } })));
  const t = parseNetwork(tanh.stdout);
  assert.deepEqual(t.layers[1], { type: "hard-tanh", lo: -2, hi: 2 });
});

test("build montufar saves the construction and states its exact count", async () => {
  const r = await tesseraInProcess(["build", "montufar", "--input", "2", "--widths", "4,4,3", "--out", join(dir, "f.json"), "--json"]);
  assertOk(r, "build montufar");
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.expectedRegions, 112);
  assert.equal(summary.inputSize, 2);
  assert.equal(summary.units, 11);
  assert.deepEqual(stringifyNetwork(loadModel(join(dir, "f.json"))), stringifyNetwork(montufar(2, [4, 4, 3])));
});

test("montufarRegions matches the worked examples of the issue and small hand counts", () => {
  assert.equal(montufarRegions(2, [4, 4, 3]), 112n); // 2^2 * 2^2 * (1 + 3 + 3)
  assert.equal(montufarRegions(1, [4, 4, 4, 4]), 320n); // 4 * 4 * 4 * (1 + 4)
  assert.equal(montufarRegions(2, [2]), 4n); // two lines in general position: 1 + 2 + 1
  assert.equal(montufarRegions(3, [3, 5]), 26n); // 1^3 * (1 + 5 + 10 + 10)
});

test("bad build options are one-line errors", async () => {
  const cases: [string[], RegExp][] = [
    [["build", "mlp", "--widths", "2,16,1", "--init", "kaiming"], /--init: unknown "kaiming"/],
    [["build", "mlp", "--widths", "2,x,1"], /--widths: expected comma-separated decimal numbers/],
    [["build", "mlp", "--widths", "2,1.5,1"], /--widths: expected integers of at least 1/],
    [["build", "mlp", "--widths", "2"], /at least an input and an output width/],
    [["build", "mlp"], /--widths N0,...,NL is required/],
    [["build", "mlp", "--widths", "2,3,1", "--activation", "maxout:1"], /maxout needs an integer number of pieces/],
    [["build", "mlp", "--widths", "2,3,1", "--activation", "swish"], /--activation: unknown "swish"/],
    [["build", "mlp", "--widths", "2,3,1", "--init", "looks-linear"], /hidden widths must be even, got 3/],
    [["build", "mlp", "--widths", "2,4,1", "--seed", "-1"], /--seed: expected an integer of at least 0/],
    [["build", "montufar", "--input", "2", "--widths", "1,4"], /at least the input dimension 2, got 1/],
    [["build", "montufar", "--widths", "4,4"], /--input N0 is required/],
  ];
  for (const [args, pattern] of cases) assertUserError(await tesseraInProcess(args), pattern, args.join(" "));
});
