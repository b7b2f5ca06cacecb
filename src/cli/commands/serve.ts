/**
 * `tessera serve [--port N] [--host H] [--no-build] [--json]`
 *
 * Serve the browser explorer (docs/web.md) on localhost: the app is built with the package
 * (dist/explorer, `npm run build`), so it is served at once as static files (GET/HEAD, no uploads;
 * see web/server/static-server.ts). In a clone whose web sources changed since that build, it is
 * rebuilt first with Vite. The MNIST digits are served from the optional `mnist` package when it
 * is installed. Prints the address, then runs until interrupted.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { APP_DIR, BuildError, buildApp, explorerMounts, staleReason } from "../../web/server/build-app.ts";
import { serveStatic } from "../../web/server/static-server.ts";
import { parseInteger, UserError } from "../errors.ts";
import { output } from "../output.ts";
import type { Register } from "./index.ts";

interface ServeOptions {
  port: string;
  host: string;
  build: boolean;
  json?: boolean;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

export const register: Register = (program) => {
  program
    .command("serve")
    .description("serve the browser explorer on localhost (prebuilt with the package)")
    .option("--port <N>", "port to listen on (0: any free port)", "4173")
    .option("--host <HOST>", "address to listen on (127.0.0.1, localhost or ::1)", "127.0.0.1")
    .option("--no-build", "in a clone: serve dist/explorer as it is, even if its sources changed")
    .option("--json", "print one JSON object with the address once listening")
    .addHelpText(
      "after",
      `
Examples:
  tessera serve                 # http://127.0.0.1:4173/
  tessera serve --port 0 --json # any free port; prints {"url": ...}`,
    )
    .action(async (options: ServeOptions) => {
      const port = parseInteger(options.port, "--port", 0);
      if (port > 65535) throw new UserError(`--port: expected a port from 0 to 65535, got ${port}`);
      if (!LOCAL_HOSTS.has(options.host)) throw new UserError(`--host: the explorer is served on this machine only (127.0.0.1, localhost or ::1), got "${options.host}"`);
      const log = (line: string): void => {
        process.stderr.write(`tessera: ${line}\n`);
      };
      let built = false;
      if (options.build) {
        const reason = staleReason();
        if (reason) {
          log(`building the explorer (${reason})…`);
          try {
            await buildApp();
          } catch (e) {
            if (e instanceof BuildError) throw new UserError(e.message);
            throw e;
          }
          built = true;
        }
      }
      if (!existsSync(join(APP_DIR, "index.html"))) throw new UserError(`${APP_DIR}: no built explorer; run \`npm run build\` in the tessera folder`);
      let listening: Awaited<ReturnType<typeof serveStatic>>;
      try {
        listening = await serveStatic(APP_DIR, { host: options.host, port, mounts: explorerMounts() });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new UserError(`--port ${port}: the port is in use; choose another with --port, or --port 0 for any free one`);
        if (code === "EACCES") throw new UserError(`--port ${port}: not allowed to listen there; choose a port above 1024`);
        throw new UserError(`cannot listen on ${options.host}:${port} (${code ?? (e as Error).message})`);
      }
      if (options.json) output.write(`${JSON.stringify({ url: listening.url, port: listening.port, root: APP_DIR, built })}\n`);
      else output.write(`tessera explorer: ${listening.url}\n(serving ${APP_DIR}; press Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          listening.server.close(() => resolve());
          listening.server.closeAllConnections();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
};
