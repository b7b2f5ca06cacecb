/**
 * `npm run fuzz [-- --count N --seed S --timeout SECONDS --keep DIR]`: the fuzz corpus
 * (test/fuzz/generate.ts, 2,400 files by default) written to disk and run through
 * `tessera inspect FILE` and `tessera count FILE --line A;B` (a short segment, with --max-cells
 * and --timeout so every count is bounded). The commands run in two worker processes that
 * execute the CLI's own `run(argv)` file after file; a file that exceeds the per-file time limit
 * gets its worker killed (a timeout) and a fresh worker goes on, and a worker that dies (native
 * stack overflow, out of memory) is a crash. Prints the outcome classes: ok, clean one-line
 * errors by kind, limit stops (exit 3), stack traces, timeouts, crashes, and non-finite numbers
 * accepted. Exits 1 when any of the last four occurs.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface Job {
  index: number;
  caseId: string;
  command: "inspect" | "count";
  path: string;
  nonFinite: boolean;
}

interface Reply {
  index: number;
  code: number;
  stderr: string;
}

// ---------------------------------------------------------------------------------------------
// Worker: runs the CLI in this process for each job it is sent.

async function worker(): Promise<void> {
  const { run } = await import("../src/cli/main.ts");
  const { output } = await import("../src/cli/output.ts");
  const { readModel } = await import("../src/io/files.ts");
  output.write = () => {};
  process.on("message", async (job: Job) => {
    let stderr = "";
    const write = process.stderr.write;
    process.stderr.write = ((s: string | Uint8Array) => {
      stderr += String(s);
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      let args = ["inspect", job.path];
      if (job.command === "count") {
        // A short segment through the middle of the input space (any size of input).
        let n0 = 2;
        try {
          n0 = readModel(job.path).network.inputSize;
        } catch {
          // The CLI reports the error itself.
        }
        const point = (x: number): string => new Array(Math.min(n0, 100000)).fill(x).join(",");
        args = ["count", job.path, "--line", `${point(-0.5)};${point(0.5)}`, "--max-cells", "20000", "--timeout", "5", "--workers", "1"];
      }
      code = await run(args);
    } catch (e) {
      stderr += `tessera: internal error: ${(e as Error)?.stack ?? e}\n`;
      code = 70;
    } finally {
      process.stderr.write = write;
    }
    process.send?.({ index: job.index, code, stderr } satisfies Reply);
  });
  process.send?.({ index: -1, code: 0, stderr: "" });
}

// ---------------------------------------------------------------------------------------------
// Parent: generate, dispatch, classify.

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

/** The kind of a clean one-line error, from its message. */
function errorKind(line: string): string {
  if (/not valid JSON|not a model file|binary data/.test(line)) return "not JSON / binary";
  if (/finite numbers only|expected a finite number/.test(line)) return "non-finite refused";
  if (/protobuf|not an ONNX model|not a valid ONNX/.test(line)) return "not ONNX";
  if (/not piecewise linear/.test(line)) return "not piecewise linear";
  if (/limit|more than|too many|too large|budget|cross too much/.test(line)) return "size limit";
  if (/not supported|unsupported|tessera reads|only .* supported/.test(line)) return "unsupported";
  if (/weight file|cannot read|bytes, the manifest/.test(line)) return "weights missing or short";
  if (/shape|dims|dimension|size|does not fit|does not divide|expects|axis/.test(line)) return "shape mismatch";
  return "invalid model";
}

function classify(job: Job, reply: Reply | "timeout" | "crash"): string {
  if (reply === "timeout") return "TIMEOUT";
  if (reply === "crash") return "CRASH";
  const lines = reply.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("tessera: note:"));
  if (reply.code === 70 || /internal error|\n\s+at /.test(reply.stderr)) return "STACK TRACE";
  if (reply.code === 0) return job.nonFinite && job.command === "inspect" ? "NON-FINITE ACCEPTED" : "ok";
  if (reply.code === 3) return "stopped by --max-cells/--timeout (exit 3)";
  if (lines.length !== 1 || !lines[0].startsWith("tessera: ")) return "STACK TRACE";
  return `error: ${errorKind(lines[0])}`;
}

async function parent(): Promise<void> {
  const count = Number(option("count", "2400"));
  const seed = Number(option("seed", "1"));
  const limit = Number(option("timeout", "30")) * 1000;
  const keep = option("keep", "");
  const { fuzzCases } = await import("../test/fuzz/generate.ts");
  const t0 = performance.now();
  const cases = fuzzCases(count, seed);
  const root = keep || mkdtempSync(join(tmpdir(), "tessera-fuzz-"));
  const jobs: Job[] = [];
  for (const c of cases) {
    const dir = join(root, c.id);
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
    for (const command of ["inspect", "count"] as const) jobs.push({ index: jobs.length, caseId: c.id, command, path: join(dir, c.model), nonFinite: c.nonFinite });
  }
  process.stdout.write(`fuzz: ${cases.length} files (seed ${seed}) in ${root}, ${jobs.length} runs, ${limit / 1000} s per run\n`);

  const outcomes = new Map<string, number>();
  const bad: string[] = [];
  let next = 0;
  let done = 0;
  const self = fileURLToPath(import.meta.url);
  const lane = (): Promise<void> =>
    new Promise((finish) => {
      let child: ChildProcess | null = null;
      let current: Job | null = null;
      let timer: NodeJS.Timeout | null = null;
      const record = (job: Job, reply: Reply | "timeout" | "crash"): void => {
        const outcome = classify(job, reply);
        const key = `${job.command.padEnd(7)} ${outcome}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        if (/^[A-Z]/.test(outcome)) bad.push(`${job.caseId} ${job.command}: ${outcome}${typeof reply === "object" ? `: ${reply.stderr.split("\n").slice(0, 3).join(" | ")}` : ""}`);
        done++;
        if (done % 500 === 0) process.stdout.write(`  ${done} / ${jobs.length}\n`);
      };
      const send = (): void => {
        if (next >= jobs.length) {
          child?.kill();
          finish();
          return;
        }
        current = jobs[next++];
        timer = setTimeout(() => {
          const job = current as Job;
          current = null;
          record(job, "timeout");
          child?.removeAllListeners("exit");
          child?.kill("SIGKILL");
          start();
        }, limit);
        child?.send(current);
      };
      const start = (): void => {
        child = fork(self, ["--worker"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "pipe", "ipc"] });
        child.stderr?.resume();
        child.on("message", (reply: Reply) => {
          if (reply.index >= 0 && current && reply.index === current.index) {
            if (timer) clearTimeout(timer);
            const job = current;
            current = null;
            record(job, reply);
          }
          send();
        });
        child.on("exit", () => {
          if (timer) clearTimeout(timer);
          if (current) {
            const job = current;
            current = null;
            record(job, "crash");
            start();
          }
        });
      };
      start();
    });
  await Promise.all([lane(), lane()]);

  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`\noutcomes (${jobs.length} runs of ${cases.length} files, ${seconds.toFixed(0)} s):\n`);
  for (const [key, n] of [...outcomes].sort()) process.stdout.write(`  ${String(n).padStart(6)}  ${key}\n`);
  const failures = bad.length;
  process.stdout.write(`stack traces, timeouts, crashes, non-finite accepted: ${failures}\n`);
  for (const line of bad.slice(0, 30)) process.stdout.write(`  ${line}\n`);
  if (!keep) rmSync(root, { recursive: true, force: true });
  process.exitCode = failures > 0 ? 1 : 0;
}

if (process.argv.includes("--worker")) await worker();
else await parent();
