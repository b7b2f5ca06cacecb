/**
 * Where the built explorer lives (dist/explorer, built by `npm run build` with the package, so an
 * installed tessera serves it as static files at once), and in a clone, whether its sources
 * changed since (then `tessera serve` rebuilds it through Vite's JavaScript API). Node only.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { packageRoot } from "../../cli/package-root.ts";

/** The package's root (the folder of its package.json, wherever the build put this module). */
export const PROJECT_ROOT = packageRoot();
/** The built explorer (vite.config.ts writes it; `files` in package.json ships it). */
export const APP_DIR = join(PROJECT_ROOT, "dist", "explorer");

/**
 * The folders the explorer's server mounts beside the app: the MNIST digits at /mnist/ when the
 * optional `mnist` package is installed (vite.config.ts turns the page's digit imports into
 * fetches there; without it the page says how to install them).
 */
export function explorerMounts(): Record<string, string> {
  try {
    const digits = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
    return existsSync(digits) ? { "/mnist/": digits } : {};
  } catch {
    return {};
  }
}

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

/**
 * Why the app needs a (re)build, or null when dist/explorer is up to date. An installed package
 * has no sources (src/web), so its prebuilt explorer is always current.
 */
export function staleReason(root = PROJECT_ROOT): string | null {
  const index = join(root, "dist", "explorer", "index.html");
  if (!existsSync(join(root, "src", "web"))) return existsSync(index) ? null : "the package has no built explorer";
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
