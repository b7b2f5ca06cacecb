/**
 * Safe output (issue 12, item 5): a regular file is replaced atomically and keeps its mode; a
 * symbolic link is written through to its target; a device, FIFO or folder is refused with one
 * line (and stays what it was); a missing parent folder is an error naming it; a full device
 * and a closed pipe are one-line errors that leave no partial or temporary file; standard
 * output (`-`, or `> /dev/full`) fails with one line and a non-zero exit, never a stack trace.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { InputError, writeFileAtomic } from "../../src/io/files.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { checkWritable } from "../../src/io/write-file.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { assertUserError, MAIN, scratch, tesseraInProcess } from "../cli/cli-harness.ts";

const TSX = import.meta.resolve("tsx");

const { dir, cleanup } = scratch();
after(cleanup);

const refused = (f: () => void, pattern: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof InputError && pattern.test(e.message) && !e.message.includes("\n"));
};

test("a regular file is replaced atomically, keeps its mode, and no temporary file is left", () => {
  const path = join(dir, "a.json");
  writeFileAtomic(path, "one\n");
  writeFileSync(join(dir, "other"), "x");
  chmodSync(path, 0o640);
  writeFileAtomic(path, new TextEncoder().encode("two\n"));
  assert.equal(readFileSync(path, "utf8"), "two\n");
  assert.equal(statSync(path).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir).sort(), ["a.json", "other"]);
});

test("a symbolic link (also dangling, also a chain) is written through; the link stays a link", () => {
  const sub = join(dir, "links");
  mkdirSync(sub);
  writeFileSync(join(sub, "target.json"), "old");
  symlinkSync("target.json", join(sub, "link.json"));
  symlinkSync("link.json", join(sub, "chain.json"));
  symlinkSync("missing.json", join(sub, "dangling.json"));
  writeFileAtomic(join(sub, "chain.json"), "new");
  assert.ok(lstatSync(join(sub, "link.json")).isSymbolicLink() && lstatSync(join(sub, "chain.json")).isSymbolicLink());
  assert.equal(readFileSync(join(sub, "target.json"), "utf8"), "new");
  writeFileAtomic(join(sub, "dangling.json"), "made");
  assert.ok(lstatSync(join(sub, "dangling.json")).isSymbolicLink());
  assert.equal(readFileSync(join(sub, "missing.json"), "utf8"), "made");
});

test("devices, FIFOs and folders are refused and left as they were; '-' is not a file", () => {
  for (const device of ["/dev/null", "/dev/full"]) {
    refused(() => writeFileAtomic(device, "x"), new RegExp(`^${device}: is a device; tessera writes regular files only \\(use - for standard output\\)$`));
    assert.ok(statSync(device).isCharacterDevice());
  }
  const link = join(dir, "null-link");
  symlinkSync("/dev/null", link);
  refused(() => writeFileAtomic(link, "x"), /null-link \(a link to \/dev\/null\): is a device/);
  refused(() => writeFileAtomic(dir, "x"), /: is a folder; tessera writes regular files only/);
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  refused(() => checkWritable(fifo), /fifo: is a FIFO \(named pipe\)/);
  assert.ok(lstatSync(fifo).isFIFO());
});

test("a missing parent folder is an error naming it, unless the caller asks for folders", () => {
  refused(() => writeFileAtomic("/nonexistent-tessera/dir/x.svg", "x"), /^\/nonexistent-tessera\/dir\/x\.svg: the folder \/nonexistent-tessera\/dir does not exist$/);
  refused(() => checkWritable(join(dir, "no", "x.json")), /the folder .*\/no does not exist/);
  assert.equal(existsSync(join(dir, "no")), false);
  refused(() => writeFileAtomic(join(dir, "other", "x.json"), "x"), /other\/x\.json: cannot write \(ENOTDIR: a part of the path is not a folder\)$/);
  writeFileAtomic(join(dir, "run", "checkpoints", "e.json"), "x", { createFolders: true });
  assert.equal(readFileSync(join(dir, "run", "checkpoints", "e.json"), "utf8"), "x");
});

/** A 64 KiB tmpfs, where mounting is allowed (root in a container or CI); null elsewhere. */
function smallDisk(): string | null {
  const mount = join(dir, "small");
  mkdirSync(mount);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount], { stdio: "ignore" });
  } catch {
    return null;
  }
  after(() => execFileSync("umount", [mount]));
  return mount;
}

test("no space left on the device: one line, the old file intact, no temporary file", (t) => {
  const disk = smallDisk();
  if (!disk) {
    t.skip("mounting a small tmpfs needs root; the stdout test below covers ENOSPC");
    return;
  }
  const path = join(disk, "m.json");
  writeFileAtomic(path, "good");
  refused(() => writeFileAtomic(path, "x".repeat(200_000)), /m\.json: cannot write \(ENOSPC: no space left on the device\)$/);
  assert.equal(readFileSync(path, "utf8"), "good");
  assert.deepEqual(readdirSync(disk), ["m.json"]);
  execFileSync("mount", ["-o", "remount,ro", disk]);
  refused(() => writeFileAtomic(path, "new"), /cannot write \(EROFS: read-only file system\)$/);
  assert.equal(readFileSync(path, "utf8"), "good");
});

/** `tessera ARGS` with standard output sent to `stdout` (a file descriptor or "pipe-closed"). */
function run(args: string[], stdout: number | "closed-pipe"): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], { cwd: dir, stdio: ["ignore", stdout === "closed-pipe" ? "pipe" : stdout, "pipe"] });
    if (stdout === "closed-pipe") child.stdout?.destroy();
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("close", (code) => done({ code, stderr }));
  });
}

test("CLI: stdout on a full device or a closed pipe, -o - on a full device (3 processes); -o /dev/null, --out in a missing folder", async () => {
  const full = openSync("/dev/full", "w");
  writeFileSync(join(dir, "m.json"), stringifyNetwork(mlp([2, 8, 1])));
  const [toFull, toClosed, dashFull] = await Promise.all([
    run(["build", "mlp", "--widths", "2,8,1"], full),
    run(["build", "mlp", "--widths", "2,300,300,1"], "closed-pipe"),
    run(["convert", "m.json", "-o", "-"], full),
  ]);
  for (const [r, code] of [
    [toFull, "ENOSPC"],
    [toClosed, "EPIPE"],
    [dashFull, "ENOSPC"],
  ] as const) {
    assertUserError({ ...r, stdout: "" }, new RegExp(`^tessera: cannot write standard output \\(${code}: `), code);
  }
  const devNull = await tesseraInProcess(["convert", join(dir, "m.json"), "-o", "/dev/null"]);
  const missing = await tesseraInProcess(["map", join(dir, "m.json"), "--box", "-1,1", "--out", "/nonexistent-tessera/dir/x.svg"]);
  assertUserError(devNull, /^tessera: \/dev\/null: is a device/, "-o /dev/null");
  assert.ok(statSync("/dev/null").isCharacterDevice());
  assertUserError(missing, /the folder \/nonexistent-tessera\/dir does not exist/, "map --out in a missing folder");
  assert.equal(existsSync("/nonexistent-tessera"), false);
});
