/**
 * The worker threads' entry (see pool.ts): imports the task's module and calls its export.
 * A result made by `movable()` has its buffers transferred instead of copied.
 *
 * Kept small, for the threads' start-up: the modules a pool was made for (`preload`) are imported
 * as the thread starts, while the calling thread still prepares the first task, and piscina's
 * main module is not imported here (its worker side, already loaded, marks movable results).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { workerData } from "node:worker_threads";

interface Task {
  module: string;
  fn: string;
  arg: unknown;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();
let tsLoader: Promise<unknown> | null = null;

/** In a clone, tasks are TypeScript modules: tsx's loader, registered once per thread. */
function typeScriptLoader(): Promise<unknown> {
  tsLoader ??= import("tsx/esm/api").then(({ register }) => register());
  return tsLoader;
}

function load(module: string): Promise<Record<string, unknown>> {
  let loaded = modules.get(module);
  if (!loaded) {
    loaded = (module.endsWith(".ts") ? typeScriptLoader() : Promise.resolve()).then(() => import(module)) as Promise<Record<string, unknown>>;
    modules.set(module, loaded);
  }
  return loaded;
}

async function runTask({ module, fn, arg }: Task): Promise<unknown> {
  const exported = (await load(module))[fn];
  if (typeof exported !== "function") throw new Error(`internal: ${module} exports no function ${fn}`);
  return await exported(arg);
}

/**
 * piscina's own marker of movable results: its worker side (common.js, loaded by piscina's worker
 * script before this entry) is reached by path, since the package exports only its main module,
 * whose import cost a thread 0.1 s. Should a later piscina move it, its main module is imported.
 */
type MarkMovable = (value: object) => void;
let markMovable: MarkMovable | null = (() => {
  try {
    const require = createRequire(import.meta.url);
    const common = require(join(dirname(require.resolve("piscina")), "common.js")) as { markMovable?: MarkMovable };
    return typeof common.markMovable === "function" ? common.markMovable : null;
  } catch {
    return null;
  }
})();

/**
 * The entry's export, awaited by piscina before the thread says it is ready: the pool's `preload`
 * modules (see createPool) are imported by then, so they load while the calling thread still
 * prepares the first task. (Not a top-level await: tsx's CommonJS loader, which piscina tries
 * first in a clone, cannot compile one.)
 */
export default (async () => {
  if (markMovable === null) {
    const { Piscina } = await import("piscina");
    markMovable = (value: object) => {
      Piscina.move(value as never);
    };
  }
  const preload = (workerData as { tesseraPreload?: string[] } | null | undefined)?.tesseraPreload ?? [];
  // A module that fails here fails again, with its error, in the task that needs it.
  await Promise.all(preload.map((m) => load(m).catch(() => undefined)));
  return runTask;
})();

/** A task's result whose typed arrays' buffers move to the calling thread instead of being copied. */
export function movable<T>(value: T, buffers: ArrayBufferLike[]): T {
  const unique = [...new Set(buffers)].filter((b) => b.byteLength > 0 && !(b instanceof SharedArrayBuffer));
  // piscina's Transferable: the buffers to move and the value (Symbol.for names: piscina's protocol).
  const wrapped = { [Symbol.for("Piscina.transferable")]: unique, [Symbol.for("Piscina.valueOf")]: value };
  if (markMovable === null) throw new Error("internal: movable() before the worker entry was ready");
  markMovable(wrapped);
  return wrapped as T;
}

/** Every typed array's buffer among an object's own values (one level deep). */
export function buffersOf(value: object): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = [];
  for (const v of Object.values(value)) if (ArrayBuffer.isView(v)) out.push(v.buffer);
  return out;
}

/**
 * CPU seconds of the calling thread (Linux: /proc/thread-self/schedstat, in nanoseconds, or
 * /proc/thread-self/stat, in ticks of 1/100 s, where the kernel keeps no schedstat; NaN
 * elsewhere): the work a share did whatever else the machine was running, for speed-ups measured
 * on a busy machine.
 */
export function threadCpuSeconds(): number {
  return threadSchedule().cpu;
}

/**
 * The calling thread's CPU seconds and the seconds it was ready to run but waited for a core
 * (another program had it): on a shared machine, wall time less the waiting is roughly what the
 * work takes on an idle one. Waiting is NaN where the kernel does not say.
 */
export function threadSchedule(): { cpu: number; waiting: number } {
  try {
    const [run, wait] = readFileSync("/proc/thread-self/schedstat", "utf8").split(" ");
    return { cpu: Number(run) / 1e9, waiting: Number(wait) / 1e9 };
  } catch {
    try {
      const stat = readFileSync("/proc/thread-self/stat", "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name, in ticks of 1/100 s.
      return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, waiting: Number.NaN };
    } catch {
      return { cpu: Number.NaN, waiting: Number.NaN };
    }
  }
}
