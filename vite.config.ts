/**
 * The explorer's build (src/web -> dist/web). `tessera serve` runs this build through Vite's
 * JavaScript API when dist/web is missing or older than the sources, then serves the folder.
 * Relative asset URLs ("./"), so the built app works from any path and from the file system's
 * point of view of the static server; the engine worker is an ES module worker.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL("./src/web", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/web", import.meta.url));

// The page imports small pure helpers from src/report (colours, ticks), whose modules also import
// vega for the CLI's charts; vega has no import-time side effects the app needs, so letting the
// bundler drop it when unused keeps ~0.5 MB of charting code out of the app and the worker.
const treeshake = {
  moduleSideEffects: (id: string) => !/[\\/]node_modules[\\/](vega|d3-)/.test(id),
};

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      treeshake,
      // The MNIST digits (JSON, 21 MB, loaded only for image models) make the build slow enough
      // for Rolldown's plugin-timing report; it is noise for anyone running `tessera serve`.
      checks: { bundlerTimings: false },
    },
  },
  worker: {
    format: "es",
    // The static server recognises the worker by this name (it alone may use eval; see
    // src/web/server/static-server.ts).
    rollupOptions: {
      treeshake,
      checks: { bundlerTimings: false },
      output: { entryFileNames: "assets/engine-worker-[hash].js" },
    },
  },
  server: { host: "127.0.0.1" },
});
