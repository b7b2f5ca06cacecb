/**
 * Where the explorer's files come from: the prebuilt app (dist/explorer), current in an installed
 * package (no sources to be newer), and the MNIST digits mounted from the optional `mnist`
 * package at /mnist/, by the static server's rules.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { explorerMounts, staleReason } from "../../src/web/server/build-app.ts";
import { serveStatic } from "../../src/web/server/static-server.ts";

test("an installed package's prebuilt explorer is current; a clone's is stale once a web source is newer", () => {
  const root = mkdtempSync(join(tmpdir(), "tessera-app-"));
  try {
    assert.match(staleReason(root) ?? "", /no built explorer/);
    mkdirSync(join(root, "dist", "explorer"), { recursive: true });
    writeFileSync(join(root, "dist", "explorer", "index.html"), "<!doctype html>");
    assert.equal(staleReason(root), null, "no sources: the shipped build is the explorer");
    mkdirSync(join(root, "src", "web"), { recursive: true });
    writeFileSync(join(root, "src", "web", "main.ts"), "");
    writeFileSync(join(root, "vite.config.ts"), "");
    writeFileSync(join(root, "package.json"), "{}");
    const old = new Date(Date.now() - 60_000);
    for (const f of ["src/web/main.ts", "vite.config.ts", "package.json"]) utimesSync(join(root, f), old, old);
    assert.equal(staleReason(root), null);
    writeFileSync(join(root, "src", "web", "main.ts"), "// edited");
    assert.match(staleReason(root) ?? "", /sources changed/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the MNIST digits are served at /mnist/ from the installed package, and nothing around them", async () => {
  const mounts = explorerMounts();
  assert.ok(mounts["/mnist/"], "mnist is a dev dependency, so the clone has it");
  const app = mkdtempSync(join(tmpdir(), "tessera-app-"));
  writeFileSync(join(app, "index.html"), "<!doctype html>");
  const s = await serveStatic(app, { port: 0, mounts });
  try {
    const digit = await fetch(`${s.url}mnist/7.json`);
    assert.equal(digit.status, 200);
    assert.match(digit.headers.get("content-type") ?? "", /^application\/json/);
    const { data } = (await digit.json()) as { data: number[] };
    assert.equal(data.length % 784, 0);
    assert.ok(data.length >= 784 * 500, "about a thousand sevens");
    for (const path of ["mnist/../package.json", "mnist/%2e%2e/%2e%2e/package.json", "mnist/../../mnist.js", "mnist/"]) {
      assert.equal((await fetch(`${s.url}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(s.url)).status, 200, "the app itself");
  } finally {
    await new Promise((done) => s.server.close(done));
    rmSync(app, { recursive: true, force: true });
  }
});
