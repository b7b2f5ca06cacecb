/**
 * Every subcommand of the CLI, registered lazily: commander needs each command's name and summary
 * up front (for `tessera --help` and typo suggestions), but only the command being run needs its
 * module, and with it the engines, the LP solver, protobufjs, vega, resvg or the trainer. So this
 * table holds what the top-level help shows, and `load` imports the command's module on demand.
 *
 * Adding a command: one file in this folder exporting `register(program)`, and one entry here
 * with the term and description its `register` declares (test/cli/commands-table.test.ts checks
 * that they agree, and that `tessera --help` reads the same either way).
 */
import type { Command } from "commander";

export type Register = (program: Command) => void;

export interface CommandEntry {
  name: string;
  /** How `tessera --help` lists it: name, "[options]" when it has options, its arguments. */
  term: string;
  description: string;
  load: () => Promise<{ register: Register }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "count",
    term: "count [options] <model>",
    description: "exact number of linear regions over a box, along a line or in a plane",
    load: () => import("./count.ts"),
  },
  {
    name: "map",
    term: "map [options] <model>",
    description: "draw the exact linear regions in a plane as SVG or PNG",
    load: () => import("./map.ts"),
  },
  {
    name: "build",
    term: "build",
    description: "build a network (mlp, montufar) and save it as tessera JSON",
    load: () => import("./build.ts"),
  },
  {
    name: "demo",
    term: "demo [options]",
    description: "a default analysis: count regions along a line and in a square, draw them (no browser; npm start serves the explorer)",
    load: () => import("./demo.ts"),
  },
  {
    name: "bounds",
    term: "bounds [options] [model]",
    description: "theoretical bounds on the number of linear regions, exact, beside the real count",
    load: () => import("./bounds.ts"),
  },
  {
    name: "train",
    term: "train [options]",
    description: "train an MLP or a CNN (float64) and track its exact linear regions over epochs into a run directory",
    load: () => import("./train.ts"),
  },
  {
    name: "report",
    term: "report [options] <source>",
    description: "one self-contained HTML page (opens offline) for a training run directory or a model",
    load: () => import("./report.ts"),
  },
  {
    name: "stats",
    term: "stats [options] <model>",
    description: "estimates for high-dimensional inputs on a data set (Hanin & Rolnick's protocol)",
    load: () => import("./stats.ts"),
  },
  {
    name: "inspect",
    term: "inspect [options] <MODEL>",
    description: "show a model's format, layers, shapes, units and parameters, and whether it is piecewise linear",
    load: () => import("./inspect.ts"),
  },
  {
    name: "convert",
    term: "convert [options] <MODEL>",
    description: "convert an ONNX, TensorFlow.js or tessera model to the tessera JSON format or to ONNX",
    load: () => import("./convert.ts"),
  },
  {
    name: "shallow",
    term: "shallow [options] <model>",
    description: "rewrite a network exactly as a max of one-hidden-layer relu networks (An et al. 2017)",
    load: () => import("./shallow.ts"),
  },
  {
    name: "serve",
    term: "serve [options]",
    description: "serve the browser explorer on localhost (prebuilt with the package)",
    load: () => import("./serve.ts"),
  },
  {
    name: "sweep",
    term: "sweep [options] <spec>",
    description: "run a sweep (models x seeds x checkpoints x measurements) into a Parquet dataset; `sweep status --out DIR` shows its progress",
    load: () => import("./sweep.ts"),
  },
  {
    name: "worker",
    term: "worker [options] <redis>",
    description: "run sweep jobs from a BullMQ queue in Redis (start one per machine; see `sweep --queue`)",
    load: () => import("./worker.ts"),
  },
];

/** The command an argument list runs (`help NAME` included), or null for none or an unknown name. */
export function commandFor(argv: readonly string[]): CommandEntry | null {
  const words = argv.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name) ?? null;
}
