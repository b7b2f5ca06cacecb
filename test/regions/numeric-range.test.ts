/**
 * Issue 12, item 3: values outside float64's normal range are refused by every engine, with one
 * clear message, instead of being counted. Weights near 1e300 overflowed in the maps and the count
 * was printed as usual; a weight of 1e-310 turned 2 linear pieces into 1; `--box -1e-320,1e-320`
 * stopped with "domain polygon must be counter-clockwise" (exit 70).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { forward, forwardBatch, prepare } from "../../src/model/forward.ts";
import { dense, type Network, relu } from "../../src/model/layers.ts";
import { linePartition } from "../../src/regions/line.ts";
import { boxSlice, planePartition } from "../../src/regions/plane.ts";
import { NumericalRefusal } from "../../src/regions/refusal.ts";
import { spacePartition } from "../../src/regions/space.ts";
import { scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

/** n0 inputs, 3 relu units with first-layer weights `w` on the diagonal-ish, and an output row `out`. */
function net(n0: number, w: number, bias: number, out: number): Network {
  const rows = [0, 1, 2].map((i) => Array.from({ length: n0 }, (_, j) => (j === i % n0 ? w : 0.5)));
  return { inputSize: n0, layers: [dense(rows, [bias, -0.25, 0.3]), relu(), dense([[out, -out, 0.5 * out]], [0])] };
}

/** The engine for an n0-input network on [lo, hi]^n0, as `count --box` picks it. */
function count(network: Network, lo: number, hi: number): number {
  const compiled = prepare(network);
  if (network.inputSize === 1) return linePartition(compiled, Float64Array.of(lo, hi)).linearPieces;
  if (network.inputSize === 2) {
    const { slice, domain } = boxSlice(lo, hi);
    return planePartition(compiled, slice, { domain }).linearPieces;
  }
  return spacePartition(compiled, { box: [lo, hi], complex: false }).linearPieces;
}

test("every engine refuses maps that overflow float64", () => {
  for (const n0 of [1, 2, 3]) {
    assert.throws(() => count(net(n0, 1e300, 1e300, 1e300), -1, 1), NumericalRefusal, `n0 = ${n0}`);
    assert.throws(() => count(net(n0, 1, 0.1, 1e308), -1e10, 1e10), NumericalRefusal, `n0 = ${n0}, output overflow`);
    // Large but representable: counted.
    assert.ok(count(net(n0, 1e150, 1e150, 1e-150), -1, 1) >= 1, `n0 = ${n0}`);
  }
});

test("every engine refuses subnormal parameters and domains, and serves tiny normal ones", () => {
  for (const n0 of [1, 2, 3]) {
    assert.throws(() => count(net(n0, 1e-310, 0, 1), -1, 1), NumericalRefusal, `n0 = ${n0}, weight`);
    assert.throws(() => count(net(n0, 1, 0, 1e-310), -1, 1), NumericalRefusal, `n0 = ${n0}, output weight`);
    assert.throws(() => count(net(n0, 1, 0, 1), -1e-320, 1e-320), NumericalRefusal, `n0 = ${n0}, box`);
    // The first layer's products underflow (weights 1e-200 on a box of 1e-200).
    assert.throws(() => count(net(n0, 1e-200, 0, 1), -1e-200, 1e-200), NumericalRefusal, `n0 = ${n0}, products`);
  }
  // A slope of 2^-1000 is normal: its pieces are told apart from a slope of 0 (no absolute floor).
  const tiny: Network = { inputSize: 1, layers: [dense([[1]], [0]), relu(), dense([[2 ** -1000]], [0])] };
  assert.equal(count(tiny, -1, 1), 2);
});

test("count --box -1e-320,1e-320: one line, exit 1, for every engine", async () => {
  for (const n0 of [1, 2, 3]) {
    const path = join(dir, `m${n0}.json`);
    writeFileSync(path, stringifyNetwork(net(n0, 1, 0, 1)));
    const r = await tesseraInProcess(["count", path, "--box", "-1e-320,1e-320"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    // The engine (or the domain layer in front of it) says why: float64 cannot resolve it.
    assert.match(r.stderr, /float64/);
  }
});

test("a forward pass refuses values that overflow, one point or a batch", () => {
  const compiled = prepare(net(2, 1e300, 1e300, 1e300));
  assert.throws(() => forward(compiled, [1, 1]), NumericalRefusal);
  assert.throws(() => forwardBatch(compiled, Float64Array.of(1, 1, 0.5, 0.5), 2), NumericalRefusal);
  const fine = prepare(net(2, 1, 0, 1));
  assert.equal(forward(fine, [1, 1]).output.length, 1);
});
