/**
 * A queue address where no Redis answers (a typo, a server not started) is one line and a
 * non-zero exit, at once: BullMQ's connections alone would retry forever, printing an error
 * object every few seconds. No Redis is needed: the port is one just freed.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { assertUserError, scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

test("worker, sweep --queue and count --queue: no Redis at the address is one line, exit 1", async () => {
  const url = `redis://127.0.0.1:${await closedPort()}`;
  const spec = join(dir, "spec.json");
  writeFileSync(spec, JSON.stringify({ models: [{ build: { widths: [2, 4, 1] } }], measurements: [{ name: "box", count: { box: [-1, 1] } }] }));
  const model = join(dir, "m.json");
  writeFileSync(model, stringifyNetwork(mlp([2, 4, 1], { seed: 1 })));
  const calls = [
    ["worker", url, "--exit-when-idle"],
    ["sweep", spec, "--queue", url, "--out", join(dir, "out")],
    ["count", model, "--box", "-1,1", "--queue", url, "--split", "2"],
  ];
  for (const args of calls) {
    const r = await tesseraInProcess(args);
    assertUserError(r, new RegExp(`cannot reach Redis at ${url} \\(.*ECONNREFUSED.*\\)`), args.slice(0, 2).join(" "));
    assert.equal(r.code, 1);
  }
});
