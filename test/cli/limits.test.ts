/**
 * Long work is bounded and honest:
 * - `count --box` on 64 inputs refuses at once (one line, exit 1) and names what works instead;
 * - `--max-cells` and `--timeout` stop cleanly: one line on stderr, exit code 3, and with --json
 *   the partial result marked "complete": false (count, map, report, stats, bounds --box, shallow);
 * - a whole result says "complete": true; bad limit values are one-line user errors.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { createRandom } from "../../src/model/random.ts";
import { assertUserError, scratch, tessera, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

const wide = join(dir, "wide.json");
writeFileSync(wide, stringifyNetwork(mlp([64, 8, 8, 1], { init: "he", seed: 0 })));
const flat = join(dir, "flat.json");
writeFileSync(flat, stringifyNetwork(mlp([2, 16, 16, 1], { init: "he", seed: 1 })));
const data = join(dir, "data.csv");
const rng = createRandom(2);
writeFileSync(data, Array.from({ length: 30 }, () => `${rng.normal()},${rng.normal()}`).join("\n"));

/** One line "tessera: ..." on stderr, exit 3. */
function assertStopped(r: { code: number | null; stderr: string }, what: string): void {
  assert.equal(r.code, 3, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
  assert.match(lines[0], /^tessera: stopped by the (cell|time) limit .*partial/, what);
}

test("count --box on a 64-input network: the space engine refuses at once and names --line, --plane and stats", async () => {
  const r = await tesseraInProcess(["count", wide, "--box", "0,1", "--engine", "space"]);
  assertUserError(r, /at most 8 dimensions.*--line.*--plane.*tessera stats/, "count --box 64 inputs");
  // A segment of the same network is counted.
  const seg = await tesseraInProcess(["count", wide, "--line", `${Array(64).fill(0).join(",")};${Array(64).fill(1).join(",")}`, "--json"]);
  assert.equal(seg.code, 0, seg.stderr);
  assert.equal(JSON.parse(seg.stdout).complete, true);
});

test("--max-cells and --timeout: exit 3, one line, the partial JSON marked complete: false", async () => {
  const whole = JSON.parse((await tesseraInProcess(["count", flat, "--box", "-2,2", "--json"])).stdout);
  assert.equal(whole.complete, true);
  assert.ok(whole.cells > 20);

  const cut = await tesseraInProcess(["count", flat, "--box", "-2,2", "--json", "--max-cells", "20"]);
  assertStopped(cut, "count --max-cells");
  const partial = JSON.parse(cut.stdout);
  assert.deepEqual([partial.complete, partial.stopped, partial.cells, partial.engine], [false, "max-cells", 20, "plane"]);
  assert.ok(partial.activationRegions <= whole.activationRegions);
  // On threads the limit is the whole count's, as on one thread (not each thread's).
  const threads = await tesseraInProcess(["count", flat, "--box", "-2,2", "--json", "--max-cells", "20", "--workers", "2"]);
  assertStopped(threads, "count --max-cells --workers 2");
  assert.deepEqual(JSON.parse(threads.stdout).cells, 20);
  // Without --json: the one line only.
  const human = await tesseraInProcess(["count", flat, "--box", "-2,2", "--max-cells", "20"]);
  assertStopped(human, "count --max-cells (human)");
  assert.equal(human.stdout, "");
  // A limit the work stays within changes nothing.
  const roomy = await tesseraInProcess(["count", flat, "--box", "-2,2", "--json", "--max-cells", String(whole.cells)]);
  assert.equal(roomy.code, 0, roomy.stderr);

  const late = await tesseraInProcess(["count", flat, "--line", "-2,-2;2,2", "--json", "--timeout", "1e-9"]);
  assertStopped(late, "count --timeout");
  assert.equal(JSON.parse(late.stdout).stopped, "timeout");

  const out = join(dir, "cut.svg");
  const map = await tesseraInProcess(["map", flat, "--box", "-2,2", "--out", out, "--json", "--max-cells", "5"]);
  assertStopped(map, "map --max-cells");
  assert.equal(JSON.parse(map.stdout).complete, false);
  assert.equal(existsSync(out), false, "no picture of part of the plane");

  const stats = await tesseraInProcess(["stats", flat, "--data", data, "--json", "--max-cells", "3"]);
  assertStopped(stats, "stats --max-cells");
  const s = JSON.parse(stats.stdout);
  assert.deepEqual([s.complete, s.stopped, s.segments], [false, "max-cells", undefined]);
  assert.ok(s.patterns.distinct >= 1, "what finished before the limit is there");

  const bounds = await tesseraInProcess(["bounds", flat, "--box", "-2,2", "--json", "--max-cells", "4"]);
  assertStopped(bounds, "bounds --box --max-cells");
  const row = (JSON.parse(bounds.stdout) as { id: string; applies: boolean; details?: { stopped?: string } }[]).find((b) => b.id === "model-count");
  assert.deepEqual([row?.applies, row?.details?.stopped], [false, "max-cells"]);

  const html = join(dir, "cut.html");
  const report = await tesseraInProcess(["report", flat, "--box", "-2,2", "-o", html, "--json", "--max-cells", "6"]);
  assertStopped(report, "report --max-cells");
  assert.deepEqual(JSON.parse(report.stdout).complete, false);
  assert.equal(existsSync(html), false, "no report with part of a region map");
  const full = await tesseraInProcess(["report", flat, "--box", "-2,2", "-o", html, "--json", "--max-cells", String(whole.cells)]);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(JSON.parse(full.stdout).complete, true);

  const shallow = await tesseraInProcess(["shallow", flat, "--box", "-2,2", "--json", "--max-cells", "4"]);
  assertStopped(shallow, "shallow --max-cells");
  assert.equal(JSON.parse(shallow.stdout).complete, false);
});

test("bad limits are one-line user errors; a real process exits with code 3", async () => {
  for (const [flag, value] of [
    ["--max-cells", "0"],
    ["--max-cells", "2.5"],
    ["--timeout", "-1"],
    ["--timeout", "soon"],
    ["--max-cells", "0x10"],
  ]) {
    assertUserError(await tesseraInProcess(["count", flat, "--box", "-1,1", flag, value]), new RegExp(`${flag}: expected a positive`), `${flag} ${value}`);
  }
  const real = await tessera(["count", flat, "--box", "-2,2", "--max-cells", "3", "--json"], dir);
  assertStopped(real, "real process");
  assert.equal(JSON.parse(real.stdout).cells, 3);
});
