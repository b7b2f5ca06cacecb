import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { defaultTrackEpochs, extendedTrackEpochs, type RunConfig } from "../../src/train/config.ts";
import { LOCK_FILE } from "../../src/train/node/run-dir.ts";
import { tesseraInProcess } from "../cli/cli-harness.ts";

const root = new URL("../../", import.meta.url).pathname;
const args = (out: string): string[] => [
  "--import",
  "tsx",
  "src/cli/main.ts",
  "train",
  "--data",
  "moons",
  "--count",
  "400",
  "--widths",
  "2,24,24,2",
  "--epochs",
  "16",
  "--track",
  "plane,distance,patterns",
  "--track-every",
  "1",
  "--lr",
  "0.01",
  "--batch-size",
  "16",
  "--seed",
  "3",
  "--out",
  out,
];

/** Metrics without the wall-clock timings (the only field a replayed epoch may change). */
function metricsWithoutTimes(dir: string): string[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l)
    .map((l) => {
      const r = JSON.parse(l);
      delete r.seconds;
      return JSON.stringify(r);
    });
}

/** Epoch of the last commit of a run directory (-1 before the first). */
function committedEpoch(dir: string): number {
  try {
    return JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).epoch;
  } catch {
    return -1;
  }
}

/** Run the CLI in a child process and SIGKILL it once its run has committed epoch `killAt`. */
function runAndKill(
  argv: string[],
  dir: string,
  killAt: number,
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const poll = setInterval(() => {
      if (committedEpoch(dir) >= killAt) child.kill("SIGKILL");
    }, 5);
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

test("a run killed (SIGKILL) mid-run three times and resumed equals an uninterrupted run", {
  timeout: 120_000,
}, async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-run-"));
  try {
    // The reference: the same run, uninterrupted, in this process.
    const straight = join(base, "straight");
    const captured = await cli(args(straight).slice(4));
    assert.equal(captured.code, 0, captured.stderr);
    const expected = metricsWithoutTimes(straight);
    assert.equal(expected.length, 17);

    const killed = join(base, "killed");
    const killAt = [3, 7, 11];
    for (let k = 0; k < killAt.length; k++) {
      const argv = k === 0 ? args(killed) : [...args(killed), "--resume"];
      const r = await runAndKill(argv, killed, killAt[k]);
      assert.equal(r.signal, "SIGKILL", `attempt ${k} was not killed: ${r.stderr}`);
    }
    const last = await runAndKill([...args(killed), "--resume"], killed, 1000);
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(metricsWithoutTimes(killed), expected);
    assert.equal(readFileSync(join(killed, "model.json"), "utf8"), readFileSync(join(straight, "model.json"), "utf8"));
    assert.equal(readFileSync(join(killed, "checkpoints", "epoch-0010.json"), "utf8"), readFileSync(join(straight, "checkpoints", "epoch-0010.json"), "utf8"));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("resume drops a metrics line written after the last commit (a kill between the two writes)", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-run-"));
  try {
    const dir = join(base, "r");
    assert.equal(
      (
        await cli(
          args(dir)
            .slice(4)
            .map((a) => (a === "16" ? "4" : a)),
        )
      ).code,
      0,
    );
    const before = readFileSync(join(dir, "metrics.jsonl"), "utf8");
    // Simulate the kill: state.json says epoch 3 with 4 lines, metrics.jsonl already has 5 + a torn line.
    const straight = join(base, "s");
    assert.equal(
      (
        await cli(
          args(straight)
            .slice(4)
            .map((a) => (a === "16" ? "3" : a)),
        )
      ).code,
      0,
    );
    const state3 = JSON.parse(readFileSync(join(straight, "state.json"), "utf8"));
    assert.equal(state3.metricsLines, 4);
    writeFileSync(join(dir, "state.json"), JSON.stringify(state3));
    writeFileSync(join(dir, "metrics.jsonl"), `${before}{"epoch":9,"lo`);
    const r = await cli(["--resume", "--out", dir, "--epochs", "4"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).epoch),
      [0, 1, 2, 3, 4],
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("--timeout ends a run at a committed epoch (exit 3, one line); --resume finishes it as if uninterrupted", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-run-"));
  try {
    const four = (dir: string): string[] =>
      args(dir)
        .slice(4)
        .map((a) => (a === "16" ? "4" : a));
    const straight = join(base, "straight");
    assert.equal((await cli(four(straight))).code, 0);
    const cut = join(base, "cut");
    const r = await cli([...four(cut), "--timeout", "1e-9", "--json"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr.trim(), /^tessera: stopped by the time limit \(--timeout\) after epoch 1 of 4: .*--resume --out/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    const partial = JSON.parse(r.stdout);
    assert.deepEqual([partial.complete, partial.stopped, partial.epoch], [false, "timeout", 1]);
    assert.equal(committedEpoch(cut), 1);
    assert.equal(existsSync(join(cut, "model.json")), false, "no final model before the last epoch");
    const rest = await cli(["--resume", "--out", cut]);
    assert.equal(rest.code, 0, rest.stderr);
    assert.deepEqual(metricsWithoutTimes(cut), metricsWithoutTimes(straight));
    assert.equal(readFileSync(join(cut, "model.json"), "utf8"), readFileSync(join(straight, "model.json"), "utf8"));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

/** Run `tessera train` in this process, through the shared harness. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await tesseraInProcess(["train", ...argv]);
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

test("bad input gives one clear line and exit 1", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-run-"));
  try {
    const cases: [string[], RegExp][] = [
      [["--data", "nope", "--widths", "2,2", "--out", join(base, "a")], /--data nope: not a built-in data set/],
      [["--data", "moons", "--widths", "3,4,2", "--out", join(base, "b")], /3 inputs, the data set "moons" has 2/],
      [["--data", "sine", "--widths", "1,4,1", "--track", "plane", "--out", join(base, "c")], /--track plane needs 2D inputs/],
      [["--data", "moons", "--widths", "2,4,2", "--track", "volume", "--out", join(base, "d")], /--track: unknown "volume"/],
      [["--resume", "--out", join(base, "none")], /no run to resume/],
      [["--data", "moons", "--widths", "2,4,2", "--lr", "-1", "--out", join(base, "e")], /--lr: expected a positive number/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 1, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("one trainer per run folder: a live holder is named in one line, a killed one's lock is taken over; extending keeps --track-every", async () => {
  const base = mkdtempSync(join(tmpdir(), "tessera-run-"));
  try {
    const dir = join(base, "r");
    const small = ["--data", "moons", "--count", "60", "--widths", "2,4,2", "--track-every", "1", "--seed", "1", "--out", dir];
    const first = await cli([...small, "--epochs", "3"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, "the lock is released");
    // A live trainer (this process) holds the lock: the second gets one line and writes nothing.
    const before = readFileSync(join(dir, "state.json"), "utf8");
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname() }));
    const second = await cli(["--resume", "--out", dir, "--epochs", "6"]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`^tessera: .*r: another trainer \\(process ${process.pid}\\) is writing this run; wait for it to finish \\(if it is gone, delete .*\\.tessera-lock\\)\\n$`),
    );
    assert.equal(readFileSync(join(dir, "state.json"), "utf8"), before);
    // A lock left by a process that no longer exists (kill -9) does not block.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: hostname() }));
    const resumed = await cli(["--resume", "--out", dir, "--epochs", "6"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    // --track-every 1 stays every epoch when the run is extended from 3 to 6 epochs.
    const epochs = readFileSync(join(dir, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l)
      .map((l) => JSON.parse(l).epoch);
    assert.deepEqual(epochs, [0, 1, 2, 3, 4, 5, 6]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("extending a run keeps its tracking schedule: every N, an explicit list, the default", () => {
  const config = (epochs: number, trackEpochs: number[], trackSchedule?: RunConfig["trackSchedule"]): RunConfig => ({ epochs, trackEpochs, trackSchedule }) as RunConfig;
  assert.deepEqual(
    extendedTrackEpochs(config(30, defaultTrackEpochs(30, 1), { every: 1 }), 40),
    Array.from({ length: 41 }, (_, i) => i),
  );
  assert.deepEqual(extendedTrackEpochs(config(30, defaultTrackEpochs(30, 4), { every: 4 }), 40), [0, 4, 8, 12, 16, 20, 24, 28, 30, 32, 36, 40]);
  assert.deepEqual(extendedTrackEpochs(config(10, [0, 3, 7], "at"), 20), [0, 3, 7, 20]);
  assert.deepEqual(extendedTrackEpochs(config(10, defaultTrackEpochs(10), "default"), 40), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 16, 20, 24, 28, 32, 36, 40]);
  // A run written before the schedule was stored: every 1 is recognised from its epochs.
  assert.deepEqual(
    extendedTrackEpochs(config(30, defaultTrackEpochs(30, 1)), 40),
    Array.from({ length: 41 }, (_, i) => i),
  );
});
