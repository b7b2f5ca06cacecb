/** Every subcommand of the CLI. Add one line per command module. */
import type { Command } from "commander";

export type Register = (program: Command) => void;

export const commands: Register[] = [];
