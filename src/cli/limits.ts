/**
 * `--max-cells N` and `--timeout SECONDS` for every command that can run long, progress on
 * stderr when it is a terminal, and what happens when a limit is hit: one line on stderr, exit
 * code 3, and with `--json` the partial result marked `"complete": false` on stdout.
 *
 * Ctrl-C is left to Node's default (the process ends at once): the engines run synchronously, so
 * a handler could not run before they finish anyway.
 */
import type { Command } from "commander";
import { EngineRefusal } from "../regions/engines.ts";
import { Budget, type LimitOptions, LimitReached, type StopReason } from "../regions/limits.ts";
import { SpaceLimitError } from "../regions/space.ts";
import { UserError } from "./errors.ts";

/** Exit code of a run a limit stopped (partial results). */
export const STOPPED_EXIT_CODE = 3;

/** A limit stopped the work: one line on stderr and exit code 3 (see cli/main.ts). */
export class StoppedEarly extends UserError {
  override name = "StoppedEarly";
  readonly exitCode = STOPPED_EXIT_CODE;
}

export interface LimitFlags {
  maxCells?: string;
  timeout?: string;
}

/** Add `--max-cells` and `--timeout` to a command. */
export function limitOptions(command: Command): Command {
  return command
    .option("--max-cells <N>", 'stop after N cells (exit code 3; with --json the partial result, "complete": false)')
    .option("--timeout <SECONDS>", "stop after this many seconds (exit code 3; with --json the partial result)");
}

function positive(text: string, what: string, integer: boolean): number {
  const v = /^\s*[+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new UserError(`${what}: expected a positive ${integer ? "integer" : "number"}, got "${text}"`);
  return v;
}

/** The limits of the flags (user errors for bad values). */
export function parseLimits(flags: LimitFlags): LimitOptions {
  return {
    ...(flags.maxCells !== undefined ? { maxCells: positive(flags.maxCells, "--max-cells", true) } : {}),
    ...(flags.timeout !== undefined ? { timeout: positive(flags.timeout, "--timeout", false) } : {}),
  };
}

/** Progress of one command on stderr, shown only when stderr is a terminal. */
export interface CommandBudget {
  budget: Budget;
  /** Clear the progress line (call before printing results). */
  done(): void;
}

/** The progress line on stderr ("12,345 cells | 61,000 cells/s | 0.2 s"), when stderr is a terminal. */
export function commandProgress(unit = "cells"): { limits: Pick<LimitOptions, "onProgress" | "progressEvery">; done(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    limits: tty
      ? {
          progressEvery: 0.25,
          onProgress: ({ cells, seconds }) => {
            const rate = seconds > 0 ? Math.round(cells / seconds) : 0;
            process.stderr.write(`\r${cells.toLocaleString("en")} ${unit} | ${rate.toLocaleString("en")} ${unit}/s | ${seconds.toFixed(1)} s\u001b[K`);
            shown = true;
          },
        }
      : {},
    done() {
      if (shown) process.stderr.write("\r\u001b[K");
      shown = false;
    },
  };
}

/**
 * The budget of one command: its flags' limits, and a progress line on stderr when it is a
 * terminal (commandProgress). `unit` names what is counted.
 */
export function commandBudget(flags: LimitFlags, unit = "cells"): CommandBudget {
  const progress = commandProgress(unit);
  return { budget: new Budget({ ...parseLimits(flags), ...progress.limits }), done: progress.done };
}

const REASON_TEXT: Record<StopReason, string> = {
  "max-cells": "the cell limit (--max-cells)",
  timeout: "the time limit (--timeout)",
  aborted: "a cancellation",
};

/** The one line on a partial result, thrown after the partial JSON (if any) is printed. */
export function stoppedEarly(reason: StopReason, cells: number, unit = "cells"): StoppedEarly {
  return new StoppedEarly(`stopped by ${REASON_TEXT[reason]} after ${cells} ${unit}: the result is partial (counts are lower bounds)`);
}

/** What the CLI says for engine refusals and the limits of the library (a user error, one line). */
export function engineError(e: unknown): never {
  if (e instanceof LimitReached) throw stoppedEarly(e.reason, 0);
  if (e instanceof EngineRefusal || e instanceof SpaceLimitError) throw new UserError(e.message);
  throw e;
}
