/**
 * Runs the real `tessera` command as a user would, in a fresh temporary folder, and checks the
 * error contract shared by every command. It runs the sources (`node --import tsx src/cli/main.ts`),
 * so tests see edits without a build; the built command (dist/cli/bin.js, plain Node) is run by
 * test/package/consumer.test.ts from the packed tarball.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const MAIN = join(ROOT, "src", "cli", "main.ts");
/** tsx's loader by URL: the commands run in temporary folders, where "tsx" would not resolve. */
const TSX = import.meta.resolve("tsx");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tessera ...args` in `cwd`, with no standard input. */
export function tessera(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** Run many invocations, at most `width` at a time (the machine has 2 cores). */
export async function tesseraAll(calls: readonly (readonly string[])[], cwd: string, width = 2): Promise<CliResult[]> {
  const results: CliResult[] = new Array(calls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await tessera(calls[i], cwd);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/**
 * The same CLI in this process (`run(argv)` of src/cli/main.ts), its output captured: for the
 * long tail of option checks, where spawning a process per case (about a second each under tsx)
 * would make the suite slow. Paths in `args` must be absolute. Tests of the contract as a user
 * meets it (exit codes, real files, no stack trace) use `tessera` above.
 *
 * Results are captured through the CLI's `output` (never by patching process.stdout, which the
 * test runner's reporter writes to meanwhile); errors through process.stderr.write, which the
 * reporter does not use.
 */
export async function tesseraInProcess(args: readonly string[]): Promise<CliResult> {
  const { run } = await import("../../src/cli/main.ts");
  const { output } = await import("../../src/cli/output.ts");
  const write = output.write;
  const err = process.stderr.write;
  let stdout = "";
  let stderr = "";
  output.write = (s: string) => {
    stdout += s;
  };
  process.stderr.write = ((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await run([...args]);
    return { code, stdout, stderr };
  } finally {
    output.write = write;
    process.stderr.write = err;
  }
}

/** A temporary folder, removed by the returned function. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tessera-cli-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Success: exit 0, nothing on stderr. */
export function assertOk(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stderr, "", `${what}: unexpected stderr`);
}

/** The user-error contract: non-zero exit, exactly one line "tessera: ..." on stderr, no stack trace, nothing on stdout. */
export function assertUserError(r: CliResult, pattern: RegExp, what: string): void {
  assert.notEqual(r.code, 0, `${what}: expected a non-zero exit, got 0 with stdout ${r.stdout}`);
  const lines = r.stderr.split("\n").filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^tessera: /, what);
  assert.match(lines[0], pattern, `${what}: message`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: stack trace`);
  assert.equal(r.stdout, "", `${what}: nothing on stdout`);
}
