#!/usr/bin/env node
/**
 * `npm run build`: the package as users get it, in dist/ (plain JavaScript, so this script is too:
 * it runs before anything is built, without tsx).
 *   1. The library, with TypeScript (tsconfig.build.json: src/index.ts and src/node.ts and what
 *      they import): dist/*.js + .d.ts + source maps, one file per module, the `.ts` import
 *      specifiers rewritten to `.js`. Emit only (--noCheck): `npm run typecheck` and the tests
 *      check types, so `npm install` stays fast. tsc's entries become dist/portable.js and
 *      dist/portable-node.js (every runtime but Node with require(esm): package.json's
 *      "exports" choose), and dist/index.js and dist/node.js are bundled by Vite (Rolldown) for
 *      Node (bundleLibrary: shared code in dist/chunks/, npm dependencies left as imports, the
 *      ONNX and Parquet packages required on first use). The declarations and the per-module
 *      files stay tsc's (the thread pool's workers import those).
 *   2. The command, bundled by Vite (Rolldown) from src/cli/bin.ts: dist/cli/bin.js plus one chunk
 *      per command (dist/cli/chunks/), npm dependencies left as imports. Fewer, larger files start
 *      faster than ~100 small modules, and each command's chunk is imported only when it runs.
 *   3. The explorer, with Vite (vite.config.ts): dist/explorer, served as static files by
 *      `tessera serve`.
 *   4. dist/.build-stamp, so `--if-stale` (the `prepare` script run by `npm install`, the consumer
 *      test and .ci/run) skips all of it when no input changed since.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const STAMP = join(DIST, ".build-stamp");
/** Everything the build reads besides src/. */
const INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json", "vite.config.ts", "scripts/build.mjs"];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let time = st.mtimeMs;
  for (const entry of readdirSync(path)) time = Math.max(time, newest(join(path, entry)));
  return time;
}

/** Why dist/ must be rebuilt, or null when it is newer than every input. */
export function staleReason() {
  if (!existsSync(STAMP)) return "no build yet";
  const built = statSync(STAMP).mtimeMs;
  const inputs = Math.max(newest(join(ROOT, "src")), ...INPUTS.map((f) => newest(join(ROOT, f))));
  return inputs > built ? "sources changed since the last build" : null;
}

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

/**
 * For the library's bundle on Node with require(esm) (package.json's "module-sync" condition,
 * Node 20.19+ and 22.12+): the npm packages that only Parquet and ONNX need are required on first
 * use instead of at import: protobufjs (CommonJS: `protobuf.X` on first property access) and
 * hyparquet-writer (ESM, hence require(esm): `parquetWriteBuffer` on first call), about 25 ms of
 * the import's CPU. Both are used by synchronous public functions (`modelFromBytes`, `exportOnnx`,
 * `tableToParquet`), which cannot `await import()`; ESM has no synchronous import, so the
 * portable entries (tsc's, every other runtime) import them as usual.
 */
const LAZY_ON_NODE = ["protobufjs/light.js", "hyparquet-writer"];

/**
 * The plugin for `packages` (some of LAZY_ON_NODE). The command's bundle takes only protobufjs
 * (about 50 ms to import, touched by io/onnx/schema.ts only when decoding, so only commands that
 * read an ONNX file pay for it): it bundles hyparquet-writer and must run on Node without
 * require(esm).
 */
function lazyOnNode(packages = LAZY_ON_NODE) {
  const prefix = "\0tessera-lazy:";
  const shims = {
    "protobufjs/light.js": (load) => `${load}\nexport default new Proxy({}, { get: (_, key) => load()[key] });\n`,
    "hyparquet-writer": (load) => `${load}\nexport const parquetWriteBuffer = (...args) => load().parquetWriteBuffer(...args);\n`,
  };
  return {
    name: `tessera-lazy:${packages.join(",")}`,
    enforce: "pre",
    resolveId: (source) => (packages.includes(source) ? prefix + source : null),
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const source = id.slice(prefix.length);
      const load = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
let real = null;
const load = () => (real ??= require(${JSON.stringify(source)}));`;
      return shims[source](load);
    },
  };
}

/** npm packages and Node's modules stay imports (the package's dependencies resolve them). */
const bare = (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0") && !/^[A-Za-z]:[\\/]/.test(id);

/**
 * tsc's entries, one module per source, for every runtime but Node with require(esm): moved to
 * dist/portable.js and dist/portable-node.js (same folder, so their `./<folder>/x.js` imports
 * hold; package.json's "exports" give them by default), before the bundles take their names.
 */
function keepModuleEntries() {
  for (const [from, to] of [
    ["index", "portable"],
    ["node", "portable-node"],
  ]) {
    const code = readFileSync(join(DIST, `${from}.js`), "utf8");
    const map = JSON.parse(readFileSync(join(DIST, `${from}.js.map`), "utf8"));
    writeFileSync(join(DIST, `${to}.js`), code.replace(`//# sourceMappingURL=${from}.js.map`, `//# sourceMappingURL=${to}.js.map`));
    writeFileSync(join(DIST, `${to}.js.map`), JSON.stringify({ ...map, file: `${to}.js` }));
    rmSync(join(DIST, `${from}.js`));
    rmSync(join(DIST, `${from}.js.map`));
  }
}

/**
 * The library's entries for Node with require(esm), bundled by Vite (Rolldown) from src/index.ts
 * and src/node.ts: each imports one file and the shared chunk (dist/chunks/) instead of 160-odd
 * modules, and the ONNX and Parquet packages wait for their first use (`lazyOnNode`), which takes
 * the import's CPU to a fifth (docs/performance.md, "Import time of the built library"). tsc's
 * declarations (.d.ts) serve them, so the types are unchanged, and its per-module files stay: the
 * portable entries and the thread pool's workers import those (parallel/module-url.ts finds
 * dist/parallel/ one folder up from a chunk).
 */
async function bundleLibrary(vite) {
  await vite.build({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    plugins: [lazyOnNode()],
    build: {
      ssr: true,
      outDir: DIST,
      emptyOutDir: false,
      target: "node20",
      // No source maps (2 MB, most of the package's growth): the bundle is unminified, each
      // module under a `// src/<path>.ts` line, and the portable entries keep tsc's maps.
      sourcemap: false,
      minify: false,
      rollupOptions: {
        input: { index: join(ROOT, "src", "index.ts"), node: join(ROOT, "src", "node.ts") },
        // (The external test runs before the plugins resolve: lazyOnNode's packages must reach it.)
        external: (id) => bare(id) && !LAZY_ON_NODE.includes(id),
        output: {
          format: "es",
          entryFileNames: "[name].js",
          chunkFileNames: "chunks/[name]-[hash].js",
          // module-url.ts finds dist/parallel/ from its own file's folder: a chunk's.
          manualChunks: (id) => (id.endsWith("/src/parallel/module-url.ts") ? "module-url" : null),
        },
      },
    },
  });
}

async function build() {
  const require = createRequire(import.meta.url);
  let tsc;
  let vite;
  try {
    tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
    vite = await import("vite");
  } catch {
    fail("TypeScript and Vite are development dependencies: run `npm install` (with dev dependencies) in the tessera folder first");
  }
  const t0 = performance.now();
  rmSync(DIST, { recursive: true, force: true });
  const compiled = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--noCheck"], { stdio: "inherit" });
  if (compiled.status !== 0) fail(`TypeScript failed (exit ${compiled.status ?? compiled.signal})`);
  await vite.build({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    plugins: [lazyOnNode(["protobufjs/light.js"])],
    build: {
      ssr: join(ROOT, "src", "cli", "bin.ts"),
      outDir: join(DIST, "cli"),
      emptyOutDir: false,
      target: "node20",
      // No source maps for the bundle: the library (dist/*.js) has them, with its sources.
      sourcemap: false,
      minify: false,
      rollupOptions: {
        // The MNIST digits stay in the optional `mnist` package (imported at run time, if present).
        external: (id) => id === "mnist" || id.startsWith("mnist/"),
        output: { format: "es", entryFileNames: "bin.js", chunkFileNames: "chunks/[name]-[hash].js" },
      },
    },
  });
  chmodSync(join(DIST, "cli", "bin.js"), 0o755);
  keepModuleEntries();
  await bundleLibrary(vite);
  const t1 = performance.now();
  await vite.build({ configFile: join(ROOT, "vite.config.ts"), logLevel: "warn" });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  const t2 = performance.now();
  process.stdout.write(`build: dist/ (library and command ${((t1 - t0) / 1000).toFixed(1)} s, explorer ${((t2 - t1) / 1000).toFixed(1)} s)\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reason = process.argv.includes("--if-stale") ? staleReason() : "asked";
  if (reason === null) process.stdout.write("build: dist/ is up to date\n");
  else await build();
}
