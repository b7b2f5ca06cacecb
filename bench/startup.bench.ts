/**
 * Start-up of the `tessera` command as users run it (dist/cli/bin.js on plain Node, built first
 * when stale): `--version`, `--help`, and a whole `count` of a 2-32-32-1 network in [-1,1]^2 as
 * one process. CPU (user + system, from /usr/bin/time where present) and wall time, medians of 5.
 * Baselines in the same run: `node -e 0` (Node's own start), and the same commands through tsx on
 * the sources (the loader every command paid before the package was built).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, table } from "./timing.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "dist", "cli", "bin.js");
const TIME = "/usr/bin/time";
const RUNS = 5;

interface Sample {
  wall: number;
  cpu: number | null;
}

function once(args: string[], cwd: string): Sample {
  const timed = existsSync(TIME);
  const command = timed ? TIME : process.execPath;
  const argv = timed ? ["-f", "%U %S", process.execPath, ...args] : args;
  const t0 = performance.now();
  const r = spawnSync(command, argv, { cwd, encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  const last = r.stderr.trim().split("\n").pop() ?? "";
  const [user, system] = last.split(" ").map(Number);
  return { wall, cpu: timed && Number.isFinite(user) && Number.isFinite(system) ? user + system : null };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(args: string[], cwd: string): { wall: number; cpu: number | null } {
  const samples = Array.from({ length: RUNS }, () => once(args, cwd));
  const cpus = samples.map((s) => s.cpu).filter((c): c is number => c !== null);
  return { wall: median(samples.map((s) => s.wall)), cpu: cpus.length ? median(cpus) : null };
}

/**
 * `npm start` as a user runs it, until the explorer's page and its scripts have been served:
 * `npm start -- --port 0 --json` prints the address once listening; the time runs from the spawn
 * to the last script's bytes. npm's own start-up is included, as the user pays it.
 */
async function npmStartPage(): Promise<number> {
  const t0 = performance.now();
  const child = spawn("npm", ["start", "--silent", "--", "--port", "0", "--json"], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"], detached: true });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/"url":\s*"([^"]+)"/);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`npm start exited with ${code} before listening`)));
    });
    const html = await (await fetch(url)).text();
    for (const m of html.matchAll(/src="([^"]+\.js)"/g)) await (await fetch(new URL(m[1], url))).arrayBuffer();
    return (performance.now() - t0) / 1000;
  } finally {
    if (child.pid) process.kill(-child.pid);
  }
}

export default async function (): Promise<string> {
  const built = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--if-stale"], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const work = mkdtempSync(join(tmpdir(), "tessera-startup-"));
  try {
    once([BIN, "build", "mlp", "--widths", "2,32,32,1", "--seed", "0", "--out", "m.json"], work);
    const tsx = ["--import", "tsx", join(ROOT, "src", "cli", "main.ts")];
    const cases: [string, string[]][] = [
      ["node -e 0 (baseline)", ["-e", "0"]],
      ["tessera --version", [BIN, "--version"]],
      ["tessera --help", [BIN, "--help"]],
      ["tessera count m.json --box -1,1", [BIN, "count", "m.json", "--box", "-1,1"]],
      ["tsx src/cli/main.ts --version (baseline)", [...tsx, "--version"]],
      ["tsx src/cli/main.ts count m.json --box -1,1 (baseline)", [...tsx, "count", "m.json", "--box", "-1,1"]],
    ];
    const load = loadavg()[0];
    const rows = cases.map(([name, args]) => {
      // tsx must resolve from the repository, so its cases run there, on the model's absolute path.
      const inRepo = args[0] === "--import";
      const m = measure(inRepo ? args.map((a) => (a === "m.json" ? join(work, "m.json") : a)) : args, inRepo ? ROOT : work);
      return [name, m.cpu === null ? "n/a" : fmt(m.cpu), fmt(m.wall)];
    });
    const pages: number[] = [];
    for (let i = 0; i < 3; i++) pages.push(await npmStartPage());
    rows.push(["npm start, until the explorer page and its scripts are served", "n/a", fmt(median(pages))]);
    return [
      "## Start-up",
      "",
      `The built command (dist/cli/bin.js, plain Node), one process per run, median of ${RUNS}; the network is \`build mlp --widths 2,32,32,1 --seed 0\` (848 regions in [-1,1]^2). Load average at the start: ${load.toFixed(1)} on ${availableParallelism()} cores (wall times on a shared machine inflate with load; CPU less so).`,
      "",
      table(["command", "CPU s (user + system)", "wall s"], rows),
    ].join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
