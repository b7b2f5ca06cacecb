/**
 * The first call of a small plane count in a fresh process (bench/engines.bench.ts runs it): one
 * JSON line with milliseconds for importing the library (wall and CPU), building the network, the
 * first `partition(network, box)` call and its CPU milliseconds (all threads: V8 optimises on
 * background threads, which on a loaded machine compete with the call itself), the main thread's
 * CPU and its time waiting for a core during the call (Linux), then the CPU milliseconds of the
 * next 11 calls (summed, and the largest): the calls V8 is still optimising. The measurement is
 * bench/first-call-probe.mjs.
 *
 *   node --import tsx bench/first-call.ts                        the sources, through tsx (as the tests run)
 *   node --import tsx bench/first-call.ts --lib dist/index.js    a built library, as users import it: the
 *                                                                 probe runs in a child of plain Node (no tsx
 *                                                                 loader: its hooks tripled the import's time),
 *                                                                 with this process's other Node flags
 *   ... --lib dist/index.js --through-tsx                        the same in this process, through tsx's loader
 *                                                                 (what this script measured before Dec 8)
 *   ... --idle 50                                                50 ms of idle time (timers run) before the call
 *
 * bench/first-call-runs.ts alternates trees and flags over many fresh processes. Nothing runs at
 * import but what the library runs itself. Not a benchmark on its own (not named *.bench.ts).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const probe = fileURLToPath(new URL("first-call-probe.mjs", import.meta.url));
const at = process.argv.indexOf("--lib");

if (at > 0 && !process.argv.includes("--through-tsx")) {
  const child = spawnSync(process.execPath, [...plainNodeFlags(process.execArgv), probe, ...process.argv.slice(2)], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`first-call-probe.mjs failed: ${child.stderr}`);
  process.stdout.write(child.stdout);
} else {
  // The probe in this process (through tsx when it runs the sources); a URL, as it is plain JavaScript without types.
  await import(pathToFileURL(probe).href);
}

/** This process's Node flags without tsx's loader (`--import tsx`, `--require tsx/cjs`, `--import=tsx`...). */
function plainNodeFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i];
    if ((flag === "--import" || flag === "--require" || flag === "--loader" || flag === "-r") && flags[i + 1]?.startsWith("tsx")) i++;
    else if (!/^--(import|require|loader)=tsx/.test(flag)) out.push(flag);
  }
  return out;
}
