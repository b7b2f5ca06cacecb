/**
 * Build the explorer (src/web -> dist/web) through Vite's JavaScript API when the build is
 * missing or older than its sources, so `npm start` works on a fresh clone. Node only.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root (this file is src/web/server/build-app.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const APP_DIR = join(PROJECT_ROOT, "dist", "web");

/** Folders under src/ that never end up in the browser bundle (their changes need no rebuild). */
const NOT_BUNDLED = new Set(["cli", "server", "node"]);

function newestTime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!NOT_BUNDLED.has(entry.name)) newest = Math.max(newest, newestTime(join(folder, entry.name)));
    } else if (entry.isFile()) newest = Math.max(newest, statSync(join(folder, entry.name)).mtimeMs);
  }
  return newest;
}

/** Why the app needs a (re)build, or null when dist/web is up to date. */
export function staleReason(root = PROJECT_ROOT): string | null {
  const index = join(root, "dist", "web", "index.html");
  if (!existsSync(index)) return "no build yet";
  const built = statSync(index).mtimeMs;
  const sources = Math.max(newestTime(join(root, "src")), statSync(join(root, "vite.config.ts")).mtimeMs, statSync(join(root, "package.json")).mtimeMs);
  return sources > built ? "sources changed since the last build" : null;
}

export class BuildError extends Error {
  override name = "BuildError";
}

/** Run Vite's production build with the project's vite.config.ts. */
export async function buildApp(root = PROJECT_ROOT): Promise<void> {
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    throw new BuildError("the explorer is not built and Vite is not installed: run `npm install` in the tessera folder, then try again");
  }
  try {
    await vite.build({
      configFile: join(root, "vite.config.ts"),
      logLevel: "warn",
    });
  } catch (e) {
    throw new BuildError(`building the explorer failed: ${((e as Error).message ?? String(e)).split("\n")[0]}`);
  }
}
