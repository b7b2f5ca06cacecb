/**
 * The folder of tessera's package.json, found upwards from this module: src/cli in a clone,
 * dist/cli or a chunk folder below it once built, so the answer does not depend on where the
 * build puts the code. Node only.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let folder = dirname(from);
  while (!existsSync(join(folder, "package.json"))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${from}`);
    folder = parent;
  }
  return folder;
}
