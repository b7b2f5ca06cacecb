/**
 * The worker threads' entry (see pool.ts): imports the task's module and calls its export.
 * A result made by `movable()` has its buffers transferred instead of copied.
 */
import { readFileSync } from "node:fs";
import { Piscina } from "piscina";

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

export default async function runTask({ module, fn, arg }: Task): Promise<unknown> {
  let loaded = modules.get(module);
  if (!loaded) {
    loaded = (module.endsWith(".ts") ? typeScriptLoader() : Promise.resolve()).then(() => import(module)) as Promise<Record<string, unknown>>;
    modules.set(module, loaded);
  }
  const exported = (await loaded)[fn];
  if (typeof exported !== "function") throw new Error(`internal: ${module} exports no function ${fn}`);
  return await exported(arg);
}

/** A task's result whose typed arrays' buffers move to the calling thread instead of being copied. */
export function movable<T>(value: T, buffers: ArrayBufferLike[]): T {
  const unique = [...new Set(buffers)].filter((b) => b.byteLength > 0 && !(b instanceof SharedArrayBuffer));
  return Piscina.move({ [Piscina.transferableSymbol]: unique, [Piscina.valueSymbol]: value } as never) as T;
}

/** Every typed array's buffer among an object's own values (one level deep). */
export function buffersOf(value: object): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = [];
  for (const v of Object.values(value)) if (ArrayBuffer.isView(v)) out.push(v.buffer);
  return out;
}

/**
 * CPU seconds of the calling thread (Linux: /proc/thread-self/stat; NaN elsewhere): the work a
 * share did whatever else the machine was running, for speed-ups measured on a busy machine.
 */
export function threadCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name, in ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
