/**
 * The run folder's lock names its process by more than its id: a killed trainer's process id,
 * reused by another live process (or after a reboot), does not keep the lock.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LOCK_FILE, lockRun, processIdentity } from "../../src/train/node/run-dir.ts";

const linux = processIdentity(process.pid) !== null;

test("a lock whose process id now belongs to another process is stale; the same process's lock holds", { skip: linux ? false : "needs /proc (Linux)" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-lock-"));
  try {
    const me = processIdentity(process.pid) as { boot: string; start: string };
    const lock = join(dir, LOCK_FILE);
    // The lock this process writes records its boot and start time.
    const release = lockRun(dir);
    const written = JSON.parse(readFileSync(lock, "utf8"));
    assert.deepEqual([written.pid, written.host, written.boot, written.processStart], [process.pid, hostname(), me.boot, me.start]);
    // Held by a live process that is that process: a second trainer is refused.
    assert.throws(() => lockRun(dir), /another trainer \(process \d+\) is writing this run/);
    release();
    // A live process id, but it started at another time: the id was reused, the lock is stale.
    const reused = (fields: object) => writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), ...fields }));
    reused({ boot: me.boot, processStart: String(Number(me.start) + 1) });
    lockRun(dir)();
    // ... or it was written in another boot.
    reused({ boot: "00000000-0000-0000-0000-000000000000", processStart: me.start });
    lockRun(dir)();
    // A lock without the identity (an older tessera) falls back to the process id: held.
    reused({});
    assert.throws(() => lockRun(dir), /another trainer/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("processIdentity reads a command name with spaces and parentheses", { skip: linux ? false : "needs /proc (Linux)" }, () => {
  // Field 22 counted after the last ')': the same for this process whatever its name.
  const id = processIdentity(process.pid);
  assert.ok(id && /^\d+$/.test(id.start));
  assert.equal(processIdentity(2 ** 22 + 12345), null, "no such process");
});
