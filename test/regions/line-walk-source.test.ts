import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { it } from "node:test";
import { LINE_WALK_WASM_BASE64 } from "../../src/regions/line-walk-wasm.ts";

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

it("the embedded line-walk WebAssembly is a fresh compile of line-walk.as (pinned compiler and flags)", {
  skip: installed === null ? "assemblyscript (a devDependency) is not installed: the embedded line-walk bytes were not checked against line-walk.as" : false,
}, () => {
  assert.match(pinned, /^\d+\.\d+\.\d+$/, "package.json pins assemblyscript to one version (another may emit other bytes)");
  assert.equal(installed, pinned, "the installed assemblyscript is the pinned one (npm install)");
  // Plain Node, not this process (tsx's loader makes the compiler's import take about 25 CPU s).
  const script = new URL("../../scripts/line-walk-asc.mjs", import.meta.url).pathname;
  const fresh = Buffer.from(execFileSync(process.execPath, [script], { encoding: "utf8", maxBuffer: 1 << 26 }).trim(), "base64");
  const embedded = Buffer.from(LINE_WALK_WASM_BASE64, "base64");
  assert.ok(
    fresh.equals(embedded),
    `src/regions/line-walk-wasm.ts is not line-walk.as compiled (${embedded.length} bytes embedded, ${fresh.length} compiled): run npx tsx scripts/build-engine-wasm.ts`,
  );
});
