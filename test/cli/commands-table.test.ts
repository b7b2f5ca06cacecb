/**
 * The CLI registers commands lazily (src/cli/commands/index.ts): `tessera --help` lists them from
 * a table, and only the command being run is imported. The table must say what each module
 * registers, so the help reads the same either way; and the version and typo suggestions work.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Command } from "commander";
import { COMMANDS, commandFor } from "../../src/cli/commands/index.ts";
import { packageVersion, usageLine } from "../../src/cli/main.ts";
import { tesseraInProcess } from "./cli-harness.ts";

test("each table entry names, describes and lists its command as the module registers it", async () => {
  assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length, "names are unique");
  for (const entry of COMMANDS) {
    const program = new Command();
    (await entry.load()).register(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [entry.name],
      `${entry.name}: the module registers exactly this command`,
    );
    const command = program.commands[0];
    assert.equal(command.description(), entry.description, `${entry.name}: description`);
    assert.equal(program.createHelp().subcommandTerm(command), entry.term, `${entry.name}: help term`);
  }
});

test("commandFor finds the command being run, through `help NAME` and options, and nothing else", () => {
  assert.equal(commandFor(["count", "m.json", "--box", "-1,1"])?.name, "count");
  assert.equal(commandFor(["--json", "map"])?.name, "map");
  assert.equal(commandFor(["help", "stats"])?.name, "stats");
  assert.equal(commandFor(["--help"]), null);
  assert.equal(commandFor([]), null);
  assert.equal(commandFor(["cout"]), null);
});

test("--version prints the package's version; --help lists every command", async () => {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  assert.equal(packageVersion(), version);
  const v = await tesseraInProcess(["--version"]);
  assert.equal(v.code, 0);
  assert.equal(v.stdout, `${version}\n`);
  const help = await tesseraInProcess(["--help"]);
  assert.equal(help.code, 0);
  for (const entry of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${entry.term.replace(/[[\]]/g, "\\$&")} `, "m"), entry.name);
});

test("a mistyped command or option gets one line with the nearest name", async () => {
  const r = await tesseraInProcess(["cout", "m.json"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "tessera: unknown command 'cout'; did you mean count? (see --help)\n");
  const o = await tesseraInProcess(["count", "--bx", "-1,1", "m.json"]);
  assert.equal(o.code, 2);
  assert.equal(o.stderr, "tessera: unknown option '--bx'; did you mean --box? (see --help)\n");
  assert.equal(usageLine("error: unknown command 'zzz'"), "tessera: unknown command 'zzz' (see --help)\n");
});
