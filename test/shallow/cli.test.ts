/**
 * `tessera shallow` as a user runs it: the report, -o (a network every command reads), --check,
 * the comparison modes (--compare, --twin) and the one-line errors.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadModel } from "../../src/io/files.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { forward, prepare } from "../../src/model/forward.ts";
import { createRandom } from "../../src/model/random.ts";
import { residualMlp } from "../../src/train/residual.ts";
import { assertOk, assertUserError, scratch, tessera, tesseraInProcess } from "../cli/cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);
const file = (name: string, net: Parameters<typeof stringifyNetwork>[0]): string => {
  const path = join(dir, name);
  writeFileSync(path, stringifyNetwork(net));
  return path;
};
const deep = file("deep.json", mlp([2, 4, 4, 1], { seed: 1, init: "he" }));
const wide = file("wide.json", mlp([2, 8, 1], { seed: 1, init: "he" }));
const res = file("res.json", residualMlp([2, 3, 3, 3, 1], { seed: 2, init: "he" }));
const maxout = file("maxout.json", mlp([2, 3, 1], { seed: 1, activation: { type: "maxout", k: 2 } }));
const three = file("three.json", mlp([3, 3, 1], { seed: 1 }));

describe("tessera shallow", () => {
  it("--json reports K = the exact region count, units per piece, and -o saves a network that computes f", async () => {
    const out = join(dir, "shallow.json");
    const r = await tesseraInProcess(["shallow", deep, "--box", "-1,1", "--json", "-o", out, "--check"]);
    assertOk(r, "shallow --json");
    const report = JSON.parse(r.stdout);
    const count = JSON.parse((await tesseraInProcess(["count", deep, "--box", "-1,1", "--json"])).stdout);
    assert.equal(report.pieces, count.activationRegions);
    assert.equal(report.activationRegions, count.activationRegions);
    assert.equal(report.units, 8);
    assert.equal(report.depth, 2);
    assert.ok(report.hiddenPerPiece.max <= 8 && report.hiddenTotal >= report.hiddenPerPiece.max);
    assert.deepEqual(report.domain, { kind: "box", lo: -1, hi: 1 });
    assert.equal(report.output, out);
    assert.equal(report.check.passed, true);
    assert.ok(report.check.maxRelativeError <= 1e-12);
    const saved = prepare(loadModel(out));
    const original = prepare(loadModel(deep));
    assert.equal(saved.layout.units, report.shallowUnits);
    const rng = createRandom(4);
    for (let i = 0; i < 50; i++) {
      const x = [rng.uniform(-1, 1), rng.uniform(-1, 1)];
      const f = forward(original, x).output[0];
      assert.ok(Math.abs(forward(saved, x).output[0] - f) <= 1e-12 * Math.max(1, Math.abs(f)));
    }
  });

  it("--compare puts two networks side by side; --twin compares a residual net with its plain twin", async () => {
    const c = await tesseraInProcess(["shallow", deep, "--box", "-1,1", "--compare", wide, "--json"]);
    assertOk(c, "--compare");
    const both = JSON.parse(c.stdout);
    assert.deepEqual(
      both.networks.map((n: { model: string; depth: number }) => [n.model, n.depth]),
      [
        [deep, 2],
        [wide, 1],
      ],
    );
    const t = await tesseraInProcess(["shallow", res, "--box", "-1,1", "--twin"]);
    assertOk(t, "--twin");
    assert.match(t.stdout, /plain twin/);
    assert.match(t.stdout, /pieces K/);
  });

  it("works on a 3-input network (space engine)", async () => {
    const r = await tesseraInProcess(["shallow", three, "--box", "-1,1", "--json", "--check"]);
    assertOk(r, "3 inputs");
    const report = JSON.parse(r.stdout);
    assert.equal(report.engine, "space");
    assert.equal(report.check.passed, true);
  });

  it("fails with one line on unsupported networks and bad options", async () => {
    const cases: [string[], RegExp][] = [
      [["shallow", maxout, "--box", "-1,1"], /maxout\.json: .*maximum/],
      [["shallow", deep, "--box", "-1,1", "--twin"], /--twin: .*no skip connection/],
      [["shallow", deep, "--box", "-1,1", "--compare", three], /--compare: .*3 inputs/],
      [["shallow", deep, "--box", "-1,1", "--compare", wide, "-o", join(dir, "x.json")], /-o saves one representation/],
      [["shallow", deep], /say where to look/],
    ];
    for (const [args, pattern] of cases) assertUserError(await tesseraInProcess(args), pattern, args.join(" "));
  });

  it("keeps the error contract in a real process", async () => {
    assertUserError(await tessera(["shallow", maxout, "--box", "-1,1"], dir), /maximum/, "spawned");
  });
});
