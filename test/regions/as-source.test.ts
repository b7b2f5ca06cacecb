/**
 * The engines' AssemblyScript kernels are embedded as bytes (src/regions/NAME-wasm.ts): each must
 * be a fresh compile of its source with the pinned compiler and flags (scripts/asc.mjs), so the
 * bytes that run cannot drift from the source that is read.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { it } from "node:test";
import { LINE_WALK_WASM_BASE64 } from "../../src/regions/line-walk-wasm.ts";
import { PLANE_CUT_WASM_BASE64 } from "../../src/regions/plane-cut-wasm.ts";
import { SPACE_CUT_WASM_BASE64 } from "../../src/regions/space-cut-wasm.ts";

const require = createRequire(import.meta.url);

/** The installed compiler's version, or null when the devDependency is missing. */
function installedCompiler(): string | null {
  try {
    return (require("assemblyscript/package.json") as { version: string }).version;
  } catch {
    return null;
  }
}

const pinned = (require("../../package.json") as { devDependencies: Record<string, string> }).devDependencies.assemblyscript;
const installed = installedCompiler();

for (const [name, embeddedBase64] of [
  ["plane-cut", PLANE_CUT_WASM_BASE64],
  ["line-walk", LINE_WALK_WASM_BASE64],
  ["space-cut", SPACE_CUT_WASM_BASE64],
]) {
  it(`the embedded ${name} WebAssembly is a fresh compile of ${name}.as (pinned compiler and flags)`, {
    skip: installed === null ? `assemblyscript (a devDependency) is not installed: the embedded ${name} bytes were not checked against ${name}.as` : false,
  }, () => {
    assert.match(pinned, /^\d+\.\d+\.\d+$/, "package.json pins assemblyscript to one version (another may emit other bytes)");
    assert.equal(installed, pinned, "the installed assemblyscript is the pinned one (npm install)");
    // Plain Node, not this process (tsx's loader makes the compiler's import take about 25 CPU s).
    const script = new URL("../../scripts/asc.mjs", import.meta.url).pathname;
    const fresh = Buffer.from(execFileSync(process.execPath, [script, name], { encoding: "utf8", maxBuffer: 1 << 26 }).trim(), "base64");
    const embedded = Buffer.from(embeddedBase64, "base64");
    assert.ok(
      fresh.equals(embedded),
      `src/regions/${name}-wasm.ts is not ${name}.as compiled (${embedded.length} bytes embedded, ${fresh.length} compiled): run npx tsx scripts/build-engine-wasm.ts`,
    );
  });
}
