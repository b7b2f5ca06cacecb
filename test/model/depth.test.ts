/**
 * No recursion limit on depth (issue 12, item 4): networks of 10,000 layers, a flat list of
 * 100,000 relu layers and 3,000 nested residual blocks are parsed, summarised, compiled, written
 * and read back; ONNX graphs with 3,000 nested joins nest into blocks; `inspect` and `convert`
 * run on them. Each walk over layers goes through model/walk.ts (an explicit stack).
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseNetwork, stringifyNetwork } from "../../src/io/network-json.ts";
import { importOnnx } from "../../src/io/onnx/import.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { compile } from "../../src/model/compile.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { layersOutputShape, type Network } from "../../src/model/layers.ts";
import { summarize } from "../../src/model/summary.ts";
import { forEachLayer } from "../../src/model/walk.ts";
import { checkPartition } from "../../src/regions/check.ts";
import { linePartition } from "../../src/regions/line.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { hasSkips } from "../../src/shallow/twin.ts";
import { scratch, tesseraInProcess } from "../cli/cli-harness.ts";
import { onnxModel } from "../io/onnx-builder.ts";

const DEPTH = 3000;

/** `depth` residual blocks, each inside the previous: x + relu(W x + (x' + relu(...))). */
function nestedText(depth: number): string {
  let inner = '{"type":"dense","weight":[[0.5,0.1],[-0.2,0.4]],"bias":[0.1,-0.05]},{"type":"relu"}';
  for (let i = 0; i < depth; i++) inner = `{"type":"residual","layers":[{"type":"dense","weight":[[0.9,0.1],[-0.1,0.9]],"bias":[0.01,0.02]},{"type":"relu"},${inner}]}`;
  return `{"format":"tessera.network","version":1,"inputShape":[2],"layers":[${inner},{"type":"dense","weight":[[1,1]],"bias":[0]}]}\n`;
}

function maxDepth(net: Network): number {
  let deepest = 0;
  forEachLayer(net.layers, (_l, _p, depth) => {
    deepest = Math.max(deepest, depth);
  });
  return deepest;
}

test("3,000 nested residual blocks: parse, write back identically, summarise, compile, run", () => {
  const text = nestedText(DEPTH);
  const net = parseNetwork(text);
  assert.equal(maxDepth(net), DEPTH);
  assert.ok(stringifyNetwork(net) === text, "written back as read");
  const s = summarize(net);
  assert.equal(s.units, 2 * (DEPTH + 1));
  assert.equal(s.parameters, 6 * (DEPTH + 1) + 3);
  assert.equal(s.rows.length, 3 * DEPTH + 3);
  const steps = compile(net);
  assert.equal(steps.filter((st) => st.kind === "save").length, DEPTH);
  assert.equal(steps.filter((st) => st.kind === "add-saved").length, DEPTH);
  assert.ok(Number.isFinite(forward(prepare(net), [0.3, -0.2]).output[0]));
  assert.ok(hasSkips(net));
});

test("10,000 dense + relu layers and a flat list of 100,000 relu layers", () => {
  const deep = mlp([2, ...new Array(10000).fill(2), 1], { init: "he", seed: 1 });
  const back = parseNetwork(stringifyNetwork(deep));
  assert.equal(back.layers.length, deep.layers.length);
  assert.equal(summarize(back).units, 20000);
  assert.equal(compile(back).length, 20001);
  // Counted along a segment too: the line engine walks 10,000 piecewise steps without recursion,
  // and its pieces pass the self-checks (lengths sum up, midpoints reproduce their patterns).
  const compiled = prepare(back);
  const pieces = linePartition(compiled, Float64Array.of(-1, -1, 1, 1));
  assert.ok(pieces.activationRegions >= 1);
  const report = checkPartition(compiled, pieces);
  assert.deepEqual(report.problems, []);
  const flat: Network = {
    inputSize: 2,
    layers: [{ type: "dense", inSize: 2, outSize: 2, weight: Float64Array.of(1, 0.5, -0.5, 1), bias: Float64Array.of(0.1, -0.1) }],
  };
  for (let i = 0; i < 100000; i++) flat.layers.push({ type: "relu" });
  const parsed = parseNetwork(stringifyNetwork(flat));
  assert.equal(parsed.layers.length, 100001);
  assert.deepEqual(layersOutputShape(parsed.layers, [2]), [2]);
});

test("3,000 dense + relu layers of width 2 counted in a plane (the plane engine walks its steps without recursion)", () => {
  const compiled = prepare(mlp([2, ...new Array(3000).fill(2), 1], { init: "he", seed: 2 }));
  const { slice, domain } = boxSlice(-1, 1);
  const cells = planePartition(compiled, slice, { domain });
  assert.ok(cells.activationRegions >= 1);
  assert.deepEqual(checkPartition(compiled, cells).problems, []);
});

test("ONNX: 3,000 nested Add joins nest as 3,000 residual blocks", () => {
  // in_{k-1} = Relu(in_k) from in_D = x; out_0 = in_0; out_k = Add(in_k, out_{k-1}): the branch
  // of each join passes through the next join, so the blocks nest.
  const nodes: { op: string; inputs: string[]; outputs: string[] }[] = [];
  const input = (k: number): string => (k === DEPTH ? "x" : `in${k}`);
  for (let k = DEPTH; k >= 1; k--) nodes.push({ op: "Relu", inputs: [input(k)], outputs: [input(k - 1)] });
  for (let k = 1; k <= DEPTH; k++) nodes.push({ op: "Add", inputs: [input(k), k === 1 ? input(0) : `out${k - 1}`], outputs: [`out${k}`] });
  const net = importOnnx(onnxModel({ inputShape: ["N", 2], nodes })).network;
  assert.equal(maxDepth(net), DEPTH);
  // On a positive input every relu is the identity and each block adds x once more.
  assert.deepEqual(Array.from(forward(prepare(net), [1, 2]).output), [DEPTH + 1, 2 * (DEPTH + 1)]);
});

test("inspect and convert a 3,000-deep network (CLI, in process)", async () => {
  const { dir, cleanup } = scratch();
  try {
    const path = join(dir, "nested.json");
    writeFileSync(path, nestedText(DEPTH));
    const inspect = await tesseraInProcess(["inspect", path, "--json"]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).units, 2 * (DEPTH + 1));
    const converted = await tesseraInProcess(["convert", path, "-o", join(dir, "copy.json")]);
    assert.equal(converted.code, 0, converted.stderr);
    assert.ok(readFileSync(join(dir, "copy.json"), "utf8") === nestedText(DEPTH), "converted as read");
  } finally {
    cleanup();
  }
});
