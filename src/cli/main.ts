/**
 * The `tessera` command. Each subcommand lives in cli/commands/<name>.ts and exports
 * `register(program)`. User errors print one line and exit 1; see errors.ts.
 */
import { Command, CommanderError } from "commander";
import { InputError } from "../io/files.ts";
import { FormatError } from "../io/network-json.ts";
import { commands } from "./commands/index.ts";
import { UserError } from "./errors.ts";

export async function run(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("tessera")
    .description("Exact linear regions of piecewise-linear neural networks")
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // Usage errors as one line like every other user error: "tessera: unknown option '--x'".
      outputError: (s, write) =>
        write(
          `tessera: ${s
            .replace(/^error: /, "")
            .split("\n")[0]
            .trim()} (see --help)\n`,
        ),
    })
    .showHelpAfterError(false);
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError || e instanceof InputError || e instanceof FormatError) {
      process.stderr.write(`tessera: ${e.message.split("\n")[0]}\n`);
      return 1;
    }
    throw e;
  }
}

const isMain = process.argv[1] && /(cli[\\/]main\.ts|bin[\\/]tessera(\.js)?)$/.test(process.argv[1]);
if (isMain) {
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
