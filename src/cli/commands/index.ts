/** Every subcommand of the CLI. Add one line per command module. */
import type { Command } from "commander";
import { register as bounds } from "./bounds.ts";
import { register as build } from "./build.ts";
import { register as convert } from "./convert.ts";
import { register as count } from "./count.ts";
import { register as demo } from "./demo.ts";
import { register as inspect } from "./inspect.ts";
import { register as map } from "./map.ts";
import { register as report } from "./report.ts";
import { register as serve } from "./serve.ts";
import { register as shallow } from "./shallow.ts";
import { register as stats } from "./stats.ts";
import { register as train } from "./train.ts";

export type Register = (program: Command) => void;

export const commands: Register[] = [count, map, build, demo, bounds, train, report, stats, inspect, convert, shallow, serve];
