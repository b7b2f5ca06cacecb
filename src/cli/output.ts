/**
 * Where commands print their results. Standard output by default; a test harness (or a program
 * embedding the CLI) can redirect it without touching `process.stdout`, which other code in the
 * same process (a test runner's reporter) may be writing to at the same time.
 */
export const output = {
  write(text: string): void {
    process.stdout.write(text);
  },
};
