#!/usr/bin/env node
/**
 * The one way line-walk.as is compiled: the AssemblyScript compiler (the devDependency
 * assemblyscript, pinned to one version in package.json because another version may emit other
 * bytes) with the flags below. `node scripts/line-walk-asc.mjs` prints the module as base64;
 * scripts/build-engine-wasm.ts embeds it in src/regions/line-walk-wasm.ts, and
 * test/regions/line-walk-source.test.ts compiles it again and compares, so the embedded bytes
 * cannot drift from the source.
 *
 * Plain JavaScript run by plain Node, not through tsx: tsx's loader transforms the compiler's
 * 13 MB binaryen module on import, which took 25 CPU s against 1.3 s without it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SOURCE = new URL("../src/regions/line-walk.as", import.meta.url);

/**
 * --runtime stub: no managed objects, no garbage collector (raw memory, a bump allocator).
 * -O1, not -O3: less inlining, so V8's optimising tier compiles less while a first call runs
 * (callgrind, node --single-threaded: a first call of 2-32x2-1 took 152 M instructions against
 * 182 M with -O3, warm calls the same within noise).
 */
export const LINE_WALK_FLAGS = ["--runtime", "stub", "-O1", "--noAssert", "--enable", "simd"];

/** The WebAssembly of line-walk.as, compiled in memory. */
export async function compileLineWalk() {
  const { default: asc } = await import("assemblyscript/asc");
  let binary = null;
  // The compiler reads the source under a .ts name (it insists on one; the source keeps .as so
  // that TypeScript and Biome leave it alone) and hands the binary back in memory.
  const { error, stderr } = await asc.main(["line-walk.ts", ...LINE_WALK_FLAGS, "--outFile", "line-walk.wasm"], {
    readFile: (file) => (file === "line-walk.ts" ? readFileSync(SOURCE, "utf8") : null),
    writeFile: (file, contents) => {
      if (file === "line-walk.wasm") binary = contents;
    },
    listFiles: () => [],
  });
  if (error || binary === null) throw new Error(`line-walk.as: ${error?.message ?? "no output"}\n${stderr.toString()}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${Buffer.from(await compileLineWalk()).toString("base64")}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
    process.exit(1);
  }
}
