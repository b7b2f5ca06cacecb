/**
 * Where commands print their results. Standard output by default; a test harness (or a program
 * embedding the CLI) can redirect it without touching `process.stdout`, which other code in the
 * same process (a test runner's reporter) may be writing to at the same time.
 */
import { systemReason } from "../io/system-reason.ts";

export const output = {
  write(text: string): void {
    process.stdout.write(text);
  },
};

/**
 * A failed write to standard output (`> /dev/full`, a closed pipe) as one line and a non-zero
 * exit, never a stack trace: the command's stdout listener (cli/main.ts) calls this.
 */
export function stdoutFailed(e: unknown): void {
  process.stderr.write(`tessera: cannot write standard output (${systemReason(e)})\n`);
  process.exit(1);
}
