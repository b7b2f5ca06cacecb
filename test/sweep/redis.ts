/** A Redis server for the queue tests (started on a free local port) and the workers' lines. */
import { type ChildProcess, execFileSync } from "node:child_process";
import { createServer } from "node:net";

export function redisServer(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Lines a process writes to stderr, and a wait for a line matching a pattern (from line `from` on). */
export function watch(child: ChildProcess): { lines: string[]; until(re: RegExp, ms: number, from?: number): Promise<string> } {
  const lines: string[] = [];
  let rest = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    lines.push(...parts);
  });
  const until = async (re: RegExp, ms: number, from = 0): Promise<string> => {
    const end = Date.now() + ms;
    for (;;) {
      const seen = lines.slice(from).find((l) => re.test(l));
      if (seen) return seen;
      if (Date.now() > end) throw new Error(`no line matching ${re} within ${ms} ms:\n${lines.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, until };
}
