/**
 * A small static file server for the built explorer (Node only, node:http). It serves the files
 * of one folder and nothing else:
 * - GET and HEAD only; any request body is refused (413) before it is read, so nothing can be
 *   uploaded (model files are read by the browser itself and never leave it);
 * - the path is decoded once, must not contain NUL or backslashes, and must resolve (after
 *   following symbolic links) inside the folder: "..", encoded "%2e%2e" and links out give 404;
 * - only regular files, with a fixed set of content types, `nosniff`, and a content security
 *   policy that allows the app's own scripts, its worker and WebAssembly, and nothing remote.
 */
import { createReadStream, realpathSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";

/** Longest request target we look at (longer ones get 414). */
export const MAX_URL_LENGTH = 2048;
/** Largest file served (the app's largest chunk is a few MB of MNIST digits). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
  ".onnx": "application/octet-stream",
  ".bin": "application/octet-stream",
};

const POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Content-Security-Policy": POLICY,
};

/**
 * The engine worker's script (named engine-worker-HASH.js by vite.config.ts) gets 'unsafe-eval':
 * protobufjs compiles its decoders for the ONNX schema with `new Function`. The code it compiles
 * comes from the schema shipped in the app, never from a model file; the page keeps the strict
 * policy, and the worker has no DOM.
 */
const WORKER_SCRIPT = /[\\/]engine-worker-[\w-]+\.js$/;
const WORKER_POLICY = POLICY.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'unsafe-eval'");

export interface ResolvedFile {
  path: string;
  size: number;
}

/**
 * The file inside `root` that a request path names, or null. `root` must be a real path (no
 * symbolic links in it); the result is a real path inside it.
 */
export function resolveInside(root: string, requestPath: string): ResolvedFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) return null;
  let candidate = join(root, ...segments);
  try {
    if (statSync(candidate).isDirectory()) candidate = join(candidate, "index.html");
    const real = realpathSync(candidate);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
    const st = statSync(real);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
    return { path: real, size: st.size };
  } catch {
    return null;
  }
}

function plain(res: ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(code, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...SECURITY_HEADERS,
    ...extra,
  });
  res.end(text);
}

/** Whether a request announces a body (we never read one). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}

/** Names the server answers to besides the loopback ones (the --host it listens on, if named). */
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Whether a Host header names this server: a loopback name (or one of `hosts`) with the port it
 * listens on (the port may be left out only for port 80). Anything else, such as a name a DNS
 * rebinding attack points at 127.0.0.1, is refused, so another web page cannot read the app.
 */
export function allowedHost(header: string | undefined, port: number | undefined, hosts: readonly string[] = []): boolean {
  if (!header) return false;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(header.trim());
  if (!m) return false;
  const name = m[1].toLowerCase();
  const named = m[2] === undefined ? 80 : Number(m[2]);
  return named === port && (LOOPBACK.includes(name) || hosts.some((h) => h.toLowerCase() === name));
}

/**
 * `mounts` serves other folders under fixed path prefixes ("/mnist/" -> a folder), by the same
 * rules: the explorer's MNIST digits come from the installed `mnist` package, not the app.
 */
export function staticHandler(
  rootFolder: string,
  mounts: Readonly<Record<string, string>> = {},
  hosts: readonly string[] = [],
): (req: IncomingMessage, res: ServerResponse) => void {
  const root = realpathSync(resolve(rootFolder));
  const mounted = Object.entries(mounts).map(([prefix, folder]) => ({ prefix, root: realpathSync(resolve(folder)) }));
  return (req, res) => {
    const url = req.url ?? "/";
    if (!allowedHost(req.headers.host, req.socket.localPort, hosts)) {
      plain(res, 421, "this server answers only requests for localhost, 127.0.0.1 or [::1] and its port\n");
      return;
    }
    if (hasBody(req)) {
      plain(res, 413, "request bodies are not accepted\n", {
        Connection: "close",
      });
      req.socket.destroySoon?.();
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      plain(res, 405, "only GET and HEAD\n", { Allow: "GET, HEAD" });
      return;
    }
    if (url.length > MAX_URL_LENGTH) {
      plain(res, 414, "request target too long\n");
      return;
    }
    const path = url.split(/[?#]/)[0];
    if (!path.startsWith("/")) {
      plain(res, 400, "bad request target\n");
      return;
    }
    const mount = mounted.find((m) => path.startsWith(m.prefix));
    const file = mount ? resolveInside(mount.root, path.slice(mount.prefix.length - 1)) : resolveInside(root, path);
    if (!file) {
      plain(res, 404, "not found\n");
      return;
    }
    const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream";
    const hashed = /[\\/]assets[\\/]/.test(file.path);
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": file.size,
      "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      ...SECURITY_HEADERS,
      ...(WORKER_SCRIPT.test(file.path) ? { "Content-Security-Policy": WORKER_POLICY } : {}),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
  };
}

export interface ServeOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Other folders served under path prefixes ending in "/" (see staticHandler). */
  mounts?: Readonly<Record<string, string>>;
}

/** Start serving `root`; resolves once listening, with the address. */
export function serveStatic(root: string, options: ServeOptions = {}): Promise<{ server: Server; url: string; port: number }> {
  const host = options.host ?? "127.0.0.1";
  // A named listening address is answered to as well (a wildcard one is not a name).
  const named = host === "0.0.0.0" || host === "::" ? [] : [host.includes(":") ? `[${host}]` : host];
  const server = createServer(staticHandler(root, options.mounts, named));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const shown = host.includes(":") ? `[${host}]` : host;
      resolvePromise({ server, url: `http://${shown}:${port}/`, port });
    });
  });
}
