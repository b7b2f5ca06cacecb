#!/usr/bin/env node
/** The installed `tessera` command (package.json "bin" -> dist/cli/bin.js): plain Node, no loader. */
import { main } from "./main.ts";

main();
