/**
 * The `tessera` command. Each subcommand lives in cli/commands/<name>.ts and exports
 * `register(program)`; only the command being run is imported (commands/index.ts), so
 * `tessera --help` and `--version` start in a blink and `count` never loads the chart library.
 * User errors print one line and exit 1; see errors.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { COMMANDS, commandFor } from "./commands/index.ts";
import { output, stdoutFailed } from "./output.ts";
import { packageRoot } from "./package-root.ts";

/** The package's version, from its package.json. */
export function packageVersion(): string {
  const json = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: unknown };
  return typeof json.version === "string" ? json.version : "unknown";
}

/**
 * Commander's usage errors as one line, like every other user error, keeping its suggestion:
 * "error: unknown command 'cout'\n(Did you mean count?)" -> "tessera: unknown command 'cout'; did
 * you mean count? (see --help)".
 */
export function usageLine(message: string): string {
  const [first, ...rest] = message
    .replace(/^error: /, "")
    .split("\n")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const suggestion = rest.map((s) => /^\(Did you mean (.+)\?\)$/.exec(s)?.[1]).find((s) => s !== undefined);
  return `tessera: ${first ?? "usage error"}${suggestion ? `; did you mean ${suggestion}?` : ""} (see --help)\n`;
}

export async function run(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("tessera")
    .description("Exact linear regions of piecewise-linear neural networks")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => output.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(usageLine(s)),
    })
    .showHelpAfterError(false);
  // The command being run gets its real definition; the others are listed by name and summary.
  const chosen = commandFor(argv);
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  const helper = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? helper.subcommandTerm(cmd) });
  for (const entry of COMMANDS) {
    if (entry === chosen) (await entry.load()).register(program);
    else program.command(entry.name).description(entry.description);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // Imported here, so that `--help` and `--version` load nothing beyond commander.
    const [{ UserError }, { InputError }, { FormatError }, { NumericalRefusal }, { printable }] = await Promise.all([
      import("./errors.ts"),
      import("../io/read.ts"),
      import("../io/network-json.ts"),
      import("../model/numerical-refusal.ts"),
      import("../io/describe-bytes.ts"),
    ]);
    if (e instanceof UserError || e instanceof InputError || e instanceof FormatError || e instanceof NumericalRefusal) {
      // One line: a newline inside a message (a parser's excerpt of the file, as JSON.parse gives)
      // escaped, not the message cut there.
      process.stderr.write(`tessera: ${printable(e.message, Number.POSITIVE_INFINITY)}\n`);
      // A limit that stopped the work exits 3: the output is a partial result.
      return "exitCode" in e && typeof e.exitCode === "number" ? e.exitCode : 1;
    }
    throw e;
  }
}

/** Run as a process: exit code set, internal errors with their trace (they are bugs). */
export function main(): void {
  process.stdout.on("error", stdoutFailed);
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`tessera: internal error: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}

// `tsx src/cli/main.ts ...` (development and the tests); the installed command is cli/bin.ts.
if (process.argv[1] && /cli[\\/]main\.ts$/.test(process.argv[1])) main();
