/**
 * Where a worker thread finds a tessera module (a task's code, the threads' entry), wherever this
 * code runs from: the sources in a clone (src/<path>.ts, through tsx), the built library
 * (dist/<path>.js, one file per module), or the bundled command (dist/cli/chunks/*.js, whose
 * modules are merged into chunks: the worker imports the library's file of the same module, which
 * the build emits beside it).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = import.meta.url;

function sourceRoot(): URL {
  if (here.endsWith(".ts")) return new URL("../", here);
  for (const up of ["../", "../../"]) {
    const root = new URL(up, here);
    if (existsSync(fileURLToPath(new URL("parallel/worker.js", root)))) return root;
  }
  throw new Error(`internal: cannot find tessera's parallel/worker.js from ${here}`);
}

let root: URL | null = null;

/** The file URL of module `path` (from src/, without extension), e.g. "parallel/plane". */
export function moduleUrl(path: string): string {
  root ??= sourceRoot();
  return new URL(`${path}${here.endsWith(".ts") ? ".ts" : ".js"}`, root).href;
}
