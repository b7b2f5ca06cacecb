/**
 * A pool of worker threads (piscina) that runs exported functions of modules by URL, for every
 * part of tessera that splits work: the engines' shares (parallel/plane.ts, line.ts), sweep jobs,
 * and any engine that brings its own task module. Node-only: the edge, never imported by the core.
 *
 * A task is (module URL, export name, argument). The worker imports the module (once per thread)
 * and calls the export; the export may return `movable(value, buffers)` so typed arrays travel
 * without a copy. Typed arrays in the argument are copied unless listed in `transfer`.
 *
 * Workers need JavaScript: in a clone the sources are TypeScript, run through tsx, so the worker
 * entry is `worker.ts` beside this file and the threads get tsx's loader; in the built package
 * both are `.js` and nothing is added.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
// Node's name for what a worker message can move (DOM's `Transferable` is not in a Node project's types).
import type { TransferListItem } from "node:worker_threads";
import { Piscina } from "piscina";
import { moduleUrl } from "./module-url.ts";

/** Worker threads that run exported functions of modules (see createPool). */
export interface TaskPool {
  /** Number of threads. */
  readonly size: number;
  /** Run `fn` exported by `module` (a file URL) on a worker thread with `arg`. */
  run<T>(module: string | URL, fn: string, arg: unknown, transfer?: TransferListItem[]): Promise<T>;
  /** Stop the threads (waits for running tasks). */
  close(): Promise<void>;
}

/** The machine's cores (what `--workers` defaults to). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** The threads' entry, with the loader a TypeScript entry needs. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const entry = moduleUrl("parallel/worker");
  const ts = entry.endsWith(".ts");
  const filename = fileURLToPath(entry);
  const execArgv = process.execArgv.filter((a) => a !== "--test" && !a.startsWith("--test-"));
  if (ts && !hasTsxLoader(execArgv)) execArgv.push("--import", import.meta.resolve("tsx"));
  return { filename, execArgv };
}

function hasTsxLoader(execArgv: string[]): boolean {
  return execArgv.some((a, i) => a === "tsx" || (a === "--import" && /tsx/.test(execArgv[i + 1] ?? "")) || /^--import=.*tsx/.test(a));
}

/** Options of createPool. */
export interface PoolOptions {
  /**
   * Modules (file URLs, e.g. `moduleUrl("parallel/plane")`) every thread imports as it starts, so
   * the first task finds them loaded (the threads start while the calling thread still works).
   */
  preload?: readonly (string | URL)[];
}

/** The modules of the engines' shares (parallel/plane.ts, line.ts, space.ts, whole.ts): what a count's pool preloads. */
export function engineModules(): string[] {
  return [moduleUrl("parallel/plane"), moduleUrl("parallel/line"), moduleUrl("parallel/space"), moduleUrl("parallel/whole")];
}

/** A pool of `workers` threads (default: the machine's cores); close it when done. */
export function createPool(workers: number = defaultWorkers(), options: PoolOptions = {}): TaskPool {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a positive integer, got ${workers}`);
  const { filename, execArgv } = workerEntry();
  const workerData = { tesseraPreload: (options.preload ?? []).map(String) };
  const piscina = new Piscina({ filename, execArgv, workerData, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  return {
    size: workers,
    run<T>(module: string | URL, fn: string, arg: unknown, transfer?: TransferListItem[]): Promise<T> {
      const task = { module: String(module), fn, arg };
      return piscina.run(task, transfer ? { transferList: transfer as never } : undefined) as Promise<T>;
    },
    close: () => piscina.close(),
  };
}

/** Runs `body` with a pool of `workers` threads, closed afterwards whatever happens. */
export async function withPool<T>(workers: number, body: (pool: TaskPool) => Promise<T>, options: PoolOptions = {}): Promise<T> {
  const pool = createPool(workers, options);
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}
