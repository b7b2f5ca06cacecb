#!/usr/bin/env node
/**
 * The one way the engines' AssemblyScript kernels (src/regions/plane-cut.as, line-walk.as) are
 * compiled: the AssemblyScript compiler (the devDependency assemblyscript, pinned to one version
 * in package.json because another version may emit other bytes) with the flags below.
 * `node scripts/asc.mjs NAME` prints src/regions/NAME.as's module as base64;
 * scripts/build-engine-wasm.ts embeds it in src/regions/NAME-wasm.ts, and
 * test/regions/as-source.test.ts compiles each again and compares, so the embedded bytes cannot
 * drift from the sources.
 *
 * Plain JavaScript run by plain Node, not through tsx: tsx's loader transforms the compiler's
 * 13 MB binaryen module on import, which took 25 CPU s against 1.3 s without it.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The kernels written in AssemblyScript, by name (src/regions/NAME.as). */
export const AS_KERNELS = ["plane-cut", "line-walk", "space-cut"];

/**
 * --runtime stub: no managed objects, no garbage collector (raw memory, a bump allocator).
 * -O1, not -O3: less inlining, so V8's optimising tier compiles less while a first call runs
 * (callgrind, node --single-threaded: a first call of 2-32x2-1 took 152 M instructions against
 * 182 M with -O3, warm calls the same within noise).
 */
export const AS_FLAGS = ["--runtime", "stub", "-O1", "--noAssert", "--enable", "simd"];

/**
 * Flags of one kernel only. space-cut: 16 MB of memory from the start (256 pages), so that a
 * 3-D count of the usual sizes never grows it: growing a memory detaches its old buffer, and the
 * first detach of any ArrayBuffer in a process makes V8 check every typed-array access for a
 * detached buffer from then on (docs/performance.md, "Space engine, Dec 7 seventh round").
 */
export const AS_KERNEL_FLAGS = { "space-cut": ["--initialMemory", "256"] };

/** Part `file` (NAME/PART.ts as the compiler asks for it) of kernel NAME: src/regions/NAME/PART.as, or null. */
function partOf(name, file) {
  const match = /^([\w-]+)\/([\w-]+)\.ts$/.exec(file);
  if (match === null || match[1] !== name) return null;
  const part = new URL(`../src/regions/${name}/${match[2]}.as`, import.meta.url);
  return existsSync(part) ? readFileSync(part, "utf8") : null;
}

/** The WebAssembly of src/regions/NAME.as, compiled in memory. */
export async function compileKernel(name) {
  if (!AS_KERNELS.includes(name)) throw new Error(`no AssemblyScript kernel named ${name} (have: ${AS_KERNELS.join(", ")})`);
  const source = new URL(`../src/regions/${name}.as`, import.meta.url);
  const { default: asc } = await import("assemblyscript/asc");
  let binary = null;
  // The compiler reads the source under a .ts name (it insists on one; the source keeps .as so
  // that TypeScript and Biome leave it alone) and hands the binary back in memory.
  const { error, stderr } = await asc.main([`${name}.ts`, ...AS_FLAGS, ...(AS_KERNEL_FLAGS[name] ?? []), "--outFile", `${name}.wasm`], {
    // A kernel split into parts imports them from src/regions/NAME/*.as (asked for as NAME/PART.ts).
    readFile: (file) => (file === `${name}.ts` ? readFileSync(source, "utf8") : partOf(name, file)),
    writeFile: (file, contents) => {
      if (file === `${name}.wasm`) binary = contents;
    },
    listFiles: () => [],
  });
  if (error || binary === null) throw new Error(`${name}.as: ${error?.message ?? "no output"}\n${stderr.toString()}`);
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${Buffer.from(await compileKernel(process.argv[2])).toString("base64")}\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
    process.exit(1);
  }
}
