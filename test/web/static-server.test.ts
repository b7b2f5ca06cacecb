/**
 * The explorer's static server serves one folder and nothing else. Requests are sent raw over
 * a socket (not through fetch/URL, which would normalise "..") to 127.0.0.1 only.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { allowedHost, resolveInside, serveStatic } from "../../src/web/server/static-server.ts";

let dir = "";
let root = "";
let port = 0;
let close: () => Promise<void>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "tessera-static-"));
  root = join(dir, "app");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(root, "assets", "main.js"), "console.log(1)");
  writeFileSync(join(root, "assets", "engine-worker-Ab1_x.js"), "postMessage(1)");
  writeFileSync(join(dir, "secret.txt"), "do not serve");
  symlinkSync(join(dir, "secret.txt"), join(root, "link.txt"));
  const s = await serveStatic(root, { port: 0 });
  port = s.port;
  close = () => new Promise((done) => s.server.close(() => done()));
});

after(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

/** One raw HTTP/1.1 request; returns the status code, headers and body. */
function raw(request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((done, fail) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("error", fail);
    socket.on("close", () => {
      const [head, ...rest] = data.split("\r\n\r\n");
      done({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
        head,
        body: rest.join("\r\n\r\n"),
      });
    });
    socket.write(request);
  });
}

const get = (path: string, method = "GET") => raw(`${method} ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);

test("serves the app's files with their types and safety headers", async () => {
  const index = await get("/");
  assert.equal(index.status, 200);
  assert.match(index.head, /Content-Type: text\/html/i);
  assert.match(index.head, /X-Content-Type-Options: nosniff/i);
  assert.match(index.head, /Content-Security-Policy: default-src 'self'/i);
  assert.match(index.body, /<title>app<\/title>/);
  const js = await get("/assets/main.js?v=1");
  assert.equal(js.status, 200);
  assert.match(js.head, /Content-Type: text\/javascript/i);
  assert.match(js.head, /immutable/);
  assert.doesNotMatch(js.head, /'unsafe-eval'/);
  const head = await get("/index.html", "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
});

test("only the engine worker's script may use eval (protobufjs compiles its ONNX decoders)", async () => {
  const worker = await get("/assets/engine-worker-Ab1_x.js");
  assert.equal(worker.status, 200);
  assert.match(worker.head, /script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'/);
  const page = await get("/");
  assert.doesNotMatch(page.head, /'unsafe-eval'/);
});

test("no path traversal: dot segments, encoded dots, backslashes, NUL and symbolic links out", async () => {
  for (const path of [
    "/../secret.txt",
    "/assets/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%5csecret.txt",
    "/index.html%00",
    "/link.txt",
    "/%zz",
    "/nothing.js",
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /do not serve/, path);
  }
  const absolute = await get("http://localhost/../secret.txt");
  assert.notEqual(absolute.status, 200);
});

test("no uploads: bodies get 413 before they are read, other methods 405", async () => {
  const post = await raw(`POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
  assert.equal(post.status, 413);
  const chunked = await raw(`PUT /x HTTP/1.1\r\nHost: localhost:${port}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
  assert.equal(chunked.status, 413);
  const del = await raw(`DELETE /index.html HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
  assert.equal(del.status, 405);
  assert.match(del.head, /Allow: GET, HEAD/i);
  const long = await get(`/${"a".repeat(3000)}`);
  assert.equal(long.status, 414);
});

test("resolveInside maps directories to index.html and refuses anything outside", () => {
  const real = resolveInside(root, "/");
  assert.ok(real?.path.endsWith("index.html"));
  assert.equal(resolveInside(root, "/assets/../../secret.txt"), null);
  assert.equal(resolveInside(root, "/link.txt"), null);
  assert.ok(resolveInside(root, "/assets/main.js"));
});

test("only Host headers naming localhost, 127.0.0.1 or [::1] with the server's port are answered (no DNS rebinding)", async () => {
  const at = (host: string | null) => raw(`GET / HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
  for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) assert.equal((await at(host)).status, 200, host);
  for (const host of [
    "evil.example",
    `evil.example:${port}`,
    "localhost",
    `localhost:${port + 1}`,
    `127.0.0.2:${port}`,
    `localhost.evil.example:${port}`,
    `[::2]:${port}`,
    "",
    null,
  ]) {
    const r = await at(host);
    assert.ok(r.status === 421 || r.status === 400, `${host}: ${r.status}`);
    assert.doesNotMatch(r.body, /<title>app<\/title>/, String(host));
  }
  assert.ok(allowedHost("localhost", 80) && allowedHost("my-box:8080", 8080, ["my-box"]) && !allowedHost("my-box:8080", 8080));
});
